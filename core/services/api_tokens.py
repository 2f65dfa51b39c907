"""Service accounts and their API tokens.

Who may manage them: whoever administers the organisation (its organisation admins,
the partnership admins of its partnerships, system admins — the same scope as the
structure screens), and the command line (``by=None``, run by an operator on the
server). A token's secret is returned once by :func:`issue_token`; only its SHA-256 is
stored. Every operation is one transaction with one audit event."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import audit
from ..models import (
    ApiToken,
    AuditAction,
    IdempotencyRecord,
    Membership,
    Organisation,
    ServiceAccount,
    Team,
)
from ..roles import PRACTITIONER
from .errors import NotAllowed

#: Tokens look like ``wrp_<43 url-safe characters>`` (256 random bits): the prefix lets
#: secret scanners (and people) recognise a leaked Wraparound token.
TOKEN_PREFIX = "wrp_"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def administered_organisations(user):
    """The organisations ``user`` may manage service accounts for (``None`` = CLI: all)."""
    from ..admin.structure_scope import scope  # the structure screens' scope, one definition

    if user is None:
        return Organisation.objects.all()
    return scope(Organisation.objects.all(), user)


def _require_admin(by, organisation: Organisation) -> None:
    if by is not None and not administered_organisations(by).filter(pk=organisation.pk).exists():
        raise NotAllowed("You do not administer this organisation.", code="forbidden")


@transaction.atomic
def create_service_account(*, by, team: Team, username: str, description: str = "") -> ServiceAccount:
    """A user without a password, member of ``team`` (so the access engine applies to
    it like to any member), flagged as a service account of the team's organisation."""
    _require_admin(by, team.organisation)
    User = get_user_model()
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": "Give the service account a name."})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"The name {username!r} is taken."})
    if not team.is_active:
        raise ValidationError({"team": f"{team} is no longer active."})
    user = User(username=username, first_name="Service account", last_name=username[:150])
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    # The practitioner role gives the model-level rights (create profiles, open cases)
    # that the services check; records still come only from ownership and grants.
    user.groups.add(Group.objects.get(name=PRACTITIONER))
    Membership.objects.create(user=user, team=team)
    account = ServiceAccount.objects.create(
        user=user, organisation=team.organisation, description=description, created_by=by
    )
    audit.record(AuditAction.CREATE, account, actor=by, changes={"team": str(team), "username": username})
    return account


@transaction.atomic
def issue_token(
    account: ServiceAccount, *, by, name: str, read_only: bool = False, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``account``; returns it with its secret, which is never shown again."""
    _require_admin(by, account.organisation)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Say what the token is for."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    if not account.user.is_active:
        raise ValidationError({"account": "This service account is deactivated."})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        account=account, name=name, read_only=read_only, expires_at=expires_at, created_by=by,
        prefix=secret[: ApiToken.PREFIX_LENGTH], secret_hash=hash_secret(secret),
    )
    audit.record(AuditAction.CREATE, token, actor=by, changes={
        "account": account.user.get_username(), "read_only": read_only,
        "expires_at": expires_at.isoformat() if expires_at else None,
    })
    return token, secret


@transaction.atomic
def revoke_token(token: ApiToken, *, by) -> ApiToken:
    _require_admin(by, token.account.organisation)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at:
        raise ValidationError("This token is already revoked.")
    token.revoked_at, token.revoked_by = timezone.now(), by
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(AuditAction.REVOKE, token, actor=by, changes={"account": token.account.user.get_username()})
    return token


def authenticate_token(secret: str) -> ApiToken | None:
    """The token in force whose secret this is, with its account's user, or ``None``."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("account__user", "account__organisation")
        .filter(secret_hash=hash_secret(secret))
        .first()
    )
    if token is None or not token.in_force() or not token.account.user.is_active:
        return None
    return token


#: How long an ``Idempotency-Key`` is remembered (``settings.WRAPAROUND_IDEMPOTENCY_RETENTION_HOURS``).
DEFAULT_IDEMPOTENCY_RETENTION_HOURS = 24


def idempotency_retention() -> timedelta:
    hours = getattr(settings, "WRAPAROUND_IDEMPOTENCY_RETENTION_HOURS", DEFAULT_IDEMPOTENCY_RETENTION_HOURS)
    return timedelta(hours=float(hours))


def purge_idempotency_records(*, older_than: timedelta | None = None, now=None) -> int:
    """Delete the stored responses of ``Idempotency-Key`` requests older than the
    retention (default :func:`idempotency_retention`); returns how many. After that a
    client retrying with an old key creates again, so keep the retention longer than
    any client's retry window. Not audited: these rows are copies of responses already
    sent, and each creation they record has its own audit event."""
    cutoff = (now or timezone.now()) - (older_than if older_than is not None else idempotency_retention())
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
