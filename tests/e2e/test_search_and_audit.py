"""A practitioner finds a person from the sidebar's search box with a misspelt name and
opens the record; the partnership admin then finds that search in the audit log and
downloads it as CSV."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from .kit import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_misspelt_search_from_the_sidebar_then_the_audit_log(live_server, page, screenshot):
    call_command("load_demo", "--profiles", "20", "--quiet-logins")
    sign_in(page, live_server.url, "practitioner")

    # The sidebar's search field belongs to our search area: "Rilay" for Dean Riley.
    box = page.get_by_role("search").get_by_role("textbox").first
    box.fill("Dean Rilay")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/admin/search/\?q=Dean"))
    results = page.get_by_test_id("search-results")
    results.get_by_role("link", name=re.compile("Dean Riley")).first.wait_for()
    screenshot("search-01-results")

    # The header's own box refreshes the results as one types.
    header_box = page.locator("form.w-slim-header__search-form input[name=q]")
    header_box.fill("Dean Rilay")
    results.get_by_role("link", name=re.compile("Dean Riley")).first.click()
    if "/reason/" in page.url:  # the partnership asks why the record is opened
        page.fill("textarea[name=reason], input[name=reason]", "IOM review of the cohort")
        page.get_by_role("button", name=re.compile("Continue|Open", re.I)).click()
    page.wait_for_url(re.compile(r"/admin/profiles/\d+/$"))
    assert page.get_by_role("heading", name=re.compile("Dean Riley")).first.is_visible()
    screenshot("search-02-profile")

    # The partnership admin sees the search in the audit log.
    page.context.clear_cookies()
    sign_in(page, live_server.url, "partnership_admin")
    page.goto(f"{live_server.url}/admin/audit/?action=search")
    page.get_by_text("Searched for “Dean Rilay”").first.wait_for()
    screenshot("audit-01-searches")
    page.locator("#filters-drilldown button").first.click()
    page.locator("#filters-drilldown").get_by_text("Organisation").first.wait_for()
    page.wait_for_timeout(500)  # the drawer fades in
    screenshot("audit-02-filters")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = open(download.value.path(), encoding="utf-8").read()
    assert "Dean Rilay" in text and text.startswith("When (UTC),User")
