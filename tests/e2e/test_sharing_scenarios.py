"""Browser walks of S1 (cross-county grant, joint work, transfer, the original owner
still reads), S2 (grant to named officers) and S5 (duplicate warning) through the
profile hub and the sharing panel, as the scenario's demo users."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.models import Case, Notification, Profile

from .kit import open_tab, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]




def share(page, find, choice, level, reason):
    page.fill("#find", find)
    with page.expect_navigation():
        page.click("form:has(#find) button[type=submit]")  # not the admin header's search box
    page.locator("[data-testid=grant-form] label", has_text=choice).first.locator("input[type=radio]").check()
    page.select_option("[data-testid=grant-form] select[name=level]", label=level)
    page.fill("[data-testid=grant-form] textarea[name=reason]", reason)
    with page.expect_navigation():
        page.click("[data-testid=grant-form] button[type=submit]")
    page.wait_for_load_state()


def test_s1_cross_county_grant_joint_work_transfer(demo, page, screenshot):
    dean = Profile.objects.get(first_name="Dean", last_name="Riley")
    case = Case.objects.filter(participants__profile=dean, programme="iom", status="open").order_by("pk").first()
    # Staffordshire's IOM officer shares the profile and the case with Norfolk's IOM team.
    sign_in(page, demo, "staffs_iom")
    page.goto(f"{demo}/admin/profiles/{dean.pk}/")
    open_tab(page, "sharing")
    screenshot("s1-01-hub-sharing-tab")
    page.click("[data-testid=open-sharing]")
    for kind, pk in (("profile", dean.pk), ("case", case.pk)):
        page.goto(f"{demo}/admin/sharing/{kind}/{pk}/")
        share(page, "Norfolk IOM", "IOM Team — Norfolk Constabulary", "Contribute",
              "Moving to Norwich on release: joint management with Norfolk IOM.")
        expect(page.get_by_text("Shared with IOM Team — Norfolk Constabulary").first).to_be_visible()
    screenshot("s1-02-case-shared")
    # Norfolk sees the whole history at once and records its own contact.
    sign_in(page, demo, "norfolk_iom")
    page.goto(f"{demo}/admin/profiles/{dean.pk}/")
    open_tab(page, "chronology")
    expect(page.locator("[data-testid=chronology]").get_by_text("Completed Thinking Skills Programme").first).to_be_visible()
    screenshot("s1-03-norfolk-reads-history")
    page.goto(f"{demo}/admin/cases/{case.pk}/")
    quick = page.locator("form[action$='/activities/add/']")
    quick.locator("[name=summary]").fill("First home visit in Norwich: settled at hostel")
    with page.expect_navigation():
        quick.locator("button[type=submit]").click()
    assert Notification.objects.filter(recipient__username="norfolk_iom", kind="grant").count() == 2
    # Ownership passes to Norfolk; Staffordshire keeps read access.
    sign_in(page, demo, "staffs_iom")
    page.goto(f"{demo}/admin/sharing/profile/{dean.pk}/?find=Norfolk+IOM")
    transfer = page.locator("[data-testid=transfer-form]")
    transfer.locator("label", has_text="IOM Team — Norfolk Constabulary").locator("input").check()
    transfer.locator("select[name=previous_owner_level]").select_option(label="View")
    transfer.locator("textarea[name=reason]").fill("Settled in Norfolk: Norfolk IOM takes the lead.")
    transfer.locator("input[name=consent_reviewed]").check()
    with page.expect_navigation():
        transfer.locator("button[type=submit]").click()
    expect(page.get_by_text("now owns this record").first).to_be_visible()
    expect(page.locator("[data-testid=read-only]").first).to_be_visible()
    screenshot("s1-04-after-transfer-read-only")
    dean.refresh_from_db()
    assert dean.owner_team.organisation.name == "Norfolk Constabulary"
    # The original owner still reads everything, including Norfolk's entry.
    page.goto(f"{demo}/admin/profiles/{dean.pk}/")
    open_tab(page, "chronology")
    expect(page.get_by_text("First home visit in Norwich: settled at hostel").first).to_be_visible()
    screenshot("s1-05-staffs-still-reads")
    # Someone outside those teams sees nothing.
    sign_in(page, demo, "kettering_asb")
    assert page.goto(f"{demo}/admin/profiles/{dean.pk}/").status == 404
    assert page.goto(f"{demo}/admin/sharing/profile/{dean.pk}/").status == 404
    assert "Riley" not in page.content()


def test_s2_grant_to_named_officers(demo, page, screenshot):
    # A person only Waveney's ASB unit knows (the demo's own Waveney profiles are shared by
    # other scenarios, e.g. referrals), so that "the colleague sees nothing" holds.
    from django.contrib.auth import get_user_model

    from core import services
    from core.models import Team

    officer = get_user_model().objects.get(username="waveney_asb")
    team = Team.objects.get(name="ASB Unit", organisation__name__startswith="Waveney")
    person = services.create_profile(by=officer, owner_team=team, first_name="Kyle", last_name="Ormesby")
    sign_in(page, demo, "waveney_asb")
    page.goto(f"{demo}/admin/sharing/profile/{person.pk}/")
    for surname in ("Platten", "Brundall"):
        share(page, surname, surname, "Contribute", "Released into Norfolk: PPO officers write the release risk assessment.")
    screenshot("s2-01-named-officers")
    rows = page.locator("[data-testid=access-grant]")
    assert rows.count() == 2
    assert re.search("Jess Platten", rows.all_inner_texts()[0] + rows.all_inner_texts()[1])
    sign_in(page, demo, "norfolk_ppo")
    page.goto(f"{demo}/admin/")
    response = page.goto(f"{demo}/admin/profiles/{person.pk}/")
    assert response.status == 200 and person.last_name in page.content()
    screenshot("s2-02-officer-opens-profile")
    # A colleague of the same team who was not named sees nothing.
    sign_in(page, demo, "norfolk_spoc")
    assert page.goto(f"{demo}/admin/profiles/{person.pk}/").status == 404


def test_s5_duplicate_warning_offers_an_access_request(demo, page, screenshot):
    ethan = Profile.objects.get(first_name="Ethan", last_name="Marsh")
    sign_in(page, demo, "brighton_council")
    page.goto(f"{demo}/admin/profiles/add/")
    page.fill("input[name=first_name]", "Ethan")
    page.fill("input[name=last_name]", "marsh")
    page.fill("input[name=date_of_birth]", ethan.date_of_birth.isoformat())
    page.keyboard.press("Escape")
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Create profile')")
    warning = page.locator("[data-testid=duplicate-warning]")
    expect(warning).to_be_visible()
    assert "A matching record exists, owned by Safer Communities Team (Adur & Worthing Councils)" in warning.inner_text()
    assert "self" not in warning.inner_text().lower()  # no markers or notes of the unseen record
    screenshot("s5-01-duplicate-warning")
    hidden = page.locator("[data-testid=duplicate-hidden]")
    hidden.locator("textarea[name=reason]").fill("Seen in Brighton city centre late at night; offering support.")
    with page.expect_navigation():
        hidden.locator("button[type=submit]").click()
    expect(page.get_by_text("Your request was sent to Safer Communities Team").first).to_be_visible()
    screenshot("s5-02-request-sent")
    assert Profile.objects.filter(first_name="Ethan", last_name__iexact="marsh").count() == 1
    assert Notification.objects.filter(recipient__username="adur_worthing", kind="access_request").exists()
