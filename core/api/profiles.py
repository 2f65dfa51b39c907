"""``/profiles``: list (filtered, paginated), detail, create, update.

Reads come from ``core.access.restrict`` (list) and ``core.access.get_object_or_404``
(detail: 404 outside access); writes go through ``core.services``. Every read is
audited: a detail read is a VIEW event, a list page one SEARCH event with its filters
and the ids it returned."""


from datetime import datetime

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from .. import access, services
from ..access.listing import VisibleProfileList
from ..models import (
    Address,
    CaseParticipant,
    Identifier,
    PersonRole,
    Profile,
    ProfileAlias,
    RiskLevel,
    WarningMarker,
)
from .auth import require_write
from .common import (
    AuditedPagination,
    Id,
    IsoDate,
    IsoDateTime,
    TeamRef,
    one_of,
    resolver,
    team_or_field_error,
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

AliasKind = one_of(ProfileAlias.Kind)
AddressKind = one_of(Address.Kind)

router = Router(tags=["profiles"])

Gender = str  # validated by the model's choices (the service answers 422 naming the field)


class IdentifierIn(Schema):
    kind: str = Field(..., max_length=64)
    value: str = Field(..., max_length=100)


class IdentifierOut(Schema):
    kind: str
    value: str


class AliasIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: AliasKind = ProfileAlias.Kind.ALIAS.value


class AddressIn(Schema):
    kind: AddressKind = Address.Kind.HOME.value
    line1: str = Field(..., min_length=1, max_length=200)
    line2: str = Field("", max_length=200)
    town: str = Field("", max_length=100)
    county: str = Field("", max_length=100)
    postcode: str = Field("", max_length=10)
    current: bool = True
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None


class AddressOut(AddressIn):
    pass


class ProfileOut(Schema):
    id: int
    first_name: str
    middle_names: str
    last_name: str
    preferred_name: str
    date_of_birth: IsoDate | None
    date_of_birth_approximate: bool
    gender: str
    phone: str
    email: str
    risk_level: RiskLevel
    owner_team: TeamRef
    consent_to_share: Profile.Consent
    lawful_basis: str
    consent_recorded_on: IsoDate | None
    person_roles: list[str]
    warning_markers: list[str]
    identifiers: list[IdentifierOut]
    aliases: list[AliasIn]
    addresses: list[AddressOut]
    version: int
    created_at: datetime
    updated_at: datetime

    @resolver
    def resolve_person_roles(obj) -> list[str]:
        return sorted(r.role for r in obj.person_roles.all())

    @resolver
    def resolve_warning_markers(obj) -> list[str]:
        return sorted(m.marker for m in obj.warning_markers.all())

    @resolver
    def resolve_identifiers(obj) -> list[dict]:
        return [{"kind": i.kind, "value": i.value} for i in obj.identifiers.all()]

    @resolver
    def resolve_aliases(obj) -> list:
        return list(obj.aliases.all())

    @resolver
    def resolve_addresses(obj) -> list:
        return list(obj.addresses.all())


class _ProfileFields(Schema):
    middle_names: str = Field("", max_length=200)
    preferred_name: str = Field("", max_length=100)
    date_of_birth: IsoDate | None = None
    date_of_birth_approximate: bool = False
    gender: Profile.Gender = Profile.Gender.UNKNOWN
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    risk_level: RiskLevel = RiskLevel.UNKNOWN
    consent_to_share: Profile.Consent = Profile.Consent.NOT_SOUGHT
    lawful_basis: Profile.LawfulBasis = Profile.LawfulBasis.NONE
    consent_recorded_on: IsoDate | None = None
    notes: str = ""


class ProfileIn(_ProfileFields):
    first_name: str = Field(..., min_length=1, max_length=100)
    last_name: str = Field(..., min_length=1, max_length=100)
    owner_team: Id = Field(..., description="Id of one of your teams.")
    person_roles: list[str] = []
    warning_markers: list[str] = []
    identifiers: list[IdentifierIn] = []
    aliases: list[str] = []
    addresses: list[AddressIn] = []


class ProfilePatch(Schema):
    """Only the fields sent are changed. A list sent (``person_roles``,
    ``warning_markers``, ``identifiers``, ``aliases``, ``addresses``) becomes the
    profile's whole set — send what you read with your change; ``[]`` empties it."""

    first_name: str | None = Field(None, min_length=1, max_length=100)
    last_name: str | None = Field(None, min_length=1, max_length=100)
    middle_names: str | None = Field(None, max_length=200)
    preferred_name: str | None = Field(None, max_length=100)
    date_of_birth: IsoDate | None = None
    date_of_birth_approximate: bool | None = None
    gender: Profile.Gender | None = None
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=254)
    risk_level: RiskLevel | None = None
    consent_to_share: Profile.Consent | None = None
    lawful_basis: Profile.LawfulBasis | None = None
    consent_recorded_on: IsoDate | None = None
    notes: str | None = None
    person_roles: list[str] | None = Field(None, description="Person-role codes, e.g. offender.")
    warning_markers: list[str] | None = Field(None, description="Warning-marker codes.")
    identifiers: list[IdentifierIn] | None = None
    aliases: list[AliasIn] | None = None
    addresses: list[AddressIn] | None = Field(None, description="At most one current.")


RELATED_SETS = ("person_roles", "warning_markers", "identifiers", "aliases", "addresses")


class ProfileFilters(Schema):
    updated_since: IsoDateTime | None = Field(None, description="Changed at or after (ISO 8601 with zone).")
    risk: RiskLevel | None = None
    person_role: str | None = Field(None, description="A person-role code, e.g. offender.")
    owner_team: Id | None = None
    programme: str | None = Field(None, description="In a case of this programme that you can see.")
    ordering: str = Field("name", pattern="^(name|updated)$", description="name (default) or updated.")


def _with_response_fields(queryset):
    """``queryset`` with what the response shows, in a constant number of queries."""
    return queryset.select_related("owner_team__organisation").prefetch_related(
        Prefetch("person_roles", queryset=PersonRole.objects.order_by("role")),
        Prefetch("warning_markers", queryset=WarningMarker.objects.order_by("marker")),
        Prefetch("identifiers", queryset=Identifier.objects.order_by("kind", "value")),
        Prefetch("aliases", queryset=ProfileAlias.objects.order_by("id")),
        Prefetch("addresses", queryset=Address.objects.order_by("id")),
    )


def profiles_for(user):
    """Profiles ``user`` may view, with what the response shows."""
    return _with_response_fields(access.restrict(Profile.objects.all(), user))


@router.get("/", response={200: list[ProfileOut], **ERRORS}, summary="List profiles you can see")
@paginate(AuditedPagination)
def list_profiles(request: HttpRequest, filters: Query[ProfileFilters]):
    request.api_list_filters = filters.dict()
    if filters.ordering == "name" and not any(value for name, value in filters if name != "ordering"):
        # The unfiltered list by name is paged from the access index, as the admin's list is.
        return VisibleProfileList(request.user, _with_response_fields(Profile.objects.all()))
    queryset = profiles_for(request.user)
    if filters.updated_since:
        queryset = queryset.filter(updated_at__gte=filters.updated_since)
    if filters.risk:
        queryset = queryset.filter(risk_level=filters.risk)
    if filters.person_role:
        queryset = queryset.filter(pk__in=PersonRole.objects.filter(role=filters.person_role).values("profile_id"))
    if filters.owner_team:
        queryset = queryset.filter(owner_team_id=filters.owner_team)
    if filters.programme:
        # Only cases the caller can see: a hidden case must not reveal who is in it.
        participations = access.restrict(CaseParticipant.objects.filter(case__programme=filters.programme), request.user)
        queryset = queryset.filter(pk__in=participations.values("profile_id"))
    order = ("last_name", "first_name", "id") if filters.ordering == "name" else ("updated_at", "id")
    return queryset.order_by(*order)


@router.get("/{profile_id}", response={200: ProfileOut, **ERRORS}, summary="One profile")
def get_profile(request: HttpRequest, profile_id: Id, response: HttpResponse):
    profile = access.get_object_or_404(profiles_for(request.user), request.user, pk=profile_id)
    record_detail_read(request, profile)
    set_etag(response, profile)
    return profile


@router.post("/", response={201: ProfileOut, **WRITE_ERRORS}, summary="Create a profile", openapi_extra=IDEMPOTENT)
def create_profile(request: HttpRequest, payload: ProfileIn, response: HttpResponse):
    require_write(request)

    def create():
        data = payload.model_dump()
        team = team_or_field_error(data.pop("owner_team"), "owner_team")
        data["identifiers"] = [(i["kind"], i["value"]) for i in data["identifiers"]]
        profile = services.create_profile(by=request.user, owner_team=team, **data)
        return ProfileOut.from_orm(profiles_for(request.user).get(pk=profile.pk)).model_dump(mode="json")

    result = idempotent(request, response, 201, create)
    response["ETag"] = f'"{result.value["version"]}"'
    return result


@router.patch("/{profile_id}", response={200: ProfileOut, **WRITE_ERRORS}, summary="Change a profile (If-Match required)", openapi_extra=IF_MATCH)
def update_profile(request: HttpRequest, profile_id: Id, payload: ProfilePatch, response: HttpResponse):
    profile = access.get_object_or_404(Profile, request.user, pk=profile_id)
    require_write(request)
    version = expected_version(request, profile)
    changes = payload.model_dump(exclude_unset=True)
    sets = {name: changes.pop(name) for name in RELATED_SETS if name in changes}
    for name in RELATED_SETS:
        if name in sets and sets[name] is None:
            sets[name] = []  # null reads as "none"
    if "identifiers" in sets:
        sets["identifiers"] = [(i["kind"], i["value"]) for i in sets["identifiers"]]
    if "aliases" in sets:
        sets["aliases"] = [(a["name"], a["kind"]) for a in sets["aliases"]]
    with api_channel():
        # The admin's profile edit: fields and sets saved together, one event, one version.
        services.edit_profile(profile, by=request.user, changes=changes, expected_version=version, **sets)
    profile = profiles_for(request.user).get(pk=profile.pk)
    set_etag(response, profile)
    return profile
