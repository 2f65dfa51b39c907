"""``/activities``: the action log of cases and profiles (list, detail, record).

Entries follow their case's (or profile's) access; restricted entries only reach the
recording organisation — all decided by ``core.access``."""


from datetime import datetime

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from .. import access, services
from ..access.listing import VisibleActivityList
from ..models import Activity, Case, Profile
from .auth import require_write
from .common import (
    AuditedPagination,
    Id,
    IsoDateTime,
    OrganisationRef,
    resolver,
    visible_or_field_error,
)
from .conventions import IDEMPOTENT, idempotent, record_detail_read
from .problems import ERRORS, UNVERSIONED_WRITE_ERRORS

router = Router(tags=["activities"])



class ActivityOut(Schema):
    id: int
    case_id: int | None
    profile_id: int | None
    kind: Activity.Kind
    occurred_at: datetime
    summary: str
    details: str
    recorded_by: str
    organisation: OrganisationRef
    restricted: bool
    created_at: datetime

    @resolver
    def resolve_recorded_by(obj) -> str:
        user = obj.recorded_by
        return (user.get_full_name() or user.get_username()) if user else ""


class ActivityIn(Schema):
    case: Id | None = Field(None, description="The case it belongs to (or give profile).")
    profile: Id | None = Field(None, description="The profile it belongs to, when not on a case.")
    kind: Activity.Kind = Activity.Kind.CONTACT
    summary: str = Field(..., min_length=1, max_length=300)
    details: str = ""
    occurred_at: IsoDateTime | None = None
    restricted: bool = False


class ActivityFilters(Schema):
    case: Id | None = None
    profile: Id | None = None
    kind: Activity.Kind | None = None
    since: IsoDateTime | None = Field(None, description="Happened at or after (ISO 8601 with zone).")


def activities_for(user):
    return access.restrict(Activity.objects.all(), user).select_related("recorded_by", "organisation")


@router.get("/", response={200: list[ActivityOut], **ERRORS}, summary="List activities you can see")
@paginate(AuditedPagination)
def list_activities(request: HttpRequest, filters: Query[ActivityFilters]):
    request.api_list_filters = filters.model_dump()
    if not (filters.case or filters.profile):
        # Every visible activity (of a kind, since a time), newest first: counted and paged
        # from the covering indexes, the filters applied inside them.
        where = Q(**{lookup: value for lookup, value in (("kind", filters.kind), ("occurred_at__gte", filters.since))
                     if value})
        return VisibleActivityList(request.user, Activity.objects.select_related("recorded_by", "organisation"),
                                   where=where)
    queryset = activities_for(request.user)  # a case's or a profile's: probed as such
    if filters.case:
        queryset = queryset.filter(case_id=filters.case)
    if filters.profile:
        queryset = queryset.filter(profile_id=filters.profile)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.since:
        queryset = queryset.filter(occurred_at__gte=filters.since)
    return queryset.order_by("-occurred_at", "-id")


@router.get("/{activity_id}", response={200: ActivityOut, **ERRORS}, summary="One activity")
def get_activity(request: HttpRequest, activity_id: Id):
    activity = access.get_object_or_404(activities_for(request.user), request.user, pk=activity_id)
    record_detail_read(request, activity)
    return activity


@router.post("/", response={201: ActivityOut, **UNVERSIONED_WRITE_ERRORS}, summary="Record an activity", openapi_extra=IDEMPOTENT)
def add_activity(request: HttpRequest, payload: ActivityIn, response: HttpResponse):
    require_write(request)

    def create():
        data = payload.model_dump()
        case = visible_or_field_error(Case, request.user, data.pop("case"), "case")
        profile = visible_or_field_error(Profile, request.user, data.pop("profile"), "profile")
        activity = services.add_activity(by=request.user, case=case, profile=profile, **data)
        return ActivityOut.from_orm(activities_for(request.user).get(pk=activity.pk)).model_dump(mode="json")

    return idempotent(request, response, 201, create)
