"""The profile hub in a browser: the Summary comes with the page, every other tab is
fetched from its own URL when first shown (also when the page is opened on a tab's
#fragment), and the chronology's filter replaces only its tab, without reloading."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.models import Profile

from .kit import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]




def test_tabs_load_on_demand_and_the_chronology_filters_in_place(demo, page, screenshot):
    dean = Profile.objects.get(first_name="Dean", last_name="Riley")
    sign_in(page, demo, "staffs_iom")
    hub = f"{demo}/admin/profiles/{dean.pk}/"
    page.goto(hub)
    expect(page.locator("#tab-summary")).to_be_visible()
    # Not fetched until shown.
    assert page.locator("#tab-relationships [data-hub-tab-placeholder]").count() == 1
    page.click("#tab-label-relationships")
    expect(page.locator("#tab-relationships h2", has_text="Relationships")).to_be_visible()
    # Opened straight on a tab's fragment (a new page load, not a same-document jump).
    page.goto(f"{demo}/admin/")
    page.goto(f"{hub}#tab-chronology")
    table = page.locator("[data-testid=chronology]")
    expect(table).to_be_visible()
    page.evaluate("window.__sameDocument = true")
    page.select_option("#tab-chronology select[name=kind]", "stage_change")
    page.click("#tab-chronology button[type=submit]")
    expect(page.locator("#tab-chronology")).not_to_have_attribute("aria-busy", "true")
    expect(table.locator("tbody tr").first).to_contain_text("Stage change")
    for kind in table.locator("tbody tr td:nth-child(2)").all_inner_texts():
        assert kind.startswith("Stage change")
    assert page.evaluate("window.__sameDocument") is True  # the tab was swapped, the page not reloaded
    screenshot("hub-01-chronology-filtered-in-place")
