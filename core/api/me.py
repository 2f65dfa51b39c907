"""``/me``: who the caller is — the user (or service account), their teams and
organisation, and the token in use."""


from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from ..audit import actor_organisation
from ..models import Membership
from .common import OrganisationRef, TeamRef
from .problems import Problem

router = Router(tags=["me"])


class TokenOut(Schema):
    name: str
    prefix: str
    read_only: bool
    expires_at: datetime | None


class MeOut(Schema):
    id: int
    username: str
    name: str
    service_account: bool
    organisation: OrganisationRef | None
    teams: list[TeamRef]
    token: TokenOut | None


@router.get("/", response={200: MeOut, 401: Problem, 429: Problem}, summary="Who this token belongs to")
def me(request: HttpRequest):
    user = request.user
    teams = [m.team for m in Membership.objects.filter(user=user).select_related("team__organisation").order_by("team__name")]
    token = getattr(request, "api_token", None)
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": user.get_full_name() or user.get_username(),
        "service_account": hasattr(user, "service_account"),
        "organisation": token.account.organisation if token else actor_organisation(user),
        "teams": teams,
        "token": token,
    }
