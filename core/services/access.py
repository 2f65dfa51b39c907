"""Sharing: grant, revoke, transfer ownership, access requests, expiry.

A grant in force is materialised as guardian permission rows (see
``core.models.access``); these functions are the only writers of those rows."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .. import audit
from ..access import AccessLevel
from ..access.engine import _PERMISSION_TABLES, VERB
from ..models import AccessRequest, AuditAction, Case, Grant, Organisation, Profile, Team
from .errors import require_level, save_versioned


def _target_kwargs(target) -> dict:
    if isinstance(target, Profile):
        return {"profile": target}
    if isinstance(target, Case):
        return {"case": target}
    raise TypeError("Grants are made on profiles and cases.")


def _grantee_kwargs(grantee) -> dict:
    from django.contrib.auth import get_user_model

    if isinstance(grantee, get_user_model()):
        return {"user": grantee}
    if isinstance(grantee, Team):
        return {"team": grantee}
    if isinstance(grantee, Organisation):
        return {"organisation": grantee}
    raise ValidationError({"grantee": "Choose a person, a team or an organisation."})


def _why_not_active(grantee, missing: str) -> str | None:
    """Why a user, team or organisation cannot receive access or a record, or ``None``.
    Read afresh: it may have been deleted or deactivated since the form that names it
    was loaded (a stale instance would write a dangling grant)."""
    fresh = type(grantee)._default_manager.filter(pk=grantee.pk).first() if grantee.pk else None
    if fresh is None:
        return missing
    if isinstance(fresh, Team):
        return None if fresh.is_active and fresh.organisation.is_active else f"{fresh} is no longer active."
    if isinstance(fresh, Organisation):
        return None if fresh.is_active else f"{fresh} is no longer active."
    return None if fresh.is_active else f"{fresh} is no longer an active user."


def _check_grantee_active(grantee) -> None:
    problem = _why_not_active(grantee, "This person, team or organisation does not exist.")
    if problem:
        raise ValidationError({"grantee": problem})


def _materialise(grant: Grant) -> None:
    target = grant.target
    model = type(target)
    user_table, group_table = _PERMISSION_TABLES[model]
    codenames = [f"{VERB[level]}_{model._meta.model_name}" for level in AccessLevel if level <= grant.level]
    perms = Permission.objects.filter(content_type=ContentType.objects.get_for_model(model), codename__in=codenames)
    if grant.user_id:
        rows = [user_table(user_id=grant.user_id, permission=p, content_object=target, grant=grant,
                           expires_at=grant.expires_at) for p in perms]
        user_table.objects.bulk_create(rows)
    else:
        group_id = grant.team.group_id if grant.team_id else grant.organisation.group_id
        rows = [group_table(group_id=group_id, permission=p, content_object=target, grant=grant,
                            expires_at=grant.expires_at) for p in perms]
        group_table.objects.bulk_create(rows)


def _dematerialise(grant: Grant) -> None:
    for table in _PERMISSION_TABLES[type(grant.target)]:
        table.objects.filter(grant=grant).delete()


def _lock(target):
    """The profile or case, locked: sharing decisions on one record are serialised, so a
    concurrent grant to the same grantee sees (and supersedes) the other one instead of
    colliding with its permission rows."""
    if type(target) not in _PERMISSION_TABLES:
        raise TypeError("Grants are made on profiles and cases.")
    return type(target).objects.select_for_update().get(pk=target.pk)


def _open_grants_for(target, grantee_kwargs: dict):
    return Grant.objects.select_for_update().filter(revoked_at__isnull=True, **_target_kwargs(target), **grantee_kwargs)


def _grant_summary(grant: Grant) -> dict:
    return {
        "grant": grant.pk,
        "grantee": f"{grant.grantee_kind}:{grant.grantee}",
        "level": AccessLevel(grant.level).label,
        "expires_at": grant.expires_at.isoformat() if grant.expires_at else None,
        "reason": grant.reason,
    }


def _supersede(existing, by, now) -> list[int]:
    ids = []
    for old in existing:
        old.revoked_at, old.revoked_by, old.revoke_reason = now, by, "Superseded by a new grant."
        old.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        _dematerialise(old)
        ids.append(old.pk)
    return ids


@transaction.atomic
def grant_access(
    target,
    grantee,
    level: int,
    *,
    by,
    reason: str,
    expires_at: datetime | None = None,
) -> Grant:
    """Give ``grantee`` (a user, a team or an organisation, in any partnership) ``level``
    access to a profile or case. ``by`` needs manage on it. A grant already in force to
    the same grantee is replaced (its level changes); one audit event."""
    target = _lock(target)
    require_level(by, target, AccessLevel.MANAGE, "share this record")
    errors = {}
    try:
        level = AccessLevel(int(level))
    except (TypeError, ValueError):
        errors["level"] = "Choose view, contribute or manage."
    if not (reason or "").strip():
        errors["reason"] = "Say why you are sharing this record."
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = "The expiry must be in the future."
    if errors:
        raise ValidationError(errors)
    grantee_kwargs = _grantee_kwargs(grantee)
    _check_grantee_active(grantee)
    if grantee_kwargs.get("team") is not None and grantee.pk == target.owner_team_id:
        raise ValidationError({"grantee": f"{grantee} owns this record already."})
    now = timezone.now()
    superseded = _supersede(_open_grants_for(target, grantee_kwargs), by, now)
    grant = Grant.objects.create(
        **_target_kwargs(target), **grantee_kwargs, level=level, reason=reason.strip(),
        granted_by=by, expires_at=expires_at,
    )
    _materialise(grant)
    changes = _grant_summary(grant)
    if superseded:
        changes["replaces"] = superseded
    audit.record(AuditAction.GRANT, target, actor=by, changes=changes)
    return grant


@transaction.atomic
def revoke_grant(grant: Grant, *, by, reason: str = "", expected_version: int | None = None) -> Grant:
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    require_level(by, grant.target, AccessLevel.MANAGE, "change who this record is shared with")
    if grant.revoked_at is not None:
        raise ValidationError("This grant has already been revoked.")
    grant.revoked_at, grant.revoked_by, grant.revoke_reason = timezone.now(), by, reason.strip()
    save_versioned(grant, expected_version, ["revoked_at", "revoked_by", "revoke_reason"])
    _dematerialise(grant)
    audit.record(AuditAction.REVOKE, grant.target, actor=by, changes={**_grant_summary(grant), "revoke_reason": grant.revoke_reason})
    return grant


@transaction.atomic
def transfer_ownership(
    target,
    to_team: Team,
    *,
    by,
    reason: str,
    previous_owner_level: int | None = AccessLevel.VIEW,
    consent_reviewed: bool = False,
    expected_version: int | None = None,
) -> Grant | None:
    """Make ``to_team`` the owner. The previous owner team keeps a grant at
    ``previous_owner_level`` (``None``: no access). For a profile, the consent to share
    must have been reviewed. Returns the previous owner's grant, if any."""
    target = _lock(target)
    require_level(by, target, AccessLevel.MANAGE, "transfer this record")
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = "Say why ownership is moving."
    if to_team.pk is not None and to_team.pk == target.owner_team_id:
        errors["to_team"] = f"{to_team} already owns this record."
    elif problem := _why_not_active(to_team, "This team does not exist."):
        errors["to_team"] = problem
    if isinstance(target, Profile) and not consent_reviewed:
        errors["consent_reviewed"] = "Review the consent to share before transferring ownership."
    if previous_owner_level is not None:
        try:
            previous_owner_level = AccessLevel(int(previous_owner_level))
        except (TypeError, ValueError):
            errors["previous_owner_level"] = "Choose view, contribute, manage or no access."
    if errors:
        raise ValidationError(errors)
    previous = target.owner_team
    now = timezone.now()
    # The new owner's own grant is pointless once it owns the record.
    _supersede(_open_grants_for(target, {"team": to_team}), by, now)
    target.owner_team = to_team
    save_versioned(target, expected_version, ["owner_team"])
    kept = None
    if previous_owner_level is not None:
        _supersede(_open_grants_for(target, {"team": previous}), by, now)
        kept = Grant.objects.create(
            **_target_kwargs(target), team=previous, level=previous_owner_level,
            reason=f"Previous owner after transfer: {reason.strip()}", granted_by=by,
        )
        _materialise(kept)
    changes = {
        "owner_team": [str(previous), str(to_team)],
        "previous_owner_level": AccessLevel(previous_owner_level).label if previous_owner_level else None,
        "reason": reason.strip(),
    }
    if isinstance(target, Profile):
        changes["consent_to_share"] = target.get_consent_to_share_display()
    audit.record(AuditAction.TRANSFER, target, actor=by, changes=changes)
    return kept


@transaction.atomic
def request_access(target, *, by, reason: str, level: int = AccessLevel.VIEW) -> AccessRequest:
    """Ask the owner of a record the user cannot (fully) use for access. Allowed without
    any access: it is how a gallery card or a duplicate warning leads somewhere."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why you need access."})
    level = AccessLevel(int(level))
    pending = AccessRequest.objects.filter(
        requested_by=by, status=AccessRequest.Status.PENDING, **_target_kwargs(target)
    )
    if pending.exists():
        raise ValidationError("You have already asked for access to this record; the owner has not decided yet.")
    req = AccessRequest.objects.create(**_target_kwargs(target), requested_by=by, level=level, reason=reason.strip())
    audit.record(
        AuditAction.REQUEST_ACCESS, target, actor=by,
        changes={"request": req.pk, "level": level.label, "reason": req.reason},
        object_repr=f"{target._meta.verbose_name} #{target.pk}",
    )
    return req


@transaction.atomic
def decide_access_request(
    req: AccessRequest, *, by, approve: bool, level: int | None = None, note: str = "",
    expires_at: datetime | None = None,
) -> AccessRequest:
    req = AccessRequest.objects.select_for_update().get(pk=req.pk)
    target = _lock(req.target)
    require_level(by, target, AccessLevel.MANAGE, "decide on access to this record")
    if req.status != AccessRequest.Status.PENDING:
        raise ValidationError("This request has already been decided.")
    req.status = AccessRequest.Status.APPROVED if approve else AccessRequest.Status.REFUSED
    req.decided_by, req.decided_at, req.decision_note = by, timezone.now(), note.strip()
    changes = {"request": req.pk, "requested_by": str(req.requested_by), "approved": approve, "note": req.decision_note}
    if approve:
        level = AccessLevel(int(level or req.level))
        grantee_kwargs = {"user": req.requested_by}
        _check_grantee_active(req.requested_by)
        _supersede(_open_grants_for(target, grantee_kwargs), by, req.decided_at)
        req.grant = Grant.objects.create(
            **_target_kwargs(target), **grantee_kwargs, level=level, granted_by=by, expires_at=expires_at,
            reason=f"Access request approved: {req.reason}",
        )
        _materialise(req.grant)
        changes.update(_grant_summary(req.grant))
    req.save()
    audit.record(AuditAction.DECIDE_ACCESS, target, actor=by, changes=changes)
    return req


@transaction.atomic
def expire_grants(now: datetime | None = None) -> int:
    """Close the grants whose expiry has passed (the engine already ignores them; this
    tidies the permission rows and records each expiry). Run by the periodic sweep."""
    now = now or timezone.now()
    expired = list(
        Grant.objects.select_for_update(of=("self",)).filter(revoked_at__isnull=True, expires_at__lte=now)
        .select_related("profile", "case", "user", "team", "organisation")
    )
    for grant in expired:
        grant.revoked_at, grant.revoke_reason = now, "Expired."
        grant.save(update_fields=["revoked_at", "revoke_reason"])
        _dematerialise(grant)
        with audit.audit_context(channel=audit.Channel.TASK):
            audit.record(AuditAction.REVOKE, grant.target, actor=None, changes={**_grant_summary(grant), "revoke_reason": "Expired."})
    return len(expired)
