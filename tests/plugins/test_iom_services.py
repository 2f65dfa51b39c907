"""IOM's write and read services: access levels, validation, audit and chronology,
and IOM switched off for an organisation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.access import AccessLevel
from core.models import Activity, AuditEvent
from core.services.errors import NotAllowed
from plugins.iom import services as iom
from plugins.iom.models import CohortMembership, CustodyPeriod, PathwayNeed, RiskScore

from .iom_helpers import cohort_case, days_ago, fresh, switch_iom, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def s1(world):
    profile, case = cohort_case(world)
    return world, profile, case


def _adopt(w, case, by=None):
    return iom.record_membership(case, by=by or w.staffs_officer, category="ppo", tier=1, risk_level="high",
                                 adopted_on=days_ago(150), offender_manager=w.staffs_officer,
                                 lead_agency=w.staffs_police)


# Cohort membership ------------------------------------------------------------------

def test_adoption_records_membership_chronology_and_audit(s1):
    w, profile, case = s1
    membership = _adopt(w, case)
    assert membership.profile == profile and membership.tier == 1
    entry = Activity.objects.get(case=case, summary__startswith="Adopted onto the IOM cohort")
    assert entry.occurred_at.date() == days_ago(150)
    assert AuditEvent.objects.filter(object_type="iom.cohortmembership", object_id=str(membership.pk),
                                     action="create").count() == 1


def test_partner_with_contribute_may_adopt_but_outsider_may_not(s1):
    w, _, case = s1
    with pytest.raises(NotAllowed):
        _adopt(w, case, by=w.outsider)
    assert not CohortMembership.objects.exists()
    assert _adopt(w, case, by=w.norfolk_officer).case == case


def test_view_only_partner_cannot_change_membership(s1):
    w, _, case = s1
    membership = _adopt(w, case)
    from core import services

    services.grant_access(case, w.norfolk_ppo, AccessLevel.VIEW, by=w.staffs_officer, reason="For information")
    with pytest.raises(NotAllowed):
        iom.update_membership(membership, by=w.norfolk_ppo_officer, changes={"tier": 2})
    membership.refresh_from_db()
    assert membership.tier == 1 and membership.version == 1


def test_membership_needs_a_cohort_case(world):
    from core import services
    from tests.factories import ProfileFactory

    profile = ProfileFactory(owner_team=world.staffs_iom)
    asb = services.open_case(by=world.staffs_officer, owner_team=world.staffs_iom, programme="asb",
                             case_type="asb_case", title="ASB", participants=[(profile, "subject")])
    with pytest.raises(ValidationError) as err:
        iom.record_membership(asb, by=world.staffs_officer, category="ppo", adopted_on=today())
    assert "case" in err.value.message_dict


def test_bad_category_names_the_field_and_writes_nothing(s1):
    w, _, case = s1
    with pytest.raises(ValidationError) as err:
        iom.record_membership(case, by=w.staffs_officer, category="vip", adopted_on=today())
    assert "category" in err.value.message_dict
    assert not CohortMembership.objects.exists()
    assert not Activity.objects.filter(case=case, summary__startswith="Adopted").exists()


def test_exit_needs_a_reason_then_is_logged(s1):
    w, _, case = s1
    membership = _adopt(w, case)
    with pytest.raises(ValidationError) as err:
        iom.update_membership(membership, by=w.staffs_officer, changes={"exited_on": today()})
    assert "exit_reason" in err.value.message_dict
    iom.update_membership(membership, by=w.staffs_officer,
                          changes={"exited_on": today(), "exit_reason": "moved_area"})
    membership.refresh_from_db()
    assert membership.exited_on == today() and membership.version == 2
    assert Activity.objects.filter(case=case, summary="Left the IOM cohort: Moved out of area").exists()


def test_stale_membership_edit_is_refused(s1):
    w, _, case = s1
    membership = _adopt(w, case)
    iom.update_membership(membership, by=w.staffs_officer, changes={"tier": 2})
    with pytest.raises(ValidationError):
        iom.update_membership(membership, by=w.norfolk_officer, changes={"tier": 3}, expected_version=1)
    membership.refresh_from_db()
    assert membership.tier == 2


# Custody ------------------------------------------------------------------------------

def test_custody_is_recorded_with_chronology_on_the_case(s1):
    w, profile, case = s1
    period = iom.record_custody(profile, by=w.staffs_officer, case=case, establishment="HMP Stafford",
                                prison_number="a1234bc", received_on=days_ago(100),
                                expected_release_on=today() + timedelta(days=21))
    assert period.prison_number == "A1234BC" and period.organisation == w.staffs_police
    assert Activity.objects.filter(case=case, summary__startswith="Custody recorded: HMP Stafford").exists()
    assert AuditEvent.objects.filter(object_type="iom.custodyperiod", action="create").count() == 1


def test_custody_without_case_goes_in_the_profile_chronology(s1):
    w, profile, _ = s1
    iom.record_custody(profile, by=w.staffs_officer, establishment="HMP Norwich", received_on=days_ago(10))
    assert Activity.objects.filter(profile=profile, case=None, summary__startswith="Custody recorded").exists()


def test_invalid_prison_number_names_the_field(s1):
    w, profile, _ = s1
    with pytest.raises(ValidationError) as err:
        iom.record_custody(profile, by=w.staffs_officer, establishment="HMP Stafford", prison_number="12-34",
                           received_on=days_ago(10))
    assert "prison_number" in err.value.message_dict
    assert not CustodyPeriod.objects.exists()


def test_release_before_reception_is_refused(s1):
    w, profile, _ = s1
    with pytest.raises(ValidationError) as err:
        iom.record_custody(profile, by=w.staffs_officer, establishment="HMP Stafford", received_on=days_ago(10),
                           released_on=days_ago(20), release_type="licence")
    assert "released_on" in err.value.message_dict


def test_release_is_logged_with_licence_conditions(s1):
    w, profile, case = s1
    period = iom.record_custody(profile, by=w.staffs_officer, case=case, establishment="HMP Stafford",
                                received_on=days_ago(300))
    iom.record_release(period, by=w.norfolk_officer, released_on=days_ago(2), release_type="licence",
                       licence_conditions="Curfew 19:00-07:00")
    period.refresh_from_db()
    assert period.released_on == days_ago(2) and period.version == 2
    entry = Activity.objects.get(case=case, summary__startswith="Released from HMP Stafford")
    assert entry.details == "Curfew 19:00-07:00" and entry.organisation == w.norfolk_police
    with pytest.raises(ValidationError):
        iom.record_release(period, by=w.staffs_officer, released_on=today(), release_type="hdc")


def test_outsider_cannot_record_custody(s1):
    w, profile, _ = s1
    with pytest.raises(NotAllowed):
        iom.record_custody(profile, by=w.outsider, establishment="HMP Stafford", received_on=days_ago(1))
    assert not CustodyPeriod.objects.exists()


# Pathways and risk scores ----------------------------------------------------------

def test_pathway_status_is_created_then_updated(s1):
    w, _, case = s1
    iom.set_pathway_status(case, "accommodation", by=w.staffs_officer, status="identified", notes="No fixed abode")
    need = iom.set_pathway_status(case, "accommodation", by=w.norfolk_officer, status="met", notes="Hostel NR3")
    assert PathwayNeed.objects.get(case=case, pathway="accommodation").status == "met"
    assert need.version == 2
    assert AuditEvent.objects.filter(object_type="iom.pathwayneed").count() == 2


def test_unknown_pathway_is_refused(s1):
    w, _, case = s1
    with pytest.raises(ValidationError) as err:
        iom.set_pathway_status(case, "housing", by=w.staffs_officer, status="nonsense")
    assert {"pathway", "status"} <= set(err.value.message_dict)


def test_risk_scores_are_a_history(s1):
    w, profile, _ = s1
    iom.add_risk_score(profile, by=w.staffs_officer, tool="ogrs3", score="72.5", level="high",
                       assessed_on=days_ago(200))
    iom.add_risk_score(profile, by=w.norfolk_officer, tool="ogrs3", score=Decimal("55"), level="medium",
                       assessed_on=days_ago(10))
    scores = list(RiskScore.objects.filter(profile=profile))
    assert [s.score for s in scores] == [Decimal("55.00"), Decimal("72.50")]


@pytest.mark.parametrize("bad", ["-1", "100.5", "high"])
def test_risk_score_outside_range_names_the_field(s1, bad):
    w, profile, _ = s1
    with pytest.raises(ValidationError) as err:
        iom.add_risk_score(profile, by=w.staffs_officer, tool="ogrs3", score=bad, assessed_on=today())
    assert "score" in err.value.message_dict
    assert not RiskScore.objects.exists()


# Reads, and IOM switched off ------------------------------------------------------

def _populate(w, profile, case):
    _adopt(w, case)
    iom.record_custody(profile, by=w.staffs_officer, case=case, establishment="HMP Stafford",
                       received_on=days_ago(100))
    iom.add_risk_score(profile, by=w.staffs_officer, tool="ogrs3", score="60", assessed_on=days_ago(5))
    iom.set_pathway_status(case, "health", by=w.staffs_officer, status="in_progress")


def test_reads_show_partners_and_hide_from_outsiders(s1):
    w, profile, case = s1
    _populate(w, profile, case)
    summary = iom.profile_summary(w.norfolk_officer, profile)
    assert summary.current_membership.category == "ppo" and summary.current_custody and summary.latest_risk_score
    assert iom.case_summary(w.norfolk_officer, case).pathways_open == 1
    assert iom.profile_summary(w.outsider, profile) is None
    assert iom.case_summary(w.outsider, case) is None
    for qs in (iom.visible_memberships, iom.visible_custody_periods, iom.visible_pathway_needs,
               iom.visible_risk_scores):
        assert qs(w.norfolk_officer).count() == 1
        assert qs(w.outsider).count() == 0


def test_switching_iom_off_hides_its_data_and_writes_without_deleting(s1):
    w, profile, case = s1
    _populate(w, profile, case)
    switch_iom(w.norfolk_police, False)
    officer = fresh(w.norfolk_officer)
    assert iom.profile_summary(officer, profile) is None
    assert iom.case_summary(officer, case) is None
    assert iom.visible_custody_periods(officer).count() == 0
    with pytest.raises(NotAllowed):
        iom.add_risk_score(profile, by=officer, tool="ogp", score="10", assessed_on=today())
    assert RiskScore.objects.count() == 1 and CustodyPeriod.objects.count() == 1
    # Staffordshire still has IOM.
    assert iom.profile_summary(fresh(w.staffs_officer), profile).current_custody
    switch_iom(w.norfolk_police, True)
    assert iom.profile_summary(fresh(officer), profile).latest_risk_score.score == Decimal("60")


def test_read_queries_are_bounded(s1, django_assert_max_num_queries):
    w, profile, case = s1
    _populate(w, profile, case)
    for _ in range(3):
        _populate_more(w, profile)
    officer = fresh(w.norfolk_officer)
    with django_assert_max_num_queries(8):
        summary = iom.profile_summary(officer, profile)
        [(m.offender_manager, m.lead_agency, m.case.reference) for m in summary.memberships]
        [(p.organisation.name) for p in summary.custody_periods]
        [(s.assessed_by) for s in summary.risk_scores]


def _populate_more(w, profile):
    iom.record_custody(profile, by=w.staffs_officer, establishment="HMP Birmingham", received_on=days_ago(400),
                       released_on=days_ago(300), release_type="licence")
    iom.add_risk_score(profile, by=w.staffs_officer, tool="ogp", score="30", assessed_on=days_ago(300))
