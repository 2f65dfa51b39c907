"""The demo partnership: what ``manage.py load_demo`` (and ``wraparound demo``) creates.

Core makes the structure — four partnerships in five counties, their organisations,
teams, programme modules and one user per role plus practitioners in most
organisations — and the people (profiles with avatars, identifiers, addresses and
consent). Each programme plugin then adds its cases through the
``wraparound_demo_data`` hook, using the helpers at the end of this module.

Everything personal is written through ``core.services`` inside
``audit_context(Channel.CLI)``, so the demo's audit trail looks like real work entered
from the command line. The generator is seeded: the same seed gives the same demo.
"""

from __future__ import annotations

import io
import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from . import roles, services
from .audit import Channel, audit_context
from .demo_places import (
    AVATAR_COLOURS,
    FIRST_NAMES_FEMALE,
    FIRST_NAMES_MALE,
    LAST_NAMES,
    STREETS,
    TOWNS,
)
from .models import (
    Membership,
    Organisation,
    Partnership,
    PartnershipMembership,
    PersonRole,
    Profile,
    Team,
)
from .plugins.registry import registry
from .plugins.types import DemoContext

DEMO_PASSWORD = "wraparound-demo-2026"
#: The partnership whose presence means "the demo is loaded".
MARKER_PARTNERSHIP = "staffordshire-community-safety-partnership"

PARTNERSHIPS = {
    # key: (name, area, agreement prefix)
    "staffs": ("Staffordshire Community Safety Partnership", "Staffordshire", "SCSP"),
    "norfolk_suffolk": ("Norfolk & Suffolk Partnership", "Norfolk and Suffolk", "NSP"),
    "northants": ("Restorative Northamptonshire", "Northamptonshire", "RN"),
    "sussex": ("Sussex Safer Communities", "Brighton & Hove, Adur & Worthing", "SSC"),
}

K = Organisation.Kind
ORGANISATIONS = {
    # key: (name, kind, county, partnerships, programmes switched on)
    "staffs_police": ("Staffordshire Police", K.POLICE, "Staffordshire", ["staffs"], ["iom", "rj", "asb", "missing_persons"]),
    "hmp_stafford": ("HMP Stafford", K.PRISON, "Staffordshire", ["staffs"], ["iom"]),
    "staffs_probation": ("Staffordshire & Stoke Probation", K.PROBATION, "Staffordshire", ["staffs"], ["iom"]),
    "staffs_council": ("Staffordshire County Council", K.COUNCIL, "Staffordshire", ["staffs"], ["asb", "troubled_families"]),
    "norfolk_police": ("Norfolk Constabulary", K.POLICE, "Norfolk", ["norfolk_suffolk"], ["iom", "asb", "missing_persons"]),
    "waveney_council": ("Waveney District Council", K.COUNCIL, "Suffolk", ["norfolk_suffolk"], ["asb", "troubled_families"]),
    "kettering_council": ("Kettering Borough Council", K.COUNCIL, "Northamptonshire", ["northants"], ["asb", "rj", "troubled_families"]),
    "northants_police": ("Northamptonshire Police", K.POLICE, "Northamptonshire", ["northants"], ["rj", "asb", "iom"]),
    "victim_support": ("Victim Support", K.VICTIM_SERVICES, "Northamptonshire", ["northants", "staffs"], ["rj"]),
    "sussex_police": ("Sussex Police", K.POLICE, "East Sussex", ["sussex"], ["asb", "rj", "missing_persons", "iom"]),
    "brighton_council": ("Brighton & Hove City Council", K.COUNCIL, "East Sussex", ["sussex"], ["asb", "missing_persons", "troubled_families"]),
    "adur_worthing": ("Adur & Worthing Councils", K.COUNCIL, "West Sussex", ["sussex"], ["asb", "missing_persons", "troubled_families", "rj"]),
    "southdown_housing": ("Southdown Homes Housing Association", K.HOUSING, "East Sussex", ["sussex"], ["asb"]),
    "oakwood_care": ("Oakwood House Children's Home", K.OTHER, "East Sussex", ["sussex"], ["missing_persons"]),
    "royal_sussex": ("Royal Sussex County Hospital", K.HEALTH, "East Sussex", ["sussex"], ["missing_persons"]),
}

TEAMS = {
    # key: (organisation, name, kind of people it holds, share of the profiles)
    "staffs_iom": ("staffs_police", "IOM Team", "offender", 10),
    "staffs_npt": ("staffs_police", "Stafford Neighbourhood Policing", "rj", 5),
    "staffs_spoc": ("staffs_police", "Information Sharing Hub", None, 0),
    "hmp_stafford_omu": ("hmp_stafford", "Offender Management Unit", "offender", 5),
    "staffs_probation_iom": ("staffs_probation", "IOM Probation Team", "offender", 4),
    "staffs_csp": ("staffs_council", "Community Safety Team", "asb", 3),
    "norfolk_iom": ("norfolk_police", "IOM Team", "offender", 7),
    "norfolk_ppo": ("norfolk_police", "PPO Team", "offender", 5),
    "waveney_asb": ("waveney_council", "ASB Unit", "asb", 8),
    "waveney_families": ("waveney_council", "Families First", "family", 6),
    "kettering_asb": ("kettering_council", "ASB Unit", "asb", 6),
    "kettering_families": ("kettering_council", "Families First", "family", 4),
    "northants_rj": ("northants_police", "Restorative Northamptonshire Team", "rj", 4),
    "vs_nrp": ("victim_support", "NRP Coordination", "rj", 3),
    "brighton_asb": ("sussex_police", "Brighton & Hove ASB Team", "asb", 8),
    "brighton_casework": ("brighton_council", "Community Safety Casework Team", "asb", 3),
    "sussex_rj": ("sussex_police", "Restorative Justice Team", "rj", 3),
    "sussex_mispers": ("sussex_police", "Missing Persons Unit", "missing", 5),
    "brighton_children": ("brighton_council", "Children's Services Missing Team", "missing", 4),
    "adur_safer": ("adur_worthing", "Safer Communities Team", "asb", 5),
    "adur_families": ("adur_worthing", "Families First", "family", 3),
    "southdown_tenancy": ("southdown_housing", "Tenancy Enforcement", "asb", 2),
    "oakwood_care_team": ("oakwood_care", "Care Team", "missing", 2),
    "royal_sussex_safeguarding": ("royal_sussex", "Safeguarding Team", "missing", 2),
}

PR, TM, OA, PA, SA = (roles.PRACTITIONER, roles.TEAM_MANAGER, roles.ORGANISATION_ADMIN,
                      roles.PARTNERSHIP_ADMIN, roles.SYSTEM_ADMIN)
MGR = Membership.Role.MANAGER
USERS = {
    # username: (first, last, role, [(team, membership role)])
    "practitioner": ("Priya", "Sharma", PR, [("staffs_iom", None)]),
    "manager": ("Mark", "Dawson", TM, [("staffs_iom", MGR)]),
    "spoc": ("Sue", "Pearce", OA, [("staffs_spoc", MGR)]),
    "partnership_admin": ("Paul", "Adeyemi", PA, [("staffs_csp", None)]),
    "sysadmin": ("Sam", "Okafor", SA, []),
    "staffs_iom": ("Dan", "Whitmore", PR, [("staffs_iom", None)]),
    "staffs_officer": ("Rachel", "Hughes", PR, [("staffs_npt", None)]),
    "hmp_stafford": ("Gareth", "Lowe", PR, [("hmp_stafford_omu", None)]),
    "staffs_probation": ("Nadia", "Khan", PR, [("staffs_probation_iom", None)]),
    "staffs_council": ("Helen", "Birch", PR, [("staffs_csp", None)]),
    "norfolk_iom": ("Tom", "Gathercole", PR, [("norfolk_iom", None)]),
    "norfolk_ppo": ("Jess", "Platten", PR, [("norfolk_ppo", None)]),
    "norfolk_ppo2": ("Carl", "Brundall", PR, [("norfolk_ppo", None)]),
    "norfolk_spoc": ("Anne", "Hethersett", OA, [("norfolk_ppo", MGR)]),
    "waveney_asb": ("Kate", "Oulton", PR, [("waveney_asb", None)]),
    "waveney_families": ("Joanne", "Carlton", PR, [("waveney_families", None)]),
    "kettering_asb": ("Raj", "Patel", PR, [("kettering_asb", None)]),
    "kettering_families": ("Lorraine", "Barton", PR, [("kettering_families", None)]),
    "northants_rj": ("Owen", "Desborough", PR, [("northants_rj", None)]),
    "nrp_coordinator": ("Maggie", "Thrapston", TM, [("vs_nrp", MGR)]),
    "nrp_volunteer": ("Bill", "Rothwell", PR, [("vs_nrp", None)]),
    "brighton_police": ("Chris", "Kemp", PR, [("brighton_asb", None)]),
    "brighton_inspector": ("Fiona", "Preston", TM, [("brighton_asb", MGR)]),
    "sussex_rj": ("Leila", "Hassan", PR, [("sussex_rj", None)]),
    "sussex_mispers": ("Ian", "Baines", PR, [("sussex_mispers", None)]),
    "brighton_council": ("Grace", "Whitehawk", PR, [("brighton_children", None)]),
    "brighton_casework": ("Tariq", "Aziz", PR, [("brighton_casework", None)]),
    "adur_worthing": ("Neil", "Lancing", PR, [("adur_safer", None), ("adur_families", None)]),
    "housing_officer": ("Debbie", "Portslade", PR, [("southdown_tenancy", None)]),
    "care_home": ("Ruth", "Oakley", PR, [("oakwood_care_team", None)]),
    "hospital": ("Simon", "Elm", PR, [("royal_sussex_safeguarding", None)]),
}

# Person roles (several at once), age range and warning markers for each kind of team.
PEOPLE = {
    "offender": ([["offender"], ["offender"], ["offender", "victim"], ["offender", "vulnerable"],
                  ["offender", "perpetrator"]], (18, 55), ["violence", "weapons", "drugs", "ppo", "iom_cohort"]),
    "asb": ([["perpetrator"], ["perpetrator", "offender"], ["complainant", "victim"], ["victim"],
             ["witness"], ["complainant"]], (16, 78), ["dogs", "violence", "do_not_visit_alone", "drugs"]),
    "family": ([["family_member"], ["family_member"], ["family_member", "offender"],
                ["family_member", "victim"], ["family_member", "vulnerable"]], (4, 58), ["mental_health", "drugs"]),
    "rj": ([["offender"], ["victim"], ["victim", "witness"], ["offender", "victim"]], (17, 72), ["violence"]),
    "missing": ([["vulnerable"], ["vulnerable", "victim"], ["vulnerable"]], (12, 17),
                ["self_harm", "missing_risk", "mental_health"]),
}
RISKS = ["low"] * 3 + ["medium"] * 4 + ["high"] * 2 + ["very_high", "unknown"]


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
    from .plugins.manager import get_plugin_manager

    with audit_context(Channel.CLI), transaction.atomic():
        if is_loaded():
            raise DemoAlreadyLoaded("The demo data is already loaded.")
        ctx = DemoContext(random=random.Random(seed))
        roles.sync_roles()
        _structure(ctx)
        _people(ctx, profiles)
        if plugins:
            get_plugin_manager().hook.wraparound_demo_data(context=ctx)
    return ctx


# --- structure -------------------------------------------------------------------------

def _structure(ctx: DemoContext) -> None:
    User = get_user_model()
    partnerships = {
        key: Partnership.objects.create(name=name, area=area, description=f"Demo partnership covering {area}.")
        for key, (name, area, _prefix) in PARTNERSHIPS.items()
    }
    for key, (name, kind, county, member_of, _programmes) in ORGANISATIONS.items():
        org = Organisation.objects.create(
            name=name, kind=kind, area=county, email=f"{key.replace('_', '.')}@demo.wraparound.example",
            phone=f"0{ctx.random.randint(1200, 1999)} {ctx.random.randint(100000, 999999)}",
        )
        ctx.organisations[key] = org
        for number, p in enumerate(member_of, start=1):
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
    programme = registry.programme(case.programme)
    stages = [s.slug for s in programme.case_type(case.case_type).stages]
    steps = stages[stages.index(case.stage) + 1: stages.index(to_stage) + 1]
    start = timezone.make_aware(datetime.combine(case.opened_on, time(10, 0)))
    end = timezone.make_aware(datetime.combine(until, time(9, 0))) if until else timezone.now()
    gap = max(end - start, timedelta(0)) / (len(steps) + 1)
    for n, slug in enumerate(steps, start=1):
        services.change_stage(case, slug, by=by, note=note, occurred_at=start + gap * n)


def case_count() -> int:
    from .models import Case

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
