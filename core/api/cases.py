"""``/cases``: list (filtered, paginated), detail with participants, open, update, and
the actions the services allow — change stage, close, add a participant.

Updates and actions that change the case need ``If-Match`` (the case's version)."""


from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from .. import access, services
from ..models import Case, CaseParticipant, Profile, RiskLevel
from .auth import require_write
from .common import (
    AuditedPagination,
    Id,
    IsoDate,
    IsoDateTime,
    TeamRef,
    UserRef,
    resolver,
    team_or_field_error,
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

router = Router(tags=["cases"])



class ParticipantOut(Schema):
    profile_id: int | None = Field(description="Null when the person is not shared with you.")
    name: str | None = Field(description="Null when the person is not shared with you.")
    role: CaseParticipant.Role

    # Being on a visible case does not share its people (as on the case screen): a
    # participant the caller may not see is shown by role only.
    @resolver
    def resolve_profile_id(obj) -> int | None:
        return obj.profile_id if obj.profile_visible else None

    @resolver
    def resolve_name(obj) -> str | None:
        return obj.profile.full_name if obj.profile_visible else None


class CaseOut(Schema):
    id: int
    reference: str
    programme: str
    case_type: str
    stage: str
    status: Case.Status
    title: str
    summary: str
    owner_team: TeamRef
    lead: UserRef | None
    opened_on: IsoDate
    closed_on: IsoDate | None
    outcome: str
    participants: list[ParticipantOut]
    version: int
    created_at: datetime
    updated_at: datetime

    @resolver
    def resolve_participants(obj) -> list:
        return list(obj.participants.all())


class ParticipantIn(Schema):
    profile: Id
    role: CaseParticipant.Role = CaseParticipant.Role.SUBJECT


class CaseIn(Schema):
    programme: str = Field(..., max_length=64)
    case_type: str = Field(..., max_length=64)
    title: str = Field(..., min_length=1, max_length=200)
    owner_team: Id = Field(..., description="Id of one of your teams.")
    stage: str | None = Field(None, max_length=64, description="Default: the case type's first stage.")
    opened_on: IsoDate | None = None
    summary: str = ""
    participants: list[ParticipantIn] = []


class CasePatch(Schema):
    """Only the fields sent change. A new ``stage`` is a stage change (logged in the
    case's action log, as on the screen); closing is ``POST /cases/{id}/close``."""

    title: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = None
    lead: Id | None = Field(None, description="A user who can see the case; null for none.")
    stage: str | None = Field(None, max_length=64, description="A stage of the case's type.")
    stage_note: str = Field("", description="Logged with a stage change.")


class StageChange(Schema):
    stage: str = Field(..., max_length=64)
    note: str = ""
    occurred_at: IsoDateTime | None = None


class Closure(Schema):
    outcome: str = Field(..., max_length=64)
    notes: str = ""
    closed_on: IsoDate | None = None


class CaseFilters(Schema):
    updated_since: IsoDateTime | None = Field(None, description="Changed at or after (ISO 8601 with zone).")
    programme: str | None = None
    status: Case.Status | None = None
    stage: str | None = None
    owner_team: Id | None = None
    participant_role: CaseParticipant.Role | None = Field(None, description="Has a participant in this role.")
    risk: RiskLevel | None = Field(None, description="Has a participant, visible to you, at this risk level.")
    ordering: str = Field("opened", pattern="^(opened|updated)$", description="opened (newest first, default) or updated.")


def cases_for(user):
    visible = access.restrict(Profile.objects.filter(pk=OuterRef("profile_id")), user, point_lookup=True)
    participants = CaseParticipant.objects.select_related("profile").annotate(profile_visible=Exists(visible))
    return access.restrict(Case.objects.all(), user).select_related("owner_team__organisation", "lead").prefetch_related(
        Prefetch("participants", queryset=participants.order_by("id"))
    )


@router.get("/", response={200: list[CaseOut], **ERRORS}, summary="List cases you can see")
@paginate(AuditedPagination)
def list_cases(request: HttpRequest, filters: Query[CaseFilters]):
    queryset = cases_for(request.user)
    for field, lookup in (("programme", "programme"), ("status", "status"), ("stage", "stage"),
                          ("owner_team", "owner_team_id"), ("updated_since", "updated_at__gte")):
        value = getattr(filters, field)
        if value:
            queryset = queryset.filter(**{lookup: value})
    if filters.participant_role:
        queryset = queryset.filter(
            pk__in=CaseParticipant.objects.filter(role=filters.participant_role).values("case_id")
        )
    if filters.risk:
        # Only profiles the caller can see decide: a hidden profile's risk must not leak.
        risky = access.restrict(Profile.objects.filter(risk_level=filters.risk), request.user)
        queryset = queryset.filter(pk__in=CaseParticipant.objects.filter(profile_id__in=risky.values("pk")).values("case_id"))
    order = ("-opened_on", "-id") if filters.ordering == "opened" else ("updated_at", "id")
    request.api_list_filters = filters.model_dump()
    return queryset.order_by(*order)


def _case_response(request, response, case_id: int):
    case = cases_for(request.user).get(pk=case_id)
    set_etag(response, case)
    return case


@router.get("/{case_id}", response={200: CaseOut, **ERRORS}, summary="One case with its participants")
def get_case(request: HttpRequest, case_id: Id, response: HttpResponse):
    case = access.get_object_or_404(cases_for(request.user), request.user, pk=case_id)
    record_detail_read(request, case)
    set_etag(response, case)
    return case


@router.post("/", response={201: CaseOut, **WRITE_ERRORS}, summary="Open a case", openapi_extra=IDEMPOTENT)
def open_case(request: HttpRequest, payload: CaseIn, response: HttpResponse):
    require_write(request)

    def create():
        data = payload.model_dump()
        team = team_or_field_error(data.pop("owner_team"), "owner_team")
        participants = [
            (visible_or_field_error(Profile, request.user, p["profile"], f"participants.{i}.profile"), p["role"])
            for i, p in enumerate(data.pop("participants"))
        ]
        case = services.open_case(by=request.user, owner_team=team, participants=participants, **data)
        return CaseOut.from_orm(cases_for(request.user).get(pk=case.pk)).model_dump(mode="json")

    result = idempotent(request, response, 201, create)
    response["ETag"] = f'"{result.value["version"]}"'
    return result


@router.patch("/{case_id}", response={200: CaseOut, **WRITE_ERRORS}, summary="Change a case (If-Match required)", openapi_extra=IF_MATCH)
def update_case(request: HttpRequest, case_id: Id, payload: CasePatch, response: HttpResponse):
    case = access.get_object_or_404(Case, request.user, pk=case_id)
    require_write(request)
    version = expected_version(request, case)
    changes = payload.model_dump(exclude_unset=True)
    stage, note = changes.pop("stage", None), changes.pop("stage_note", "")
    if "lead" in changes and changes["lead"] is not None:
        lead = get_user_model()._default_manager.filter(pk=changes["lead"], is_active=True).first()
        if lead is None or not access.can(lead, case):
            raise ValidationError({"lead": "No such user who can see this case."})
        changes["lead"] = lead
    with api_channel(), transaction.atomic():
        # One request, one outcome: the field changes and the stage change are saved
        # together or not at all, each checked against the version it follows.
        if changes:
            services.update_case(case, by=request.user, changes=changes, expected_version=version)
            version += 1
        if stage is not None and stage != case.stage:
            services.change_stage(case, stage, by=request.user, note=note, expected_version=version)
        elif not changes:
            services.update_case(case, by=request.user, changes={}, expected_version=version)
    return _case_response(request, response, case_id)


@router.post("/{case_id}/stage", response={200: CaseOut, **WRITE_ERRORS},
             summary="Move the case to another stage (If-Match required)", openapi_extra=IF_MATCH)
def change_stage(request: HttpRequest, case_id: Id, payload: StageChange, response: HttpResponse):
    case = access.get_object_or_404(Case, request.user, pk=case_id)
    require_write(request)
    version = expected_version(request, case)
    with api_channel():
        services.change_stage(case, payload.stage, by=request.user, note=payload.note,
                              occurred_at=payload.occurred_at, expected_version=version)
    return _case_response(request, response, case_id)


@router.post("/{case_id}/close", response={200: CaseOut, **WRITE_ERRORS},
             summary="Close the case with an outcome (manage; If-Match required)", openapi_extra=IF_MATCH)
def close_case(request: HttpRequest, case_id: Id, payload: Closure, response: HttpResponse):
    case = access.get_object_or_404(Case, request.user, pk=case_id)
    require_write(request)
    version = expected_version(request, case)
    with api_channel():
        services.close_case(case, by=request.user, outcome=payload.outcome, notes=payload.notes,
                            closed_on=payload.closed_on, expected_version=version)
    return _case_response(request, response, case_id)


@router.post("/{case_id}/participants", response={201: CaseOut, **WRITE_ERRORS},
             summary="Add a person to the case", openapi_extra=IDEMPOTENT)
def add_participant(request: HttpRequest, case_id: Id, payload: ParticipantIn, response: HttpResponse):
    case = access.get_object_or_404(Case, request.user, pk=case_id)
    require_write(request)

    def create():
        profile = visible_or_field_error(Profile, request.user, payload.profile, "profile")
        services.add_participant(case, profile, payload.role, by=request.user)
        return CaseOut.from_orm(cases_for(request.user).get(pk=case.pk)).model_dump(mode="json")

    result = idempotent(request, response, 201, create)
    response["ETag"] = f'"{result.value["version"]}"'
    return result

