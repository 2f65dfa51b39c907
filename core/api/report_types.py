"""``/report-types``: the typed reports the caller's organisations may write (active,
and of a programme they run, or of none), each with its current field schema — what
``POST /reports/`` validates ``data`` against. Configuration, not personal data: read
through the same selection as the report screens, not audited."""


from datetime import datetime
from typing import Literal

from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from ..models import ReportType, ReportTypeVersion
from ..programmes import enabled_programmes_for
from .common import Id, one_of
from .problems import ERRORS

AppliesTo = one_of(ReportType.AppliesTo)

router = Router(tags=["reports"])



class SchemaField(Schema):
    key: str
    label: str
    kind: Literal["text", "long_text", "number", "date", "yes_no", "choice", "person", "file"]
    required: bool
    help_text: str = ""
    multiple: bool = False
    choices: list[list[str]] = Field([], description="[value, label] pairs, for choice fields.")


class ReportTypeOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    applies_to: AppliesTo
    programme: str
    restricted_by_default: bool
    version: int = Field(description="The current version of its fields (reports keep the one they were written with).")
    fields: list[SchemaField]
    updated_at: datetime


class ReportTypeFilters(Schema):
    applies_to: AppliesTo | None = None
    programme: str | None = Field(None, max_length=64)


def report_types_for(user):
    """Active report types with fields, of no programme or one the user's organisations run."""
    return ReportType.objects.filter(is_active=True, current_version__gt=0).filter(
        Q(programme="") | Q(programme__in=enabled_programmes_for(user))
    )


def _out(report_type: ReportType, version: ReportTypeVersion) -> dict:
    return {
        "id": report_type.pk, "slug": report_type.slug, "name": report_type.name,
        "description": report_type.description, "applies_to": report_type.applies_to,
        "programme": report_type.programme, "restricted_by_default": report_type.restricted_by_default,
        "version": version.number, "updated_at": report_type.updated_at,
        "fields": [{**entry, "help_text": entry.get("help_text") or ""} for entry in version.schema],
    }


def _with_versions(types) -> list[dict]:
    types = list(types)
    versions = {(v.report_type_id, v.number): v for v in ReportTypeVersion.objects.filter(
        Q(*[Q(report_type_id=t.pk, number=t.current_version) for t in types], _connector=Q.OR)
    )} if types else {}
    return [_out(t, versions[(t.pk, t.current_version)]) for t in types]


@router.get("/", response={200: list[ReportTypeOut], **ERRORS}, summary="Report types you may write")
def list_report_types(request: HttpRequest, filters: Query[ReportTypeFilters]):
    types = report_types_for(request.user)
    if filters.applies_to:
        types = types.filter(applies_to=filters.applies_to)
    if filters.programme is not None:
        types = types.filter(programme=filters.programme)
    return _with_versions(types.order_by("name", "id"))


@router.get("/{report_type_id}", response={200: ReportTypeOut, **ERRORS}, summary="One report type with its fields")
def get_report_type(request: HttpRequest, report_type_id: Id):
    found = report_types_for(request.user).filter(pk=report_type_id)
    if not found:
        raise Http404
    return _with_versions(found)[0]
