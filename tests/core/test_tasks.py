"""The grant-expiry sweep, run as a task and as a command."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from core import access, services
from core.access import AccessLevel
from core.models import AuditEvent, Grant, ProfileGroupObjectPermission

from ..factories import ProfileFactory


def _expired_grant(w):
    p = ProfileFactory(owner_team=w.staffs_iom)
    g = services.grant_access(p, w.norfolk_iom, AccessLevel.VIEW, by=w.staffs_officer, reason="Joint work",
                              expires_at=timezone.now() + timedelta(days=1))
    past = timezone.now() - timedelta(minutes=1)
    Grant.objects.filter(pk=g.pk).update(expires_at=past)
    ProfileGroupObjectPermission.objects.filter(grant=g).update(expires_at=past)
    return p, g


@pytest.mark.django_db
def test_sweep_closes_expired_grants_and_audits_them_as_task(world):
    p, g = _expired_grant(world)
    assert not access.can(world.norfolk_officer, p)  # the engine ignores it already
    call_command("sweep_grants")
    g.refresh_from_db()
    assert g.revoked_at is not None and g.revoke_reason == "Expired."
    assert not ProfileGroupObjectPermission.objects.filter(grant=g).exists()
    event = AuditEvent.objects.get(action="revoke", object_id=str(p.pk))
    assert event.channel == "task"


@pytest.mark.django_db
def test_sweep_leaves_grants_in_force(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    services.grant_access(p, world.norfolk_iom, AccessLevel.VIEW, by=world.staffs_officer, reason="Joint work",
                          expires_at=timezone.now() + timedelta(days=1))
    call_command("sweep_grants")
    assert access.can(world.norfolk_officer, p)
