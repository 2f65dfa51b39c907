"""Close expired grants now, or enqueue the task for the worker (``--enqueue``)."""

from django.core.management.base import BaseCommand

from core.tasks import expire_grants_task


class Command(BaseCommand):
    help = "Close grants whose expiry has passed (the access engine already ignores them)."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Queue the sweep for the task worker.")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = expire_grants_task.enqueue()
            self.stdout.write(f"Queued grant expiry sweep ({result.id}).")
        else:
            closed = expire_grants_task.call()
            self.stdout.write(f"Closed {closed} expired grant(s).")
