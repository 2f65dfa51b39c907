"""Errors services raise, and the helpers they share."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import F

from ..access import AccessLevel, can


class ConflictError(ValidationError):
    """The record changed since the user loaded it; nothing was saved."""

    def __init__(self, obj):
        super().__init__(
            f"This {obj._meta.verbose_name} was changed by someone else since you opened it. "
            "Nothing was saved: reload it to see their change, then make yours again.",
            code="conflict",
        )


class NotAllowed(ValidationError):
    """The actor lacks the access level an operation needs. Views turn it into 404/403."""


def require_level(user, obj, level: int, action: str) -> None:
    if not can(user, obj, level):
        raise NotAllowed(
            f"You need {AccessLevel(level).label.lower()} access to {action}.", code="forbidden"
        )


def require_perm(user, perm: str, action: str) -> None:
    if not (user and user.is_active and user.has_perm(perm)):
        raise NotAllowed(f"Your role does not allow you to {action}.", code="forbidden")


def save_versioned(obj: models.Model, expected_version: int | None, fields: list[str]) -> None:
    """Save ``fields`` of ``obj`` only if its stored version is still ``expected_version``
    (optimistic locking), bumping the version. Raises :class:`ConflictError` otherwise."""
    expected = obj.version if expected_version is None else expected_version
    values = {f: getattr(obj, f) for f in fields}
    if any(f.name == "updated_at" for f in obj._meta.fields):
        from django.utils import timezone

        values["updated_at"] = obj.updated_at = timezone.now()
    updated = type(obj)._default_manager.filter(pk=obj.pk, version=expected).update(
        version=F("version") + 1, **values
    )
    if not updated:
        raise ConflictError(obj)
    obj.version = expected + 1


def full_clean_or_raise(obj: models.Model, exclude: list[str] | None = None, *, where: str = "") -> None:
    """``obj.full_clean()``; with ``where`` (an item of a list the caller sent, e.g.
    ``"addresses.1"``), each error is named ``where.field`` so that the client knows which
    item, not only which field, is wrong."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)
    except ValidationError as exc:
        if not where or not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({
            where if field == NON_FIELD_ERRORS else f"{where}.{field}": errors
            for field, errors in exc.error_dict.items()
        }) from exc
