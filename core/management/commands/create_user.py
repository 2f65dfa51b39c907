"""Create a user with a role and team memberships (operators' CLI)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core import audit, roles, services
from core.models import AuditAction, Channel, Membership, Team


class Command(BaseCommand):
    help = "Create a user with a role, in one or more teams (ORGANISATION-SLUG/TEAM-SLUG)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--role", required=True, choices=roles.ROLES)
        parser.add_argument("--team", action="append", default=[], help="org-slug/team-slug; repeat for several.")
        parser.add_argument("--manager", action="store_true", help="Make the user manager of the teams.")
        parser.add_argument("--password", help="Initial password (validated); omit to set none (unusable).")

    @transaction.atomic
    def handle(self, *args, username, email, first_name, last_name, role, team, manager, password, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"User {username!r} already exists.")
        teams = []
        for ref in team:
            org_slug, _, team_slug = ref.partition("/")
            found = Team.objects.filter(organisation__slug=org_slug, slug=team_slug).first()
            if found is None:
                raise CommandError(f"No team {ref!r} (use organisation-slug/team-slug).")
            teams.append(found)
        user = User(username=username, email=email, first_name=first_name, last_name=last_name)
        if password:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.is_superuser = role == roles.SYSTEM_ADMIN
        user.save()
        user.groups.add(Group.objects.get(name=role))
        with audit.audit_context(channel=Channel.CLI):
            audit.record(AuditAction.CREATE, user, changes={"role": role, "teams": [str(t) for t in teams]})
            for t in teams:
                services.add_member(t, user, role=Membership.Role.MANAGER if manager else Membership.Role.MEMBER)
        self.stdout.write(f"Created {username} ({role}) in {', '.join(map(str, teams)) or 'no team'}.")
