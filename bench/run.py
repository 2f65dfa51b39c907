"""Time the product's real code paths on the seeded database and check the targets.

    python -m bench.run                  # after python -m bench.seed
    python -m bench.run --runs 5 --json bench/results/run.json

Each scenario runs once to warm up, then ``--runs`` times; the table shows the median,
the min–max, the number of runs and the SQL queries of one run, the target and PASS/FAIL,
and — where django-guardian can answer the same question — the ratio to guardian's own
``get_objects_for_user`` on the same data in the same run: with guardian's *default*
generic tables (``×defaults``, the baseline of issue 8's "≥ 20×" target; ``bench.seed``
copies the grants there) and with the direct foreign-key tables the product uses
(``×direct``). The JSON file holds the same rows. Exit status is 1 when a scenario raises (the harness has rotted) or, with ``--strict``,
when any target — time or query count — fails; CI runs it without ``--strict`` at a tiny
scale, where the timings mean little.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .setup import ROOT, django_setup


@dataclass
class Result:
    name: str
    runs: int = 0
    median_ms: float | None = None
    min_ms: float | None = None
    max_ms: float | None = None
    queries: int | None = None
    target: str = ""
    passed: bool | None = None
    baseline: str = ""
    ratio: float | None = None
    #: Against guardian on our direct foreign-key tables, where the main baseline is
    #: guardian's defaults (its generic tables).
    baseline_direct: str = ""
    ratio_direct: float | None = None
    note: str = ""
    timings: list[float] = field(default_factory=list)


def measure(fn, runs: int) -> tuple[list[float], int]:
    """Timings of ``runs`` calls after a warm-up call and a call whose SQL statements are
    counted (with an execute wrapper: a test client request resets ``connection.queries``)."""
    from django.db import connection

    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    fn()  # warm-up: a session's first request does one-off work (its lifetime stamps)
    with connection.execute_wrapper(count):
        fn()
    timings = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - t) * 1000)
    return timings, len(executed)


class Bench:
    def __init__(self, runs: int):
        from django.contrib.auth import get_user_model
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT value FROM bench_meta WHERE key = 'seed'")
            row = cursor.fetchone()
        if row is None:
            raise SystemExit("No seeded data: run `python -m bench.seed` first.")
        self.meta = row[0] if isinstance(row[0], dict) else json.loads(row[0])
        User = get_user_model()
        self.users = {k: User.objects.get(pk=self.meta[k]) for k in ("typical", "sparse", "admin")}
        self.runs = runs
        self.results: list[Result] = []

    # -- helpers ---------------------------------------------------------------------
    def run(self, name, fn, *, target_ms=None, max_queries=None, baseline: Result | None = None, min_ratio=None,
            direct: Result | None = None, note=""):
        result = Result(name=name, note=note)
        timings, queries = measure(fn, self.runs)
        result.runs = len(timings)
        result.timings = [round(t, 3) for t in timings]
        result.median_ms = round(statistics.median(timings), 3)
        result.min_ms, result.max_ms = round(min(timings), 3), round(max(timings), 3)
        result.queries = queries
        checks = []
        if target_ms is not None:
            result.target = f"≤ {target_ms} ms"
            checks.append(result.median_ms <= target_ms)
        if max_queries is not None:
            result.target = (result.target + ", " if result.target else "") + f"≤ {max_queries} queries"
            checks.append(queries <= max_queries)
            if queries > max_queries:
                result.note = (result.note + "; " if result.note else "") + "QUERY TARGET FAILED"
        if baseline is not None and baseline.median_ms:
            result.baseline = baseline.name
            result.ratio = round(baseline.median_ms / result.median_ms, 1) if result.median_ms else None
        if direct is not None and direct.median_ms and result.median_ms:
            result.baseline_direct = direct.name
            result.ratio_direct = round(direct.median_ms / result.median_ms, 1)
        if min_ratio is not None:
            result.target = (result.target + ", " if result.target else "") + f"≥ {min_ratio}× guardian"
            checks.append(result.ratio is not None and result.ratio >= min_ratio)
        if checks:
            result.passed = all(checks)
        self.results.append(result)
        return result

    def client_for(self, user):
        from django.test import Client

        client = Client()
        client.force_login(user)
        return client

    # -- scenarios ---------------------------------------------------------------------
    def profile_lists(self):
        from guardian.shortcuts import get_objects_for_user

        from core import access
        from core.access.listing import VisibleProfileList
        from core.models import Profile

        order = ("last_name", "first_name", "id")
        for label, user in self.users.items():
            visible = access.visible_profile_count(user)

            def guardian_qs(user=user):
                return get_objects_for_user(user, "core.view_profile", klass=Profile, accept_global_perms=False,
                                            with_superuser=False)

            # Both sides fetch the page's 50 profile rows, as a listing does.
            def generic_page(q=guardian_qs):
                with guardian_defaults():
                    return list(q().order_by(*order)[:50])

            def generic_count(q=guardian_qs):
                with guardian_defaults():
                    return q().count()

            with guardian_defaults():
                guardian_sees = guardian_qs().count()
            d_page = self.run(f"guardian defaults (generic tables), page of 50 ({label})", generic_page,
                              note=f"baseline: guardian's own tables (object_pk as text) holding the grants and "
                                   f"the owner teams' reach; sees {guardian_sees:,} (it knows no expiry)")
            d_count = self.run(f"guardian defaults (generic tables), count ({label})", generic_count, note="baseline")
            g_page = self.run(f"guardian, direct FK tables, page of 50 ({label})",
                              lambda q=guardian_qs: list(q().order_by(*order)[:50]),
                              note="baseline: the product's tables, grants only (guardian knows no owner team)")
            g_count = self.run(f"guardian, direct FK tables, count ({label})", lambda q=guardian_qs: q().count(),
                               note="baseline")

            def page(user=user):
                # What the profile list screen and the API page through (core.access.listing).
                return VisibleProfileList(user, Profile.objects.all())[0:50]

            self.run(f"profile list, first page of 50 ({label}: sees {visible:,})", page, target_ms=5,
                     max_queries=1, baseline=d_page, min_ratio=20, direct=g_page)
            self.run(f"profile list, count ({label})", lambda user=user: access.visible_profile_count(user),
                     target_ms=5, max_queries=1, baseline=d_count, min_ratio=20, direct=g_count)
            self.run(f"restrict() semi-join, page of 50 ({label})",
                     lambda user=user: list(access.restrict(Profile.objects.all(), user).order_by(*order)[:50]),
                     note="the generic path, for comparison", baseline=d_page, direct=g_page)

    def profile_list_view(self):
        from django.urls import reverse

        client = self.client_for(self.users["typical"])
        url = reverse("wraparound_profiles:index")

        def get():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        self.run("profile list screen, HTTP (typical)", get, max_queries=20,
                 note="server time of the whole admin page")

    def case_list(self):
        from core import access
        from core.models import Case

        user = self.users["typical"]

        def page():
            qs = access.restrict(Case.objects.all(), user).order_by("-opened_on", "-id")
            return list(qs[:50]), qs.count()

        self.run("case list, first page of 50 + count (typical)", page, max_queries=2)

    def profile_hub(self):
        from django.urls import reverse

        client = self.client_for(self.users["typical"])
        url = reverse("wraparound_profiles:detail", args=[self.meta["hub"]])

        def get():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        self.run("profile hub, HTTP (1,000 activities)", get, target_ms=100, max_queries=20)

        tab = reverse("wraparound_profiles:tab", args=[self.meta["hub"], "chronology"])

        def chronology():
            response = client.get(tab)
            assert response.status_code == 200, response.status_code

        self.run("profile hub, chronology tab, HTTP (1,000 activities)", chronology, max_queries=20,
                 note="the tab's fragment, fetched when the tab is first shown")

    def object_check(self):
        from core import access
        from core.models import Profile

        user = self.users["typical"]
        pks = list(Profile.objects.order_by("pk").values_list("pk", flat=True)[:50])
        self.run("object check, page of 50 (visible_pks)", lambda: access.visible_pks(user, Profile, pks),
                 max_queries=1)

        from guardian.core import ObjectPermissionChecker

        objs = list(Profile.objects.filter(pk__in=pks))

        def guardian_checks():
            checker = ObjectPermissionChecker(user)
            return [checker.has_perm("view_profile", obj) for obj in objs]

        self.run("guardian ObjectPermissionChecker, 50 objects", guardian_checks, note="baseline")

    def name_search(self):
        from django.urls import reverse

        from core.models import Profile

        total = Profile.objects.count()
        for label, fragment, target in (("common", self.meta["common_fragment"], 60),
                                        ("rare", self.meta["rare_fragment"], 10)):
            matches = Profile.objects.filter(last_name__icontains=fragment).count()
            share = f"{fragment!r} matches {matches:,} profiles ({100 * matches / total:.1f}%)"
            try:
                from core import search as product_search  # the admin's search box (issue 3)
            except ImportError:
                product_search = None
            user = self.users["typical"]
            if product_search is not None and hasattr(product_search, "search"):
                def fn(f=fragment, search=product_search, user=user):
                    return search.search(user, f, limit=50)
            else:
                client = self.client_for(user)
                url = reverse("wraparound_profiles:index_results")

                def fn(f=fragment, client=client, url=url):
                    response = client.get(url, {"q": f})
                    assert response.status_code == 200

            self.run(f"name search, {label} fragment (typical)", fn, target_ms=target, note=share)

    def gallery(self):
        """A saved-filter gallery (very high risk) whose audience is the typical user's
        teams: the card grid shows profiles the user may not otherwise see."""
        from django.urls import reverse

        from core.models import Gallery, Team

        user = self.users["typical"]
        gallery, _ = Gallery.objects.get_or_create(
            slug="bench-very-high-risk",
            defaults={"name": "Bench: very high risk", "kind": Gallery.Kind.FILTER, "risk_levels": ["very_high"]},
        )
        gallery.audience_teams.set(Team.objects.filter(memberships__user=user))
        client = self.client_for(user)
        url = reverse("wraparound_galleries:grid", args=[gallery.pk])

        def get():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        self.run("gallery page, HTTP (saved filter: very high risk)", get, max_queries=25)

    def dashboard(self):
        from django.urls import reverse

        client = self.client_for(self.users["typical"])
        url = reverse("wagtailadmin_home")

        def get():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        # 32: Wagtail's own (~10), the panels and the statistics. Until the seed had tasks
        # and referrals their panels were empty and skipped two look-ups (30); the count
        # does not grow with rows (tests/core/test_admin_work.py).
        self.run("dashboard with statistics, HTTP (typical)", get, max_queries=32)

    def api_list(self):
        from django.urls import reverse

        from core import access
        from core.models import Activity

        client = self.client_for(self.users["typical"])  # session auth, as the admin's own JS
        url = reverse("api-v1:list_profiles")
        for size in (10, 100):
            def get(size=size):
                response = client.get(url, {"page_size": size})
                assert response.status_code == 200, response.status_code

            self.run(f"API GET /api/v1/profiles/, page of {size} (typical)", get, max_queries=12)

        url = reverse("api-v1:list_activities")

        def activities():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        visible = access.restrict(Activity.objects.all(), self.users["typical"]).count()
        self.run("API GET /api/v1/activities/, page of 20 (typical)", activities, max_queries=12,
                 note=f"newest first, of the {visible:,} activities on the cases and profiles the user sees")

        self.run("API GET /api/v1/activities/?kind=visit, page of 20 (typical)",
                 self.getter(client, url, {"kind": "visit"}), max_queries=12)

    @staticmethod
    def getter(client, url, params=None):
        """A scenario: ``client`` GETs ``url`` (with ``params``) and must get a 200."""
        def get():
            response = client.get(url, params or {})
            assert response.status_code == 200, response.status_code
        return get

    def work_lists(self):
        """The typical user's tasks and referrals: the screens (open tasks assigned to
        them or their teams, referrals waiting for their teams) and the API's unfiltered
        lists of every task and referral they may see."""
        from django.urls import reverse

        from core import access
        from core.models import Referral, Task

        user = self.users["typical"]
        client = self.client_for(user)
        getter = functools.partial(self.getter, client)
        tasks = reverse("wraparound_tasks:index")
        self.run("tasks screen, my open tasks, HTTP (typical)", getter(tasks), max_queries=20)
        self.run("tasks screen, my teams' open tasks, HTTP (typical)", getter(tasks, {"scope": "team"}),
                 max_queries=20)
        referrals = reverse("wraparound_referrals:index")
        self.run("referrals screen, waiting for my teams, HTTP (typical)", getter(referrals), max_queries=20)
        visible = access.restrict(Task.objects.all(), user).count()
        self.run("API GET /api/v1/tasks/, page of 20 (typical)", getter(reverse("api-v1:list_tasks")),
                 max_queries=12, note=f"of the {visible:,} tasks the user sees ({Task.objects.count():,} in all)")
        visible = access.restrict(Referral.objects.all(), user).count()
        self.run("API GET /api/v1/referrals/, page of 20 (typical)", getter(reverse("api-v1:list_referrals")),
                 max_queries=12,
                 note=f"of the {visible:,} referrals the user sees ({Referral.objects.count():,} in all)")


@contextlib.contextmanager
def guardian_defaults():
    """Make django-guardian read its default *generic* tables (``guardian_user/
    groupobjectpermission``: object_pk as text, a content type per row) instead of the
    direct foreign-key tables the product registers — the baseline issue 8 compares
    with. ``bench.seed`` fills them with the same rows."""
    from unittest import mock

    from guardian import shortcuts
    from guardian.models import GroupObjectPermission, UserObjectPermission

    with mock.patch.object(shortcuts, "get_user_obj_perms_model", lambda obj=None: UserObjectPermission), \
            mock.patch.object(shortcuts, "get_group_obj_perms_model", lambda obj=None: GroupObjectPermission):
        yield


def print_table(results: list[Result], meta: dict) -> None:
    print(f"\nscale {meta['scale']}: " + ", ".join(f"{k} {v:,}" for k, v in meta["counts"].items()))
    head = (f"{'scenario':<62} {'median':>9} {'min–max':>17} {'runs':>4} {'SQL':>4}  {'target':<40} {'':4} "
            f"{'×defaults':>9} {'×direct':>8}")
    print(head)
    print("-" * len(head))
    for r in results:
        verdict = "" if r.passed is None else ("PASS" if r.passed else "FAIL")
        ratio = f"{r.ratio:>8}×" if r.ratio is not None else ""
        direct = f"{r.ratio_direct:>7}×" if r.ratio_direct is not None else ""
        span = f"{r.min_ms:.2f}–{r.max_ms:.2f}"
        print(f"{r.name:<62} {r.median_ms:>7.2f}ms {span:>17} {r.runs:>4} {r.queries:>4}  {r.target:<40} {verdict:4} "
              f"{ratio:>9} {direct:>8}")
        if r.note and r.note != "baseline":
            print(f"{'':<4}{r.note}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None, help="where to write the results (default bench/results/)")
    parser.add_argument("--strict", action="store_true", help="fail on timing targets too")
    args = parser.parse_args(argv)
    django_setup()
    bench = Bench(args.runs)
    for scenario in (bench.profile_lists, bench.profile_list_view, bench.case_list, bench.profile_hub,
                     bench.object_check, bench.name_search, bench.gallery, bench.dashboard, bench.api_list,
                     bench.work_lists):
        scenario()
    print_table(bench.results, bench.meta)
    out = args.json or ROOT / "bench" / "results" / f"run-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"meta": bench.meta, "results": [asdict(r) for r in bench.results]}, indent=2))
    print(f"\nresults written to {out}")
    failures = [r for r in bench.results if r.passed is False]
    if args.strict and failures:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
