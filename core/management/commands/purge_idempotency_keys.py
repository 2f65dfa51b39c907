"""Forget stored ``Idempotency-Key`` responses older than the retention, now or by
enqueuing the task for the worker (``--enqueue``)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from core.services.api_tokens import idempotency_retention, purge_idempotency_records
from core.tasks import purge_idempotency_keys_task


class Command(BaseCommand):
    help = ("Delete API Idempotency-Key records older than WRAPAROUND_IDEMPOTENCY_RETENTION_HOURS "
            "(default 24); a retry with such a key then creates again.")

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Queue the purge for the task worker.")
        parser.add_argument("--hours", type=float, help="Override the retention for this run (hours).")

    def handle(self, *args, enqueue=False, hours=None, **options):
        if hours is not None and hours < 0:
            raise CommandError("--hours must be zero or more.")
        if enqueue:
            if hours is not None:
                raise CommandError("--hours applies to a run now; the queued task uses the setting.")
            result = purge_idempotency_keys_task.enqueue()
            self.stdout.write(f"Queued the idempotency-key purge ({result.id}).")
            return
        retention = timedelta(hours=hours) if hours is not None else idempotency_retention()
        deleted = purge_idempotency_records(older_than=retention)
        self.stdout.write(f"Deleted {deleted} idempotency record(s) older than {retention}.")
