"""IOM's tables exist (the plugin's migrations run) and hold their invariants."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from plugins.iom.models import CohortMembership, CustodyPeriod, PathwayNeed, RiskScore
from tests.factories import CaseFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def _cohort_case(world):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    case = CaseFactory(programme="iom", case_type="cohort", stage="adopted", reference="IOM-2026-900001",
                       owner_team=world.staffs_iom)
    return profile, case


def test_membership_is_one_per_case(world):
    profile, case = _cohort_case(world)
    CohortMembership.objects.create(case=case, profile=profile, category="ppo", tier=1, adopted_on=date(2026, 1, 5))
    with pytest.raises(IntegrityError), transaction.atomic():
        CohortMembership.objects.create(case=case, profile=profile, category="fixed", adopted_on=date(2026, 2, 1))


def test_exit_reasons_are_the_case_types_outcomes():
    codes = [code for code, _ in CohortMembership._meta.get_field("exit_reason").choices]
    assert "desisted" in codes and "long_sentence" in codes


def test_custody_prison_number_is_validated_like_the_identifier_type(world):
    profile, _ = _cohort_case(world)
    period = CustodyPeriod(profile=profile, establishment="HMP Stafford", prison_number="12345",
                           received_on=date(2025, 6, 1), organisation=world.staffs_police)
    with pytest.raises(ValidationError) as err:
        period.full_clean()
    assert "prison_number" in err.value.message_dict
    period.prison_number = "A4821DK"
    period.full_clean()


def test_one_pathway_row_per_case_and_pathway(world):
    _, case = _cohort_case(world)
    PathwayNeed.objects.create(case=case, pathway="accommodation")
    with pytest.raises(IntegrityError), transaction.atomic():
        PathwayNeed.objects.create(case=case, pathway="accommodation", status="met")


def test_risk_score_outside_0_to_100_is_refused(world):
    profile, _ = _cohort_case(world)
    score = RiskScore(profile=profile, tool="ogrs3", score=Decimal("101"), assessed_on=date(2026, 1, 1))
    with pytest.raises(ValidationError) as err:
        score.full_clean()
    assert "score" in err.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        score.save()
