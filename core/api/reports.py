"""``/reports``: typed reports on profiles and cases — list (per profile or case, by
type, status, changed since), detail (audited as a consultation), write a draft,
change a draft (If-Match), finalise (If-Match).

``data`` is validated by ``core.services.reports`` with the form generated from the
type's schema — the same validation as on the screen; a bad value answers 422 naming
``data.<key>``. Values: text and long text as strings, numbers as numbers, dates as
ISO 8601 dates, yes/no as booleans, choices as their value (a list when multiple),
person as a profile id you can see. File fields cannot be sent through the API; they
read as ``{"name", "size"}``. A person you may not see reads as null."""


from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from .. import access, services
from ..forms.reports import to_initial
from ..models import Case, Profile, Report
from .auth import require_write
from .common import (
    AuditedPagination,
    Id,
    IsoDateTime,
    OrganisationRef,
    UserRef,
    one_of,
    resolver,
    visible_or_field_error,
)
from .conventions import (
    IDEMPOTENT,
    IF_MATCH,
    api_channel,
    expected_version,
    idempotent,
    record_detail_read,
    set_etag,
)
from .problems import ERRORS, WRITE_ERRORS
from .report_types import report_types_for

ReportStatus = one_of(Report.Status)

router = Router(tags=["reports"])


Value = str | int | float | bool | list[str] | dict | None


class ReportTypeRef(Schema):
    id: int
    slug: str
    name: str


class ReportOut(Schema):
    id: int
    report_type: ReportTypeRef
    type_version: int = Field(description="The version of the type's fields it was written with.")
    profile_id: int | None
    case_id: int | None
    status: ReportStatus
    restricted: bool
    data: dict[str, Value]
    organisation: OrganisationRef
    author: UserRef | None
    version: int
    created_at: datetime
    updated_at: datetime

    @resolver
    def resolve_type_version(obj) -> int:
        return obj.type_version.number

    @resolver
    def resolve_data(obj) -> dict:
        return obj.api_data


class ReportIn(Schema):
    report_type: Id = Field(..., description="A report type's id (GET /report-types/).")
    profile: Id | None = Field(None, description="The profile it is on (or give case).")
    case: Id | None = Field(None, description="The case it is on, for a case report type.")
    data: dict[str, Value] = Field(default_factory=dict, description="Field values by key.")
    restricted: bool | None = Field(None, description="Only your organisation sees it; default: the type's.")


class ReportPatch(Schema):
    """Only the fields sent change; the others keep their value."""

    data: dict[str, Value] = Field(default_factory=dict)
    restricted: bool | None = None


class ReportFilters(Schema):
    profile: Id | None = None
    case: Id | None = None
    report_type: Id | None = None
    status: ReportStatus | None = None
    updated_since: IsoDateTime | None = Field(None, description="Changed at or after (ISO 8601 with zone).")


def _readable(schema: list[dict], data: dict, visible_people: set) -> dict:
    out = {}
    for entry in schema:
        value = data.get(entry["key"])
        if entry["kind"] == "person" and value is not None and value not in visible_people:
            value = None  # a person the reader may not see is not disclosed, not even by id
        elif entry["kind"] == "file" and isinstance(value, dict):
            value = {"name": value.get("name", ""), "size": value.get("size")}
        out[entry["key"]] = value
    return out


def with_readable_data(user, reports: list[Report]) -> list[Report]:
    """Set ``api_data`` on each report: its values as the reader may see them (one
    query for the people named in the whole page)."""
    people = {
        r.data.get(e["key"]) for r in reports for e in r.type_version.schema if e["kind"] == "person"
    } - {None}
    visible = access.visible_pks(user, Profile, [p for p in people if isinstance(p, int)])
    for report in reports:
        report.api_data = _readable(report.type_version.schema, report.data, visible)
    return reports


def reports_for(user):
    return access.restrict(Report.objects.all(), user).select_related(
        "report_type", "type_version", "organisation", "author",
    )


class ReportPagination(AuditedPagination):
    """The audited paginator, which then works out what of each page's data the caller may see."""

    def paginate_queryset(self, queryset, pagination, request=None, **params):
        page = super().paginate_queryset(queryset, pagination, request=request, **params)
        page["items"] = with_readable_data(request.user, list(page["items"]))
        return page


def _form_data(schema: list[dict], values: dict) -> dict:
    """JSON values → what the schema's form reads (a bad key is a 422 naming it)."""
    kinds = {e["key"]: e for e in schema}
    errors, data = {}, {}
    for key, value in values.items():
        entry = kinds.get(key)
        if entry is None:
            errors[f"data.{key}"] = "This report type has no such field."
            continue
        kind = entry["kind"]
        if kind == "file":
            if value is not None:
                errors[f"data.{key}"] = "Files cannot be sent through the API; attach them on the report's screen."
            continue
        if value is None:
            data[key] = [] if kind == "choice" and entry.get("multiple") else ""
        elif kind == "yes_no" and isinstance(value, bool):
            data[key] = "yes" if value else "no"
        elif isinstance(value, bool) or isinstance(value, dict):
            errors[f"data.{key}"] = "Give a value of the field's kind."
        elif isinstance(value, list):
            data[key] = [str(v) for v in value]
        elif isinstance(value, float):
            data[key] = str(Decimal(str(value)))
        else:
            data[key] = str(value)
    if errors:
        raise ValidationError(errors)
    return data


def _stored_form_data(schema: list[dict], stored: dict) -> dict:
    initial = to_initial(schema, stored)
    return {k: (v if isinstance(v, list) else str(v)) for k, v in initial.items()}


def _in_data(exc: ValidationError, schema: list[dict]) -> ValidationError:
    """The service names the schema's keys; the API names them inside ``data``."""
    if not hasattr(exc, "error_dict") or isinstance(exc, services.ConflictError):
        return exc
    keys = {e["key"] for e in schema}
    return ValidationError({(f"data.{k}" if k in keys else k): v for k, v in exc.error_dict.items()})


def _report_response(request, response, report_id: int):
    report = with_readable_data(request.user, [reports_for(request.user).get(pk=report_id)])[0]
    set_etag(response, report)
    return report


@router.get("/", response={200: list[ReportOut], **ERRORS}, summary="List reports you can see")
@paginate(ReportPagination)
def list_reports(request: HttpRequest, filters: Query[ReportFilters]):
    queryset = reports_for(request.user)
    for field, lookup in (("profile", "profile_id"), ("case", "case_id"), ("report_type", "report_type_id"),
                          ("status", "status"), ("updated_since", "updated_at__gte")):
        value = getattr(filters, field)
        if value is not None:
            queryset = queryset.filter(**{lookup: value})
    request.api_list_filters = filters.model_dump()
    return queryset.order_by("-updated_at", "-id")


@router.get("/{report_id}", response={200: ReportOut, **ERRORS}, summary="One report")
def get_report(request: HttpRequest, report_id: Id, response: HttpResponse):
    report = access.get_object_or_404(reports_for(request.user), request.user, pk=report_id)
    record_detail_read(request, report)
    return _report_response(request, response, report.pk)


@router.post("/", response={201: ReportOut, **WRITE_ERRORS},
             summary="Write a draft report (contribute on the record)", openapi_extra=IDEMPOTENT)
def create_report(request: HttpRequest, payload: ReportIn, response: HttpResponse):
    require_write(request)

    def create():
        profile = visible_or_field_error(Profile, request.user, payload.profile, "profile")
        case = visible_or_field_error(Case, request.user, payload.case, "case")
        if (profile is None) == (case is None):
            raise ValidationError({"profile": "Give exactly one of profile or case."})
        report_type = report_types_for(request.user).filter(pk=payload.report_type).first()
        if report_type is None:
            raise ValidationError({"report_type": "No such report type that you can use."})
        schema = report_type.versions.get(number=report_type.current_version).schema
        try:
            report = services.create_report(
                by=request.user, report_type=report_type, profile=profile, case=case,
                data=_form_data(schema, payload.data), restricted=payload.restricted,
            )
        except ValidationError as exc:
            raise _in_data(exc, schema) from exc
        report = with_readable_data(request.user, [reports_for(request.user).get(pk=report.pk)])[0]
        return ReportOut.from_orm(report).model_dump(mode="json")

    result = idempotent(request, response, 201, create)
    response["ETag"] = f'"{result.value["version"]}"'
    return result


def _save(request, report_id: int, values: dict, *, final: bool, restricted: bool | None):
    report = access.get_object_or_404(reports_for(request.user), request.user, pk=report_id)
    require_write(request)
    version = expected_version(request, report)
    schema = report.type_version.schema
    data = {**_stored_form_data(schema, report.data), **_form_data(schema, values)}
    with api_channel():
        try:
            services.update_report(report, by=request.user, data=data, final=final, restricted=restricted,
                                   expected_version=version)
        except ValidationError as exc:
            raise _in_data(exc, schema) from exc


@router.patch("/{report_id}", response={200: ReportOut, **WRITE_ERRORS},
              summary="Change a draft (If-Match required)", openapi_extra=IF_MATCH)
def update_report(request: HttpRequest, report_id: Id, payload: ReportPatch, response: HttpResponse):
    _save(request, report_id, payload.data, final=False, restricted=payload.restricted)
    return _report_response(request, response, report_id)


@router.post("/{report_id}/finalise", response={200: ReportOut, **WRITE_ERRORS},
             summary="Save a draft as final: it can no longer change (If-Match required)", openapi_extra=IF_MATCH)
def finalise_report(request: HttpRequest, report_id: Id, response: HttpResponse):
    _save(request, report_id, {}, final=True, restricted=None)
    return _report_response(request, response, report_id)
