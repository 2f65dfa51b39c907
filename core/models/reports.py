"""Typed reports: report types with a field schema, and the reports written with them.

A :class:`ReportType` is edited in the admin as a StreamField of field blocks (the
low-code builder: add, reorder, require, choices). Every change to the fields is frozen
into a new :class:`ReportTypeVersion` holding the schema as plain JSON; a report
remembers the version it was written against, so a report written before an admin
changed its type still renders and validates against its own schema. Every save of a
report is kept as a :class:`ReportVersion`.

Schema entries (``ReportTypeVersion.schema``) are dicts: ``key``, ``label``, ``kind``
(one of :data:`FIELD_KINDS`), ``required``, ``help_text`` and, for choices,
``choices`` (``[[value, label], …]``) and ``multiple``."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from wagtail import blocks
from wagtail.fields import StreamField

FIELD_KINDS = {
    "text": "Text",
    "long_text": "Long text",
    "number": "Number",
    "date": "Date",
    "yes_no": "Yes / no",
    "choice": "Choice",
    "person": "Person",
    "file": "File",
}

key_validator = RegexValidator(r"^[a-z][a-z0-9_]{0,49}$", "Lower-case letters, digits and _ (start with a letter).")


class _FieldBlock(blocks.StructBlock):
    key = blocks.CharBlock(max_length=50, validators=[key_validator],
                           help_text="Stored name of the field; keep it when you rename the label.")
    label = blocks.CharBlock(max_length=200)
    required = blocks.BooleanBlock(required=False)
    help_text = blocks.CharBlock(required=False, max_length=300)

    class Meta:
        # The collapsed block's header in the builder names the field.
        label_format = "{label} ({key})"


class ChoiceOptionBlock(blocks.StructBlock):
    value = blocks.CharBlock(max_length=50, validators=[key_validator])
    label = blocks.CharBlock(max_length=200)


class ChoiceFieldBlock(_FieldBlock):
    multiple = blocks.BooleanBlock(required=False, help_text="Allow several answers.")
    choices = blocks.ListBlock(ChoiceOptionBlock(), min_num=1)


def _field_block(kind: str, icon: str):
    return type(f"{kind.title().replace('_', '')}FieldBlock", (_FieldBlock,), {
        "Meta": type("Meta", (), {"icon": icon, "label": FIELD_KINDS[kind], "label_format": "{label} ({key})"}),
        "__module__": __name__,
    })


TextFieldBlock = _field_block("text", "pilcrow")
LongTextFieldBlock = _field_block("long_text", "doc-full")
NumberFieldBlock = _field_block("number", "order")
DateFieldBlock = _field_block("date", "date")
YesNoFieldBlock = _field_block("yes_no", "tick")
PersonFieldBlock = _field_block("person", "user")
FileFieldBlock = _field_block("file", "doc-empty")


class ReportFieldsBlock(blocks.StreamBlock):
    text = TextFieldBlock()
    long_text = LongTextFieldBlock()
    number = NumberFieldBlock()
    date = DateFieldBlock()
    yes_no = YesNoFieldBlock()
    choice = ChoiceFieldBlock(icon="list-ul", label="Choice")
    person = PersonFieldBlock()
    file = FileFieldBlock()


class ReportType(models.Model):
    class AppliesTo(models.TextChoices):
        PROFILE = "profile", "Profiles"
        CASE = "case", "Cases"

    class Source(models.TextChoices):
        PLUGIN = "plugin", "Programme plugin"
        ADMIN = "admin", "Partnership admin"

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    applies_to = models.CharField(max_length=16, choices=AppliesTo.choices, default=AppliesTo.PROFILE)
    programme = models.SlugField(max_length=64, blank=True, help_text="Programme it belongs to; empty for all.")
    fields = StreamField(ReportFieldsBlock(), blank=True, help_text="The form: add, reorder and require fields.")
    restricted_by_default = models.BooleanField(
        default=False, help_text="New reports start restricted to the author's organisation."
    )
    is_active = models.BooleanField(default=True, help_text="Inactive types keep their reports but take no new ones.")
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.ADMIN, editable=False)
    current_version = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReportTypeVersion(models.Model):
    report_type = models.ForeignKey(ReportType, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    schema = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["report_type", "-number"]
        constraints = [models.UniqueConstraint(fields=["report_type", "number"], name="report_type_version_unique")]

    def __str__(self) -> str:
        return f"{self.report_type} v{self.number}"


class Report(models.Model):
    """A report on a profile or a case. Follows its parent's access; ``restricted``
    keeps it to the author's organisation among those with access."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        FINAL = "final", "Final"

    report_type = models.ForeignKey(ReportType, on_delete=models.PROTECT, related_name="reports")
    type_version = models.ForeignKey(ReportTypeVersion, on_delete=models.PROTECT, related_name="reports")
    profile = models.ForeignKey("core.Profile", null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    case = models.ForeignKey("core.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    data = models.JSONField(default=dict)
    restricted = models.BooleanField(default=False, help_text="Only people in the author's organisation may see it.")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(profile__isnull=False, case__isnull=True) | Q(profile__isnull=True, case__isnull=False),
                name="report_one_parent",
            )
        ]
        indexes = [
            models.Index(fields=["profile", "-updated_at"], name="report_profile_idx"),
            models.Index(fields=["case", "-updated_at"], name="report_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.report_type.name} ({self.get_status_display().lower()})"

    @property
    def parent(self):
        return self.profile if self.profile_id else self.case


class ReportVersion(models.Model):
    """One saved state of a report (every save is kept)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    type_version = models.ForeignKey(ReportTypeVersion, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Report.Status.choices)
    data = models.JSONField(default=dict)
    restricted = models.BooleanField(default=False)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "-number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_version_unique")]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"
