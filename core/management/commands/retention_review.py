"""List closed cases past their programme's retention period (WRAPAROUND_RETENTION_YEARS)."""

from django.core.management.base import BaseCommand

from core.security.dataprotection import cases_due_for_review


class Command(BaseCommand):
    help = "List closed cases due for retention review (past their programme's retention period)."

    def handle(self, *args, **options):
        due = cases_due_for_review()
        for case, review_on in due:
            self.stdout.write(f"{case.reference}\t{case.programme}\tclosed {case.closed_on}\treview due {review_on}")
        self.stdout.write(f"{len(due)} case(s) due for retention review.")
