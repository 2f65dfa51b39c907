"""IOM's screens: the hub tab and the case section (core's plugin panels), the forms
behind them, the cohort list and menu, each at the right access level — an outsider
gets 404 and nothing is written — and all of it hidden (404) while IOM is switched off
for the user's organisation, then back when it is switched on again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import services
from core.access import AccessLevel
from plugins.iom import services as iom
from plugins.iom.models import CohortMembership, CustodyPeriod, PathwayNeed, RiskScore

from .iom_helpers import cohort_case, days_ago, switch_iom, today

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def hub(profile):
    return reverse("wraparound_profiles:detail", args=[profile.pk])


def iom_tab(profile):
    """The hub's IOM tab, loaded on demand like core's tabs."""
    return reverse("wraparound_profiles:tab", args=[profile.pk, "iom"])


def case_page(case):
    return reverse("wraparound_cases:detail", args=[case.pk])


@pytest.fixture
def s1(world):
    profile, case = cohort_case(world)
    iom.record_membership(case, by=world.staffs_officer, category="ppo", tier=1, risk_level="high",
                          adopted_on=days_ago(150), offender_manager=world.staffs_officer,
                          lead_agency=world.staffs_police)
    period = iom.record_custody(profile, by=world.staffs_officer, case=case, establishment="HMP Stafford",
                                prison_number="A1234BC", received_on=days_ago(300),
                                expected_release_on=today() + timedelta(days=21))
    iom.add_risk_score(profile, by=world.staffs_officer, tool="ogrs3", score="71", level="high",
                       assessed_on=days_ago(30))
    iom.set_pathway_status(case, "accommodation", by=world.staffs_officer, status="identified",
                           notes="Needs approved premises")
    return world, profile, case, period


def urls(profile, case, period):
    return [
        reverse("iom_cohort"),
        reverse("iom_membership", args=[case.pk]),
        reverse("iom_custody_add", args=[profile.pk]),
        reverse("iom_custody_edit", args=[period.pk]),
        reverse("iom_custody_release", args=[period.pk]),
        reverse("iom_risk_add", args=[profile.pk]),
    ]


def test_hub_shows_the_iom_tab_to_a_partner(s1):
    w, profile, _, _ = s1
    client = login(w.norfolk_officer)
    assert 'id="tab-iom"' in client.get(hub(profile)).content.decode()
    html = client.get(iom_tab(profile)).content.decode()
    assert 'data-testid="plugin-panel-iom"' in html
    assert "PPO — Prolific and Priority Offender" in html
    assert "HMP Stafford" in html and "A1234BC" in html
    assert "OGRS3" in html and "71.00" in html


def test_case_shows_membership_pathways_and_custody(s1):
    w, _, case, _ = s1
    html = login(w.norfolk_officer).get(case_page(case)).content.decode()
    assert 'data-testid="plugin-panel-iom_case"' in html
    assert "Needs approved premises" in html
    assert "Education, training and employment" in html
    assert "HMP Stafford" in html


def test_iom_panel_stays_off_other_programmes_cases(s1):
    w, profile, _, _ = s1
    asb = services.open_case(by=w.staffs_officer, owner_team=w.staffs_iom, programme="asb", case_type="asb_case",
                             title="ASB", participants=[(profile, "subject")])
    html = login(w.staffs_officer).get(case_page(asb)).content.decode()
    assert "plugin-panel-iom_case" not in html


def test_outsider_gets_404_everywhere_and_writes_nothing(s1):
    w, profile, case, period = s1
    client = login(w.outsider)
    assert client.get(hub(profile)).status_code == 404
    assert client.get(case_page(case)).status_code == 404
    for url in urls(profile, case, period)[1:]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"establishment": "HMP X", "received_on": today(), "tool": "ogp", "score": "5",
                                 "assessed_on": today(), "category": "flex", "adopted_on": today(),
                                 "released_on": today(), "release_type": "hdc", "version": 1}).status_code == 404
    assert client.post(reverse("iom_pathway", args=[case.pk, "health"]), {"status": "met"}).status_code == 404
    # The outsider's cohort list holds nobody.
    assert "Liam" not in client.get(reverse("iom_cohort")).content.decode()
    assert CustodyPeriod.objects.count() == 1 and RiskScore.objects.count() == 1
    assert not PathwayNeed.objects.filter(pathway="health").exists()
    assert CohortMembership.objects.get().category == "ppo"


def test_view_only_partner_sees_but_cannot_change(s1):
    w, profile, case, period = s1
    for target in (profile, case):
        services.grant_access(target, w.norfolk_ppo, AccessLevel.VIEW, by=w.staffs_officer, reason="For information")
    client = login(w.norfolk_ppo_officer)
    html = client.get(iom_tab(profile)).content.decode()
    assert "HMP Stafford" in html and "iom-record-custody" not in html
    assert "iom-edit-membership" not in client.get(case_page(case)).content.decode()
    assert client.get(reverse("iom_custody_add", args=[profile.pk])).status_code == 403
    assert client.post(reverse("iom_pathway", args=[case.pk, "health"]), {"status": "met"}).status_code == 403
    assert not PathwayNeed.objects.filter(pathway="health").exists()


def test_recording_custody_through_the_form(s1):
    w, profile, case, _ = s1
    client = login(w.norfolk_officer)
    url = reverse("iom_custody_add", args=[profile.pk]) + f"?case={case.pk}"
    bad = client.post(url, {"establishment": "HMP Norwich", "prison_number": "nope", "received_on": days_ago(5)})
    assert bad.status_code == 200 and "Not a valid prison number" in bad.content.decode()
    response = client.post(url, {"establishment": "HMP Norwich", "prison_number": "b2345cd",
                                 "received_on": days_ago(5), "case": case.pk})
    assert response.status_code == 302
    period = CustodyPeriod.objects.get(establishment="HMP Norwich")
    assert period.prison_number == "B2345CD" and period.case == case and period.organisation == w.norfolk_police


def test_recording_release_through_the_form(s1):
    w, _, _, period = s1
    client = login(w.norfolk_officer)
    response = client.post(reverse("iom_custody_release", args=[period.pk]), {
        "released_on": today(), "release_type": "licence", "licence_conditions": "Curfew", "version": period.version,
    })
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.released_on == today() and period.licence_conditions == "Curfew"


def test_adopt_and_edit_membership_through_the_form(world):
    profile, case = cohort_case(world)
    client = login(world.staffs_officer)
    url = reverse("iom_membership", args=[case.pk])
    assert "Adopt onto the cohort" in client.get(url).content.decode()
    response = client.post(url, {"category": "flex", "tier": "3", "risk_level": "medium",
                                 "adopted_on": days_ago(3), "offender_manager": world.staffs_officer.pk})
    assert response.status_code == 302
    membership = CohortMembership.objects.get(case=case)
    assert membership.tier == 3 and membership.offender_manager == world.staffs_officer
    response = client.post(url, {"category": "flex", "tier": "2", "risk_level": "medium", "adopted_on": days_ago(3),
                                 "exited_on": today(), "exit_reason": "", "version": membership.version})
    assert response.status_code == 200 and "Give the reason" in response.content.decode()
    membership.refresh_from_db()
    assert membership.tier == 3


def test_setting_a_pathway_from_the_grid(s1):
    w, _, case, _ = s1
    response = login(w.norfolk_officer).post(reverse("iom_pathway", args=[case.pk, "accommodation"]),
                                             {"status": "met", "notes": "Hostel, NR3"})
    assert response.status_code == 302
    assert PathwayNeed.objects.get(case=case, pathway="accommodation").status == "met"


def test_adding_a_risk_score_with_a_bad_value_names_the_field(s1):
    w, profile, _, _ = s1
    response = login(w.staffs_officer).post(reverse("iom_risk_add", args=[profile.pk]), {
        "tool": "ogp", "score": "250", "level": "high", "assessed_on": today(),
    })
    assert response.status_code == 200 and RiskScore.objects.count() == 1


def test_cohort_list_and_menu(s1):
    w, _, case, _ = s1
    client = login(w.norfolk_officer)
    html = client.get(reverse("iom_cohort")).content.decode()
    assert case.reference in html and "Liam Hadley" in html
    assert "/admin/programmes/iom/cohort/" in client.get("/admin/").content.decode()


def test_disabling_iom_hides_everything_and_reenabling_brings_it_back(s1):
    w, profile, case, period = s1
    switch_iom(w.norfolk_police, False)
    client = login(w.norfolk_officer)
    assert 'id="tab-iom"' not in client.get(hub(profile)).content.decode()
    assert client.get(iom_tab(profile)).status_code == 404
    assert "plugin-panel-iom_case" not in client.get(case_page(case)).content.decode()
    assert "/admin/programmes/iom/cohort/" not in client.get("/admin/").content.decode()
    for url in urls(profile, case, period):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("iom_pathway", args=[case.pk, "health"]), {"status": "met"}).status_code == 404
    # Nothing was deleted, and Staffordshire (IOM still on) sees it all.
    assert CohortMembership.objects.count() == CustodyPeriod.objects.count() == RiskScore.objects.count() == 1
    assert "plugin-panel-iom" in login(w.staffs_officer).get(iom_tab(profile)).content.decode()
    switch_iom(w.norfolk_police, True)
    assert "HMP Stafford" in client.get(iom_tab(profile)).content.decode()
    assert client.get(reverse("iom_cohort")).status_code == 200


def test_iom_tab_costs_a_fixed_number_of_queries(s1):
    w, profile, case, _ = s1
    client = login(w.norfolk_officer)

    def count():
        client.get(iom_tab(profile))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(iom_tab(profile)).status_code == 200
        return len(ctx)

    few = count()
    for i in range(6):
        iom.record_custody(profile, by=w.staffs_officer, establishment=f"HMP {i}", received_on=days_ago(900 - i),
                           released_on=days_ago(800 - i), release_type="licence")
        iom.add_risk_score(profile, by=w.staffs_officer, tool="ogp", score=str(i), assessed_on=days_ago(100 + i))
    assert count() == few
