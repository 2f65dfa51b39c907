"""Telling people that something needs them: the single writer of notifications.

``notify`` takes users, teams or organisations (members are resolved when it is called;
inactive users and the actor themselves are skipped), honours each recipient's
preference for the kind, writes the in-app rows in one query and sends the e-mails after
the surrounding transaction commits — so a rolled-back action notifies nobody."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from ..models import Membership, Organisation, Team
from ..models.notifications import Notification, NotificationKind, NotificationPreference


def recipients_of(targets: Iterable) -> list:
    """Active users named directly or as members of the given teams or organisations."""
    User = get_user_model()
    user_ids: set[int] = set()
    team_ids: set[int] = set()
    org_ids: set[int] = set()
    for target in targets:
        if target is None:
            continue
        if isinstance(target, User):
            user_ids.add(target.pk)
        elif isinstance(target, Team):
            team_ids.add(target.pk)
        elif isinstance(target, Organisation):
            org_ids.add(target.pk)
        else:
            raise TypeError(f"Cannot notify {target!r}: give users, teams or organisations.")
    if team_ids or org_ids:
        members = Membership.objects.filter(team_id__in=team_ids) | Membership.objects.filter(
            team__organisation_id__in=org_ids
        )
        user_ids.update(members.values_list("user_id", flat=True))
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def notify(
    targets,
    *,
    kind: str,
    subject: str,
    body: str = "",
    url: str = "",
    actor=None,
) -> list[Notification]:
    """Notify users/teams/organisations of ``kind`` (a :class:`NotificationKind`).

    ``subject`` and ``body`` must not hold personal data beyond what every recipient
    may already see; ``url`` is a path inside the site (access is checked when opened).
    Returns the in-app notifications written."""
    if kind not in NotificationKind.values:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    if not isinstance(targets, (list, tuple, set, frozenset)):
        targets = [targets]
    users = [u for u in recipients_of(targets) if actor is None or u.pk != actor.pk]
    if not users:
        return []
    prefs = {
        p.user_id: p
        for p in NotificationPreference.objects.filter(user__in=users, kind=kind)
    }
    in_app = [u for u in users if prefs.get(u.pk) is None or prefs[u.pk].in_app]
    by_email = [u for u in users if u.email and (prefs.get(u.pk) is None or prefs[u.pk].email)]
    rows = Notification.objects.bulk_create(
        Notification(recipient=u, kind=kind, subject=subject[:200], body=body, url=url, actor=actor)
        for u in in_app
    )
    if by_email:
        link = f"{getattr(settings, 'WRAPAROUND_BASE_URL', '').rstrip('/')}{url}" if url else ""
        text = "\n\n".join(part for part in (body, link) if part)
        messages = [
            (f"[Wraparound] {subject}", text, settings.DEFAULT_FROM_EMAIL, [u.email]) for u in by_email
        ]
        emailed = [r.pk for r in rows if r.recipient_id in {u.pk for u in by_email}]

        def send():
            send_mass_mail(messages, fail_silently=True)
            if emailed:
                Notification.objects.filter(pk__in=emailed).update(emailed_at=timezone.now())

        transaction.on_commit(send)
    return rows


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())
