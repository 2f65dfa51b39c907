"""``/galleries``: the galleries whose audience includes the caller, and their cards.

A card is the deliberate minimal disclosure of the gallery screens (photo flag, name,
age, risk, owner team and how to contact it) and is shown to the audience whether or
not they have access to the profile — the same cards as on the screen
(``core.admin.galleries.build_cards``) and, like there, each page of cards is audited
as a VIEW of the gallery naming the cards it disclosed (channel ``api``). Anyone not
in a gallery's audience gets 404."""


from datetime import datetime

from django.http import Http404, HttpRequest
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from .. import audit
from ..models import Channel, Gallery, RiskLevel
from ..services.galleries import galleries_for, gallery_profiles, record_gallery_view
from .common import AuditedPagination, Id, one_of
from .problems import ERRORS

GalleryKind = one_of(Gallery.Kind)

router = Router(tags=["galleries"])



class GalleryOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    kind: GalleryKind
    programme: str
    created_at: datetime


class CardOut(Schema):
    profile_id: int
    name: str
    age: int | None
    risk: RiskLevel
    owner_team: str
    owner_organisation: str
    contact_email: str
    contact_phone: str
    has_photo: bool
    has_access: bool
    access_requested: bool


def _gallery(user, pk: int) -> Gallery:
    gallery = galleries_for(user).filter(pk=pk).first()
    if gallery is None:
        raise Http404
    return gallery


class CardPagination(AuditedPagination):
    """The API's page-number pagination over the gallery's profiles; each page becomes
    minimal cards and is audited as a view of the gallery naming them (as on the
    screen) instead of as a list of profiles."""

    def paginate_queryset(self, queryset, pagination, request: HttpRequest, **params):
        from ..admin.galleries import build_cards

        result = PageNumberPagination.paginate_queryset(self, queryset, pagination, request, **params)
        cards = build_cards(request.user, result["items"])
        with audit.audit_context(Channel.API):
            record_gallery_view(request.api_gallery, by=request.user, profile_ids=[c.profile_id for c in cards])
        result["items"] = [
            {"profile_id": c.profile_id, "name": c.name, "age": c.age, "risk": c.risk, "owner_team": c.owner_team,
             "owner_organisation": c.owner_organisation, "contact_email": c.contact_email,
             "contact_phone": c.contact_phone, "has_photo": c.has_photo, "has_access": c.has_access,
             "access_requested": c.requested}
            for c in cards
        ]
        return result


@router.get("/", response={200: list[GalleryOut], **ERRORS}, summary="Galleries whose audience includes you")
def list_galleries(request: HttpRequest):
    return list(galleries_for(request.user).order_by("name", "id"))


@router.get("/{gallery_id}", response={200: GalleryOut, **ERRORS}, summary="One gallery")
def get_gallery(request: HttpRequest, gallery_id: Id):
    return _gallery(request.user, gallery_id)


@router.get("/{gallery_id}/cards", response={200: list[CardOut], **ERRORS},
            summary="A gallery's cards, newest first (each page audited as a disclosure)")
@paginate(CardPagination)
def list_cards(request: HttpRequest, gallery_id: Id):
    request.api_gallery = _gallery(request.user, gallery_id)
    return gallery_profiles(request.api_gallery).select_related("owner_team__organisation").order_by(
        "-card_added_at", "last_name", "pk"
    )
