"""Shared set-up for the IOM plugin tests: a cohort case in Staffordshire shared with
Norfolk's IOM team (contribute) — the S1 shape — on top of ``make_world``."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from core import services
from core.access import AccessLevel
from core.models import ProgrammeModule
from tests.factories import ProfileFactory


def today():
    return timezone.localdate()


def days_ago(n: int):
    return today() - timedelta(days=n)


def cohort_case(world, *, share_with_norfolk: bool = True):
    """(profile, case) owned by Staffordshire's IOM team, shared with Norfolk IOM."""
    profile = ProfileFactory(owner_team=world.staffs_iom, first_name="Liam", last_name="Hadley")
    case = services.open_case(
        by=world.staffs_officer, owner_team=world.staffs_iom, programme="iom", case_type="cohort",
        title="PPO: Liam Hadley", participants=[(profile, "subject")], opened_on=days_ago(200),
    )
    if share_with_norfolk:
        for target in (profile, case):
            services.grant_access(target, world.norfolk_iom, AccessLevel.CONTRIBUTE, by=world.staffs_officer,
                                  reason="Moving to Norwich on release.")
    return profile, case


def switch_iom(org, enabled: bool):
    ProgrammeModule.objects.filter(organisation=org, programme="iom").update(enabled=enabled)


def fresh(user):
    """The user without the per-request caches (enabled programmes, organisation)."""
    for attr in ("_wraparound_programmes", "_wraparound_primary_org"):
        user.__dict__.pop(attr, None)
    return user
