"""Sharing through the API: grants on a profile or a case (list, create, revoke) and
transfer of ownership. The same services as the sharing screens: manage is needed to
share, revoke or transfer; each is audited and notifies the grantee."""


from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from .. import access, services
from ..models import AccessLevel, Case, Grant, Profile
from .auth import require_write
from .common import Id, IsoDateTime, grantee_or_field_error, resolver, team_or_field_error
from .conventions import IDEMPOTENT, IF_MATCH, api_channel, expected_version, idempotent, set_etag
from .problems import ERRORS, WRITE_ERRORS

router = Router(tags=["grants"])

TARGETS = {"profiles": Profile, "cases": Case}
LEVELS = {"view": AccessLevel.VIEW, "contribute": AccessLevel.CONTRIBUTE, "manage": AccessLevel.MANAGE}
LEVEL_NAMES = {v: k for k, v in LEVELS.items()}


class GrantOut(Schema):
    id: int
    profile_id: int | None
    case_id: int | None
    user_id: int | None
    team_id: int | None
    organisation_id: int | None
    grantee: str
    level: str
    reason: str
    granted_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    in_force: bool
    version: int

    @resolver
    def resolve_grantee(obj) -> str:
        return str(obj.user or obj.team or obj.organisation or "")

    @resolver
    def resolve_level(obj) -> str:
        return LEVEL_NAMES[AccessLevel(obj.level)]

    @resolver
    def resolve_in_force(obj) -> bool:
        from django.utils import timezone

        return obj.revoked_at is None and (obj.expires_at is None or obj.expires_at > timezone.now())


class GrantIn(Schema):
    user: Id | None = Field(None, description="Grant to one user…")
    team: Id | None = Field(None, description="…or to a team…")
    organisation: Id | None = Field(None, description="…or to a whole organisation.")
    level: str = Field(..., pattern="^(view|contribute|manage)$")
    reason: str = Field(..., min_length=1)
    expires_at: IsoDateTime | None = None


class TransferOut(Schema):
    owner_team: int
    version: int
    previous_owner_grant: int | None


class Revocation(Schema):
    reason: str = ""


class Transfer(Schema):
    to_team: Id
    reason: str = Field(..., min_length=1)
    previous_owner_level: str | None = Field("view", pattern="^(view|contribute|manage)$",
                                             description="What the previous owner team keeps; null for nothing.")
    consent_reviewed: bool = Field(False, description="Profiles only: the consent to share was reviewed.")


def _grants_query(user):
    return access.restrict(Grant.objects.all(), user).select_related("user", "team__organisation", "organisation")


def _target(request, kind: str, pk: int, level=AccessLevel.VIEW):
    return access.get_object_or_404(TARGETS[kind], request.user, level, pk=pk)


def _register(kind: str) -> None:
    model = TARGETS[kind]
    noun = model._meta.verbose_name

    @router.get(f"/{kind}/{{pk}}/grants", response={200: list[GrantOut], **ERRORS},
                summary=f"Grants on a {noun}", operation_id=f"list_{kind}_grants")
    def list_grants(request: HttpRequest, pk: Id):
        target = _target(request, kind, pk)
        return list(_grants_query(request.user).filter(**{f"{noun}_id": target.pk}).order_by("-granted_at", "-id"))

    @router.post(f"/{kind}/{{pk}}/grants", response={201: GrantOut, **WRITE_ERRORS},
                 summary=f"Share a {noun} (manage needed)", operation_id=f"create_{kind}_grant", openapi_extra=IDEMPOTENT)
    def create_grant(request: HttpRequest, pk: Id, payload: GrantIn, response: HttpResponse):
        target = _target(request, kind, pk)
        require_write(request)

        def create():
            grantee = grantee_or_field_error(user=payload.user, team=payload.team, organisation=payload.organisation)
            grant = services.grant_access(target, grantee, LEVELS[payload.level], by=request.user,
                                          reason=payload.reason, expires_at=payload.expires_at)
            return GrantOut.from_orm(_grants_query(request.user).get(pk=grant.pk)).model_dump(mode="json")

        return idempotent(request, response, 201, create)

    @router.post(f"/{kind}/{{pk}}/transfer", response={200: TransferOut, **WRITE_ERRORS},
                 summary=f"Transfer ownership of a {noun} (manage; If-Match required)",
                 operation_id=f"transfer_{kind}", openapi_extra=IF_MATCH)
    def transfer(request: HttpRequest, pk: Id, payload: Transfer, response: HttpResponse):
        target = _target(request, kind, pk)
        require_write(request)
        version = expected_version(request, target)
        to_team = team_or_field_error(payload.to_team, "to_team")
        level = LEVELS[payload.previous_owner_level] if payload.previous_owner_level else None
        with api_channel():
            kept = services.transfer_ownership(
                target, to_team, by=request.user, reason=payload.reason, previous_owner_level=level,
                consent_reviewed=payload.consent_reviewed, expected_version=version,
            )
        target.refresh_from_db()
        set_etag(response, target)
        return {"owner_team": to_team.pk, "version": target.version,
                     "previous_owner_grant": kept.pk if kept else None}


for _kind in TARGETS:
    _register(_kind)


@router.post("/grants/{grant_id}/revoke", response={200: GrantOut, **WRITE_ERRORS},
             summary="Revoke a grant (manage on its record; If-Match required)", openapi_extra=IF_MATCH)
def revoke_grant(request: HttpRequest, grant_id: Id, payload: Revocation, response: HttpResponse):
    grant = access.get_object_or_404(_grants_query(request.user), request.user, pk=grant_id)
    require_write(request)
    version = expected_version(request, grant)
    with api_channel():
        services.revoke_grant(grant, by=request.user, reason=payload.reason, expected_version=version)
    grant = Grant.objects.select_related("user", "team__organisation", "organisation").get(pk=grant.pk)
    set_etag(response, grant)
    return grant


@router.get("/grants/{grant_id}", response={200: GrantOut, **ERRORS}, summary="One grant")
def get_grant(request: HttpRequest, grant_id: Id, response: HttpResponse):
    grant = access.get_object_or_404(_grants_query(request.user), request.user, pk=grant_id)
    set_etag(response, grant)
    return grant
