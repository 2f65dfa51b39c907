"""The audit trail: one append-only row per thing done to or with personal data.

Rows cannot be changed or deleted through the application (the model and its queryset
refuse), nor by SQL: the migration installs triggers on PostgreSQL and SQLite that abort
any UPDATE or DELETE. The actor and organisation are stored as ids *and* names, without
foreign-key constraints, so that deleting a user never has to touch the trail.

``category`` maps each action to the logging duties of the Data Protection Act 2018
s.62: collection, alteration, consultation, disclosure, combination, erasure."""

from __future__ import annotations

from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    DELETE = "delete", "Delete"
    VIEW = "view", "View"
    SEARCH = "search", "Search"
    EXPORT = "export", "Export"
    PRINT = "print", "Print"
    GRANT = "grant", "Grant access"
    REVOKE = "revoke", "Revoke access"
    TRANSFER = "transfer", "Transfer ownership"
    REQUEST_ACCESS = "request_access", "Request access"
    DECIDE_ACCESS = "decide_access", "Decide access request"
    IMPORT = "import", "Import"
    ERASE = "erase", "Erase"
    LINK = "link", "Link records"
    LOGIN = "login", "Log in"
    LOGOUT = "logout", "Log out"
    LOGIN_FAILED = "login_failed", "Failed login"
    LOCKOUT = "lockout", "Login locked out"
    UNLOCK = "unlock", "Login lockout lifted"
    TWO_FACTOR = "two_factor", "Two-factor change"


class S62Category(models.TextChoices):
    COLLECTION = "collection", "Collection"
    ALTERATION = "alteration", "Alteration"
    CONSULTATION = "consultation", "Consultation"
    DISCLOSURE = "disclosure", "Disclosure"
    COMBINATION = "combination", "Combination"
    ERASURE = "erasure", "Erasure"
    ACCESS_CONTROL = "access_control", "Authentication"


S62_CATEGORY = {
    AuditAction.CREATE: S62Category.COLLECTION,
    AuditAction.IMPORT: S62Category.COLLECTION,
    AuditAction.UPDATE: S62Category.ALTERATION,
    AuditAction.DELETE: S62Category.ERASURE,
    AuditAction.ERASE: S62Category.ERASURE,
    AuditAction.VIEW: S62Category.CONSULTATION,
    AuditAction.SEARCH: S62Category.CONSULTATION,
    AuditAction.EXPORT: S62Category.DISCLOSURE,
    AuditAction.PRINT: S62Category.DISCLOSURE,
    AuditAction.GRANT: S62Category.DISCLOSURE,
    AuditAction.REVOKE: S62Category.DISCLOSURE,
    AuditAction.TRANSFER: S62Category.DISCLOSURE,
    AuditAction.REQUEST_ACCESS: S62Category.DISCLOSURE,
    AuditAction.DECIDE_ACCESS: S62Category.DISCLOSURE,
    AuditAction.LINK: S62Category.COMBINATION,
    AuditAction.LOGIN: S62Category.ACCESS_CONTROL,
    AuditAction.LOGOUT: S62Category.ACCESS_CONTROL,
    AuditAction.LOGIN_FAILED: S62Category.ACCESS_CONTROL,
    AuditAction.LOCKOUT: S62Category.ACCESS_CONTROL,
    AuditAction.UNLOCK: S62Category.ACCESS_CONTROL,
    AuditAction.TWO_FACTOR: S62Category.ACCESS_CONTROL,
}


class Channel(models.TextChoices):
    SCREEN = "screen", "Screen"
    API = "api", "API"
    IMPORT = "import", "Import"
    TASK = "task", "Background task"
    CLI = "cli", "Command line"
    SYSTEM = "system", "System"


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit row."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit events cannot be deleted.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("Audit events cannot be changed.")

    def for_object(self, obj):
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    organisation_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    category = models.CharField(max_length=32, choices=S62Category.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.SYSTEM)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(null=True, blank=True)
    justification = models.TextField(blank=True)
    source_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-occurred_at"], name="audit_object_idx"),
            models.Index(fields=["actor_id", "-occurred_at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_username or 'system'} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")
