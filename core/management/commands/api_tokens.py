"""Service accounts and API tokens from the command line (operators' CLI)::

    manage.py api_tokens create-account norfolk-rms --team norfolk-constabulary/iom-team
    manage.py api_tokens issue norfolk-rms --name "RMS nightly sync" [--read-only] [--expires 2027-01-01]
    manage.py api_tokens list [--organisation norfolk-constabulary]
    manage.py api_tokens revoke <token id>

``issue`` prints the secret once; only its hash is stored. Every change is audited on
the "cli" channel."""

from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core import audit, services
from core.models import ApiToken, Channel, ServiceAccount, Team


def _expiry(value: str):
    try:
        day = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--expires {value!r} is not an ISO 8601 date or date-time.") from exc
    if day.tzinfo is None:
        day = timezone.make_aware(datetime.combine(day.date(), time.min) if len(value) == 10 else day)
    return day


class Command(BaseCommand):
    help = "Create service accounts, and issue, list and revoke their API tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create-account", help="A service account in a team (org-slug/team-slug).")
        create.add_argument("username")
        create.add_argument("--team", required=True)
        create.add_argument("--description", default="")
        issue = sub.add_parser("issue", help="Issue a token for a service account; prints the secret once.")
        issue.add_argument("username")
        issue.add_argument("--name", required=True, help="What the token is for.")
        issue.add_argument("--read-only", action="store_true")
        issue.add_argument("--expires", help="ISO 8601 date or date-time.")
        listing = sub.add_parser("list", help="List tokens (never their secrets).")
        listing.add_argument("--organisation", help="Organisation slug.")
        revoke = sub.add_parser("revoke", help="Revoke a token by id.")
        revoke.add_argument("token_id", type=int)

    def handle(self, *args, action, **options):
        try:
            with audit.audit_context(channel=Channel.CLI):
                getattr(self, action.replace("-", "_"))(**options)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

    def create_account(self, *, username, team, description, **_):
        org_slug, _sep, team_slug = team.partition("/")
        found = Team.objects.select_related("organisation").filter(organisation__slug=org_slug, slug=team_slug).first()
        if found is None:
            raise CommandError(f"No team {team!r} (use organisation-slug/team-slug).")
        account = services.create_service_account(by=None, team=found, username=username, description=description)
        self.stdout.write(f"Created service account {account}.")

    def issue(self, *, username, name, read_only, expires, **_):
        account = ServiceAccount.objects.select_related("user", "organisation").filter(user__username=username).first()
        if account is None:
            raise CommandError(f"No service account {username!r}.")
        token, secret = services.issue_token(
            account, by=None, name=name, read_only=read_only, expires_at=_expiry(expires) if expires else None
        )
        self.stdout.write(f"Token {token.pk} for {account} — copy the secret now, it is not shown again:")
        self.stdout.write(secret)

    def list(self, *, organisation, **_):
        tokens = ApiToken.objects.select_related("account__user", "account__organisation").order_by("id")
        if organisation:
            tokens = tokens.filter(account__organisation__slug=organisation)
        for t in tokens:
            expiry = t.expires_at.isoformat() if t.expires_at else "never"
            mode = "read-only" if t.read_only else "read-write"
            self.stdout.write(
                f"{t.pk}\t{t.prefix}…\t{t.status}\t{mode}\texpires {expiry}\t{t.account.user.username}\t"
                f"{t.account.organisation.slug}\t{t.name}"
            )

    def revoke(self, *, token_id, **_):
        token = ApiToken.objects.filter(pk=token_id).first()
        if token is None:
            raise CommandError(f"No token {token_id}.")
        services.revoke_token(token, by=None)
        self.stdout.write(f"Revoked token {token_id} ({token.name}).")
