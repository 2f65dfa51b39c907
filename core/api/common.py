"""Pieces every resource shares: references to teams and users, the audited paginator,
and the look-ups that turn ids in a request body into objects (or a 422 naming the field)."""


import functools

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Schema
from ninja.pagination import PageNumberPagination

from .. import access
from ..models import Organisation, Team
from .conventions import record_list_read


def resolver(fn):
    """A schema resolver that also accepts an already-serialised dict: a replayed
    ``Idempotency-Key`` response is stored as JSON and validated again on the way out."""
    name = fn.__name__.removeprefix("resolve_")

    @functools.wraps(fn)
    def wrapper(obj):
        return obj[name] if isinstance(obj, dict) else fn(obj)

    return staticmethod(wrapper)


class OrganisationRef(Schema):
    id: int
    name: str


class TeamRef(Schema):
    id: int
    name: str
    organisation: OrganisationRef


class UserRef(Schema):
    id: int
    username: str
    name: str

    @resolver
    def resolve_name(obj) -> str:
        return obj.get_full_name() or obj.get_username()


class AuditedPagination(PageNumberPagination):
    """Ninja's page-number pagination (``page``, ``page_size`` ≤ 100; ``count`` and
    ``items``), which also records the list read: one SEARCH audit event with the
    filters the view put on ``request.api_list_filters`` and the ids on the page."""

    def __init__(self, **kwargs):
        super().__init__(page_size=20, max_page_size=100, **kwargs)

    def paginate_queryset(self, queryset, pagination, request: HttpRequest, **params):
        result = super().paginate_queryset(queryset, pagination, request, **params)
        result["items"] = items = list(result["items"])
        filters = dict(getattr(request, "api_list_filters", {}))
        filters.update(page=pagination.page, page_size=self._get_page_size(pagination.page_size))
        record_list_read(request, queryset.model, filters, [obj.pk for obj in items])
        return result


def visible_or_field_error(model, user, pk, field: str, level=access.AccessLevel.VIEW):
    """The record ``pk`` if ``user`` may use it at ``level``; else a 422 on ``field``
    that says the same whether it does not exist or is out of reach (no leak)."""
    if pk is None:
        return None
    found = access.restrict(model._default_manager.filter(pk=pk), user, level).first()
    if found is None:
        raise ValidationError({field: f"No such {model._meta.verbose_name} that you can use."})
    return found


def team_or_field_error(pk: int, field: str) -> Team:
    team = Team.objects.select_related("organisation").filter(pk=pk).first()
    if team is None:
        raise ValidationError({field: "No such team."})
    return team


def grantee_or_field_error(*, user: int | None, team: int | None, organisation: int | None):
    given = [(k, v) for k, v in (("user", user), ("team", team), ("organisation", organisation)) if v is not None]
    if len(given) != 1:
        raise ValidationError({"grantee": "Give exactly one of user, team or organisation."})
    kind, pk = given[0]
    model = {"user": get_user_model(), "team": Team, "organisation": Organisation}[kind]
    found = model._default_manager.filter(pk=pk).first()
    if found is None:
        raise ValidationError({f"grantee.{kind}": f"No such {kind}."})
    return found

