"""A user's own notifications: reading them and choosing how to receive each kind.

These touch only the user's own rows (no personal data of the people in the records),
but they are writes like any other: one transaction and an audit event for the change
of preferences."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .. import audit
from ..models import AuditAction, Notification, NotificationKind, NotificationPreference


@transaction.atomic
def set_notification_preferences(user, choices: dict[str, tuple[bool, bool]]) -> None:
    """``choices``: kind -> (in_app, email). Kinds left at the default (both on) keep no row."""
    unknown = set(choices) - set(NotificationKind.values)
    if unknown:
        raise ValueError(f"Unknown notification kinds: {', '.join(sorted(unknown))}.")
    before = {p.kind: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=user)}
    NotificationPreference.objects.filter(user=user).delete()
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user=user, kind=kind, in_app=in_app, email=email)
        for kind, (in_app, email) in sorted(choices.items()) if not (in_app and email)
    )
    after = {k: v for k, v in choices.items() if not all(v)}
    audit.record(AuditAction.UPDATE, user, actor=user, object_repr=f"Notification preferences of {user}",
                 changes={"notification_preferences": [
                     {k: list(v) for k, v in before.items()}, {k: list(v) for k, v in after.items()}]})


def open_notification(user, pk: int) -> Notification | None:
    """The user's own notification, marked read; ``None`` if it is not theirs."""
    notification = Notification.objects.filter(recipient=user, pk=pk).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk).update(read_at=notification.read_at)
    return notification
