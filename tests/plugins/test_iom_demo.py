"""IOM's demo records (scenarios S1 and S3 and the two counties' cohorts), loaded once
for the module inside a transaction rolled back at the end."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from core import demo
from core.models import Profile
from plugins.iom import services as iom
from plugins.iom.models import CohortMembership, CustodyPeriod, PathwayNeed, RiskScore


@pytest.fixture(scope="module")
def ctx(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo.load(profiles=12, seed=3)
        transaction.set_rollback(True)


pytestmark = pytest.mark.usefixtures("ctx", "db")


def test_dean_is_in_custody_at_hmp_stafford_with_release_in_three_weeks(ctx):
    dean = Profile.objects.get(first_name="Dean", last_name="Riley")
    period = CustodyPeriod.objects.get(profile=dean, released_on__isnull=True)
    assert period.establishment == "HMP Stafford" and period.prison_number == "A4821DK"
    assert period.expected_release_on == timezone.localdate() + timedelta(days=21)
    # The prison, probation and the police all see it.
    for user in ("hmp_stafford", "staffs_probation", "staffs_iom"):
        assert iom.profile_summary(ctx.users[user], dean).current_custody == period


def test_liam_has_a_past_sentence_a_licence_and_norfolk_manages_him(ctx):
    liam = Profile.objects.get(first_name="Liam", last_name="Hadley")
    period = CustodyPeriod.objects.get(profile=liam)
    assert period.released_on and period.release_type == "licence" and "drug testing" in period.licence_conditions
    membership = CohortMembership.objects.get(profile=liam)
    assert membership.category == "ppo" and membership.tier == 1
    assert membership.offender_manager == ctx.users["norfolk_iom"]
    assert membership.lead_agency == ctx.organisations["norfolk_police"]
    assert RiskScore.objects.filter(profile=liam).count() == 2
    # Staffordshire keeps read access after the transfer; Waveney sees nothing.
    assert iom.profile_summary(ctx.users["staffs_iom"], liam).memberships
    assert iom.profile_summary(ctx.users["waveney_asb"], liam) is None


def test_cohorts_in_two_counties(ctx):
    areas = set(CohortMembership.objects.values_list("case__owner_team__organisation__area", flat=True))
    assert {"Staffordshire", "Norfolk"} <= areas
    assert PathwayNeed.objects.values("case").distinct().count() >= 5
    assert RiskScore.objects.count() > CohortMembership.objects.count()
    # Every membership hangs off a cohort case whose subject it names.
    for m in CohortMembership.objects.select_related("case"):
        assert m.case.programme == "iom" and m.case.participants.filter(profile=m.profile, role="subject").exists()


def test_the_iom_teams_see_the_iom_galleries_and_dean_is_due_for_release(ctx):
    from core.services.galleries import galleries_for, gallery_profiles

    dean = Profile.objects.get(first_name="Dean", last_name="Riley")
    for user in ("staffs_iom", "norfolk_iom"):
        slugs = set(galleries_for(ctx.users[user]).filter(programme="iom").values_list("slug", flat=True))
        assert {"iom-cohort", "iom-due-for-release"} <= slugs, user
    due = galleries_for(ctx.users["staffs_iom"]).get(slug="iom-due-for-release")
    assert gallery_profiles(due).filter(pk=dean.pk).exists()
    # Not an IOM team: no IOM gallery.
    assert not galleries_for(ctx.users["waveney_asb"]).filter(programme="iom").exists()
