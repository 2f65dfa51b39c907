"""Imports of legacy spreadsheets (issue 6): one ``ImportJob`` per uploaded file, the
``ImportedRecord`` rows it created or changed (with before-images, so that it can be
undone), and ``ImportMapping``\\ s saved for the next file with the same columns.

The uploaded file is kept in the database (``content``) rather than in media storage:
the background task that imports it may run on another machine, and the file is
deleted with the job. Jobs belong to the importer's organisation; only the importer
and the organisation's admins see them (``core.imports.access``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", "All or nothing (any error: nothing is written)"
        VALID_ROWS = "valid_rows", "Import the valid rows (rows with errors are skipped)"

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded: map the columns"
        PREVIEWED = "previewed", "Dry run done"
        QUEUED = "queued", "Waiting to run"
        RUNNING = "running", "Running"
        COMMITTED = "committed", "Imported"
        FAILED = "failed", "Nothing imported (errors)"
        UNDONE = "undone", "Undone"

    resource = models.CharField(max_length=64)
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="imports")
    owner_team = models.ForeignKey(
        "core.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="imports",
        help_text="Every record the import creates is owned by this team.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    header_row = models.PositiveIntegerField(default=1, help_text="1-based row number of the column headings.")
    headers = models.JSONField(default=list)
    #: heading -> field name ("" = ignore the column)
    mapping = models.JSONField(default=dict)
    #: field name -> constant value for every row
    constants = models.JSONField(default=dict)
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.ALL_OR_NOTHING)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    #: {"create": n, "update": n, "skip": n, "error": n}
    counts = models.JSONField(default=dict)
    #: [{"row": n, "column": heading, "reason": text}], capped (see MAX_ERRORS)
    errors = models.JSONField(default=list)
    #: the first rows of the dry run: [{"row": n, "action": ..., "summary": ...}]
    preview = models.JSONField(default=list)
    message = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    MAX_ERRORS = 2000

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="import_org_idx")]

    def __str__(self) -> str:
        return f"Import {self.pk}: {self.filename}"

    @property
    def percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0

    @property
    def resource_label(self) -> str:
        from ..plugins.registry import registry

        cls = registry.import_resources.get(self.resource)
        return cls.label if cls else self.resource

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class ImportedRecord(models.Model):
    """A record an import created or updated. ``before`` is the updated record's state
    before the import (fields and the child rows it had), ``added`` the ids of child rows
    the import added; ``audit_event_id`` is the import's audit event for the record, so
    that undo can tell whether anything was done to the record since."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="records")
    row = models.PositiveIntegerField()
    action = models.CharField(max_length=8, choices=Action.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    added = models.JSONField(null=True, blank=True)
    audit_event_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="imported_object_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_type}:{self.object_id} (row {self.row})"


class ImportMapping(models.Model):
    """A column mapping saved for reuse by the organisation's next imports."""

    organisation = models.ForeignKey("core.Organisation", on_delete=models.CASCADE, related_name="import_mappings")
    resource = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    mapping = models.JSONField(default=dict)
    constants = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "resource", "name"], name="uniq_import_mapping_name")
        ]

    def __str__(self) -> str:
        return self.name
