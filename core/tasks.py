"""Background tasks of core (django-tasks; the database backend's ``db_worker`` runs
them). django-tasks has no scheduler of its own: the periodic sweep is enqueued by
``manage.py sweep_grants --enqueue`` from cron / a systemd timer (see docs/operations.md)."""

from __future__ import annotations

from django_tasks import task

from . import audit
from .models import Channel


@task()
def expire_grants_task() -> int:
    """Close grants whose expiry has passed; returns how many."""
    from .services import expire_grants

    with audit.audit_context(channel=Channel.TASK):
        return expire_grants()


@task()
def evaluate_alerts_task() -> int:
    """The periodic sweep of trigger rules (``manage.py sweep_alerts --enqueue`` queues
    it; the demo command queues it every few minutes); returns how many alerts it raised."""
    from .alerts import sweep

    with audit.audit_context(channel=Channel.TASK):
        return sweep()


@task()
def purge_idempotency_keys_task() -> int:
    """Forget ``Idempotency-Key`` responses older than the retention
    (``WRAPAROUND_IDEMPOTENCY_RETENTION_HOURS``, default 24); returns how many.
    ``manage.py purge_idempotency_keys --enqueue`` queues it (cron, see docs/operations.md)."""
    from .services.api_tokens import purge_idempotency_records

    return purge_idempotency_records()
