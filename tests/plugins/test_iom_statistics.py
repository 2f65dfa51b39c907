"""IOM's statistics through ``wraparound_statistics``: computed over what the user may
see, on the dashboard and ``/api/v1/statistics/`` only where IOM is enabled, in a
fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import services
from core.models import Activity
from core.programmes import plugin_statistics_for
from plugins.iom import services as iom
from plugins.iom.statistics import (
    adoptions_and_exits,
    cohort_size,
    contacts_per_member,
    pathway_needs_met,
)
from tests.factories import ProfileFactory

from .iom_helpers import fresh, switch_iom, today

pytestmark = pytest.mark.django_db


def member(world, name, *, category="ppo", tier=1, team=None, by=None, exited=False):
    team, by = team or world.staffs_iom, by or world.staffs_officer
    profile = ProfileFactory(owner_team=team, first_name=name, last_name="Member")
    case = services.open_case(by=by, owner_team=team, programme="iom", case_type="cohort",
                              title=f"IOM: {name}", participants=[(profile, "subject")])
    membership = iom.record_membership(case, by=by, category=category, tier=tier, adopted_on=today())
    if exited:
        iom.update_membership(membership, by=by, changes={"exited_on": today(), "exit_reason": "desisted"})
    return profile, case


@pytest.fixture
def cohort(world):
    a = member(world, "Ann")
    b = member(world, "Bob", category="fixed", tier=3)
    member(world, "Cat", exited=True)
    member(world, "Dan", team=world.norfolk_iom, by=world.norfolk_officer)  # not shared with Staffordshire
    for _ in range(2):
        services.add_activity(by=world.staffs_officer, case=a[1], summary="Visit", kind=Activity.Kind.VISIT)
    services.add_activity(by=world.staffs_officer, case=b[1], summary="Note", kind=Activity.Kind.NOTE)
    iom.set_pathway_status(a[1], "accommodation", by=world.staffs_officer, status="met")
    iom.set_pathway_status(b[1], "accommodation", by=world.staffs_officer, status="in_progress")
    iom.set_pathway_status(a[1], "health", by=world.staffs_officer, status="identified")
    iom.set_pathway_status(a[1], "drugs_alcohol", by=world.staffs_officer, status="not_applicable")
    return a, b


def this_month():
    return today().strftime("%b %Y")


def test_cohort_size_by_category_and_tier_counts_visible_active_members(world, cohort):
    rows = cohort_size(world.staffs_officer)
    assert [(r["category"][:3], r["tier"], r["count"]) for r in rows] == [("Fix", 3, 1), ("PPO", 1, 1)]
    assert [(r["tier"], r["count"]) for r in cohort_size(world.norfolk_officer)] == [(1, 1)]
    assert cohort_size(world.outsider) == []


def test_adoptions_and_exits_per_month(world, cohort):
    rows = {(r["month"], r["movement"]): r["count"] for r in adoptions_and_exits(world.staffs_officer)}
    assert rows[(this_month(), "adopted")] == 3 and rows[(this_month(), "exited")] == 1
    assert len(rows) == 24 and sum(rows.values()) == 4


def test_contacts_per_member_per_month(world, cohort):
    row = contacts_per_member(world.staffs_officer)[-1]
    # Two visits (the note is not a contact) among the three members of this month.
    assert row == {"month": this_month(), "contacts": 2, "members": 3, "per_member": 0.67}
    assert contacts_per_member(world.outsider)[-1]["contacts"] == 0


def test_pathway_needs_met_count_and_share(world, cohort):
    rows = {r["pathway"]: r for r in pathway_needs_met(world.staffs_officer)}
    assert rows["Accommodation"] == {"pathway": "Accommodation", "met": 1, "total": 2, "share": 50}
    assert rows["Health"]["met"] == 0 and rows["Health"]["share"] == 0
    assert "Drugs and alcohol" not in rows  # not applicable is not a need
    assert pathway_needs_met(world.norfolk_officer) == []


def test_query_counts_do_not_grow_with_rows(world):
    def queries():
        user = fresh(world.staffs_officer)
        with CaptureQueriesContext(connection) as ctx:
            plugin_statistics_for(user)
        return len(ctx.captured_queries)

    for i in range(2):
        _, case = member(world, f"Few{i}")
        services.add_activity(by=world.staffs_officer, case=case, summary="Visit", kind=Activity.Kind.VISIT)
        iom.set_pathway_status(case, "health", by=world.staffs_officer, status="met")
    few = queries()
    for i in range(8):
        _, case = member(world, f"Many{i}", category="flex", tier=2)
        services.add_activity(by=world.staffs_officer, case=case, summary="Visit", kind=Activity.Kind.VISIT)
        iom.set_pathway_status(case, "finance_debt", by=world.staffs_officer, status="identified")
    assert queries() == few


def test_api_and_dashboard_show_iom_statistics_only_where_iom_is_enabled(world, cohort):
    client = Client()
    client.force_login(world.staffs_officer)
    body = client.get("/api/v1/statistics/").json()
    stats = {s["slug"]: s for s in body["programmes"]}
    assert set(stats) == {"iom_cohort_size", "iom_adoptions_exits", "iom_contacts_per_member",
                          "iom_pathway_needs_met"}
    assert sum(r["count"] for r in stats["iom_cohort_size"]["rows"]) == 2
    page = client.get("/admin/")
    assert b"chart-iom_cohort_size" in page.content and b"IOM pathway needs met" in page.content

    switch_iom(world.staffs_police, False)
    client.force_login(world.staffs_officer)
    assert client.get("/api/v1/statistics/").json()["programmes"] == []
    assert b"chart-iom_cohort_size" not in client.get("/admin/").content
    assert plugin_statistics_for(fresh(world.staffs_officer)) == []
    switch_iom(world.staffs_police, True)
    assert len(plugin_statistics_for(fresh(world.staffs_officer))) == 4


def test_users_without_access_to_the_records_count_nothing(world, cohort):
    client = Client()
    for user in (world.outsider, world.waveney_officer):  # IOM enabled, none of these records shared
        client.force_login(user)
        body = client.get("/api/v1/statistics/").json()
        assert len(body["programmes"]) == 4
        for stat in body["programmes"]:
            values = [r[stat["value"]] for r in stat["rows"]]
            assert not any(values), (user, stat["slug"])
