"""The demo partnership (``core.demo`` and ``manage.py load_demo``). Loaded once for the
module, with few profiles, inside a transaction rolled back at the end."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.db import transaction

from core import access, demo, roles
from core.access import AccessLevel, can
from core.models import (
    AuditEvent,
    Case,
    Grant,
    Household,
    Identifier,
    Organisation,
    Profile,
    ProgrammeModule,
)
from core.plugins.registry import registry
from wraparound import cli

User = get_user_model()


@pytest.fixture(scope="module")
def ctx(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo.load(profiles=12, seed=3)
        transaction.set_rollback(True)


pytestmark = pytest.mark.usefixtures("ctx", "db")


def test_demo_has_a_user_for_every_role():
    for role in roles.ROLES:
        assert User.objects.filter(groups__name=role).exists(), role


def test_system_admin_is_a_superuser(ctx):
    assert ctx.users["sysadmin"].is_superuser and ctx.users["sysadmin"].is_staff


def test_demo_password_passes_the_validators(ctx):
    user = ctx.users["practitioner"]
    validate_password(demo.DEMO_PASSWORD, user)
    assert User.objects.get(pk=user.pk).check_password(demo.DEMO_PASSWORD)


def test_organisations_span_several_counties_and_kinds():
    assert Organisation.objects.values("area").distinct().count() >= 4
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert {"police", "council", "prison", "probation", "housing", "health", "victim_services"} <= kinds


def test_programmes_are_enabled_per_organisation_not_everywhere(ctx):
    prison = ctx.organisations["hmp_stafford"]
    assert set(ProgrammeModule.objects.filter(organisation=prison, enabled=True).values_list("programme", flat=True)) == {"iom"}


def test_every_programme_has_cases_some_closed():
    assert set(Case.objects.values_list("programme", flat=True)) == set(registry.programmes)
    assert Case.objects.filter(status=Case.Status.CLOSED).exclude(outcome="").exists()


def test_cases_have_activities_by_several_organisations():
    case = Case.objects.get(title__startswith="ASB: Whitehawk Road")
    assert case.activities.values("organisation").distinct().count() >= 3
    assert case.activities.filter(kind="non_cooperation").count() >= 2


def test_grants_cross_organisations():
    crossing = [g for g in Grant.objects.filter(revoked_at__isnull=True).select_related("profile", "case")
                if g.target.owner_team.organisation_id != _grantee_org(g)]
    assert len(crossing) >= 5


def _grantee_org(grant):
    if grant.organisation_id:
        return grant.organisation_id
    if grant.team_id:
        return grant.team.organisation_id
    return grant.user.memberships.first().team.organisation_id


def test_ppo_moved_to_norfolk_and_staffordshire_keeps_view(ctx):
    liam = Profile.objects.get(identifiers__kind="pnc", identifiers__value="2004/0123456X")
    assert liam.owner_team == ctx.teams["norfolk_iom"]
    assert can(ctx.users["staffs_iom"], liam, AccessLevel.VIEW)
    assert not can(ctx.users["staffs_iom"], liam, AccessLevel.CONTRIBUTE)
    assert not can(ctx.users["waveney_asb"], liam, AccessLevel.VIEW)


def test_named_norfolk_officers_see_the_waveney_perpetrator(ctx):
    kyle = Profile.objects.get(first_name="Kyle", last_name="Mutford")
    assert can(ctx.users["norfolk_ppo2"], kyle, AccessLevel.CONTRIBUTE)
    assert not can(ctx.users["norfolk_iom"], kyle, AccessLevel.VIEW)


def test_troubled_family_is_a_household_seen_by_its_keyworker_only(ctx):
    from core.models import HouseholdMember

    family = Household.objects.get(name="The Pakefield family")
    assert family.members.count() == 3
    keyworker, outsider = ctx.users["waveney_families"], ctx.users["brighton_police"]
    assert access.restrict(HouseholdMember.objects.filter(household=family), keyworker).count() == 3
    assert not access.restrict(HouseholdMember.objects.filter(household=family), outsider).exists()


def test_no_case_has_an_entry_after_its_closing_day():
    from django.utils import timezone

    from core.models import Activity

    late = [
        (a.case.reference, a.summary)
        for a in Activity.objects.filter(case__closed_on__isnull=False).select_related("case")
        if timezone.localdate(a.occurred_at) > a.case.closed_on
    ]
    assert late == []


def test_profiles_have_avatars_and_valid_identifiers():
    assert Profile.objects.exclude(photo="").count() >= Profile.objects.count() * 0.7
    assert Identifier.objects.filter(kind="pnc").exists()
    assert Profile.objects.filter(date_of_birth_approximate=True).exists() or Profile.objects.count() < 40


def test_demo_events_are_marked_as_command_line():
    assert AuditEvent.objects.exists()
    assert set(AuditEvent.objects.values_list("channel", flat=True)) == {"cli"}


def test_second_load_adds_nothing_and_prints_the_logins():
    before = (Profile.objects.count(), Case.objects.count(), User.objects.count())
    out = io.StringIO()
    call_command("load_demo", "--profiles", "5", stdout=out)
    assert "already loaded" in out.getvalue()
    assert demo.DEMO_PASSWORD in out.getvalue() and "partnership_admin" in out.getvalue()
    assert (Profile.objects.count(), Case.objects.count(), User.objects.count()) == before


def test_wraparound_manage_passes_arguments_to_django(capsys):
    cli.main(["manage", "load_demo", "--quiet-logins"])
    assert "already loaded" in capsys.readouterr().out
