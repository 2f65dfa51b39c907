"""Pieces every resource shares: references to teams and users, the audited paginator,
and the look-ups that turn ids in a request body into objects (or a 422 naming the field)."""


import functools
import re
from datetime import date
from typing import Annotated, Any, Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination
from pydantic import AwareDatetime, BeforeValidator

from .. import access
from ..models import Case, Organisation, Profile, Team
from .conventions import record_list_read

#: A record id in a path, query or body: bounded like the database's 64-bit keys, so an
#: absurd number is a 422 rather than an overflow in the database driver.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]

_NUMBER = re.compile(r"\s*[+-]?\d+(\.\d*)?\s*")


def _iso_only(value):
    # pydantic would read a bare number as a Unix timestamp; the schema promises ISO 8601.
    if isinstance(value, (int, float)) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        raise ValueError("Give an ISO 8601 date or date-time, not a number.")
    return value


#: An ISO 8601 date-time with its time zone (a naive one is refused).
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_only)]
#: An ISO 8601 date.
IsoDate = Annotated[date, BeforeValidator(_iso_only)]


def one_of(choices) -> Any:
    """A model's choices as a ``Literal``: an inline enum in the schema. Django's choice
    classes share names (``Task.Status``, ``Alert.Status``, ``Gallery.Kind``…), and
    pydantic names an enum's schema component after its class, so two of them in one
    API would silently overwrite each other's component."""
    return Literal[tuple(choices.values)]


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

    class Input(Schema):
        # Bounded so that an absurd page is a 422, not an overflow in the database driver.
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=10_000, description="At most 100 are returned.")

    def __init__(self, **kwargs):
        super().__init__(page_size=20, max_page_size=100, **kwargs)

    def paginate_queryset(self, queryset, pagination, request: HttpRequest, **params):
        result = super().paginate_queryset(queryset, pagination, request, **params)
        result["items"] = items = list(result["items"])
        filters = dict(getattr(request, "api_list_filters", {}))
        filters.update(page=pagination.page, page_size=self._get_page_size(pagination.page_size))
        record_list_read(request, queryset.model, filters, [obj.pk for obj in items])
        return result


def parents_visible_annotations(user, *, many: bool) -> dict:
    """``case_visible``/``profile_visible`` annotations (may the user see the row's case,
    its profile?) for tasks and referrals, computed in the row's own query. For one row,
    probed as point look-ups; for a list, read from the user's visible ids computed once:
    probing made PostgreSQL hash every visible case and profile *row* for the API's task
    list (13 of its 65 ms at scale 1.0; 51 ms since)."""
    if many:
        return {
            "case_visible": ExpressionWrapper(Q(case_id__in=access.visible_root_pks(Case, user)), BooleanField()),
            "profile_visible": ExpressionWrapper(Q(profile_id__in=access.visible_root_pks(Profile, user)),
                                                 BooleanField()),
        }
    return {
        "case_visible": Exists(access.restrict(Case.objects.filter(pk=OuterRef("case_id")), user, point_lookup=True)),
        "profile_visible": Exists(
            access.restrict(Profile.objects.filter(pk=OuterRef("profile_id")), user, point_lookup=True)),
    }


def visible_or_field_error(model, user, pk, field: str, level=access.AccessLevel.VIEW):
    """The record ``pk`` if ``user`` may use it at ``level``; else a 422 on ``field``
    that says the same whether it does not exist or is out of reach (no leak)."""
    if pk is None:
        return None
    found = access.restrict(model._default_manager.filter(pk=pk), user, level, point_lookup=True).first()
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

