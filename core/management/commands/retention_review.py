"""List the profiles and closed cases past their retention period (core.security.retention)."""

from django.core.management.base import BaseCommand, CommandError

from core.models import Organisation
from core.security.retention import cases_due, profiles_due


class Command(BaseCommand):
    help = ("List profiles and closed cases whose last activity is older than their programme's retention "
            "period, by reference (no names). Erase one with `manage.py erase_record`.")

    def add_arguments(self, parser):
        parser.add_argument("--organisation", help="Only records owned by this organisation (slug).")
        parser.add_argument("--limit", type=int, default=200)

    def handle(self, *args, organisation=None, limit=200, **options):
        orgs = None
        if organisation:
            orgs = Organisation.objects.filter(slug=organisation)
            if not orgs.exists():
                raise CommandError(f"No organisation with the slug {organisation!r}.")
        due = profiles_due(orgs, limit=limit) + cases_due(orgs, limit=limit)
        for item in due:
            record = item.record
            programme = getattr(record, "programme", "-")
            self.stdout.write(f"{item.reference}\t{item.kind}\t{programme}\t{record.owner_team}\t"
                              f"last activity {item.last_activity:%Y-%m-%d}\t{item.years} years\t"
                              f"review due {item.review_on}")
        self.stdout.write(f"{len(due)} record(s) due for retention review.")
