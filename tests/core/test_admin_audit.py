"""The audit log screen and its CSV export (core.admin.audit_views)."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import audit, roles
from core.models import AuditAction, AuditEvent, Membership, PartnershipMembership
from core.search import search

from ..factories import (
    OrganisationFactory,
    PartnershipFactory,
    ProfileFactory,
    TeamFactory,
    UserFactory,
    member,
)

pytestmark = pytest.mark.django_db
URL = "/admin/audit/"
RESULTS = "/admin/audit/results/"
EXPORT = "/admin/audit/export/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admins(world):
    """A partnership admin of Norfolk and Suffolk, one of an unrelated partnership, and
    Norfolk Constabulary's organisation admin (``world.norfolk_spoc``)."""
    norfolk_admin = UserFactory(username="ns_admin", role=roles.PARTNERSHIP_ADMIN)
    member(norfolk_admin, TeamFactory(organisation=world.waveney, name="Partnership office"))
    elsewhere = PartnershipFactory(name="Kent Partnership")
    kent = OrganisationFactory(name="Kent Police")
    PartnershipMembership.objects.create(partnership=elsewhere, organisation=kent)
    kent_admin = UserFactory(username="kent_admin", role=roles.PARTNERSHIP_ADMIN)
    member(kent_admin, TeamFactory(organisation=kent, name="Kent office"))
    return {"norfolk": norfolk_admin, "kent": kent_admin, "spoc": world.norfolk_spoc}


@pytest.fixture
def events(world):
    """A Norfolk officer's search, a Waveney officer's view, and a Staffordshire officer's
    view of a Norfolk-owned profile (cross-border)."""
    norfolk_profile = ProfileFactory(first_name="Lee", last_name="Norris", owner_team=world.norfolk_iom)
    search(world.norfolk_officer, "=HYPERLINK(\"http://x\")")
    with transaction.atomic():
        audit.record(AuditAction.VIEW, norfolk_profile, actor=world.waveney_officer)
        audit.record(AuditAction.VIEW, norfolk_profile, actor=world.staffs_officer)
        staffs_profile = ProfileFactory(first_name="Sid", last_name="Stafford", owner_team=world.staffs_iom)
        audit.record(AuditAction.VIEW, staffs_profile, actor=world.staffs_officer)
    return {"norfolk_profile": norfolk_profile, "staffs_profile": staffs_profile}


def rows(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_practitioners_and_strangers_get_404(world, admins, events):
    for user in (world.norfolk_officer, world.staffs_officer, world.outsider):
        client = login(user)
        for url in (URL, RESULTS, EXPORT):
            assert client.get(url).status_code == 404, (user, url)
    assert Client().get(URL).status_code == 302  # anonymous: to the login page
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_partnership_admin_sees_their_partnerships_events(world, admins, events):
    body = login(admins["norfolk"]).get(URL).content.decode()
    assert "norfolk_officer" in body and "waveney_officer" in body
    # A Staffordshire officer opening a Norfolk-owned profile is shown to Norfolk's admin…
    assert "Lee Norris" in body
    # …but Staffordshire's own business is not.
    assert "Sid Stafford" not in body


def test_admin_of_another_partnership_sees_none_of_them(world, admins, events):
    response = login(admins["kent"]).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("norfolk_officer", "waveney_officer", "staffs_officer", "Lee Norris", "Sid Stafford"):
        assert text not in body
    # Only Kent's own events (its admin's log-in, the export itself).
    exported = rows(login(admins["kent"]).get(EXPORT))[1:]
    assert exported and {r[2] for r in exported} == {"Kent Police"}


def test_organisation_admin_sees_their_organisation_only(world, admins, events):
    body = login(admins["spoc"]).get(URL).content.decode()
    assert "norfolk_officer" in body  # Norfolk Constabulary
    assert "waveney_officer" in body  # viewed a Norfolk Constabulary profile
    assert "Sid Stafford" not in body


def test_filters_by_user_action_object_and_period(world, admins, events):
    client = login(admins["norfolk"])
    body = client.get(URL, {"user": "waveney_officer"}).content.decode()
    assert "waveney_officer" in body and "norfolk_officer" not in body
    body = client.get(URL, {"action": "search"}).content.decode()
    assert "norfolk_officer" in body and "waveney_officer" not in body
    body = client.get(URL, {"object_type": "core.profile", "object": str(events["norfolk_profile"].pk)}).content.decode()
    assert "waveney_officer" in body and "norfolk_officer" not in body
    body = client.get(URL, {"organisation": world.waveney.pk}).content.decode()
    assert "waveney_officer" in body and "norfolk_officer" not in body
    body = client.get(URL, {"period_from": "2000-01-01", "period_to": "2000-01-31"}).content.decode()
    assert "waveney_officer" not in body
    today = events["norfolk_profile"].created_at.date().isoformat()
    body = client.get(URL, {"period_from": today, "period_to": today, "user": "waveney_officer"}).content.decode()
    assert "waveney_officer" in body


def test_organisation_filter_offers_only_organisations_in_scope(world, admins, events):
    body = login(admins["norfolk"]).get(URL).content.decode()
    assert "Kent Police" not in body
    assert login(admins["norfolk"]).get(URL, {"organisation": world.staffs_police.pk}).status_code == 200


def test_csv_export_content_and_its_audit(world, admins, events):
    response = login(admins["norfolk"]).get(EXPORT, {"action": "view"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    table = rows(response)
    assert table[0][:4] == ["When (UTC)", "User", "Organisation", "Action"]
    users = sorted(r[1] for r in table[1:])
    assert users == ["staffs_officer", "waveney_officer"]
    assert all("Sid Stafford" not in ",".join(r) for r in table)
    export = AuditEvent.objects.filter(action=AuditAction.EXPORT).get()
    assert export.actor_id == admins["norfolk"].pk
    assert export.changes == {"filters": {"action": "view"}}
    assert export.category == "disclosure"


def test_csv_neutralises_formulas(world, admins, events):
    table = rows(login(admins["norfolk"]).get(EXPORT, {"action": "search"}))
    details = table[1][10]
    assert details.startswith("{") and "HYPERLINK" in details
    hostile = [cell for row in table for cell in row if cell.startswith(("=", "+", "@"))]
    assert hostile == []


def test_listing_queries_do_not_grow_with_events(world, admins, events):
    client = login(admins["norfolk"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    client.get(URL)  # the session's first request does one-off work (its lifetime stamps)
    few = count()
    with transaction.atomic():
        for _ in range(30):
            audit.record(AuditAction.VIEW, events["norfolk_profile"], actor=world.norfolk_officer)
    assert count() == few


def test_menu_item_only_for_admins(world, admins):
    assert b"/admin/audit/" in login(admins["norfolk"]).get("/admin/").content
    assert b"/admin/audit/" not in login(world.norfolk_officer).get("/admin/").content
    assert Membership.objects.filter(user=admins["norfolk"]).exists()
