"""The working tools around a record: tasks (with attachments) and referrals.

A **task** is work for a person or a team, on a profile or a case. It follows its
parent's access, and its assignees see it as well (assigning a task is telling
someone about it). A **referral** asks a receiving team — in any partnership — to take
a profile on in a programme. It carries what the receiving team needs to decide (the
referral form's answers and a minimal summary of the person, copied when it is made);
the profile itself is shared only when the referral is accepted. Rows are written by
``core.services.work`` only."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .access import AccessLevel


class TaskPriority(models.IntegerChoices):
    LOW = 1, "Low"
    NORMAL = 2, "Normal"
    HIGH = 3, "High"
    URGENT = 4, "Urgent"


class Task(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    profile = models.ForeignKey("core.Profile", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    case = models.ForeignKey("core.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    referral = models.ForeignKey(
        "core.Referral", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    assigned_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_tasks"
    )
    assigned_team = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="assigned_tasks"
    )
    due_on = models.DateField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(choices=TaskPriority.choices, default=TaskPriority.NORMAL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="created_tasks"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completion_note = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["due_on", "-priority", "id"]
        indexes = [
            models.Index(fields=["assigned_user", "status", "due_on"], name="task_user_idx"),
            models.Index(fields=["assigned_team", "status", "due_on"], name="task_team_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(assigned_user__isnull=False) | models.Q(assigned_team__isnull=False),
                name="task_has_assignee",
            ),
            models.CheckConstraint(
                condition=models.Q(profile__isnull=False) | models.Q(case__isnull=False),
                name="task_has_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def parent(self):
        return self.case if self.case_id else self.profile

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class TaskAttachment(models.Model):
    """A file on a task. Stored with Django's storage under a name nobody can guess, and
    served only through the permission-checked download view (never from MEDIA_URL)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="task_attachments/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Referral(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for a decision"
        MORE_INFO = "more_info", "More information asked for"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    WAITING = (Status.SUBMITTED, Status.MORE_INFO)

    profile = models.ForeignKey("core.Profile", on_delete=models.PROTECT, related_name="referrals")
    from_team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="referrals_made")
    to_team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="referrals_received")
    programme = models.SlugField(max_length=64)
    case_type = models.SlugField(max_length=64)
    form = models.SlugField(max_length=64, help_text="The referral form used (see the wraparound_referral_forms hook).")
    content = models.JSONField(default=dict, help_text="The referral form's answers, as the referrer gave them.")
    person_summary = models.JSONField(
        default=dict, help_text="The minimum about the person the receiving team needs to decide, copied when made."
    )
    participant_role = models.CharField(max_length=32, default="subject")
    profile_level = models.PositiveSmallIntegerField(
        choices=AccessLevel.choices, default=AccessLevel.CONTRIBUTE,
        help_text="Access the receiving team gets to the profile when it accepts.",
    )
    referrer_case_level = models.PositiveSmallIntegerField(
        choices=AccessLevel.choices, null=True, blank=True, default=AccessLevel.CONTRIBUTE,
        help_text="Access the referring team keeps to the case that starts (none if empty).",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    case = models.OneToOneField(
        "core.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="referral"
    )
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-made_at", "-id"]
        indexes = [
            models.Index(fields=["to_team", "status"], name="referral_in_idx"),
            models.Index(fields=["from_team", "status"], name="referral_out_idx"),
        ]

    def __str__(self) -> str:
        return f"Referral #{self.pk} to {self.to_team}"

    @property
    def is_waiting(self) -> bool:
        return self.status in self.WAITING


class ReferralStep(models.Model):
    """One step in a referral's life (made, more information asked for and given,
    accepted, declined, withdrawn) with the note that came with it, shown to both sides."""

    LABELS = {
        "made": "Referral made", "more_info_asked": "More information asked for",
        "more_info_given": "More information given", "accepted": "Accepted", "declined": "Declined",
        "withdrawn": "Withdrawn",
    }

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=32)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.action}"

    @property
    def label(self) -> str:
        return self.LABELS.get(self.action, self.action)
