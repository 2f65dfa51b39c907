"""The audit trail (``core.audit``): one event per operation through every channel, with
the s.62 category, actor, organisation and object; append-only; no unaudited change;
erasure events hold no content."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from core import audit, services
from core.access import AccessLevel
from core.audit import AuditContextMiddleware, Channel, audit_context
from core.models import (
    AuditAction,
    AuditEvent,
    Grant,
    Identifier,
    PersonRole,
    Profile,
    ProfileGroupObjectPermission,
)
from core.models.audit import AppendOnlyError
from core.services.errors import NotAllowed

from ..factories import CaseFactory, ProfileFactory

pytestmark = pytest.mark.django_db


# --- each operation, each channel --------------------------------------------------------
#
# An operation is prepared outside the measured window and returns
# (run, actor, action, category, object): ``run()`` performs it, ``object()`` returns the
# record the event must name.


def op_create_profile(w):
    made = {}

    def run():
        made["p"] = services.create_profile(by=w.staffs_officer, owner_team=w.staffs_iom,
                                            first_name="Kerry", last_name="Dunn")
    return run, w.staffs_officer, "create", "collection", lambda: made["p"]


def op_update_profile(w):
    p = ProfileFactory(owner_team=w.staffs_iom)
    return (lambda: services.update_profile(p, by=w.staffs_officer, changes={"risk_level": "high"}),
            w.staffs_officer, "update", "alteration", lambda: p)


def op_add_identifier(w):
    p = ProfileFactory(owner_team=w.staffs_iom)
    return (lambda: services.add_identifier(p, "nhs", "9876543210", by=w.staffs_officer),
            w.staffs_officer, "update", "alteration", lambda: p)


def op_record_view(w):
    p = ProfileFactory(owner_team=w.staffs_iom)
    return (lambda: services.record_view(p, by=w.staffs_officer, justification="Case review"),
            w.staffs_officer, "view", "consultation", lambda: p)


def op_grant(w):
    p = ProfileFactory(owner_team=w.staffs_iom)
    return (lambda: services.grant_access(p, w.waveney_asb, AccessLevel.VIEW, by=w.staffs_officer, reason="ASB"),
            w.staffs_officer, "grant", "disclosure", lambda: p)


def op_revoke(w):
    p = ProfileFactory(owner_team=w.staffs_iom)
    g = services.grant_access(p, w.waveney_asb, AccessLevel.VIEW, by=w.staffs_officer, reason="ASB")
    return (lambda: services.revoke_grant(g, by=w.staffs_officer, reason="Done"),
            w.staffs_officer, "revoke", "disclosure", lambda: p)


def op_transfer(w):
    p = ProfileFactory(owner_team=w.staffs_iom)
    return (lambda: services.transfer_ownership(p, w.norfolk_iom, by=w.staffs_officer, reason="Moved",
                                                consent_reviewed=True),
            w.staffs_officer, "transfer", "disclosure", lambda: p)


def op_request_access(w):
    p = ProfileFactory(owner_team=w.staffs_iom)
    return (lambda: services.request_access(p, by=w.outsider, reason="Tenancy"),
            w.outsider, "request_access", "disclosure", lambda: p)


def op_decide_access(w):
    p = ProfileFactory(owner_team=w.staffs_iom)
    req = services.request_access(p, by=w.outsider, reason="Tenancy")
    return (lambda: services.decide_access_request(req, by=w.staffs_officer, approve=True),
            w.staffs_officer, "decide_access", "disclosure", lambda: p)


def op_add_relationship(w):
    a, b = ProfileFactory(owner_team=w.staffs_iom), ProfileFactory(owner_team=w.staffs_iom)
    return (lambda: services.add_relationship(a, b, "sibling", by=w.staffs_officer),
            w.staffs_officer, "link", "combination", lambda: a)


def op_open_case(w):
    made = {}

    def run():
        made["c"] = services.open_case(by=w.waveney_officer, owner_team=w.waveney_asb, programme="asb",
                                       case_type="asb_case", title="Noise")
    return run, w.waveney_officer, "create", "collection", lambda: made["c"]


def op_update_case(w):
    c = CaseFactory(owner_team=w.waveney_asb)
    return (lambda: services.update_case(c, by=w.waveney_officer, changes={"title": "Noise and threats"}),
            w.waveney_officer, "update", "alteration", lambda: c)


def op_close_case(w):
    c = CaseFactory(owner_team=w.waveney_asb)
    return (lambda: services.close_case(c, by=w.waveney_officer, outcome="behaviour_stopped"),
            w.waveney_officer, "update", "alteration", lambda: c)


def op_add_activity(w):
    c = CaseFactory(owner_team=w.waveney_asb)
    made = {}

    def run():
        made["a"] = services.add_activity(by=w.waveney_officer, case=c, summary="Letter sent")
    return run, w.waveney_officer, "create", "collection", lambda: made["a"]


OPERATIONS = [
    op_create_profile, op_update_profile, op_add_identifier, op_record_view, op_grant, op_revoke, op_transfer,
    op_request_access, op_decide_access, op_add_relationship, op_open_case, op_update_case, op_close_case,
    op_add_activity,
]
CHANNELS = [None, Channel.API, Channel.IMPORT, Channel.TASK, Channel.CLI]
ORGANISATION = {"staffs_officer": "Staffordshire Police", "waveney_officer": "Waveney District Council",
                "outsider": "Waveney District Council"}


def assert_one_event(world, operation, perform, channel, address=None):
    run, actor, action, category, target = operation(world)
    before = set(AuditEvent.objects.values_list("pk", flat=True))
    perform(run)
    new = list(AuditEvent.objects.exclude(pk__in=before))
    assert len(new) == 1, [(e.action, e.object_type) for e in new]
    event = new[0]
    obj = target()
    assert event.action == action
    assert event.category == category
    assert event.actor_id == actor.pk and event.actor_username == actor.username
    assert event.organisation_name == ORGANISATION[actor.username]
    assert event.organisation_id is not None
    assert (event.object_type, event.object_id) == (obj._meta.label_lower, str(obj.pk))
    assert event.channel == channel
    assert event.source_address == address
    return event


@pytest.mark.parametrize("channel", CHANNELS, ids=lambda c: c or "default")
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda f: f.__name__[3:])
def test_operation_leaves_exactly_one_event_in_channel(world, operation, channel):
    def perform(run):
        if channel is None:
            run()
        else:
            with audit_context(channel):
                run()

    assert_one_event(world, operation, perform, channel or Channel.SYSTEM)


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda f: f.__name__[3:])
def test_operation_during_web_request_is_on_screen_channel_with_address(world, operation):
    def perform(run):
        request = RequestFactory().post("/admin/profiles/1/edit/", REMOTE_ADDR="198.51.100.23")
        AuditContextMiddleware(lambda r: run())(request)

    assert_one_event(world, operation, perform, Channel.SCREEN, "198.51.100.23")


def test_operation_during_api_request_is_on_api_channel(world):
    def perform(run):
        request = RequestFactory().post("/api/v1/profiles/", REMOTE_ADDR="2001:db8::7")
        AuditContextMiddleware(lambda r: run())(request)

    assert_one_event(world, op_grant, perform, Channel.API, "2001:db8::7")


def test_audit_context_is_restored_after_the_block(world):
    with audit_context(Channel.IMPORT, source_address="192.0.2.1"):
        pass
    assert audit.current_context().channel == Channel.SYSTEM
    assert audit.current_context().source_address is None


def test_record_view_keeps_the_justification(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    services.record_view(p, by=world.staffs_officer, justification="Strategy meeting")
    assert AuditEvent.objects.get().justification == "Strategy meeting"


def test_grant_event_records_grantee_level_and_reason(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    services.grant_access(p, world.waveney_asb, AccessLevel.CONTRIBUTE, by=world.staffs_officer, reason="ASB work")
    changes = AuditEvent.objects.get(action="grant").changes
    assert changes["level"] == "Contribute" and changes["reason"] == "ASB work"
    assert changes["grantee"].startswith("team:")


def test_update_event_records_the_change_set(world):
    p = ProfileFactory(owner_team=world.staffs_iom, risk_level="low")
    services.update_profile(p, by=world.staffs_officer, changes={"risk_level": "high"})
    assert AuditEvent.objects.get(action="update").changes == {"risk_level": ["low", "high"]}


def test_refused_operation_writes_no_event(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    with pytest.raises(NotAllowed):
        services.grant_access(p, world.waveney_asb, AccessLevel.VIEW, by=world.outsider, reason="Nosy")
    assert AuditEvent.objects.count() == 0


def test_grant_expiry_sweep_is_audited_as_background_task(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    g = services.grant_access(p, world.waveney_asb, AccessLevel.VIEW, by=world.staffs_officer, reason="ASB",
                              expires_at=timezone.now() + timedelta(hours=1))
    before = AuditEvent.objects.count()
    services.expire_grants(now=timezone.now() + timedelta(hours=2))
    event = AuditEvent.objects.latest("id")
    assert AuditEvent.objects.count() == before + 1
    assert (event.action, event.channel, event.actor_id) == ("revoke", Channel.TASK, None)
    assert event.changes["grant"] == g.pk


# --- authentication --------------------------------------------------------------------


def test_login_through_the_form_is_audited_with_screen_channel_and_address(world, client):
    response = client.post("/admin/login/", {"username": "staffs_officer", "password": "correct horse battery staple"},
                           REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="login")
    assert (event.channel, event.source_address, event.category) == (Channel.SCREEN, "203.0.113.9", "access_control")
    assert event.actor_id == world.staffs_officer.pk
    assert event.organisation_name == "Staffordshire Police"


def test_failed_login_through_the_form_is_audited(world, client):
    client.post("/admin/login/", {"username": "staffs_officer", "password": "wrong"}, REMOTE_ADDR="203.0.113.10")
    event = AuditEvent.objects.get(action="login_failed")
    assert (event.channel, event.source_address) == (Channel.SCREEN, "203.0.113.10")
    assert event.object_repr == "staffs_officer" and event.actor_id is None
    assert not AuditEvent.objects.filter(action="login").exists()


def test_failed_authenticate_is_audited(world):
    assert authenticate(username="staffs_officer", password="wrong") is None
    event = AuditEvent.objects.get()
    assert (event.action, event.category, event.object_repr) == ("login_failed", "access_control", "staffs_officer")


def test_logout_is_audited(world, client):
    client.force_login(world.staffs_officer)
    client.post("/admin/logout/", REMOTE_ADDR="203.0.113.11")
    event = AuditEvent.objects.get(action="logout")
    assert (event.actor_id, event.channel, event.source_address) == (world.staffs_officer.pk, Channel.SCREEN,
                                                                     "203.0.113.11")


# --- append-only -------------------------------------------------------------------------


@pytest.fixture
def event(world):
    return audit.record(AuditAction.VIEW, ProfileFactory(owner_team=world.staffs_iom), actor=world.staffs_officer)


def test_saving_an_existing_event_is_refused(event):
    event.object_repr = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).object_repr != "tampered"


def test_saving_a_reloaded_event_is_refused(event):
    loaded = AuditEvent.objects.get(pk=event.pk)
    with pytest.raises(AppendOnlyError):
        loaded.save()


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_is_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="tampered")


def test_queryset_delete_is_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 1


def test_bulk_update_is_refused(event):
    event.object_repr = "tampered"
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["object_repr"])


def test_raw_sql_update_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditevent SET object_repr = 'tampered' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).object_repr != "tampered"


@pytest.mark.postgres
def test_raw_sql_delete_is_refused_by_postgresql(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


# --- no unaudited change -------------------------------------------------------------------


class AuditDown(Exception):
    pass


@pytest.fixture
def audit_down(monkeypatch):
    def refuse(**kwargs):
        raise AuditDown("the audit table cannot be written")

    monkeypatch.setattr(AuditEvent.objects, "create", refuse)


def test_grant_is_rolled_back_when_its_audit_event_cannot_be_written(world, audit_down):
    p = ProfileFactory(owner_team=world.staffs_iom)
    with pytest.raises(AuditDown):
        services.grant_access(p, world.waveney_asb, AccessLevel.MANAGE, by=world.staffs_officer, reason="ASB")
    assert not Grant.objects.exists()
    assert not ProfileGroupObjectPermission.objects.exists()


def test_revoke_is_rolled_back_when_its_audit_event_cannot_be_written(world, monkeypatch):
    p = ProfileFactory(owner_team=world.staffs_iom)
    g = services.grant_access(p, world.waveney_asb, AccessLevel.VIEW, by=world.staffs_officer, reason="ASB")
    monkeypatch.setattr(AuditEvent.objects, "create", lambda **kw: (_ for _ in ()).throw(AuditDown()))
    with pytest.raises(AuditDown):
        services.revoke_grant(g, by=world.staffs_officer)
    g.refresh_from_db()
    assert g.revoked_at is None and ProfileGroupObjectPermission.objects.filter(grant=g).count() == 1


def test_created_profile_is_rolled_back_when_its_audit_event_cannot_be_written(world, audit_down):
    with pytest.raises(AuditDown):
        services.create_profile(by=world.staffs_officer, owner_team=world.staffs_iom, first_name="Kerry",
                                last_name="Dunn", person_roles=["victim"], identifiers=[("nhs", "1112223334")])
    assert not Profile.objects.exists()
    assert not Identifier.objects.exists() and not PersonRole.objects.exists()


def test_profile_update_is_rolled_back_when_its_audit_event_cannot_be_written(world, audit_down):
    p = ProfileFactory(owner_team=world.staffs_iom, first_name="Kerry")
    with pytest.raises(AuditDown):
        services.update_profile(p, by=world.staffs_officer, changes={"first_name": "Carrie"})
    fresh = Profile.objects.get(pk=p.pk)
    assert (fresh.first_name, fresh.version) == ("Kerry", 1)


def test_transfer_is_rolled_back_when_its_audit_event_cannot_be_written(world, audit_down):
    p = ProfileFactory(owner_team=world.staffs_iom)
    with pytest.raises(AuditDown):
        services.transfer_ownership(p, world.norfolk_iom, by=world.staffs_officer, reason="Moved",
                                    consent_reviewed=True)
    p.refresh_from_db()
    assert p.owner_team == world.staffs_iom and not Grant.objects.exists()


# --- erasure ----------------------------------------------------------------------------


def test_erasure_event_holds_no_content(world):
    p = ProfileFactory(owner_team=world.staffs_iom, first_name="Secret", last_name="Person")
    event = audit.record(AuditAction.ERASE, p, actor=world.staffs_officer,
                         changes={"first_name": "Secret"}, object_repr="Secret Person")
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.object_repr == "" and event.changes is None
    assert event.category == "erasure"
    assert (event.object_type, event.object_id) == ("core.profile", str(p.pk))  # proof that it happened
