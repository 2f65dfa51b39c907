"""Helpers for writing demo data: avatars, addresses, the user who acts for a team, named
scenario people, cases with a dated chronology. Programme plugins use these from their
``demo.py`` (``from core.demo.kit import run_case, …``), so that no plugin copies
another's code."""

from __future__ import annotations

import io
import random
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from .. import services
from ..models import (
    PersonRole,
    Profile,
)
from ..plugins.registry import registry
from ..plugins.types import DemoContext
from .data import OA, ORGANISATIONS, PR, TEAMS, TM, USERS
from .places import AVATAR_COLOURS, STREETS, TOWNS


def avatar(first: str, last: str, colour: str, size: int = 200) -> ContentFile:
    """A PNG of the person's initials on a coloured circle (no real photos in a demo)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, size - 1, size - 1), fill=colour)
    initials = f"{first[:1]}{last[:1]}".upper()
    try:
        font = ImageFont.load_default(size=size * 2 // 5)
    except TypeError:  # Pillow without FreeType: the small bitmap font
        font = ImageFont.load_default()
    draw.text((size / 2, size / 2), initials, fill="white", font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return ContentFile(buffer.getvalue())


def address_in(rng: random.Random, county: str) -> dict:
    town, area = rng.choice(TOWNS[county])
    return {
        "line1": f"{rng.randint(1, 180)} {rng.choice(STREETS)}", "town": town, "county": county,
        "postcode": f"{area} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}",
    }



def member_of(ctx: DemoContext, team_key: str):
    """The first demo practitioner (or manager) in a team: the one who acts for it."""
    for username, (_first, _last, role, teams) in USERS.items():
        if role in (PR, TM, OA) and any(t == team_key for t, _ in teams):
            return ctx.users[username]
    raise KeyError(f"No demo user works in {team_key}.")


def team_profiles(ctx: DemoContext, team_key: str, role: str | None = None, k: int | None = None,
                  exclude=()) -> list[Profile]:
    """Demo profiles owned by a team (optionally with a person role), ``k`` of them at random."""
    team_id = ctx.teams[team_key].pk
    skip = {p.pk for p in exclude}
    pool = [p for p in ctx.profiles if p.owner_team_id == team_id and p.pk not in skip]
    if role:
        with_role = set(PersonRole.objects.filter(profile__in=pool, role=role).values_list("profile_id", flat=True))
        pool = [p for p in pool if p.pk in with_role]
    if k is not None:
        pool = ctx.random.sample(pool, min(k, len(pool)))
    return pool


def new_profile(ctx: DemoContext, team_key: str, *, first_name: str, last_name: str, age: int,
                person_roles=(), colour: str | None = None, **extra) -> Profile:
    """A named person for a scenario, owned by ``team_key``, with an avatar and an address
    in the team's county."""
    county = ORGANISATIONS[TEAMS[team_key][0]][2]
    photo = avatar(first_name, last_name, colour or ctx.random.choice(AVATAR_COLOURS))
    photo.name = f"demo-{first_name.lower()}-{last_name.lower()}.png"
    extra.setdefault("date_of_birth", date.today() - timedelta(days=age * 365 + 100))
    extra.setdefault("addresses", [address_in(ctx.random, county)])
    profile = services.create_profile(
        by=member_of(ctx, team_key), owner_team=ctx.teams[team_key], first_name=first_name,
        last_name=last_name, person_roles=list(person_roles), photo=photo, **extra,
    )
    ctx.profiles.append(profile)
    return profile


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def moments(ctx: DemoContext, start: date, count: int, until: date | None = None) -> list[datetime]:
    """``count`` sorted office-hours moments between ``start`` and ``until`` (default
    yesterday)."""
    until = min(until or timezone.localdate(), timezone.localdate() - timedelta(days=1))
    span = max(0, (until - start).days)
    days = sorted(ctx.random.randint(0, span) for _ in range(count))
    tz = timezone.get_current_timezone()
    return [
        timezone.make_aware(datetime.combine(start + timedelta(days=d),
                                             time(ctx.random.randint(8, 18), ctx.random.choice((0, 15, 30, 45)))), tz)
        for d in days
    ]


def chronology(ctx: DemoContext, case, entries, until: date | None = None) -> list:
    """Record ``entries`` — ``(user_key, kind, summary)`` or ``(user_key, kind, summary,
    details)``; a ``None`` user is the case owner's practitioner — on a case, spread in
    order between its opening and ``until`` (default yesterday)."""
    made = []
    owner = None
    for when, entry in zip(moments(ctx, case.opened_on, len(entries), until), entries, strict=True):
        user_key, kind, summary, *details = entry
        if user_key is None:
            owner = owner or next(u for u in ctx.users.values() if u.memberships.filter(team=case.owner_team).exists())
        user = ctx.users[user_key] if user_key else owner
        made.append(services.add_activity(by=user, case=case, kind=kind, summary=summary,
                                          details=details[0] if details else "", occurred_at=when))
    return made


def run_case(ctx: DemoContext, *, team: str, programme: str, case_type: str, title: str, participants=(),
             opened_days_ago: int, stage: str | None = None, entries=(), outcome: str | None = None,
             outcome_notes: str = "", summary: str = ""):
    """Open a case for ``team``, record its chronology, move it to ``stage`` and, with an
    ``outcome``, close it (its entries then fall before the closing date)."""
    by = member_of(ctx, team)
    case = services.open_case(
        by=by, owner_team=ctx.teams[team], programme=programme, case_type=case_type, title=title,
        participants=list(participants), opened_on=days_ago(opened_days_ago), lead=by, summary=summary,
    )
    closed_on = days_ago(ctx.random.randint(2, max(2, opened_days_ago // 4))) if outcome else None
    chronology(ctx, case, list(entries), until=closed_on)
    if stage and stage != case.stage:
        advance(case, stage, by=by, until=closed_on)
    if outcome:
        services.close_case(case, by=by, outcome=outcome, notes=outcome_notes, closed_on=closed_on)
    return case


def pick(ctx: DemoContext, choices, weights=None):
    """One of ``choices`` (optionally weighted), from the demo's seeded generator."""
    return ctx.random.choices(list(choices), weights=weights)[0]


def advance(case, to_stage: str, *, by, note: str = "", until=None) -> None:
    """Move a case stage by stage up to ``to_stage`` (each step is an activity), the steps
    spread evenly between the opening and ``until`` (default today)."""
    stages = [s.slug for s in registry.case_type(case.programme, case.case_type).stages]
    steps = stages[stages.index(case.stage) + 1: stages.index(to_stage) + 1]
    start = timezone.make_aware(datetime.combine(case.opened_on, time(10, 0)))
    end = timezone.make_aware(datetime.combine(until, time(9, 0))) if until else timezone.now()
    gap = max(end - start, timedelta(0)) / (len(steps) + 1)
    for n, slug in enumerate(steps, start=1):
        services.change_stage(case, slug, by=by, note=note, occurred_at=start + gap * n)


