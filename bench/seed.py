"""Seed a national deployment's worth of data into PostgreSQL, fast.

    python -m bench.seed                 # default scale 1.0: 1,000,000 profiles …
    python -m bench.seed --scale 0.01    # a quick run (seconds)

Scale 1.0 is issue 8's deployment: 1,000,000 profiles, 5,000,000 activities, 4,000,000
grants, 20,000 users in 2,000 teams of 500 organisations (and 300,000 cases). The
database (``DATABASE_URL``, default ``wraparound_bench``) is dropped and created again,
migrated, then loaded with ``COPY`` (entities generated here, deterministically) and
``INSERT … SELECT generate_series`` (activities, and the guardian permission rows that
materialise each grant, derived in SQL exactly as ``core.services.access`` writes
them; the same rows are copied into guardian's default generic tables for the
harness's baseline). Secondary indexes are dropped during the load and rebuilt after; triggers are
off during the load, so the profile access index is derived in one statement at the
end (``core.access.index_sql.REBUILD``) and everything is VACUUM ANALYZEd so that
index-only scans work as they would in a settled production database.

Three users are planted for the scenarios and recorded in the table ``bench_meta``:
*typical* (two teams; sees ~4,000 profiles at scale 1), *sparse* (a team that owns
nothing, 25 grants to them by name) and *admin* (an organisation admin: everything
their organisation's teams own, plus their team's grants); and a *hub* profile with
1,000 activities.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, date, datetime, timedelta

from .setup import django_setup

FIRST_NAMES = (
    "Aaron Abigail Adam Aisha Alan Alice Amir Amy Andrew Anna Ben Beth Callum Chloe Connor Daisy Daniel "
    "David Dylan Ella Emily Ethan Faith Finley Grace Harry Holly Isaac Isla Jack Jade James Jasmine Jay "
    "Jessica Joel Jordan Kai Kayleigh Kieran Leah Leon Liam Lily Logan Luke Maya Megan Mia Nathan Niamh "
    "Noah Olivia Oscar Paige Reece Riley Ryan Sam Sophie Tom Tyler Zara"
).split()
# Surnames are two syllables: a fragment such as "SON" matches about 5% of profiles, a
# planted rare name about 0.25%, as issue 8's common and rare search targets assume.
SYLLABLES_A = (
    "Ash Bar Black Brad Brook Cart Chap Clark Cole Dav Ed Fair Fen Fox Gar Good Hal Har Hay Hol "
    "Kem Lang Lock Mar Mil Mor Nor Park Rad Rob Shel Stan Thorn Wal Wes Wil Win Wood"
).split()
SYLLABLES_B = (
    "by croft dale den field ford ham hill hurst ington ley ling low man mer more ridge son stead ton "
    "wick well worth"
).split()
RARE_SURNAME = "Quixley"
COMMON_FRAGMENT = "son"
RARE_FRAGMENT = "quix"

USER_PRINCIPAL_OFFSET = 1 << 40


def counts(scale: float) -> dict[str, int]:
    def n(full, minimum):
        return max(minimum, round(full * scale))

    return {
        "partnerships": n(50, 2),
        "organisations": n(500, 4),
        "teams": n(2000, 8),
        "users": n(20000, 40),
        "profiles": n(1_000_000, 500),
        "cases": n(300_000, 150),
        "grants": n(4_000_000, 2000),
        "activities": n(5_000_000, 2500),
        "tasks": n(1_000_000, 500),
        "referrals": n(200_000, 100),
    }


def recreate_database(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _copy(cur, table: str, columns: tuple[str, ...], rows) -> int:
    count = 0
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _drop_secondary_indexes(cur, tables: list[str]) -> list[str]:
    cur.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
             FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
            WHERE c.relname = ANY(%s) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)""",
        [tables],
    )
    found = cur.fetchall()
    for name, _ in found:
        cur.execute(f"DROP INDEX {name}")
    return [ddl for _, ddl in found]


def fill_generic_guardian_tables(cur) -> None:
    """Fill guardian's *default* generic tables (``object_pk`` as text, a content type per
    row) for the harness's "guardian defaults" baseline — issue 8's "≥ 20× faster than
    guardian's defaults" — so that guardian answers the same question as the engine:
    which profiles may this user see.

    - every guardian row of the direct foreign-key tables (the grants);
    - the owner team's reach, which the product derives from ``Profile.owner_team`` and
      a guardian-only design must store: the owner team's group gets ``view_profile`` on
      each profile it owns, and each organisation admin gets it, as a user permission,
      on each profile their organisation's teams own. Only the view permission is
      written (a real guardian-only design would also write change/manage rows, making
      its tables larger and its queries slower, not faster).

    The product never reads these tables (``GUARDIAN_*`` settings and ``core.models``
    point guardian at the direct tables); they exist because guardian ships them."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from core import roles
    from core.models import Case, Profile

    for model in (Profile, Case):
        content_type = ContentType.objects.get_for_model(model).pk
        name = model._meta.model_name
        cur.execute(
            f"""INSERT INTO guardian_userobjectpermission (object_pk, content_type_id, permission_id, user_id)
                SELECT content_object_id::text, {content_type}, permission_id, user_id
                  FROM core_{name}userobjectpermission
                    ON CONFLICT DO NOTHING"""
        )
        cur.execute(
            f"""INSERT INTO guardian_groupobjectpermission (object_pk, content_type_id, permission_id, group_id)
                SELECT content_object_id::text, {content_type}, permission_id, group_id
                  FROM core_{name}groupobjectpermission
                    ON CONFLICT DO NOTHING"""
        )
    content_type = ContentType.objects.get_for_model(Profile)
    view = Permission.objects.get(content_type=content_type, codename="view_profile").pk
    cur.execute(
        f"""INSERT INTO guardian_groupobjectpermission (object_pk, content_type_id, permission_id, group_id)
            SELECT pr.id::text, {content_type.pk}, {view}, t.group_id
              FROM core_profile pr JOIN core_team t ON t.id = pr.owner_team_id
                ON CONFLICT DO NOTHING"""
    )
    cur.execute(
        f"""INSERT INTO guardian_userobjectpermission (object_pk, content_type_id, permission_id, user_id)
            SELECT DISTINCT pr.id::text, {content_type.pk}, {view}, admins.user_id
              FROM (SELECT DISTINCT ug.user_id, mt.organisation_id
                      FROM auth_user_groups ug
                      JOIN auth_group g ON g.id = ug.group_id AND g.name = %s
                      JOIN core_membership m ON m.user_id = ug.user_id
                      JOIN core_team mt ON mt.id = m.team_id) AS admins
              JOIN core_team t ON t.organisation_id = admins.organisation_id
              JOIN core_profile pr ON pr.owner_team_id = t.id
                ON CONFLICT DO NOTHING""",
        [roles.ORGANISATION_ADMIN],
    )


def seed(scale: float, *, log=print) -> dict:
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from core import roles
    from core.access import index_sql
    from core.models import Activity, Case, Profile, RiskLevel
    from core.plugins.registry import registry

    c = counts(scale)
    rng = random.Random(2026)
    now = datetime.now(UTC)
    started = time.perf_counter()
    connection.ensure_connection()
    raw = connection.connection
    cur = raw.cursor()

    def step(label):
        log(f"  {time.perf_counter() - started:7.1f}s  {label}")

    tables = [
        "auth_group", "auth_user", "auth_user_groups", "core_partnership", "core_organisation",
        "core_partnershipmembership", "core_team", "core_membership", "core_programmemodule", "core_profile",
        "core_identifier", "core_profilealias", "core_case", "core_caseparticipant", "core_grant",
        "core_profileuserobjectpermission", "core_profilegroupobjectpermission", "core_caseuserobjectpermission",
        "core_casegroupobjectpermission", "core_activity", "core_profileaccessentry", "core_referral", "core_task",
        "guardian_userobjectpermission", "guardian_groupobjectpermission",
    ]
    ddls = _drop_secondary_indexes(cur, tables)
    cur.execute("SET session_replication_role = replica")  # no triggers, no FK checks while loading
    step(f"dropped {len(ddls)} secondary indexes")

    role_groups = dict(Group.objects.filter(name__in=roles.ROLES).values_list("name", "id"))
    group_id = Group.objects.order_by("-id").values_list("id", flat=True).first() or 0

    # Partnerships, organisations and their groups.
    P, ORGS, T, U, N = c["partnerships"], c["organisations"], c["teams"], c["users"], c["profiles"]
    _copy(cur, "core_partnership", ("id", "name", "slug", "description", "area", "require_justification", "created_at"),
          ((i, f"Partnership {i}", f"partnership-{i}", "", f"Area {i}", False, now) for i in range(1, P + 1)))
    org_group = {o: group_id + o for o in range(1, ORGS + 1)}
    team_count = T + 1  # the last team is the sparse user's, which owns nothing
    team_group = {t: group_id + ORGS + t for t in range(1, team_count + 1)}
    _copy(cur, "auth_group", ("id", "name"),
          [(g, f"org:bench-{o}") for o, g in org_group.items()]
          + [(g, f"team:bench-{t}") for t, g in team_group.items()])
    kinds = ("police", "council", "probation", "prison", "housing", "health", "charity")
    _copy(cur, "core_organisation", ("id", "name", "slug", "kind", "area", "email", "phone", "is_active", "group_id"),
          ((o, f"Organisation {o}", f"org-{o}", kinds[o % len(kinds)], f"Area {o % P}", "", "", True, org_group[o])
           for o in range(1, ORGS + 1)))
    _copy(cur, "core_partnershipmembership",
          ("id", "agreement_reference", "agreement_signed_on", "joined_at", "organisation_id", "partnership_id"),
          ((o, "", None, now, o, 1 + o % P) for o in range(1, ORGS + 1)))
    programmes = list(registry.programmes.values())
    _copy(cur, "core_programmemodule", ("id", "programme", "enabled", "changed_at", "changed_by_id", "organisation_id"),
          ((i + 1, prog.slug, True, now, None, o) for i, (o, prog) in
           enumerate((o, prog) for o in range(1, ORGS + 1) for prog in programmes)))

    def org_of(team):
        return 1 + (team - 1) % ORGS

    _copy(cur, "core_team", ("id", "name", "slug", "email", "phone", "is_active", "group_id", "organisation_id"),
          ((t, f"Team {t}", f"team-{t}", f"team{t}@example.org", "01000 000000", True, team_group[t], org_of(t))
           for t in range(1, team_count + 1)))
    step(f"{P} partnerships, {ORGS} organisations, {team_count} teams")

    # Users: each in one team, half in a second; groups follow memberships as core.signals keeps them.
    sparse_team = team_count
    memberships, user_groups = [], []
    typical = sparse = admin = None
    for u in range(1, U + 3):
        if u == U + 1:
            teams, sparse = [sparse_team], u
        elif u == U + 2:
            teams, admin = [1], u
        else:
            teams = [1 + (u - 1) % T]
            if u % 2 == 0:
                teams.append(1 + rng.randrange(T))
            if typical is None and len(set(teams)) == 2:
                typical = u
        for t in dict.fromkeys(teams):
            memberships.append((u, t))
    _copy(cur, "auth_user", ("id", "password", "last_login", "is_superuser", "username", "first_name", "last_name",
                             "email", "is_staff", "is_active", "date_joined"),
          ((u, "!", None, False, f"bench{u}", "Bench", f"User {u}", f"bench{u}@example.org", False, True, now)
           for u in range(1, U + 3)))
    _copy(cur, "core_membership", ("id", "role", "joined_at", "user_id", "team_id"),
          ((i, "member", now, u, t) for i, (u, t) in enumerate(memberships, 1)))
    for u, t in memberships:
        user_groups.append((u, team_group[t]))
        user_groups.append((u, org_group[org_of(t)]))
    user_groups = list(dict.fromkeys(user_groups))
    user_groups += [(u, role_groups[roles.PRACTITIONER]) for u in range(1, U + 3)]
    user_groups.append((admin, role_groups[roles.ORGANISATION_ADMIN]))
    _copy(cur, "auth_user_groups", ("id", "user_id", "group_id"),
          ((i, u, g) for i, (u, g) in enumerate(user_groups, 1)))
    step(f"{U + 2} users, {len(memberships)} memberships")

    # Profiles, identifiers, aliases.
    risks = RiskLevel.values
    born = date(1960, 1, 1)

    def surname(i):
        if i % 400 == 7:
            return RARE_SURNAME
        return SYLLABLES_A[(i * 7) % len(SYLLABLES_A)] + SYLLABLES_B[(i * 13 // 7) % len(SYLLABLES_B)]

    typical_teams = [t for u, t in memberships if u == typical]
    hub = 1

    def owner(i):
        return typical_teams[0] if i == hub else 1 + (i * 2654435761) % T

    def risk(i):
        # Not a function of i % T, as the owner is: every team owns profiles of every risk
        # level (a saved-filter gallery of "very high risk" would otherwise be empty).
        return risks[(i + i // T) % len(risks)]

    _copy(cur, "core_profile",
          ("id", "first_name", "middle_names", "last_name", "preferred_name", "date_of_birth",
           "date_of_birth_approximate", "gender", "phone", "email", "photo", "risk_level", "consent_to_share",
           "lawful_basis", "consent_recorded_on", "notes", "version", "created_at", "updated_at", "created_by_id",
           "owner_team_id"),
          ((i, FIRST_NAMES[(i * 31) % len(FIRST_NAMES)], "", surname(i), "", born + timedelta(days=(i * 97) % 18000),
            False, ("female", "male", "unknown")[i % 3], "", "", "", risk(i), "not_sought", "", None, "",
            1, now, now - timedelta(minutes=i % 100000), None, owner(i))
           for i in range(1, N + 1)))
    _copy(cur, "core_identifier", ("id", "kind", "value", "profile_id"),
          ((i, "pnc", f"26/{i:07d}X", i) for i in range(1, N + 1, 2)))
    _copy(cur, "core_profilealias", ("id", "name", "kind", "profile_id"),
          ((i, f"{FIRST_NAMES[i % 7]} {surname(i + 3)}", "alias", i) for i in range(1, N + 1, 10)))
    step(f"{N} profiles with identifiers and aliases")

    # Cases with one participant each, owned by the participant's owner team.
    C = c["cases"]
    programme = programmes[0]
    case_type = programme.case_types[0]
    stages = [s.slug for s in case_type.stages]
    _copy(cur, "core_case", ("id", "reference", "programme", "case_type", "stage", "status", "title", "summary",
                             "opened_on", "closed_on", "outcome", "outcome_notes", "version", "created_at", "updated_at",
                             "created_by_id", "lead_id", "owner_team_id"),
          ((k, f"BENCH-{k:08d}", programme.slug, case_type.slug, stages[k % len(stages)],
            "closed" if k % 5 == 0 else "open", f"Case {k}", "", date(2026, 1, 1) - timedelta(days=k % 2000),
            date(2026, 6, 1) if k % 5 == 0 else None, "", "", 1, now, now, None, None, owner(1 + (k * 7) % N))
           for k in range(1, C + 1)))
    _copy(cur, "core_caseparticipant", ("id", "role", "added_at", "case_id", "profile_id"),
          ((k, "subject", now, k, 1 + (k * 7) % N) for k in range(1, C + 1)))
    step(f"{C} cases with participants")

    # Grants: 85% on profiles; to a team (80%), an organisation (5%) or a named user (15%);
    # view 75%, contribute 20%, manage 5%; 12% expire later, 3% already expired (not yet swept).
    G = c["grants"]

    def grants():
        seen = set()  # one grant in force per record and grantee, as the services keep it
        g = 0
        while g < G:
            r = rng.random()
            on_profile = r < 0.85
            target = 1 + rng.randrange(N) if on_profile else 1 + rng.randrange(C)
            k = rng.random()
            team = org = user = None
            if k < 0.80:
                team = 1 + rng.randrange(T)
            elif k < 0.85:
                org = 1 + rng.randrange(ORGS)
            else:
                user = 1 + rng.randrange(U)
            key = (on_profile, target, team, org, user)
            if key in seen:
                continue
            seen.add(key)
            g += 1
            lv = rng.random()
            level = 10 if lv < 0.75 else 20 if lv < 0.95 else 30
            ex = rng.random()
            expires = now + timedelta(days=30) if ex < 0.12 else now - timedelta(days=2) if ex < 0.15 else None
            yield (g, level, "bench", now, expires, None, "", 1, None if on_profile else target, None, None, user,
                   org, target if on_profile else None, team)
        for j in range(25):  # the sparse user's grants by name
            yield (G + 1 + j, 10, "bench", now, None, None, "", 1, None, None, None, sparse, None,
                   1 + (j * 39119) % N, None)

    _copy(cur, "core_grant", ("id", "level", "reason", "granted_at", "expires_at", "revoked_at", "revoke_reason",
                              "version", "case_id", "granted_by_id", "revoked_by_id", "user_id", "organisation_id",
                              "profile_id", "team_id"), grants())
    step(f"{G + 25} grants")

    # Guardian rows: one per level the grant implies, to the user or the team's/organisation's group.
    perms = {
        (model, verb): Permission.objects.get(
            content_type=ContentType.objects.get_for_model(model), codename=f"{verb}_{model._meta.model_name}"
        ).pk
        for model in (Profile, Case)
        for verb in ("view", "contribute", "manage")
    }
    for model, column in ((Profile, "profile_id"), (Case, "case_id")):
        levels = " UNION ALL ".join(
            f"SELECT {perms[(model, verb)]} AS permission_id, {lvl} AS level"
            for verb, lvl in (("view", 10), ("contribute", 20), ("manage", 30))
        )
        name = model._meta.model_name
        cur.execute(
            f"""INSERT INTO core_{name}userobjectpermission (expires_at, content_object_id, grant_id, user_id, permission_id)
                SELECT g.expires_at, g.{column}, g.id, g.user_id, l.permission_id
                  FROM core_grant g JOIN ({levels}) l ON l.level <= g.level
                 WHERE g.{column} IS NOT NULL AND g.user_id IS NOT NULL"""
        )
        cur.execute(
            f"""INSERT INTO core_{name}groupobjectpermission (expires_at, content_object_id, grant_id, group_id, permission_id)
                SELECT g.expires_at, g.{column}, g.id, COALESCE(t.group_id, o.group_id), l.permission_id
                  FROM core_grant g JOIN ({levels}) l ON l.level <= g.level
                  LEFT JOIN core_team t ON t.id = g.team_id
                  LEFT JOIN core_organisation o ON o.id = g.organisation_id
                 WHERE g.{column} IS NOT NULL AND g.user_id IS NULL"""
        )
    step("guardian permission rows derived from the grants")
    fill_generic_guardian_tables(cur)
    step("the same rows, and the owner teams' reach, in guardian's generic tables (the harness's baseline only)")

    # Activities: 80% on cases, 20% on profiles, 10% restricted; the hub profile gets 1,000 more.
    A = c["activities"]
    kinds = [k for k in Activity.Kind.values if k != "stage_change"]
    kind_array = "ARRAY[" + ",".join(f"'{k}'" for k in kinds) + "]"
    cur.execute(
        f"""INSERT INTO core_activity (id, kind, occurred_at, summary, details, restricted, created_at,
                                        recorded_by_id, case_id, organisation_id, profile_id)
            SELECT i, ({kind_array})[1 + (i * 7) %% {len(kinds)}],
                   %s::timestamptz - ((i * 7919) %% 1000000) * interval '1 minute',
                   'Contact recorded', '', i %% 10 = 0, %s::timestamptz, NULL,
                   CASE WHEN i %% 5 <> 0 THEN 1 + (i * 2654435761) %% {C} END,
                   1 + i %% {ORGS},
                   CASE WHEN i %% 5 = 0 THEN 1 + (i * 40503) %% {N} END
              FROM generate_series(1::bigint, {A}) i""",
        [now, now],
    )
    cur.execute(
        f"""INSERT INTO core_activity (id, kind, occurred_at, summary, details, restricted, created_at,
                                        recorded_by_id, case_id, organisation_id, profile_id)
            SELECT {A} + i, ({kind_array})[1 + i %% {len(kinds)}], %s::timestamptz - i * interval '1 hour',
                   'Hub contact ' || i, 'Details of contact ' || i, i %% 10 = 0, %s::timestamptz, NULL, NULL,
                   1 + i %% {ORGS}, {hub}
              FROM generate_series(1::bigint, 1000) i""",
        [now, now],
    )
    step(f"{A + 1000} activities")
    seed_work(cur, c, now, programme, case_type)
    step(f"{c['tasks']} tasks, {c['referrals']} referrals")

    for table in tables:  # ids were given explicitly: move the sequences past them
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(1, (SELECT max(id) FROM {table})))"
        )
    cur.execute(index_sql.REBUILD)
    cur.execute("SET session_replication_role = origin")
    step("profile access index derived")
    for ddl in ddls:
        cur.execute(ddl)
    step(f"{len(ddls)} secondary indexes rebuilt")
    meta = {"scale": scale, "counts": c, "typical": typical, "sparse": sparse, "admin": admin, "hub": hub,
            "common_fragment": COMMON_FRAGMENT, "rare_fragment": RARE_FRAGMENT, "seeded_at": now.isoformat()}
    cur.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value jsonb NOT NULL)")
    cur.execute("INSERT INTO bench_meta VALUES ('seed', %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                [json.dumps(meta)])
    cur.execute("VACUUM (ANALYZE)")
    step("vacuumed and analysed")
    return meta


def seed_work(cur, c: dict, now, programme, case_type) -> None:
    """Tasks and referrals, spread as a partnership's work is: tasks 60% on cases, 40% on
    profiles; a quarter assigned to a named user (~12 each), the rest to a team (~375
    each); a quarter still open (two fifths of them started), due over the two years
    around now. Referrals between random teams about random profiles, three in ten still
    waiting. A team is a function of ``i % teams``, so status, priority and assignee kind
    vary with ``i // teams`` too: otherwise every task of a team would share one status
    (and a quarter of the teams would have none)."""
    C, N, T, U = c["cases"], c["profiles"], c["teams"], c["users"]
    statuses = "ARRAY['open','open','open','in_progress','in_progress','done','done','done','done','done','done'," \
               "'done','done','done','done','done','done','done','cancelled','cancelled']"
    cur.execute(
        f"""INSERT INTO core_task (id, title, description, due_on, priority, status, created_at, completed_at,
                                    completion_note, version, assigned_team_id, assigned_user_id, case_id,
                                    completed_by_id, created_by_id, profile_id, referral_id, updated_at)
            SELECT i, 'Task ' || i, '', %s::date + ((i * 7919) %% 730 - 365)::int, 1 + ((i + i / {T}) * 31) %% 4, s.status,
                   %s::timestamptz - ((i * 104729) %% 500000) * interval '1 minute',
                   CASE WHEN s.status IN ('done', 'cancelled') THEN %s::timestamptz
                        - ((i * 15485863) %% 400000) * interval '1 minute' END,
                   '', 1,
                   CASE WHEN (i + i / {T}) %% 4 <> 0 THEN 1 + (i * 2654435761) %% {T} END,
                   CASE WHEN (i + i / {T}) %% 4 = 0 THEN 1 + (i / 3) %% {U} END,
                   CASE WHEN i %% 5 < 3 THEN 1 + (i * 7) %% {C} END,
                   NULL, NULL,
                   CASE WHEN i %% 5 >= 3 THEN 1 + (i * 48271) %% {N} END,
                   NULL, %s::timestamptz - (i %% 100000) * interval '1 minute'
              FROM generate_series(1::bigint, {c["tasks"]}) i,
                   LATERAL (SELECT ({statuses})[1 + ((i * 2246822519) / 7 + i / {T}) %% 20] AS status) s""",
        [now.date(), now, now, now],
    )
    cur.execute(
        f"""INSERT INTO core_referral (id, programme, case_type, form, content, person_summary, participant_role,
                                        profile_level, referrer_case_level, status, made_at, decided_at, version,
                                        case_id, decided_by_id, from_team_id, made_by_id, profile_id, to_team_id)
            SELECT i, %s, %s, 'bench', '{{}}'::jsonb, '{{}}'::jsonb, 'subject', 20, 20, s.status,
                   %s::timestamptz - ((i * 7919) %% 500000) * interval '1 minute',
                   CASE WHEN s.status NOT IN ('submitted', 'more_info') THEN %s::timestamptz END, 1,
                   NULL, NULL, 1 + (i * 2654435761) %% {T}, NULL, 1 + (i * 48271) %% {N},
                   1 + (i * 40503) %% {T}
              FROM generate_series(1::bigint, {c["referrals"]}) i,
                   LATERAL (SELECT (ARRAY['submitted','more_info','accepted','accepted','declined','accepted',
                                          'submitted','withdrawn','accepted','declined'])[1 + (i + i / {T}) %% 10]
                           AS status) s""",
        [programme.slug, case_type.slug, now, now],
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000,000 profiles (default)")
    parser.add_argument("--keep", action="store_true", help="do not drop and re-create the database")
    args = parser.parse_args(argv)

    import os

    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wraparound_bench")
    if not args.keep:
        recreate_database(os.environ["DATABASE_URL"])
    django_setup()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrated in {time.perf_counter() - t:.1f}s; seeding scale {args.scale}: {counts(args.scale)}")
    meta = seed(args.scale)
    print(f"seeded in {time.perf_counter() - t:.1f}s: typical user {meta['typical']}, sparse {meta['sparse']}, "
          f"admin {meta['admin']}, hub profile {meta['hub']}")


if __name__ == "__main__":
    main()
