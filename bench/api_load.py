"""Load benchmark of the REST API's profile list (issue 5), self-contained.

What it does, against a PostgreSQL database:

1. optionally seeds ``--seed N`` profiles (bulk, for one team of a small organisation it
   creates) and always creates a service account with a fresh token in that team;
2. counts the SQL queries of one ``GET /api/v1/profiles/`` in-process for page sizes 10
   and 100 (they must be equal: the list does not run a query per row);
3. starts gunicorn with ``--workers`` processes on 127.0.0.1 (settings
   ``wraparound.settings.base``: DEBUG off, rate limit lifted for the run) and drives a
   bounded load — ``--requests`` requests from ``--concurrency`` client threads — on
   the list, for each page size; prints requests/s, median and p95 latency.

Run (from the checkout, PostgreSQL on 127.0.0.1:5432)::

    export PYTHONPATH=$PWD:$PWD/site
    createdb -h 127.0.0.1 -U postgres wraparound_bench   # once
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wraparound_bench \\
        .venv/bin/python site/manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wraparound_bench \\
        .venv/bin/python bench/api_load.py --seed 20000 --workers 2 --concurrency 8 --requests 400

``--seed`` adds profiles each run; leave it out to reuse the data. Numbers depend on the
machine: compare runs on the same one, never put them in unit tests.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "site")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wraparound.settings.base")


def setup_django():
    import django

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (see the docstring).")
    django.setup()


def seed(count: int):
    """A bench organisation and team (created once), ``count`` more profiles owned by the
    team, and a new service account token. Returns the token's secret."""
    from django.utils.crypto import get_random_string

    from core import services
    from core.models import Organisation, PersonRole, Profile, Team

    org, _ = Organisation.objects.get_or_create(name="Bench Constabulary", defaults={"kind": "police"})
    team = Team.objects.filter(organisation=org, name="Bench Team").first() or Team.objects.create(
        organisation=org, name="Bench Team"
    )
    batch = 2000
    for start in range(0, count, batch):
        made = Profile.objects.bulk_create([
            Profile(first_name=f"First{n}", last_name=f"Last{n:07d}", owner_team=team, risk_level="medium")
            for n in range(start, min(count, start + batch))
        ])
        PersonRole.objects.bulk_create([PersonRole(profile=p, role="offender") for p in made[::3]])
    account = services.create_service_account(by=None, team=team, username=f"bench-{get_random_string(8).lower()}")
    _token, secret = services.issue_token(account, by=None, name="bench")
    return secret, Profile.objects.filter(owner_team=team).count()


def count_queries(secret: str, page_size: int) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    headers = {"Authorization": f"Bearer {secret}"}
    client.get("/api/v1/profiles/", {"page_size": page_size}, headers=headers)  # warm-up
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/profiles/", {"page_size": page_size}, headers=headers)
    assert response.status_code == 200, response.content[:300]
    return len(ctx)


def drive(url: str, secret: str, total: int, concurrency: int) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()
    remaining = iter(range(total))
    errors = []

    def worker():
        while True:
            with lock:
                if next(remaining, None) is None:
                    return
            request = urllib.request.Request(url, headers={"Authorization": f"Bearer {secret}"})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    response.read()
            except Exception as exc:  # noqa: BLE001 - a bench reports, it does not stop
                errors.append(exc)
                continue
            with lock:
                latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print(f"  {len(errors)} failed requests, first: {errors[0]!r}")
    return latencies


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0, help="Profiles to add before the run.")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes.")
    parser.add_argument("--concurrency", type=int, default=8, help="Client threads.")
    parser.add_argument("--requests", type=int, default=400, help="Requests per page size.")
    parser.add_argument("--port", type=int, default=0, help="Default: a free port.")
    args = parser.parse_args()

    os.environ["WRAPAROUND_API_RATE"] = "100000000/min"
    setup_django()
    secret, rows = seed(args.seed)
    print(f"profiles visible to the bench token: {rows}")
    queries = {size: count_queries(secret, size) for size in (10, 100)}
    for size, n in queries.items():
        print(f"page_size={size}: {n} queries per request")
    if queries[10] != queries[100]:
        print("WARNING: the query count grows with the page size")

    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": f"{ROOT}:{ROOT / 'site'}"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "wraparound.wsgi:application",
         "--workers", str(args.workers), "--bind", f"127.0.0.1:{args.port}", "--log-level", "warning",
         "--env", "DJANGO_SETTINGS_MODULE=wraparound.settings.base"],
        cwd=ROOT, env=env,
    )
    try:
        base = f"http://127.0.0.1:{args.port}/api/v1/profiles/"
        for _ in range(150):
            if server.poll() is not None:
                sys.exit("gunicorn did not start.")
            try:
                urllib.request.urlopen(urllib.request.Request(base + "?page_size=1",
                                       headers={"Authorization": f"Bearer {secret}"}), timeout=2).read()
                break
            except Exception:  # noqa: BLE001 - still starting
                time.sleep(0.2)
        else:
            sys.exit("gunicorn did not answer.")
        print(f"gunicorn: {args.workers} workers; load: {args.requests} requests, {args.concurrency} client threads")
        for size in (10, 100):
            url = f"{base}?page_size={size}"
            drive(url, secret, min(20, args.requests), args.concurrency)  # warm the workers
            started = time.perf_counter()
            latencies = drive(url, secret, args.requests, args.concurrency)
            elapsed = time.perf_counter() - started
            if not latencies:
                print(f"page_size={size}: no successful requests")
                continue
            latencies.sort()
            p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
            print(
                f"page_size={size}: {len(latencies) / elapsed:.0f} req/s, "
                f"median {statistics.median(latencies) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
                f"{queries[size]} queries/request"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
