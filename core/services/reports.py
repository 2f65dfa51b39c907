"""Report types and reports: the builder's versioning and the report writes.

- :func:`save_report_type` saves an admin's (or a plugin's) report type and, when its
  fields changed, freezes them into a new :class:`ReportTypeVersion`. Old reports keep
  pointing at the version they were written with.
- :func:`create_report` / :func:`update_report` validate the submitted data with the
  form generated from the schema (``core.forms.reports``) — on the screen, in the API
  and in imports alike — and keep every save as a :class:`ReportVersion`. A report is
  edited while it is a draft; saving it as final locks it.
- :func:`sync_report_types` creates the report types plugins declare."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction

from .. import audit
from ..access import AccessLevel
from ..forms.reports import report_form, to_json
from ..models import AuditAction, Report, ReportType, ReportTypeVersion, ReportVersion
from ..plugins.registry import registry
from ..programmes import enabled_programmes_for
from .errors import ConflictError, require_level, save_versioned

# Report types ------------------------------------------------------------------------

def schema_of(report_type: ReportType) -> list[dict]:
    """The builder's StreamField as the plain schema stored in a version."""
    schema = []
    for child in report_type.fields:
        value = child.value
        entry = {
            "key": value["key"], "label": value["label"], "kind": child.block_type,
            "required": bool(value.get("required")), "help_text": value.get("help_text") or "",
        }
        if child.block_type == "choice":
            entry["multiple"] = bool(value.get("multiple"))
            entry["choices"] = [[c["value"], c["label"]] for c in value["choices"]]
        schema.append(entry)
    return schema


def validate_schema(schema: list[dict]) -> None:
    errors = []
    keys = [e["key"] for e in schema]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        errors.append(f"Each field needs its own key; used more than once: {', '.join(duplicates)}.")
    for entry in schema:
        values = [c[0] for c in entry.get("choices", [])]
        if entry["kind"] == "choice" and len(values) != len(set(values)):
            errors.append(f"Field “{entry['label']}” has two choices with the same value.")
    if errors:
        raise ValidationError({"fields": errors})


def _stream_data(schema: list[dict]) -> list[dict]:
    data = []
    for entry in schema:
        value = {k: entry.get(k, "") for k in ("key", "label", "required", "help_text")}
        if entry["kind"] == "choice":
            value["multiple"] = entry.get("multiple", False)
            value["choices"] = [{"type": "item", "value": {"value": v, "label": lbl}, "id": str(uuid.uuid4())}
                                for v, lbl in entry.get("choices", [])]
        data.append({"type": entry["kind"], "value": value, "id": str(uuid.uuid4())})
    return data


@transaction.atomic
def save_report_type(report_type: ReportType, *, by=None, audited: bool = True) -> ReportType:
    """Save a report type; a change of its fields makes a new version (one audit event,
    unless ``audited`` is off — only for the plugins' declarations, see
    :func:`sync_report_types`)."""
    creating = report_type.pk is None
    schema = schema_of(report_type)
    validate_schema(schema)
    report_type.full_clean(exclude=["fields"])
    report_type.save()
    given = report_type
    report_type = ReportType.objects.select_for_update().get(pk=report_type.pk)
    latest = report_type.versions.order_by("-number").first()
    changes = {"name": report_type.name}
    if latest is None or latest.schema != schema:
        number = (latest.number if latest else 0) + 1
        ReportTypeVersion.objects.create(report_type=report_type, number=number, schema=schema, created_by=by)
        ReportType.objects.filter(pk=report_type.pk).update(current_version=number)
        report_type.current_version = given.current_version = number
        changes["version"] = number
    if audited:
        audit.record(AuditAction.CREATE if creating else AuditAction.UPDATE, report_type, actor=by,
                     changes=changes)
    return report_type


def set_report_type_fields(report_type: ReportType, schema: list[dict], *, by=None) -> ReportType:
    """Replace a report type's fields with ``schema`` (the plain form stored in versions)
    and save it — a new version if they changed. What the builder does, for code."""
    report_type.fields = _stream_data(schema)
    return save_report_type(report_type, by=by)


def sync_report_types(by=None) -> list[ReportType]:
    """Create the plugins' report types that do not exist yet (existing ones belong to
    the partnership admins, who may have edited them). Not audited: this is installed
    code declaring configuration (it runs after every ``migrate``), not someone
    processing personal data; the type records its source and version 1 its schema."""
    existing = set(ReportType.objects.values_list("slug", flat=True))
    made = []
    for spec in registry.report_types.values():
        if spec.slug in existing:
            continue
        schema = [
            {"key": f.key, "label": f.label, "kind": f.kind, "required": f.required, "help_text": f.help_text,
             **({"multiple": f.multiple, "choices": [[c.code, c.label] for c in f.choices]} if f.kind == "choice" else {})}
            for f in spec.fields
        ]
        report_type = ReportType(
            slug=spec.slug, name=spec.name, description=spec.description, applies_to=spec.applies_to,
            programme=spec.programme, restricted_by_default=spec.restricted_by_default,
            source=ReportType.Source.PLUGIN, fields=_stream_data(schema),
        )
        made.append(save_report_type(report_type, by=by, audited=False))
    return made


def report_types_for(user, applies_to: str):
    """Active report types the user may write on a profile or case (by programme)."""
    enabled = enabled_programmes_for(user)
    return [
        t for t in ReportType.objects.filter(is_active=True, applies_to=applies_to, current_version__gt=0)
        if not t.programme or t.programme in enabled
    ]


# Reports -----------------------------------------------------------------------------

def _clean_data(schema, user, data, files, stored, prefix):
    form = report_form(schema, user, data=data, files=files, stored=stored, prefix=prefix)
    if not form.is_valid():
        raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
    cleaned = {}
    for entry in schema:
        value = form.cleaned_data.get(entry["key"])
        if entry["kind"] == "file":
            cleaned[entry["key"]] = _store_file(value) if value else stored.get(entry["key"])
        else:
            cleaned[entry["key"]] = to_json(entry, value)
    return cleaned


def _store_file(cleaned) -> dict:
    """Store a file the report form checked (``core.uploads.CleanUpload``) under its random
    name; the uploader's name is kept only to offer it back on download."""
    path = default_storage.save(f"reports/{cleaned.name}", cleaned.content)
    return {"name": cleaned.original_name, "path": path, "size": cleaned.size, "content_type": cleaned.content_type}


def _snapshot(report: Report, by) -> ReportVersion:
    return ReportVersion.objects.create(
        report=report, number=report.version, type_version=report.type_version, status=report.status,
        data=report.data, restricted=report.restricted, saved_by=by,
    )


@transaction.atomic
def create_report(*, by, report_type: ReportType, profile=None, case=None, data, files=None,
                  final: bool = False, restricted: bool | None = None, prefix: str | None = None) -> Report:
    """Write a report on a profile or a case (contribute needed). ``data`` (and
    ``files``) are validated against the type's current version; nothing is saved if
    any field is wrong (a ValidationError with a message per field)."""
    parent = profile or case
    if parent is None or (profile is not None and case is not None):
        raise ValidationError("A report belongs to one profile or one case.")
    require_level(by, parent, AccessLevel.CONTRIBUTE, "write reports here")
    if not report_type.is_active or report_type.current_version == 0:
        raise ValidationError({"report_type": "This report type is not in use."})
    if report_type.applies_to != (ReportType.AppliesTo.PROFILE if profile else ReportType.AppliesTo.CASE):
        raise ValidationError({"report_type": f"{report_type} is written on {report_type.get_applies_to_display().lower()}."})
    if report_type.programme and report_type.programme not in enabled_programmes_for(by):
        raise ValidationError({"report_type": "Your organisation does not use this report type's programme."})
    organisation = audit.actor_organisation(by)
    if organisation is None:
        raise ValidationError("You are not in any organisation's team, so the report cannot be attributed.")
    type_version = report_type.versions.get(number=report_type.current_version)
    cleaned = _clean_data(type_version.schema, by, data, files, {}, prefix)
    report = Report.objects.create(
        report_type=report_type, type_version=type_version, profile=profile, case=case,
        status=Report.Status.FINAL if final else Report.Status.DRAFT, data=cleaned,
        restricted=report_type.restricted_by_default if restricted is None else restricted,
        organisation=organisation, author=by,
    )
    _snapshot(report, by)
    audit.record(AuditAction.CREATE, report, actor=by, changes={
        "parent": parent._meta.label_lower, "parent_id": parent.pk, "report_type": report_type.slug,
        "type_version": type_version.number, "status": report.status,
    })
    return report


@transaction.atomic
def update_report(report: Report, *, by, data, files=None, final: bool = False, restricted: bool | None = None,
                  expected_version: int | None = None, prefix: str | None = None) -> Report:
    """Save a new version of a draft, validated against the schema version it was
    written with. A final report is not changed any more."""
    require_level(by, report, AccessLevel.CONTRIBUTE, "edit this report")
    fresh = Report.objects.select_for_update().select_related("type_version").get(pk=report.pk)
    if expected_version is not None and fresh.version != expected_version:
        raise ConflictError(fresh)
    if fresh.status == Report.Status.FINAL:
        raise ValidationError("This report is final and can no longer be changed.")
    cleaned = _clean_data(fresh.type_version.schema, by, data, files, fresh.data, prefix)
    changed = sorted(k for k in set(cleaned) | set(fresh.data) if cleaned.get(k) != fresh.data.get(k))
    fresh.data = cleaned
    fresh.status = Report.Status.FINAL if final else Report.Status.DRAFT
    if restricted is not None:
        fresh.restricted = restricted
    save_versioned(fresh, fresh.version, ["data", "status", "restricted"])
    _snapshot(fresh, by)
    audit.record(AuditAction.UPDATE, fresh, actor=by,
                 changes={"fields": changed, "status": fresh.status, "version": fresh.version})
    return fresh
