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


def test_sweep_alerts_command_raises_alerts_once(world, capsys):
    from core.models import Alert, TriggerRule

    p = ProfileFactory(owner_team=world.staffs_iom)
    for _ in range(3):
        services.add_activity(by=world.staffs_officer, profile=p, kind="call", summary="Missing episode")
    TriggerRule.objects.create(name="Three calls", kind="activity_count", params={"count": 3, "days": 7})
    call_command("sweep_alerts")
    call_command("sweep_alerts")
    assert Alert.objects.filter(profile=p).count() == 1
    assert "Raised 1 new alert(s)." in capsys.readouterr().out


def test_demo_command_starts_a_worker_unless_one_runs(tmp_path, settings, monkeypatch):
    import subprocess

    from wraparound import cli

    settings.DATA_DIR = tmp_path
    started = []

    class FakeWorker:
        pid = 424242

        def terminate(self):
            pass

    monkeypatch.setattr(subprocess, "Popen", lambda args, **kw: started.append(args) or FakeWorker())
    monkeypatch.setattr("threading.Thread.start", lambda self: None)
    cli.start_worker_and_sweeps()
    assert started and "db_worker" in started[0]
    assert (tmp_path / "worker.pid").read_text() == "424242"
    # A live worker recorded in the pid file: no second one.
    (tmp_path / "worker.pid").write_text(str(__import__("os").getpid()))
    cli.start_worker_and_sweeps()
    assert len(started) == 1
