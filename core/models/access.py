"""Who may see what: grants and access requests, and django-guardian's direct
foreign-key permission tables that store the effective access.

A :class:`Grant` is the practitioners' record of a sharing decision (who granted what
level to whom, why, until when; revoked by whom). While it is in force it is
materialised as guardian object permissions, one row per level it implies (a
*contribute* grant writes ``view_*`` and ``contribute_*``), in the direct foreign-key
tables below: to the user for a grant to a person, to the team's or organisation's group
otherwise. Each row points back to its grant and carries the grant's expiry, so the
access engine (``core.access``) reads one indexed table per kind of grantee and never
joins the grant itself. Ownership is not stored here: the owner team's manage comes
from ``owner_team`` on the profile or case."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class AccessLevel(models.IntegerChoices):
    VIEW = 10, "View"
    CONTRIBUTE = 20, "Contribute"
    MANAGE = 30, "Manage"


class Grant(models.Model):
    profile = models.ForeignKey(
        "core.Profile", null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    case = models.ForeignKey("core.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="received_grants"
    )
    team = models.ForeignKey("core.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="grants")
    organisation = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    level = models.PositiveSmallIntegerField(choices=AccessLevel.choices)
    reason = models.TextField()
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="made_grants"
    )
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(profile__isnull=False, case__isnull=True) | Q(profile__isnull=True, case__isnull=False),
                name="grant_one_target",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False, team__isnull=True, organisation__isnull=True)
                | Q(user__isnull=True, team__isnull=False, organisation__isnull=True)
                | Q(user__isnull=True, team__isnull=True, organisation__isnull=False),
                name="grant_one_grantee",
            ),
        ]
        indexes = [
            models.Index(fields=["profile", "revoked_at"], name="grant_profile_idx"),
            models.Index(fields=["case", "revoked_at"], name="grant_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} on {self.target} to {self.grantee}"

    @property
    def target(self):
        return self.profile if self.profile_id else self.case

    @property
    def grantee(self):
        return self.user or self.team or self.organisation

    @property
    def grantee_kind(self) -> str:
        return "user" if self.user_id else "team" if self.team_id else "organisation"

    def is_active(self, now=None) -> bool:
        from django.utils import timezone

        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class _GrantRowMixin(models.Model):
    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.permission.codename} on #{self.content_object_id} (grant {self.grant_id})"


class ProfileUserObjectPermission(_GrantRowMixin, UserObjectPermissionBase):
    content_object = models.ForeignKey("core.Profile", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["user", "permission", "content_object"], name="profile_uperm_idx")]


class ProfileGroupObjectPermission(_GrantRowMixin, GroupObjectPermissionBase):
    content_object = models.ForeignKey("core.Profile", on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["group", "permission", "content_object"], name="profile_gperm_idx")]


class CaseUserObjectPermission(_GrantRowMixin, UserObjectPermissionBase):
    content_object = models.ForeignKey("core.Case", on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["user", "permission", "content_object"], name="case_uperm_cover_idx",
                                include=["expires_at"])]  # see CaseGroupObjectPermission


class CaseGroupObjectPermission(_GrantRowMixin, GroupObjectPermissionBase):
    """The case tables' indexes carry ``expires_at`` (PostgreSQL) so that the ids of the
    cases a user may see come from index-only scans. Read from the heap, the planner
    costed them high enough to start parallel workers, which took 22 ms where the serial
    plan takes 2.5 (scale 1.0, migration 0014). The profiles' tables are read through the
    access index instead."""

    content_object = models.ForeignKey("core.Case", on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["group", "permission", "content_object"], name="case_gperm_cover_idx",
                                include=["expires_at"])]


class AccessRequest(models.Model):
    """A request by someone without (enough) access to a profile or case, decided by
    someone with manage on it. Seeing that the record exists (through a gallery card or
    a duplicate warning) is the only disclosure before a decision."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    profile = models.ForeignKey(
        "core.Profile", null=True, blank=True, on_delete=models.CASCADE, related_name="access_requests"
    )
    case = models.ForeignKey(
        "core.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="access_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_requests"
    )
    level = models.PositiveSmallIntegerField(choices=AccessLevel.choices, default=AccessLevel.VIEW)
    reason = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    grant = models.ForeignKey(Grant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(profile__isnull=False, case__isnull=True) | Q(profile__isnull=True, case__isnull=False),
                name="access_request_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} access requested by {self.requested_by} ({self.get_status_display()})"

    @property
    def target(self):
        return self.profile if self.profile_id else self.case
