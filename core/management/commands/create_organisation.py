"""Register an organisation (and its first team) in a partnership, creating the
partnership if it does not exist yet."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import audit
from core.models import AuditAction, Channel, Organisation, Partnership, PartnershipMembership, Team


class Command(BaseCommand):
    help = "Create an organisation in a partnership, with one team."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--kind", required=True, choices=Organisation.Kind.values)
        parser.add_argument("--partnership", required=True, help="Partnership name (created if new).")
        parser.add_argument("--area", default="")
        parser.add_argument("--team", default="", help="Name of a first team to create.")
        parser.add_argument("--agreement", default="", help="Information-sharing agreement reference.")

    @transaction.atomic
    def handle(self, *args, name, kind, partnership, area, team, agreement, **options):
        if Organisation.objects.filter(name=name).exists():
            raise CommandError(f"An organisation called {name!r} already exists.")
        with audit.audit_context(channel=Channel.CLI):
            p, created = Partnership.objects.get_or_create(name=partnership, defaults={"area": area})
            if created:
                audit.record(AuditAction.CREATE, p)
            org = Organisation.objects.create(name=name, kind=kind, area=area)
            audit.record(AuditAction.CREATE, org)
            PartnershipMembership.objects.create(partnership=p, organisation=org, agreement_reference=agreement)
            if team:
                t = Team.objects.create(organisation=org, name=team)
                audit.record(AuditAction.CREATE, t)
        self.stdout.write(f"Created {org} in {p}" + (f" with team {team!r}" if team else "") + ".")
