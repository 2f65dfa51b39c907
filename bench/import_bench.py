"""Benchmark of the spreadsheet import (issue 6) on PostgreSQL.

Generates N profile rows with a PNC identifier, date of birth, gender and postcode, and
times, in one run on the same rows:

1. **pipeline** — this project's import (``core.imports``): read the CSV, clean every
   cell with the widgets, match identifiers and name + date of birth, check access,
   write profiles + identifiers + addresses, one audit event and one history row per
   record; mode "valid rows", per-row errors kept;
2. **iex-default** — django-import-export 4 with default settings on a plain
   ``ModelResource`` of the profile fields (no identifiers: a ModelResource does not
   write child rows), ``import_id_fields`` = first name, last name, date of birth;
3. **bulk_create** — Django ``bulk_create`` of the same profiles and identifiers from
   already-parsed values (no validation, no matching, no audit);
4. **COPY** — PostgreSQL ``COPY`` of the same profiles and identifiers.

Each run starts from empty profile tables. Rows per second and the ratio to
``bulk_create`` are printed.

Run (from the checkout, PostgreSQL on 127.0.0.1:5432, database created if missing)::

    PYTHONPATH=$PWD:$PWD/site .venv/bin/python bench/import_bench.py --rows 10000
    PYTHONPATH=$PWD:$PWD/site .venv/bin/python bench/import_bench.py --rows 100000 --iex-rows 10000

``--database-url`` (default ``postgres://postgres@127.0.0.1:5432/imports_bench``) names
the database; it is migrated and its profile tables are emptied. ``--iex-rows`` caps the
rows given to django-import-export (it is slow; its rate is per row, so a smaller run
measures it fairly and keeps the benchmark short).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "site")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--iex-rows", type=int, default=10_000)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/imports_bench")
    parser.add_argument("--skip-iex", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="run each method this many times; the best is kept")
    parser.add_argument("--mode", choices=["valid_rows", "all_or_nothing"], default="valid_rows",
                        help="the pipeline's commit mode (all or nothing checks every row before writing any)")
    args = parser.parse_args()

    _create_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    world = _world()
    rows = _rows(args.rows)
    content = _csv(rows)
    results = {}

    def best(fn, *fn_args):
        times = []
        for _ in range(max(1, args.repeat)):
            _empty()
            times.append(fn(*fn_args))
        return min(times)

    results["pipeline"] = (args.rows, best(_pipeline, world, content, args.mode))
    if not args.skip_iex:
        n = min(args.rows, args.iex_rows)
        results["iex-default"] = (n, best(_iex, world, rows[:n]))
    results["bulk_create"] = (args.rows, best(_bulk_create, world, rows))
    results["COPY"] = (args.rows, best(_copy, world, rows))
    _empty()
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")

    base = results["bulk_create"][0] / results["bulk_create"][1]
    print(f"\n{'method':<14}{'rows':>9}{'seconds':>10}{'rows/s':>10}{'vs bulk_create':>16}")
    for name, (n, seconds) in results.items():
        rate = n / seconds
        print(f"{name:<14}{n:>9}{seconds:>10.2f}{rate:>10.0f}{rate / base:>15.2f}x")
    pipeline_rate = results["pipeline"][0] / results["pipeline"][1]
    print(f"\npipeline: {pipeline_rate:.0f} validated rows/s (target >= 5000); "
          f"bulk_create is {base / pipeline_rate:.2f}x faster (target <= 3x)")


def _create_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    server = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _world():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core import roles
    from core.models import Membership, Organisation, Team

    org, _ = Organisation.objects.get_or_create(name="Bench Constabulary", defaults={"kind": "police"})
    team, _ = Team.objects.get_or_create(organisation=org, name="Bench IOM")
    user, _ = get_user_model().objects.get_or_create(username="bench_admin")
    user.groups.add(Group.objects.get(name=roles.ORGANISATION_ADMIN))
    Membership.objects.get_or_create(user=user, team=team)
    return type("World", (), {"org": org, "team": team, "user": get_user_model().objects.get(pk=user.pk)})


FIRST = ["James", "Olivia", "Mohammed", "Amelia", "Noah", "Isla", "Leo", "Ava", "Oscar", "Mia", "Harry", "Zoë"]
LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "O'Neil"]


def _rows(n: int) -> list[dict]:
    rng = random.Random(6)
    start = date(1950, 1, 1)
    out = []
    for i in range(n):
        born = start + timedelta(days=rng.randrange(20000))
        out.append({
            "first": rng.choice(FIRST), "last": f"{rng.choice(LAST)}{i}", "dob": born,
            "gender": rng.choice(["M", "F", "Female", "Male", "Not known"]),
            "pnc": f"{1990 + i % 30}/{i:07d}{'ABCDEFGHJK'[i % 10]}",
            "postcode": rng.choice(["nr2 1aa", "IP1 2BB", "st16 2dh"]),
            "line1": f"{rng.randrange(1, 200)} High Street",
        })
    return out


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["Surname", "Forename", "DOB", "Sex", "PNC No", "Address", "Postcode"])
    for r in rows:
        w.writerow([r["last"], r["first"], r["dob"].strftime("%d/%m/%Y"), r["gender"], r["pnc"], r["line1"],
                    r["postcode"]])
    return out.getvalue().encode()


def _empty() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        # The access index has no foreign key to the profile (it is kept by triggers,
        # which TRUNCATE does not fire): empty it too, or every run inherits the last.
        cur.execute("TRUNCATE core_profile, core_identifier, core_address, core_importedrecord, core_importjob, "
                    "core_profileaccessentry RESTART IDENTITY CASCADE")


def _timed(label: str, fn) -> float:
    started, cpu = time.perf_counter(), time.process_time()
    fn()
    seconds = time.perf_counter() - started
    # The machine may be shared: the process's own CPU time says how much of the wall
    # time was Python work (the rest: the database server, and waiting for a core).
    print(f"{label}: {seconds:.2f} s wall, {time.process_time() - cpu:.2f} s CPU in this process", flush=True)
    return seconds


def _pipeline(world, content: bytes, mode: str) -> float:
    from core.imports import jobs, pipeline
    from core.models import ImportJob, Profile

    def run():
        job = jobs.create_job(by=world.user, resource="profiles", filename="bench.csv", content=content,
                              owner_team=world.team)
        jobs.set_mapping(job, mapping=job.mapping, constants={}, mode=ImportJob.Mode(mode))
        outcome = pipeline.run(job, dry_run=False)
        assert outcome.counts["error"] == 0, outcome.errors[:5]
        assert Profile.objects.count() == outcome.counts["create"]

    return _timed(f"pipeline ({mode})", run)


def _iex(world, rows: list[dict]) -> float:
    import tablib
    from import_export import resources

    from core.models import Profile

    class ProfileModelResource(resources.ModelResource):
        class Meta:
            model = Profile
            fields = ("first_name", "last_name", "date_of_birth", "gender", "owner_team")
            import_id_fields = ("first_name", "last_name", "date_of_birth")

    gender = {"M": "male", "F": "female", "Female": "female", "Male": "male", "Not known": "unknown"}
    data = tablib.Dataset(headers=["first_name", "last_name", "date_of_birth", "gender", "owner_team"])
    for r in rows:
        data.append([r["first"], r["last"], r["dob"].isoformat(), gender[r["gender"]], world.team.pk])

    def run():
        result = ProfileModelResource().import_data(data, dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors()

    return _timed("iex-default", run)


def _bulk_create(world, rows: list[dict]) -> float:
    from core.models import Address, Identifier, Profile

    gender = {"M": "male", "F": "female", "Female": "female", "Male": "male", "Not known": "unknown"}

    def run():
        for i in range(0, len(rows), 1000):
            chunk = rows[i:i + 1000]
            profiles = Profile.objects.bulk_create([
                Profile(first_name=r["first"], last_name=r["last"], date_of_birth=r["dob"], gender=gender[r["gender"]],
                        owner_team=world.team, created_by=world.user) for r in chunk])
            Identifier.objects.bulk_create([Identifier(profile=p, kind="pnc", value=r["pnc"])
                                            for p, r in zip(profiles, chunk, strict=True)])
            Address.objects.bulk_create([Address(profile=p, line1=r["line1"], postcode=r["postcode"].upper())
                                         for p, r in zip(profiles, chunk, strict=True)])

    return _timed("bulk_create", run)


def _copy(world, rows: list[dict]) -> float:
    from django.db import connection, transaction
    from django.utils import timezone

    gender = {"M": "male", "F": "female", "Female": "female", "Male": "male", "Not known": "unknown"}

    def run():
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cur:
            raw = cur.connection
            ids = [r[0] for r in raw.execute(
                "SELECT nextval('core_profile_id_seq') FROM generate_series(1, %s)", [len(rows)]).fetchall()]
            cols = ("id, first_name, middle_names, last_name, preferred_name, date_of_birth, date_of_birth_approximate,"
                    " gender, phone, email, photo, risk_level, owner_team_id, consent_to_share, lawful_basis, notes,"
                    " version, created_at, updated_at, created_by_id")
            with raw.cursor().copy(f"COPY core_profile ({cols}) FROM STDIN") as copy:
                for pk, r in zip(ids, rows, strict=True):
                    copy.write_row((pk, r["first"], "", r["last"], "", r["dob"], False, gender[r["gender"]], "", "",
                                    "", "unknown", world.team.pk, "not_sought", "", "", 1, now, now, world.user.pk))
            with raw.cursor().copy("COPY core_identifier (profile_id, kind, value) FROM STDIN") as copy:
                for pk, r in zip(ids, rows, strict=True):
                    copy.write_row((pk, "pnc", r["pnc"]))
            with raw.cursor().copy("COPY core_address (profile_id, kind, line1, line2, town, county, postcode, "
                                   "current) FROM STDIN") as copy:
                for pk, r in zip(ids, rows, strict=True):
                    copy.write_row((pk, "home", r["line1"], "", "", "", r["postcode"].upper(), True))

    return _timed("COPY", run)


if __name__ == "__main__":
    main()
