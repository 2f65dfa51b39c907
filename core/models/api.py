"""The REST API's own records: service accounts, their tokens, and stored responses to
``Idempotency-Key`` requests.

A *service account* is a Django user flagged by a :class:`ServiceAccount` row: it has no
password, belongs to one organisation and is a member of one of its teams, so the access
engine treats it exactly like a practitioner of that team (ownership and grants decide
what it sees). Tokens belong to a service account; only the SHA-256 of the secret is
stored (the secret has 256 bits of entropy, so a fast hash is enough: there is nothing
to brute-force), and the secret is shown once when the token is issued."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ServiceAccount(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="service_account")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="service_accounts")
    description = models.CharField(max_length=300, blank=True, help_text="Which system uses it, and who runs it.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.organisation.name})"


class ApiToken(models.Model):
    #: The first characters of the secret, stored in clear so that people can tell
    #: tokens apart in lists and logs; never enough to use it.
    PREFIX_LENGTH = 8

    account = models.ForeignKey(ServiceAccount, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100, help_text="What this token is for, e.g. 'Niche RMS nightly sync'.")
    prefix = models.CharField(max_length=16, db_index=True, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    read_only = models.BooleanField(default=False, help_text="Refuse every write made with this token.")
    expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def organisation_id(self) -> int:
        return self.account.organisation_id

    def in_force(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= timezone.now():
            return "expired"
        return "active"


class IdempotencyRecord(models.Model):
    """The response to a POST sent with an ``Idempotency-Key``, kept so that a retry
    gets the same answer instead of creating a second record. ``owner`` scopes keys to
    one token (``token:<id>``) or one session user (``user:<id>``)."""

    owner = models.CharField(max_length=40)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="uniq_idempotency_key")]

    def __str__(self) -> str:
        return f"{self.owner} {self.key}"
