"""In-app notifications and each user's choice of how to receive them.

A notification says *that* something happened and where to look (a URL inside the
admin); it never carries the personal data itself, so an e-mail that goes astray
discloses nothing the link does not protect. Rows are written by
:func:`core.services.notifications.notify` only."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class NotificationKind(models.TextChoices):
    TASK = "task", "Tasks"
    REFERRAL = "referral", "Referrals"
    ALERT = "alert", "Alerts"
    GRANT = "grant", "Access granted or changed"
    ACCESS_REQUEST = "access_request", "Access requests"
    IMPORT = "import", "Imports"
    OTHER = "other", "Other"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx"),
        ]

    def __str__(self) -> str:
        return self.subject


class NotificationPreference(models.Model):
    """One row per user and kind that differs from the default (in-app and e-mail on)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=32, choices=NotificationKind.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} / {self.kind}"
