"""Browser tests for galleries (S5) and trigger-factor alerts (S9), through the real
login form and screens. Screenshots go to tests/e2e/output/."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from core import access, services
from core.access import AccessLevel
from core.demo.kit import avatar
from core.models import AccessRequest, Alert, Gallery, TriggerRule

from ..factories import CaseFactory, ProfileFactory, make_world
from .kit import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def test_s5_gallery_card_seen_by_a_neighbouring_team_then_access_requested_and_granted(
    live_server, page, screenshot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    w = make_world()
    gallery = Gallery.objects.create(name="Vulnerable persons", slug="vulnerable", kind=Gallery.Kind.EXPLICIT,
                                     description="Young people at risk across Norfolk and Suffolk.")
    gallery.audience_partnerships.add(w.norfolk_partnership)
    w.norfolk_iom.email = "iom@norfolk.example"
    w.norfolk_iom.save()
    juvenile = ProfileFactory(owner_team=w.norfolk_iom, first_name="Jayden", last_name="Marsh",
                              date_of_birth=datetime.date.today() - datetime.timedelta(days=15 * 365 + 40),
                              notes="Known associates: the Lowestoft group", phone="07700 900555")
    juvenile.photo.save("jm.png", avatar("Jayden", "Marsh", "#1f6fb2"), save=True)
    services.add_to_gallery(gallery, juvenile, by=w.norfolk_officer, risk_level="high",
                            reason="Groomed by an older group; missing from school")

    # A neighbouring council's officer sees the card, without access to the profile.
    sign_in(page, live_server.url, "waveney_officer", PASSWORD)
    page.goto(f"{live_server.url}/admin/galleries/")
    page.click("text=Vulnerable persons")
    page.wait_for_url(f"{live_server.url}/admin/galleries/{gallery.pk}/")
    card = page.locator("[data-testid=gallery-card]")
    assert card.count() == 1
    text = card.inner_text()
    assert "Jayden Marsh" in text and "Age 15" in text and "HIGH" in text.upper() and "IOM Team" in text
    assert "07700" not in page.content() and "Lowestoft" not in page.content() and "Groomed" not in page.content()
    assert page.locator("[data-testid=gallery-card] img").evaluate("img => img.naturalWidth") > 0
    screenshot("s5-01-gallery-card")
    card.get_by_text("Request access").click()
    page.fill("textarea[name=reason]", "We know his family through the ASB unit and can help.")
    screenshot("s5-02-request-access")
    page.click("text=Send the request")
    expect(page.get_by_text("Access requested").first).to_be_visible()
    assert AccessRequest.objects.filter(requested_by=w.waveney_officer, status="pending").count() == 1

    # The owner decides in the access-request inbox, choosing the level.
    sign_in(page, live_server.url, "norfolk_officer", PASSWORD)
    page.goto(f"{live_server.url}/admin/access-requests/")
    expect(page.get_by_text("We know his family").first).to_be_visible()
    screenshot("s5-03-inbox")
    page.click("text=Decide")
    page.select_option("select[name=level]", str(int(AccessLevel.VIEW)))
    page.fill("textarea[name=note]", "View for now; call us before visiting.")
    page.click("button[name=approve]")
    expect(page.get_by_text("Access granted.").first).to_be_visible()
    assert access.level_for(w.waveney_officer, juvenile) == AccessLevel.VIEW

    # The requester is told and can now open the profile from the card.
    sign_in(page, live_server.url, "waveney_officer", PASSWORD)
    page.goto(f"{live_server.url}/admin/galleries/{gallery.pk}/")
    page.get_by_text("Open profile").click()
    page.wait_for_url(f"{live_server.url}/admin/profiles/{juvenile.pk}/**")
    expect(page.locator("h1.w-h1", has_text="Jayden Marsh")).to_be_visible()
    screenshot("s5-04-profile-opened")


def test_s9_episodes_recorded_by_several_organisations_raise_exactly_one_alert(live_server, page, screenshot):
    w = make_world()
    child = ProfileFactory(owner_team=w.norfolk_iom, first_name="Chloe", last_name="Hangleton")
    case = CaseFactory(owner_team=w.norfolk_iom, programme="missing_persons", case_type="repeat_missing",
                       stage="identified", title="Repeat missing: Chloe")
    case.participants.create(profile=child)
    for team in (w.norfolk_ppo, w.waveney_asb):
        for target in (case, child):
            services.grant_access(target, team, AccessLevel.CONTRIBUTE, by=w.norfolk_officer, reason="Partners")

    # The partnership admin sets the threshold in the admin.
    sign_in(page, live_server.url, "partnership_admin", PASSWORD)
    page.goto(f"{live_server.url}/admin/trigger-rules/")
    page.click("text=Repeated activity on one profile")
    page.fill("input[name=param_count]", "3")
    page.fill("input[name=param_days]", "60")
    page.fill("input[name=param_contains]", "missing episode")
    page.fill("input[name=name]", "Repeat missing: 3 episodes in 60 days")
    page.get_by_label("ASB Unit").check() if page.get_by_label("Waveney District Council — ASB Unit").count() == 0 \
        else page.get_by_label("Waveney District Council — ASB Unit").check()
    screenshot("s9-01-rule-form")
    page.click("text=Save rule")
    expect(page.get_by_text("Repeat missing: 3 episodes in 60 days").first).to_be_visible()
    rule = TriggerRule.objects.get(name="Repeat missing: 3 episodes in 60 days")  # beside the default rules

    # Three organisations record episodes on the shared case.
    for username, summary in (
        ("norfolk_officer", "Missing episode 1: found in Norwich at 02:00"),
        ("waveney_officer", "Missing episode 2: reported by the council's out-of-hours team"),
        ("norfolk_ppo_officer", "Missing episode 3: returned of own accord"),
        ("waveney_officer", "Missing episode 3: return-home interview arranged"),
    ):
        sign_in(page, live_server.url, username, PASSWORD)
        page.goto(f"{live_server.url}/admin/cases/{case.pk}/")
        page.select_option("select[name=kind]", "call")
        page.fill("input[name=summary]", summary)
        page.click("text=Add to the action log")
        expect(page.get_by_text(summary).first).to_be_visible()
    assert Alert.objects.filter(rule=rule).count() == 1

    # The owner sees the one alert on the dashboard and acknowledges it with a note.
    sign_in(page, live_server.url, "norfolk_officer", PASSWORD)
    panel = page.locator("[data-testid=alerts-panel]")
    listed = panel.locator("ul a", has_text="Repeat missing: 3 episodes in 60 days")
    assert listed.count() == 1
    # ...and counted once in the alerts-per-rule table.
    assert panel.locator("[data-testid=alerts-per-rule] tr", has_text="Repeat missing").inner_text().split("\t")[1:3] \
        == ["1", "1"]
    screenshot("s9-02-dashboard-alert")
    listed.click()
    page.fill("textarea[name=note]", "Strategy meeting called for Thursday.")
    screenshot("s9-03-alert")
    page.click("button[name=action]")
    alert = Alert.objects.get()
    assert alert.status == Alert.Status.ACTIONED and alert.note == "Strategy meeting called for Thursday."
    page.goto(f"{live_server.url}/admin/alerts/?status=all")
    screenshot("s9-04-alerts")
    assert Alert.objects.count() == 1
