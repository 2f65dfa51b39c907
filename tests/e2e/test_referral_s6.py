"""S6 through the real screens: a Stafford officer refers a young person to the
Neighbourhood Resolution Panel with the RJ referral form; the NRP coordinator (Victim
Support) sees it on the dashboard and in the inbox, accepts it, and an NRP case owned by
Victim Support starts at its first stage. Screenshots of every screen on the way."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from core import services
from core.models import Case, Referral, Team

from . import kit

User = get_user_model()

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    kit.sign_in(page, live_server.url, username)
    return context, page


def shot(page, name):
    from .conftest import OUTPUT

    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"s6-{name}.png"), full_page=True)


def test_s6_referral_accepted_starts_an_nrp_case(live_server, browser):
    call_command("load_demo", "--profiles", "20", "--quiet-logins")
    # A young person the NRP has never been told about (the demo's Harvey Cooper was).
    officer_user = User.objects.get(username="staffs_officer")
    youth = services.create_profile(by=officer_user, owner_team=Team.objects.get(name="Stafford Neighbourhood Policing"),
                                    first_name="Jordan", last_name="Keele", date_of_birth=date(2010, 3, 14),
                                    gender="male")

    officer_context, officer = sign_in(browser, live_server, "staffs_officer")
    officer.goto(f"{live_server.url}/admin/profiles/{youth.pk}/")
    officer.click("#tab-label-work")  # the profile hub's "Tasks and reports" tab
    officer.get_by_role("link", name="Make a referral").click()
    shot(officer, "01-choose-form")
    officer.get_by_role("link", name="Neighbourhood Resolution Panel referral").click()
    officer.select_option("select[name=to_team]", label="Victim Support — NRP Coordination")
    officer.select_option("select[name=referrer_case_level]", label="View")
    officer.fill("input[name=answers-offence]", "Graffiti on the community centre")
    officer.fill("textarea[name=answers-harm_caused]", "Centre staff spent two days cleaning; volunteers upset.")
    officer.check("input[name=answers-accepts_responsibility]")
    officer.fill("input[name=answers-rj_champion_consulted]", "PC Lee")
    shot(officer, "02-referral-form")
    officer.get_by_role("button", name="Send the referral").click()
    officer.wait_for_url("**/admin/referrals/*/")
    assert officer.get_by_text("Waiting for a decision").first.is_visible()
    shot(officer, "03-referral-sent")
    referral = Referral.objects.filter(profile=youth).latest("pk")
    officer.goto(f"{live_server.url}/admin/referrals/?box=out")
    assert officer.get_by_role("link", name=f"#{referral.pk} Neighbourhood Resolution Panel referral").is_visible()
    shot(officer, "04-referrals-out")

    coord_context, coordinator = sign_in(browser, live_server, "nrp_coordinator")
    assert coordinator.locator("#wraparound_referrals_waiting-section").get_by_text(f"#{referral.pk}").is_visible()
    shot(coordinator, "05-coordinator-dashboard")
    coordinator.goto(f"{live_server.url}/admin/inbox/")
    shot(coordinator, "06-inbox")
    coordinator.get_by_role("link", name=f"New referral #{referral.pk}").first.click()
    coordinator.wait_for_url(f"**/admin/referrals/{referral.pk}/")
    # The coordinator sees the referral's content, not yet the profile.
    assert coordinator.get_by_text("Graffiti on the community centre").is_visible()
    assert coordinator.get_by_text("The profile is shared with your team if you accept.").is_visible()
    shot(coordinator, "07-referral-received")
    coordinator.goto(f"{live_server.url}/admin/tasks/?scope=team")
    assert coordinator.get_by_role("link", name=f"Decide on referral #{referral.pk}: "
                                                 "Neighbourhood Resolution Panel referral").is_visible()
    shot(coordinator, "08-team-tasks")
    coordinator.goto(f"{live_server.url}/admin/referrals/{referral.pk}/")
    coordinator.get_by_role("button", name="Accept and start a case").click()
    coordinator.wait_for_url("**/admin/cases/*/")
    case = Case.objects.get(referral__pk=referral.pk)
    assert case.owner_team.name == "NRP Coordination" and case.case_type == "nrp"
    assert coordinator.locator(".wa-stages .wa-current").inner_text() == "Referred"
    assert coordinator.get_by_role("link", name="Jordan Keele").is_visible()
    shot(coordinator, "09-case-started")

    officer.goto(f"{live_server.url}/admin/referrals/?box=out&status=all")
    assert officer.get_by_text("Accepted").first.is_visible()
    officer.goto(f"{live_server.url}/admin/cases/{case.pk}/")
    assert officer.get_by_text(case.reference).first.is_visible()  # the referrer follows the case
    shot(officer, "10-referrer-follows-case")
    officer_context.close()
    coord_context.close()
