"""Who may import, which jobs a user sees, and the steps before a run: upload, map,
save a mapping for next time, start (at once or in the background).

Decision: imports are for *organisation admins* — they bring a partner's legacy sheets
in, for a team they belong to (the owner team of every record the import touches).
A job is seen by its importer and by the admins of its organisation; to anyone else
it does not exist (404)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q

from ..access import user_organisation_ids
from ..models import ImportJob, ImportMapping, Team
from ..plugins.registry import registry
from ..roles import ORGANISATION_ADMIN, has_role
from . import pipeline, reading
from .registry import get_resource

#: Files with more rows than this run in the background (django-tasks).
BACKGROUND_ROWS = 2000
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def may_import(user) -> bool:
    return bool(user.is_authenticated and user.is_active and has_role(user, ORGANISATION_ADMIN)
                and user.has_perm("core.add_profile"))


def importer_teams(user):
    """The teams whose records a user's imports may create: the teams they belong to."""
    return Team.objects.filter(memberships__user=user, is_active=True).select_related("organisation")


def visible_jobs(user):
    if not (user.is_authenticated and user.is_active):
        return ImportJob.objects.none()
    mine = Q(created_by_id=user.pk)
    if has_role(user, ORGANISATION_ADMIN):
        mine |= Q(organisation_id__in=user_organisation_ids(user))
    # Imports of a programme none of the user's organisations has enabled are hidden (kept).
    from ..programmes import enabled_programmes_for

    enabled = enabled_programmes_for(user)
    hidden = [code for code, cls in registry.import_resources.items() if cls.programme and cls.programme not in enabled]
    return ImportJob.objects.filter(mine).exclude(resource__in=hidden)


def create_job(*, by, resource: str, filename: str, content: bytes, owner_team: Team) -> ImportJob:
    """Store an upload and find its headings; suggests a mapping from the headings'
    synonyms and from the organisation's saved mappings (the latest wins)."""
    if not may_import(by):
        raise ValidationError("Your role does not allow you to import records.")
    if not importer_teams(by).filter(pk=owner_team.pk).exists():
        raise ValidationError({"owner_team": "Choose one of your own teams."})
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": f"The file is larger than {MAX_UPLOAD_BYTES // 2**20} MB."})
    programme = get_resource(resource).programme
    if programme:
        from ..services.cases import programme_enabled_for

        if not programme_enabled_for(owner_team.organisation, programme):
            raise ValidationError({"resource": f"{registry.programme_name(programme)} is not enabled for "
                                               f"{owner_team.organisation}."})
    job = ImportJob(resource=resource, organisation=owner_team.organisation, owner_team=owner_team, created_by=by,
                    filename=filename[:255], content=content)
    try:
        pipeline.prepare(job)
    except reading.SheetError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    job.mapping = suggest_mapping(job)
    job.save()
    return job


def suggest_mapping(job: ImportJob) -> dict[str, str]:
    resource = get_resource(job.resource)
    saved: dict[str, str] = {}
    for mapping in ImportMapping.objects.filter(organisation=job.organisation, resource=job.resource).order_by("created_at"):
        saved.update(mapping.mapping)
    fields = resource.fields_by_name()
    out = {}
    for heading in job.headers:
        field = saved.get(heading) if saved.get(heading) in fields else resource.suggest(heading)
        out[heading] = field or ""
    return out


def set_mapping(job: ImportJob, *, mapping: dict, constants: dict, mode: str, header_row: int | None = None,
                save_as: str = "", by=None) -> ImportJob:
    """Record the importer's choices; a column mapped twice, or a required field with
    neither a column nor a constant, is refused."""
    resource = get_resource(job.resource)
    fields = resource.fields_by_name()
    if header_row and header_row != job.header_row:
        try:
            pipeline.prepare(job, header_row)
        except reading.SheetError as exc:
            raise ValidationError({"header_row": str(exc)}) from exc
        mapping = {h: mapping.get(h, "") for h in job.headers}
    mapping = {h: f for h, f in mapping.items() if h in job.headers and f in fields}
    used = [f for f in mapping.values() if f]
    twice = sorted({f for f in used if used.count(f) > 1})
    if twice:
        raise ValidationError({"mapping": f"Several columns are mapped to {', '.join(fields[f].label for f in twice)}."})
    constants = {f: v for f, v in constants.items() if f in fields and str(v).strip()}
    missing = [f.label for f in fields.values() if f.required and f.name not in used and f.name not in constants]
    if missing:
        raise ValidationError({"mapping": f"Map a column (or give a constant) for: {', '.join(missing)}."})
    bad = []
    for name, value in constants.items():
        _values, errors = resource.clean({name: value})
        bad += [f"{fields[n].label}: {reason}" for n, reason in errors if n == name]
    if bad:
        raise ValidationError({"constants": bad})
    job.mapping, job.constants, job.mode = mapping, constants, mode
    job.status = ImportJob.Status.UPLOADED
    job.save()
    if save_as.strip():
        ImportMapping.objects.update_or_create(
            organisation=job.organisation, resource=job.resource, name=save_as.strip()[:200],
            defaults={"mapping": {h: f for h, f in mapping.items() if f}, "constants": constants, "created_by": by},
        )
    return job


def start(job: ImportJob, *, dry_run: bool, background: bool | None = None) -> ImportJob:
    """Run now, or enqueue the task when the file is large (``background=None``)."""
    if job.in_progress:
        raise ValidationError("This import is already running.")
    if job.status in (ImportJob.Status.COMMITTED, ImportJob.Status.UNDONE):
        raise ValidationError("This import has already been committed.")
    if background is None:
        background = job.total_rows > BACKGROUND_ROWS
    if background:
        from .tasks import run_import_task

        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED, processed_rows=0)
        result = run_import_task.enqueue(job.pk, dry_run)
        ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))
        job.refresh_from_db()
        return job
    pipeline.run(job, dry_run=dry_run)
    job.refresh_from_db()
    return job
