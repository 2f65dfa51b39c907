"""Browser test: an organisation admin reviews a record past retention and erases it
with a justification; the review no longer lists it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core import services
from core.models import Activity, Case, Profile
from tests.factories import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"
LONG_AGO = datetime(2015, 1, 5, 10, 0, tzinfo=UTC)


def test_review_and_erase_a_profile_past_retention(live_server, page, screenshot):
    w = make_world()
    profile = services.create_profile(by=w.norfolk_officer, owner_team=w.norfolk_iom, first_name="Gideon",
                                      last_name="Oldrecord", identifiers=[("pnc", "15/123456X")])
    case = services.open_case(by=w.norfolk_officer, owner_team=w.norfolk_iom, programme="asb", case_type="asb_case",
                              title="Noise complaint", participants=[(profile, "offender")])
    Case.objects.filter(pk=case.pk).update(updated_at=LONG_AGO, opened_on=LONG_AGO.date(), closed_on=LONG_AGO.date(),
                                           status="closed", outcome="completed")
    Activity.objects.filter(case=case).update(occurred_at=LONG_AGO)
    Profile.objects.filter(pk=profile.pk).update(updated_at=LONG_AGO)
    base = live_server.url
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", "norfolk_spoc")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.goto(f"{base}/admin/data-protection/retention/")
    assert page.get_by_text(f"PROFILE-{profile.pk}").is_visible()
    screenshot("retention_review")
    page.locator(f"a[href$='/retention/profile/{profile.pk}/erase/']").click()
    page.fill("textarea[name=justification]", "Retention review RR-2026-07: no contact for over six years.")
    page.fill("input[name=confirm]", f"PROFILE-{profile.pk}")
    screenshot("retention_erase_form")
    with page.expect_navigation():
        page.click("button.no")
    assert page.get_by_text(f"PROFILE-{profile.pk} erased").is_visible()
    screenshot("retention_erased")
    assert not Profile.objects.filter(pk=profile.pk).exists()
