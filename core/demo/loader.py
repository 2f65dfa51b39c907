"""Loading the demo partnership: what ``manage.py load_demo`` (and ``wraparound demo``)
runs. Core makes the structure and the people; each programme plugin then adds its cases
through the ``wraparound_demo_data`` hook."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from .. import roles, services
from ..audit import Channel, audit_context
from ..models import (
    Membership,
    Organisation,
    Partnership,
    PartnershipMembership,
    Profile,
    Team,
)
from ..plugins.registry import registry
from ..plugins.types import DemoContext
from .data import (
    DEMO_PASSWORD,
    MARKER_PARTNERSHIP,
    ORGANISATIONS,
    PARTNERSHIPS,
    PEOPLE,
    RISKS,
    SA,
    TEAMS,
    USERS,
)
from .kit import address_in, avatar, member_of, new_profile
from .places import AVATAR_COLOURS, FIRST_NAMES_FEMALE, FIRST_NAMES_MALE, LAST_NAMES


class DemoAlreadyLoaded(Exception):
    """The demo partnership is in the database already."""


def is_loaded() -> bool:
    return Partnership.objects.filter(slug=MARKER_PARTNERSHIP).exists()


def login_rows() -> list[tuple[str, str, str]]:
    """(username, role, where) for every demo login, in the order of ``USERS``."""
    rows = []
    for username, (_first, _last, role, teams) in USERS.items():
        where = ", ".join(
            f"{TEAMS[t][1]}, {ORGANISATIONS[TEAMS[t][0]][0]}" for t, _ in teams
        ) or "whole system (Django superuser)"
        rows.append((username, role, where))
    return rows


def format_logins() -> str:
    rows = login_rows()
    width = max(len(u) for u, _, _ in rows)
    role_width = max(len(r) for _, r, _ in rows)
    lines = ["Demo logins (all share one password):", ""]
    lines += [f"  {u.ljust(width)}  {r.ljust(role_width)}  {w}" for u, r, w in rows]
    lines += ["", f"  password: {DEMO_PASSWORD}"]
    return "\n".join(lines)


def load(*, profiles: int = 200, seed: int = 1, plugins: bool = True) -> DemoContext:
    """Create the demo partnership. Raises :class:`DemoAlreadyLoaded` if it exists."""
    from ..plugins.manager import get_plugin_manager

    with audit_context(Channel.CLI), transaction.atomic():
        if is_loaded():
            raise DemoAlreadyLoaded("The demo data is already loaded.")
        ctx = DemoContext(random=random.Random(seed))
        roles.sync_roles()
        _structure(ctx)
        _people(ctx, profiles)
        services.sync_report_types()
        services.sync_galleries()
        services.sync_default_rules()
        # A service account for the API (issue it a token in the admin, as "spoc", or with
        # `manage.py api_tokens issue staffs-police-rms --name demo`).
        services.create_service_account(
            by=None, team=ctx.teams["staffs_iom"], username="staffs-police-rms",
            description="Staffordshire Police records system (demo)",
        )
        if plugins:
            get_plugin_manager().hook.wraparound_demo_data(context=ctx)
            from .workspace import load as load_workspace

            load_workspace(ctx)

            from .work import load as load_work

            load_work(ctx)
    return ctx


# --- structure -------------------------------------------------------------------------

def _structure(ctx: DemoContext) -> None:
    User = get_user_model()
    partnerships = {
        key: Partnership.objects.create(name=name, area=area, description=f"Demo partnership covering {area}.")
        for key, (name, area, _prefix) in PARTNERSHIPS.items()
    }
    for key, (name, kind, county, partnership_keys, _programmes) in ORGANISATIONS.items():
        org = Organisation.objects.create(
            name=name, kind=kind, area=county, email=f"{key.replace('_', '.')}@demo.wraparound.example",
            phone=f"0{ctx.random.randint(1200, 1999)} {ctx.random.randint(100000, 999999)}",
        )
        ctx.organisations[key] = org
        for number, p in enumerate(partnership_keys, start=1):
            prefix = PARTNERSHIPS[p][2]
            PartnershipMembership.objects.create(
                partnership=partnerships[p], organisation=org,
                agreement_reference=f"ISA-{prefix}-2025-{len(ctx.organisations):03d}",
                agreement_signed_on=date(2025, 1 + (len(ctx.organisations) + number) % 12, 1 + number * 7),
            )
    for key, (org_key, name, _kind, _share) in TEAMS.items():
        ctx.teams[key] = Team.objects.create(
            organisation=ctx.organisations[org_key], name=name,
            email=f"{key.replace('_', '.')}@demo.wraparound.example",
        )
    # One hash for everyone: hashing is deliberately slow and the password is shared.
    password = make_password(DEMO_PASSWORD)
    groups = {g.name: g for g in Group.objects.filter(name__in=roles.ROLES)}
    for username, (first, last, role, _teams) in USERS.items():
        user = User.objects.create(
            username=username, first_name=first, last_name=last, password=password,
            email=f"{username}@demo.wraparound.example",
            is_staff=role == SA, is_superuser=role == SA,
        )
        user.groups.add(groups[role])
        ctx.users[username] = user
    sysadmin = ctx.users["sysadmin"]
    for username, (_f, _l, _role, teams) in USERS.items():
        for team_key, membership_role in teams:
            services.add_member(ctx.teams[team_key], ctx.users[username],
                                role=membership_role or Membership.Role.MEMBER, by=sysadmin)
    partnership_admin = ctx.users["partnership_admin"]
    for key, (*_rest, programmes) in ORGANISATIONS.items():
        for slug in programmes:
            if registry.programme(slug) is not None:
                services.set_programme_enabled(ctx.organisations[key], slug, True, by=partnership_admin)


# --- people ----------------------------------------------------------------------------

class _Unique:
    """Identifier values that never repeat within one load."""

    def __init__(self, rng: random.Random):
        self.rng, self.seen = rng, set()

    def make(self, kind: str) -> str:
        r = self.rng
        while True:
            value = {
                "pnc": lambda: f"{r.randint(1995, 2024)}/{r.randint(1000000, 9999999):07d}{r.choice('ABCDEFGHJKLMNPQRTUVWXYZ')}",
                "nhs": lambda: f"{r.randint(4, 9)}{r.randint(0, 999999999):09d}",
                "ni": lambda: f"{r.choice('ABCEGHJKLMNPRSTWXYZ')}{r.choice('ABCEGHJKLMNPRSTWXYZ')}{r.randint(0, 999999):06d}{r.choice('ABCD')}",
                "prison_number": lambda: f"{r.choice('GH')}{r.randint(1000, 9999)}{r.choice('ABCDEFGHJK')}{r.choice('ABCDEFGHJK')}",
                "probation_ref": lambda: f"{r.choice('DEFX')}{r.randint(100000, 999999)}",
                "council_ref": lambda: f"WDC-{r.randint(10000, 99999)}",
            }[kind]()
            if (kind, value) not in self.seen:
                self.seen.add((kind, value))
                return value



def _shares(total: int) -> dict[str, int]:
    """Split ``total`` profiles across the teams that hold people, by their share."""
    if total <= 0:
        return {}
    holders = {k: v[3] for k, v in TEAMS.items() if v[3]}
    weight = sum(holders.values())
    counts = {k: max(1, total * w // weight) for k, w in holders.items()}
    keys = sorted(holders, key=lambda k: -holders[k])
    i = 0
    while sum(counts.values()) < total:
        counts[keys[i % len(keys)]] += 1
        i += 1
    while sum(counts.values()) > total and any(c > 1 for c in counts.values()):
        k = max(counts, key=counts.get)
        counts[k] -= 1
    return counts


def _people(ctx: DemoContext, total: int) -> None:
    ids = _Unique(ctx.random)
    for team_key, count in _shares(total).items():
        kind = TEAMS[team_key][2]
        for _ in range(count):
            ctx.profiles.append(_person(ctx, team_key, kind, ids))
    # S5: the high-risk juvenile Adur & Worthing adds to the vulnerable persons gallery.
    new_profile(ctx, "adur_safer", first_name="Ethan", last_name="Marsh", age=15, gender="male",
                person_roles=["vulnerable", "victim"], risk_level="high",
                warning_markers=[m for m in ("self_harm",) if m in registry.warning_markers],
                consent_to_share="not_sought", lawful_basis="safeguarding",
                notes="Criminally exploited; frequently in Brighton city centre late at night.")


def _person(ctx: DemoContext, team_key: str, kind: str, ids: _Unique) -> Profile:
    r = ctx.random
    role_sets, (young, old), markers = PEOPLE[kind]
    person_roles = r.choice(role_sets)
    gender = r.choice(["male"] * 6 + ["female"] * 5 + ["non_binary", "unknown"])
    if kind == "offender" and r.random() < 0.7:
        gender = "male"
    names = FIRST_NAMES_FEMALE if gender == "female" else FIRST_NAMES_MALE
    if gender in ("non_binary", "unknown"):
        names = r.choice([FIRST_NAMES_FEMALE, FIRST_NAMES_MALE])
    first, last = r.choice(names), r.choice(LAST_NAMES)
    age = r.randint(young, old)
    today = date.today()
    approximate = r.random() < 0.1
    born = date(today.year - age - 1, 1, 1) if approximate else today - timedelta(days=age * 365 + r.randint(0, 364))
    identifiers = []
    if "offender" in person_roles or "perpetrator" in person_roles:
        identifiers.append(("pnc", ids.make("pnc")))
    if kind == "offender" and "prison_number" in registry.identifier_types and r.random() < 0.5:
        identifiers.append(("prison_number", ids.make("prison_number")))
    if kind == "offender" and "probation_ref" in registry.identifier_types and r.random() < 0.4:
        identifiers.append(("probation_ref", ids.make("probation_ref")))
    if r.random() < 0.6:
        identifiers.append(("nhs", ids.make("nhs")))
    if age >= 16 and r.random() < 0.3:
        identifiers.append(("ni", ids.make("ni")))
    if kind in ("asb", "family") and TEAMS[team_key][0].endswith("council") and r.random() < 0.5:
        identifiers.append(("council_ref", ids.make("council_ref")))
    chosen_markers = [m for m in markers if m in registry.warning_markers and r.random() < 0.2]
    if kind == "offender":
        consent, basis = r.choice([("not_sought", "crime_prevention"), ("not_sought", "crime_prevention"),
                                   ("refused", "crime_prevention"), ("given", "consent")])
    elif kind == "missing":
        consent, basis = r.choice([("not_sought", "safeguarding"), ("given", "consent"), ("refused", "safeguarding")])
    else:
        consent, basis = r.choice([("given", "consent"), ("given", "consent"), ("not_sought", "public_task"),
                                   ("refused", "crime_prevention"), ("not_sought", "")])
    county = ORGANISATIONS[TEAMS[team_key][0]][2]
    fields = {
        "first_name": first, "last_name": last, "date_of_birth": born,
        "date_of_birth_approximate": approximate, "gender": gender, "risk_level": r.choice(RISKS),
        "consent_to_share": consent, "lawful_basis": basis,
        "consent_recorded_on": today - timedelta(days=r.randint(5, 700)) if consent != "not_sought" else None,
    }
    if r.random() < 0.9:
        fields["photo"] = avatar(first, last, r.choice(AVATAR_COLOURS))
        fields["photo"].name = f"demo-{first.lower()}-{last.lower()}-{len(ctx.profiles) + 1}.png"
    aliases = []
    if kind == "offender" and r.random() < 0.3:
        aliases.append(r.choice(["Smudge", "Tiny", "Bones", "Lefty", "Spider", "Chalky", "Dusty", "Noodle"]))
    return services.create_profile(
        by=member_of(ctx, team_key), owner_team=ctx.teams[team_key], person_roles=person_roles,
        warning_markers=chosen_markers, identifiers=identifiers, aliases=aliases,
        addresses=[address_in(r, county)], **fields,
    )


# --- helpers for the plugins' demo data ------------------------------------------------


def case_count() -> int:
    from ..models import Case

    return Case.objects.count()


def remove_demo_photos() -> None:
    """Delete the avatars of an earlier demo load (their names start with ``demo-``)."""
    from django.core.files.storage import default_storage

    folder = Profile._meta.get_field("photo").upload_to.rstrip("/")
    try:
        _dirs, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in files:
        if name.startswith("demo-"):
            default_storage.delete(f"{folder}/{name}")

