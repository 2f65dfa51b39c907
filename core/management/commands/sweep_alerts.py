"""Evaluate every trigger rule now, or enqueue the sweep for the worker (``--enqueue``)."""

from django.core.management.base import BaseCommand

from core.tasks import evaluate_alerts_task


class Command(BaseCommand):
    help = "Evaluate every active trigger rule for everyone in its scope and raise new alerts."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Queue the sweep for the task worker.")

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            result = evaluate_alerts_task.enqueue()
            self.stdout.write(f"Queued trigger-rule sweep ({result.id}).")
        else:
            raised = evaluate_alerts_task.call()
            self.stdout.write(f"Raised {raised} new alert(s).")
