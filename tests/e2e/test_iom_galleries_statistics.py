"""Browser test of IOM's galleries and statistics (issue 7): the cohort gallery filtered
by tier, and IOM's charts on the dashboard. Screenshots go to tests/e2e/output/."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core import services
from core.demo.kit import avatar
from core.models import Activity, Gallery
from core.services.galleries import sync_galleries
from plugins.iom import services as iom

from ..factories import ProfileFactory, make_world
from .kit import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def test_iom_cohort_gallery_and_statistics(live_server, page, screenshot, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    world = make_world()
    officer = world.staffs_officer
    officer.set_password(PASSWORD)
    officer.save()
    today = timezone.localdate()
    people = [("Liam", "Hadley", "ppo", 1, "high"), ("Dean", "Riley", "fixed", 2, "medium"),
              ("Kyle", "Moss", "flex", 3, "low"), ("Jay", "Ward", "ppo", 1, "very_high")]
    for i, (first, last, category, tier, risk) in enumerate(people):
        profile = ProfileFactory(owner_team=world.staffs_iom, first_name=first, last_name=last, risk_level=risk)
        profile.photo.save(f"{first}.png", avatar(first, last, "#1f6fb2"), save=True)
        case = services.open_case(by=officer, owner_team=world.staffs_iom, programme="iom", case_type="cohort",
                                  title=f"IOM: {first} {last}", participants=[(profile, "subject")],
                                  opened_on=today - timedelta(days=90))
        iom.record_membership(case, by=officer, category=category, tier=tier, risk_level=risk,
                              adopted_on=today - timedelta(days=30 * (i + 1)))
        for _ in range(i + 1):
            services.add_activity(by=officer, case=case, summary="Home visit", kind=Activity.Kind.VISIT)
        iom.set_pathway_status(case, "accommodation", by=officer, status="met" if i % 2 else "identified")
        iom.set_pathway_status(case, "drugs_alcohol", by=officer, status="met")
    sync_galleries()
    gallery = Gallery.objects.get(slug="iom-cohort")
    gallery.audience_partnerships.add(world.staffs_partnership)

    sign_in(page, live_server.url, officer.username, PASSWORD)
    page.goto(f"{live_server.url}/admin/galleries/{gallery.pk}/")
    grid = page.get_by_test_id("gallery-grid")
    expect(grid).to_contain_text("Liam Hadley")
    expect(grid).to_contain_text("Kyle Moss")
    page.select_option("#facet-tier", "1")
    page.get_by_role("button", name="Filter").click()
    expect(grid).to_contain_text("Jay Ward")
    expect(grid).not_to_contain_text("Kyle Moss")
    screenshot("iom_cohort_gallery_tier1")

    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("#chart-iom_cohort_size-title")).to_be_visible()
    expect(page.locator("body")).to_contain_text("IOM pathway needs met")
    page.locator("#chart-iom_cohort_size-title").scroll_into_view_if_needed()
    screenshot("iom_dashboard_statistics")
