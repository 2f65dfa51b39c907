"""Recording audit events.

Every service that reads or changes personal data calls :func:`record` inside its own
transaction, so that a change whose audit row cannot be written is rolled back with it:
there is no unaudited change. The *channel* (screen, API, import, background task,
command line) and the source address come from the current context: the middleware sets
them for web requests, and :func:`audit_context` for everything else::

    with audit_context(Channel.IMPORT):
        services.create_profile(...)

Why not django-auditlog or django-pghistory? pghistory captures row changes with
PostgreSQL triggers (SQLite must work too), and auditlog records one entry per model
save from signals; we need one event per *operation* (a grant writes several guardian
rows but is one disclosure), views and searches, the s.62 category, the channel and the
justification, all written in the operation's transaction.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from dataclasses import dataclass, replace

from django.db import models

from .models.audit import S62_CATEGORY, AuditAction, AuditEvent, Channel

__all__ = [
    "AuditAction", "AuditContextMiddleware", "Channel", "actor_organisation", "audit_context", "record", "record_auth",
]


@dataclass(frozen=True)
class AuditContext:
    channel: str = Channel.SYSTEM
    source_address: str | None = None


# AuditContext is a frozen dataclass, so a shared default cannot be mutated.
_context: contextvars.ContextVar[AuditContext] = contextvars.ContextVar(
    "wraparound_audit", default=AuditContext()  # noqa: B039
)


def current_context() -> AuditContext:
    return _context.get()


@contextlib.contextmanager
def audit_context(channel: str | None = None, source_address: str | None = None):
    """Set the channel (and source address) for the events recorded inside the block."""
    ctx = _context.get()
    token = _context.set(
        replace(ctx, **{k: v for k, v in {"channel": channel, "source_address": source_address}.items() if v})
    )
    try:
        yield
    finally:
        _context.reset(token)


def actor_organisation(user):
    """The organisation a user acts for: the first (by name) of their teams' organisations,
    cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_wraparound_primary_org", False)
    if cached is False:
        from .models import Organisation

        cached = Organisation.objects.filter(teams__memberships__user=user).order_by("name").first()
        user._wraparound_primary_org = cached
    return cached


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    actor=None,
    changes: dict | None = None,
    justification: str = "",
    object_repr: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
) -> AuditEvent:
    """Write one audit event. Call it inside the transaction of the operation it records."""
    ctx = _context.get()
    org = actor_organisation(actor)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        if object_repr is None:
            object_repr = str(obj)
    if action == AuditAction.ERASE:
        # An erasure event proves that something was erased, never what it said: only
        # counts and record references survive into it.
        object_repr, changes = "", _counts_and_references(changes)
    return AuditEvent.objects.create(
        actor_id=getattr(actor, "pk", None),
        actor_username=getattr(actor, "get_username", lambda: "")() if actor is not None else "",
        organisation_id=org.pk if org else None,
        organisation_name=org.name if org else "",
        action=action,
        category=S62_CATEGORY[AuditAction(action)],
        channel=ctx.channel,
        object_type=object_type or "",
        object_id=object_id or "",
        object_repr=(object_repr or "")[:300],
        changes=changes,
        justification=justification,
        source_address=ctx.source_address,
    )


_REFERENCE = re.compile(r"^[A-Z]{1,16}-[0-9][0-9-]{0,30}$")


def _counts_and_references(changes: dict | None) -> dict | None:
    """What of ``changes`` an erasure event may keep: numbers, ``{name: number}`` tables
    and record references such as ``ASB-2026-000123`` or ``PROFILE-42``."""
    kept = {}
    for key, value in (changes or {}).items():
        if isinstance(value, int) and not isinstance(value, bool):
            kept[key] = value
        elif isinstance(value, dict) and all(isinstance(v, int) for v in value.values()):
            kept[key] = {str(k): v for k, v in value.items()}
        elif isinstance(value, str) and _REFERENCE.match(value):
            kept[key] = value
        elif isinstance(value, list) and value and all(isinstance(v, str) and _REFERENCE.match(v) for v in value):
            kept[key] = value
    return kept or None


def record_auth(action: str, *, user=None, request=None, username: str = "") -> AuditEvent:
    """Audit a login, logout or failed login (from the auth signals)."""
    address = client_address(request) if request is not None else None
    with audit_context(channel=Channel.SCREEN if request is not None else None, source_address=address):
        event = record(action, actor=user, object_type="auth.user",
                       object_id=str(user.pk) if user else "", object_repr=username or str(user or ""))
    return event


def client_address(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by the client unless a trusted proxy
    # rewrites it; deployments behind a proxy configure it to set REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    """Marks events recorded while handling a web request as channel "screen" (or "api"
    under ``/api/``) with the client's address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = Channel.API if request.path.startswith("/api/") else Channel.SCREEN
        with audit_context(channel=channel, source_address=client_address(request)):
            return self.get_response(request)


def changes_between(before: dict, after: dict) -> dict:
    """``{field: [old, new]}`` for the fields whose value differs (values as strings)."""
    out = {}
    for key in after:
        old, new = before.get(key), after.get(key)
        if old != new:
            out[key] = [None if old is None else str(old), None if new is None else str(new)]
    return out
