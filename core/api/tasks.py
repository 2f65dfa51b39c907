"""``/tasks``: list (filtered, paginated), detail, create, change (If-Match), and the
actions start, complete and cancel — the services the task screens use.

A task follows its record's access, and its assignees see it as well (assigning a task
is telling someone about it). The record a task is on is named only to callers who may
see that record: an assignee without access gets ``profile_id``/``case_id`` null — the
task, not the person (as on the task screen)."""


from datetime import datetime
from typing import Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from .. import access, services
from ..models import Case, Membership, Profile, Task, TaskPriority
from .auth import require_write
from .common import (
    AuditedPagination,
    Id,
    IsoDate,
    IsoDateTime,
    TeamRef,
    UserRef,
    one_of,
    parents_visible_annotations,
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

TaskStatus = one_of(Task.Status)
Priority = one_of(TaskPriority)

router = Router(tags=["tasks"])



class TaskOut(Schema):
    id: int
    title: str
    description: str
    profile_id: int | None = Field(description="Null when the task is on a case, or the person is not shared with you.")
    case_id: int | None = Field(description="Null when the task is on a profile, or the case is not shared with you.")
    referral_id: int | None
    assigned_user: UserRef | None
    assigned_team: TeamRef | None
    due_on: IsoDate | None
    priority: Priority
    status: TaskStatus
    created_by: UserRef | None
    completed_at: datetime | None
    completion_note: str
    version: int
    created_at: datetime
    updated_at: datetime

    @resolver
    def resolve_profile_id(obj) -> int | None:
        return obj.profile_id if obj.case_id is None and obj.profile_visible else None

    @resolver
    def resolve_case_id(obj) -> int | None:
        return obj.case_id if obj.case_id is not None and obj.case_visible else None


class TaskIn(Schema):
    case: Id | None = Field(None, description="The case it is on (or give profile).")
    profile: Id | None = Field(None, description="The profile it is on, when not on a case.")
    title: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    assigned_user: Id | None = Field(None, description="A user who can see the record…")
    assigned_team: Id | None = Field(None, description="…or a team that can.")
    due_on: IsoDate | None = None
    priority: Priority = Field(int(TaskPriority.NORMAL), description="1 low, 2 normal, 3 high, 4 urgent.")


class TaskPatch(Schema):
    """Only the fields sent are changed."""

    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    assigned_user: Id | None = None
    assigned_team: Id | None = None
    due_on: IsoDate | None = None
    priority: Priority | None = None


class Completion(Schema):
    note: str = ""


class Cancellation(Schema):
    reason: str = Field(..., min_length=1)


class TaskFilters(Schema):
    assignee: Literal["me", "my_teams"] | None = Field(
        None, description="me: assigned to you; my_teams: assigned to one of your teams.")
    status: TaskStatus | None = None
    open: bool | None = Field(None, description="true: open or in progress; false: done or cancelled.")
    case: Id | None = None
    profile: Id | None = None
    due_before: IsoDate | None = Field(None, description="Due on or before this date.")
    due_after: IsoDate | None = Field(None, description="Due on or after this date.")
    updated_since: IsoDateTime | None = Field(None, description="Changed at or after (ISO 8601 with zone).")


def tasks_for(user, *, listing: bool = False, many: bool = False):
    """Tasks ``user`` may see, each annotated ``case_visible``/``profile_visible`` (may
    the user see the record it is on?) — in the page's one query. ``listing``: across
    everything the user may see (see ``core.access.restrict``); ``many``: a list, not one
    task (see ``parents_visible_annotations``)."""
    return access.restrict(Task.objects.all(), user, listing=listing).select_related(
        "assigned_user", "assigned_team__organisation", "created_by",
    ).annotate(**parents_visible_annotations(user, many=many))


def _user_or_field_error(pk: int | None, field: str):
    if pk is None:
        return None
    found = get_user_model()._default_manager.filter(pk=pk, is_active=True).first()
    if found is None:
        raise ValidationError({field: "No such user."})
    return found


def _task_response(request, response, task_id: int):
    task = tasks_for(request.user).get(pk=task_id)
    set_etag(response, task)
    return task


@router.get("/", response={200: list[TaskOut], **ERRORS}, summary="List tasks you can see")
@paginate(AuditedPagination)
def list_tasks(request: HttpRequest, filters: Query[TaskFilters]):
    # Not narrowed to an assignee or a record: read the union of the access arms.
    queryset = tasks_for(request.user, listing=not (filters.assignee or filters.case or filters.profile), many=True)
    if filters.assignee == "me":
        queryset = queryset.filter(assigned_user=request.user)
    elif filters.assignee == "my_teams":
        queryset = queryset.filter(assigned_team_id__in=Membership.objects.filter(user=request.user).values("team_id"))
    if filters.open is not None:
        open_ = Q(status__in=Task.OPEN_STATUSES)
        queryset = queryset.filter(open_) if filters.open else queryset.exclude(open_)
    for field, lookup in (("status", "status"), ("case", "case_id"), ("due_before", "due_on__lte"),
                          ("due_after", "due_on__gte"), ("updated_since", "updated_at__gte")):
        value = getattr(filters, field)
        if value is not None:
            queryset = queryset.filter(**{lookup: value})
    if filters.profile:
        queryset = queryset.filter(case__isnull=True, profile_id=filters.profile)
    request.api_list_filters = filters.model_dump()
    return queryset.order_by("due_on", "-priority", "id")


@router.get("/{task_id}", response={200: TaskOut, **ERRORS}, summary="One task")
def get_task(request: HttpRequest, task_id: Id, response: HttpResponse):
    task = access.get_object_or_404(tasks_for(request.user), request.user, pk=task_id)
    record_detail_read(request, task)
    set_etag(response, task)
    return task


@router.post("/", response={201: TaskOut, **WRITE_ERRORS}, summary="Add a task to a profile or case",
             openapi_extra=IDEMPOTENT)
def create_task(request: HttpRequest, payload: TaskIn, response: HttpResponse):
    require_write(request)

    def create():
        data = payload.model_dump()
        case = visible_or_field_error(Case, request.user, data.pop("case"), "case")
        profile = visible_or_field_error(Profile, request.user, data.pop("profile"), "profile")
        if (case is None) == (profile is None):
            raise ValidationError({"case": "Give exactly one of case or profile."})
        data["assigned_user"] = _user_or_field_error(data["assigned_user"], "assigned_user")
        if data["assigned_team"] is not None:
            data["assigned_team"] = team_or_field_error(data["assigned_team"], "assigned_team")
        task = services.create_task(by=request.user, case=case, profile=profile, **data)
        return TaskOut.from_orm(tasks_for(request.user).get(pk=task.pk)).model_dump(mode="json")

    result = idempotent(request, response, 201, create)
    response["ETag"] = f'"{result.value["version"]}"'
    return result


@router.patch("/{task_id}", response={200: TaskOut, **WRITE_ERRORS}, summary="Change a task (If-Match required)",
              openapi_extra=IF_MATCH)
def update_task(request: HttpRequest, task_id: Id, payload: TaskPatch, response: HttpResponse):
    task = access.get_object_or_404(Task, request.user, pk=task_id)
    require_write(request)
    version = expected_version(request, task)
    changes = payload.model_dump(exclude_unset=True)
    if "assigned_user" in changes:
        changes["assigned_user"] = _user_or_field_error(changes["assigned_user"], "assigned_user")
    if changes.get("assigned_team") is not None:
        changes["assigned_team"] = team_or_field_error(changes["assigned_team"], "assigned_team")
    with api_channel():
        services.update_task(task, by=request.user, changes=changes, expected_version=version)
    return _task_response(request, response, task_id)


@router.post("/{task_id}/start", response={200: TaskOut, **WRITE_ERRORS}, summary="Start working on a task")
def start_task(request: HttpRequest, task_id: Id, response: HttpResponse):
    task = access.get_object_or_404(Task, request.user, pk=task_id)
    require_write(request)
    with api_channel():
        services.start_task(task, by=request.user)
    return _task_response(request, response, task_id)


@router.post("/{task_id}/complete", response={200: TaskOut, **WRITE_ERRORS},
             summary="Complete a task (recorded in its record's action log)")
def complete_task(request: HttpRequest, task_id: Id, payload: Completion, response: HttpResponse):
    task = access.get_object_or_404(Task, request.user, pk=task_id)
    require_write(request)
    with api_channel():
        services.complete_task(task, by=request.user, note=payload.note)
    return _task_response(request, response, task_id)


@router.post("/{task_id}/cancel", response={200: TaskOut, **WRITE_ERRORS},
             summary="Cancel a task (its creator or the record's managers)")
def cancel_task(request: HttpRequest, task_id: Id, payload: Cancellation, response: HttpResponse):
    task = access.get_object_or_404(Task, request.user, pk=task_id)
    require_write(request)
    with api_channel():
        services.cancel_task(task, by=request.user, reason=payload.reason)
    return _task_response(request, response, task_id)
