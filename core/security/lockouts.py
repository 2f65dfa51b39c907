"""Who is locked out of signing in, and lifting a lockout (django-axes' attempt rows).

django-axes counts failures per username and per source address; once either reaches
``AXES_FAILURE_LIMIT`` within ``AXES_COOLOFF_TIME`` it is refused, even with the right
password, until the cool-off passes or an administrator lifts it here. A system admin
sees every lockout (usernames and addresses); an organisation or partnership admin
sees the usernames of the users in the organisations they administer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from .. import audit
from ..roles import ORGANISATION_ADMIN, PARTNERSHIP_ADMIN, has_role


@dataclass(frozen=True)
class Lockout:
    kind: str  # "username" or "ip_address"
    value: str
    failures: int
    last_attempt: datetime
    until: datetime


def _is_system_admin(user) -> bool:
    from ..admin.structure_scope import is_system_admin

    return is_system_admin(user)


def may_unlock(user) -> bool:
    return bool(user.is_authenticated and (
        _is_system_admin(user) or has_role(user, ORGANISATION_ADMIN) or has_role(user, PARTNERSHIP_ADMIN)
    ))


def _usernames_administered_by(user):
    from ..admin.structure_scope import scope
    from ..models import Organisation

    orgs = scope(Organisation.objects.all(), user).values("pk")
    return get_user_model().objects.filter(
        memberships__team__organisation_id__in=orgs
    ).values_list("username", flat=True)


def current_lockouts(user) -> list[Lockout]:
    """The lockouts in force that ``user`` may see and lift."""
    if not may_unlock(user):
        return []
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    limit = settings.AXES_FAILURE_LIMIT
    attempts = AccessAttempt.objects.filter(attempt_time__gte=since)
    result: list[Lockout] = []
    kinds = ["username", "ip_address"] if _is_system_admin(user) else ["username"]
    for kind in kinds:
        rows = attempts.exclude(**{f"{kind}__isnull": True}).exclude(**{kind: ""})
        if kind == "username" and not _is_system_admin(user):
            rows = rows.filter(username__in=list(_usernames_administered_by(user)))
        for row in (rows.values(kind).annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
                    .filter(failures__gte=limit).order_by("-last")):
            result.append(Lockout(kind, row[kind], row["failures"], row["last"],
                                  row["last"] + settings.AXES_COOLOFF_TIME))
    return result


def unlock(*, actor, kind: str, value: str, reason: str = "") -> int:
    """Lift the lockout of one username or source address. Refuses lockouts ``actor``
    cannot see; audited as ``UNLOCK``. Returns the number of attempt rows removed."""
    visible = {(lo.kind, lo.value) for lo in current_lockouts(actor)}
    if (kind, value) not in visible:
        raise PermissionDenied("No such lockout, or not one you may lift.")
    with transaction.atomic():
        count = reset(username=value) if kind == "username" else reset(ip=value)
        audit.record(audit.AuditAction.UNLOCK, actor=actor, object_type="auth.user", object_id="",
                     object_repr=value, changes={kind: value}, justification=reason)
    return count
