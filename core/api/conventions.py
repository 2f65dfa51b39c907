"""The HTTP conventions every resource follows: versions as ETags, ``If-Match`` on
updates, ``Idempotency-Key`` on creations, audited reads.

- A record's ETag is ``"<version>"`` (its ``version`` column, bumped by every change
  through ``core.services.errors.save_versioned``).
- An update must send ``If-Match`` with the ETag it read: missing answers 428, stale
  answers 412 and nothing is written, even for a request that would change nothing. It
  is checked first, then by the service's conditional UPDATE, so two concurrent updates
  with the same ETag cannot both win. ``*`` is not accepted: it would be a blind
  overwrite.
- A POST may send ``Idempotency-Key``. The first request with a key runs and its
  response is stored (one row per caller and key, in the operation's transaction);
  the same key with the same method, path and body replays the stored response
  (header ``Idempotent-Replayed: true``) without running again; the same key with a
  different request answers 422. Failed requests store nothing, so they can be retried.
  Concurrent requests with one key serialise on the unique index: the second waits for
  the first's transaction and then replays its response.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from ninja import Status

from .. import audit
from ..models import AuditAction, Channel, IdempotencyRecord
from .auth import caller_key
from .problems import IdempotencyConflict, PreconditionFailed

_ETAG = re.compile(r'^\s*(?:W/)?"(\d+)"\s*$')


def etag(obj) -> str:
    return f'"{obj.version}"'


def set_etag(response: HttpResponse, obj) -> None:
    response["ETag"] = etag(obj)


def expected_version(request: HttpRequest, obj) -> int:
    """The version named by ``If-Match``; 428 if it is missing, 412 if it is not an ETag
    of ours or not ``obj``'s current version — checked before anything runs, as HTTP
    says, so that even a request that would change nothing answers 412 when stale (the
    service's conditional UPDATE still decides between two concurrent writers)."""
    header = request.headers.get("If-Match")
    if not header:
        raise PreconditionFailed(428, "Send If-Match with the ETag you read, so that nobody's change is overwritten.")
    match = _ETAG.match(header)
    if not match:
        raise PreconditionFailed(412, "If-Match does not name a version of this record.")
    if int(match.group(1)) != obj.version:
        raise PreconditionFailed(412, "The record has changed since you read it: read it again.")
    return int(match.group(1))


def fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.path.encode(), request.body):
        digest.update(part)
        digest.update(b"\0")
    return digest.hexdigest()


def idempotent(request: HttpRequest, response: HttpResponse, status: int, create: Callable[[], dict]):
    """Run ``create`` (which writes through a service and returns the JSON-ready body)
    at most once per ``Idempotency-Key``; returns the ninja ``Status`` to answer."""
    key = request.headers.get("Idempotency-Key")
    with audit.audit_context(Channel.API):
        if not key:
            with transaction.atomic():
                return Status(status, create())
        if len(key) > 255:
            raise IdempotencyConflict("Idempotency-Key is longer than 255 characters.")
        owner, print_ = caller_key(request), fingerprint(request)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    owner=owner, key=key, fingerprint=print_, status_code=0, response={}
                )
                body = create()
                record.status_code, record.response = status, body
                record.save(update_fields=["status_code", "response"])
                return Status(status, body)
        except IntegrityError:
            # Another request with this key committed first (or is the row we lost to).
            stored = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
            if stored is None:
                raise
        if stored.fingerprint != print_:
            raise IdempotencyConflict(
                "This Idempotency-Key was already used for a different request; use a new key."
            )
        response["Idempotent-Replayed"] = "true"
        return Status(stored.status_code, stored.response)


def record_list_read(request: HttpRequest, model, filters: dict, page_pks: list) -> None:
    """Audit a list or search: one SEARCH event naming the filters and the records the
    page disclosed (so "who has seen this profile" also finds list reads), one insert
    whatever the page size."""
    with audit.audit_context(Channel.API):
        audit.record(
            AuditAction.SEARCH, actor=request.user, object_type=model._meta.label_lower,
            object_repr=f"API list of {model._meta.verbose_name_plural}",
            changes={"filters": {k: str(v) for k, v in filters.items() if v not in (None, "", [])},
                     "returned": page_pks},
        )


def record_detail_read(request: HttpRequest, obj) -> None:
    with audit.audit_context(Channel.API):
        audit.record(AuditAction.VIEW, obj, actor=request.user)


def api_channel():
    """The audit context of every API write (the middleware sets it for ``/api/`` too;
    this keeps it right when the API is called from elsewhere, e.g. ninja's test client)."""
    return audit.audit_context(Channel.API)


#: ``openapi_extra`` for operations that need ``If-Match`` / accept ``Idempotency-Key``:
#: the helpers above read the headers; these put them in the schema.
IF_MATCH = {"parameters": [{
    "in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
    "description": 'The ETag you read, e.g. "3". Missing: 428; stale: 412.',
}]}
IDEMPOTENT = {"parameters": [{
    "in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string", "maxLength": 255},
    "description": "Retry-safe creation: the same key and body return the first response.",
}]}
