"""Admin: galleries (photo-first card grids) and the access-request inbox.

- ``/admin/gallery-definitions/``: a ``ModelViewSet`` for partnership admins (model
  permissions ``core.*_gallery``) defining galleries: explicit or saved filter, the
  criteria, the audience. Configuration, not personal data.
- ``/admin/galleries/`` (``wraparound_galleries``): the galleries whose audience includes
  the user; ``<pk>/`` the card grid; ``<pk>/photo/<profile>/`` a card's photo;
  ``<pk>/request/<profile>/`` asking the owner for access; ``<pk>/add/`` putting a
  profile on an explicit gallery; ``<pk>/remove/<entry>/`` taking it off.
- ``/admin/access-requests/`` (``wraparound_access_requests``): requests waiting for
  the user's decision (on records they manage) and their own requests;
  ``<pk>/`` approving (choosing the level) or refusing.

The *minimal card* is built as a :class:`Card` holding only its fields (photo, name,
age, risk, owner team and its contact); the templates never receive the profile, so
nothing else of it can slip onto the page. A gallery outside the user's audience, a
profile not on the gallery and a request the user may not decide all answer 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404 as plain_get_object_or_404
from django.urls import path, reverse
from django.views import View
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet

from .. import access, audit, services
from ..access import AccessLevel
from ..models import AccessRequest, AuditAction, Gallery, GalleryEntry, Profile, RiskLevel
from ..plugins.registry import registry
from ..plugins.screens import add_service_errors, forbidden_as_403
from ..services.errors import NotAllowed
from ..services.galleries import (
    filter_by_facets,
    galleries_for,
    gallery_profiles,
    record_gallery_view,
)
from ..views import profile_photo_response

NAMESPACE = "wraparound_galleries"
REQUESTS_NAMESPACE = "wraparound_access_requests"
CARDS_PER_PAGE = 48
RISK_CLASS = {"high": "critical", "very_high": "critical", "medium": "warning"}


# Definitions (admins) ---------------------------------------------------------------

class GalleryForm(WagtailAdminModelForm):
    programme = forms.ChoiceField(required=False)
    open_case_programme = forms.ChoiceField(required=False, label="Open case in programme")
    person_roles = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    risk_levels = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                            choices=RiskLevel.choices)
    warning_markers = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        programmes = [("", "—"), *registry.programme_choices()]
        self.fields["programme"].choices = programmes
        self.fields["open_case_programme"].choices = programmes
        self.fields["person_roles"].choices = registry.choices("person_roles")
        self.fields["warning_markers"].choices = registry.choices("warning_markers")
        if self.instance.pk and self.instance.slug in registry.galleries:
            # A plugin's gallery is tied to its spec (and its own filter) by the slug.
            self.fields["slug"].disabled = True
            self.fields["slug"].help_text = "Shipped by a programme: the slug ties it to the programme's filter."

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("audience_partnerships") and not cleaned.get("audience_teams"):
            self.add_error("audience_teams", "Choose who sees the gallery: partnerships, teams or both.")
        spec = registry.galleries.get(self.instance.slug) if self.instance.pk else None
        if cleaned.get("kind") == Gallery.Kind.FILTER and not (spec and spec.profile_filter) and not any(
            cleaned.get(k) for k in ("person_roles", "risk_levels", "warning_markers", "open_case_programme")
        ):
            self.add_error("kind", "A saved-filter gallery needs at least one criterion.")
        return cleaned


class _AuditedSave:
    def save_instance(self):
        with transaction.atomic():
            creating = self.form.instance.pk is None
            instance = super().save_instance()
            audit.record(AuditAction.CREATE if creating else AuditAction.UPDATE, instance, actor=self.request.user,
                         changes={"fields": sorted(self.form.changed_data)})
        return instance


class GalleryCreateView(_AuditedSave, CreateView):
    pass


class GalleryEditView(_AuditedSave, EditView):
    pass


class GalleryDefinitionViewSet(ModelViewSet):
    model = Gallery
    icon = "image"
    menu_label = "Gallery definitions"
    menu_name = "gallery_definitions"
    add_to_settings_menu = True
    name = "gallery_definitions"
    url_prefix = "gallery-definitions"
    url_namespace = "wraparound_gallery_definitions"
    copy_view_enabled = False
    add_view_class = GalleryCreateView
    edit_view_class = GalleryEditView
    list_display = ["name", "kind", "programme", "is_active"]
    search_fields = ["name"]
    edit_handler = ObjectList([
        FieldPanel("name"), FieldPanel("slug"), FieldPanel("description"), FieldPanel("kind"),
        FieldPanel("programme"), FieldPanel("is_active"),
        MultiFieldPanel([FieldPanel("audience_partnerships"), FieldPanel("audience_teams")], heading="Audience"),
        MultiFieldPanel([FieldPanel("person_roles"), FieldPanel("risk_levels"), FieldPanel("warning_markers"),
                         FieldPanel("open_case_programme")], heading="Saved filter (for saved-filter galleries)"),
    ], base_form_class=GalleryForm)


# Cards -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Card:
    """The minimal card: what an audience member may see without access, and no more."""

    profile_id: int
    name: str
    age: int | None
    risk: str
    risk_label: str
    risk_class: str
    owner_team: str
    owner_organisation: str
    contact_email: str
    contact_phone: str
    has_photo: bool
    has_access: bool
    requested: bool
    entry_id: int | None = None


def build_cards(user, profiles, entries: dict | None = None) -> list[Card]:
    """Cards for a page of profiles: three queries whatever the number of cards."""
    profiles = list(profiles)
    ids = [p.pk for p in profiles]
    visible = access.visible_pks(user, Profile, ids)
    requested = set(AccessRequest.objects.filter(
        requested_by=user, profile_id__in=ids, status=AccessRequest.Status.PENDING
    ).values_list("profile_id", flat=True))
    risk_labels = dict(RiskLevel.choices)
    cards = []
    for p in profiles:
        team, org = p.owner_team, p.owner_team.organisation
        risk = getattr(p, "card_risk", None) or p.risk_level
        cards.append(Card(
            profile_id=p.pk, name=p.full_name, age=p.age(), risk=risk, risk_label=risk_labels.get(risk, risk),
            risk_class=RISK_CLASS.get(risk, ""), owner_team=team.name, owner_organisation=org.name,
            contact_email=team.email or org.email, contact_phone=team.phone or org.phone, has_photo=bool(p.photo),
            has_access=p.pk in visible, requested=p.pk in requested,
            entry_id=(entries or {}).get(p.pk),
        ))
    return cards


def fetch_gallery(user, pk) -> Gallery:
    return plain_get_object_or_404(galleries_for(user), pk=pk)


def fetch_card_profile(gallery, pk) -> Profile:
    profile = gallery_profiles(gallery).select_related("owner_team__organisation").filter(pk=pk).first()
    if profile is None:
        raise Http404("Not on this gallery.")
    return profile


class _Screen(WagtailAdminTemplateMixin, View):
    header_icon = "image"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]


class GalleryIndexView(_Screen):
    template_name = "wraparound/galleries/index.html"
    page_title = "Galleries"

    def get(self, request):
        return self.render_to_response(self.get_context_data(galleries=list(galleries_for(request.user))))


class GalleryGridView(_Screen):
    template_name = "wraparound/galleries/grid.html"

    def get(self, request, pk):
        self.gallery = fetch_gallery(request.user, pk)
        profiles, facets = filter_by_facets(self.gallery, gallery_profiles(self.gallery), request.GET)
        profiles = profiles.select_related("owner_team__organisation").order_by("-card_added_at", "last_name", "pk")
        page = Paginator(profiles, CARDS_PER_PAGE).get_page(request.GET.get("p"))
        entries = {}
        can_add = False
        if self.gallery.kind == Gallery.Kind.EXPLICIT:
            ids = [p.pk for p in page.object_list]
            mine = access.restrict(Profile.objects.filter(pk__in=ids), request.user, AccessLevel.CONTRIBUTE,
                                   point_lookup=True)
            entries = dict(GalleryEntry.objects.filter(
                gallery=self.gallery, removed_at__isnull=True, profile_id__in=mine.values("pk")
            ).values_list("profile_id", "pk"))
            can_add = request.user.has_perm("core.add_profile") or bool(entries)
        cards = build_cards(request.user, page.object_list, entries)
        record_gallery_view(self.gallery, by=request.user, profile_ids=[c.profile_id for c in cards])
        return self.render_to_response(self.get_context_data(
            gallery=self.gallery, cards=cards, page=page, can_add=can_add, facets=facets,
            facet_query="".join(f"&{f['key']}={f['value']}" for f in facets if f["value"]),
        ))

    def get_page_title(self):
        return self.gallery.name

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{NAMESPACE}:index"), "label": "Galleries"}, {"url": "", "label": self.gallery.name},
        ]


def card_photo(request, pk, profile_pk):
    """A card's photo: for the gallery's audience, whether or not they have access."""
    gallery = fetch_gallery(request.user, pk)
    return profile_photo_response(fetch_card_profile(gallery, profile_pk))


class RequestAccessForm(forms.Form):
    level = forms.TypedChoiceField(choices=[(AccessLevel.VIEW, "View"), (AccessLevel.CONTRIBUTE, "Contribute")],
                                   coerce=int, initial=AccessLevel.VIEW, label="Access you need")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=1000,
                             label="Why do you need access?",
                             help_text="The owner team reads this to decide. Say how you know the person.")


class RequestAccessView(_Screen):
    template_name = "wraparound/galleries/request.html"
    header_icon = "lock-open"

    def dispatch(self, request, pk, profile_pk):
        self.gallery = fetch_gallery(request.user, pk)
        self.profile = fetch_card_profile(self.gallery, profile_pk)
        return super().dispatch(request)

    def get_page_title(self):
        return "Request access"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{NAMESPACE}:index"), "label": "Galleries"},
            {"url": reverse(f"{NAMESPACE}:grid", args=[self.gallery.pk]), "label": self.gallery.name},
            {"url": "", "label": "Request access"},
        ]

    def render(self, form, status=200):
        card = build_cards(self.request.user, [self.profile])[0]
        response = self.render_to_response(self.get_context_data(form=form, card=card, gallery=self.gallery))
        response.status_code = status
        return response

    def get(self, request):
        return self.render(RequestAccessForm())

    def post(self, request):
        form = RequestAccessForm(request.POST)
        if form.is_valid():
            try:
                services.request_access_from_card(self.gallery, self.profile, by=request.user,
                                                  reason=form.cleaned_data["reason"], level=form.cleaned_data["level"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Your request was sent to {self.profile.owner_team}.")
                return HttpResponseRedirect(reverse(f"{NAMESPACE}:grid", args=[self.gallery.pk]))
        return self.render(form, status=400)


class AddToGalleryForm(forms.Form):
    profile = forms.ModelChoiceField(queryset=Profile.objects.none(), label="Profile")
    risk_level = forms.ChoiceField(choices=RiskLevel.choices, label="Risk")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                             help_text="Seen only by people with access to the profile.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].queryset = access.restrict(
            Profile.objects.all(), user, AccessLevel.CONTRIBUTE
        ).order_by("last_name", "first_name", "pk")


class AddToGalleryView(_Screen):
    template_name = "wraparound/galleries/add.html"
    header_icon = "plus"

    def dispatch(self, request, pk):
        self.gallery = fetch_gallery(request.user, pk)
        if self.gallery.kind != Gallery.Kind.EXPLICIT:
            raise Http404("Profiles appear in a saved-filter gallery when they match it.")
        return super().dispatch(request)

    def get_page_title(self):
        return f"Add a profile to {self.gallery.name}"

    def render(self, form, status=200):
        response = self.render_to_response(self.get_context_data(form=form, gallery=self.gallery))
        response.status_code = status
        return response

    def get(self, request):
        initial = {}
        if request.GET.get("profile", "").isdigit():
            initial["profile"] = int(request.GET["profile"])
        return self.render(AddToGalleryForm(user=request.user, initial=initial))

    def post(self, request):
        form = AddToGalleryForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.add_to_gallery(self.gallery, form.cleaned_data["profile"], by=request.user,
                                        reason=form.cleaned_data["reason"], risk_level=form.cleaned_data["risk_level"])
            except NotAllowed as exc:
                raise PermissionDenied(exc.messages[0]) from exc
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Added to {self.gallery.name}.")
                return HttpResponseRedirect(reverse(f"{NAMESPACE}:grid", args=[self.gallery.pk]))
        return self.render(form, status=400)


class RemoveFromGalleryView(_Screen):
    @forbidden_as_403
    def post(self, request, pk, entry_pk):
        gallery = fetch_gallery(request.user, pk)
        entry = access.get_object_or_404(GalleryEntry.objects.filter(gallery=gallery, removed_at__isnull=True),
                                         request.user, AccessLevel.VIEW, pk=entry_pk)
        try:
            services.remove_from_gallery(entry, by=request.user, reason=request.POST.get("reason", ""))
        except NotAllowed as exc:
            raise PermissionDenied(exc.messages[0]) from exc
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Removed from {gallery.name}.")
        return HttpResponseRedirect(reverse(f"{NAMESPACE}:grid", args=[gallery.pk]))


class GalleryViewSet(ViewSet):
    name = "galleries"
    url_prefix = "galleries"
    url_namespace = NAMESPACE
    icon = "image"
    menu_label = "Galleries"
    menu_name = "galleries"
    menu_order = 220
    add_to_admin_menu = True

    def get_urlpatterns(self):
        return [
            path("", GalleryIndexView.as_view(), name="index"),
            path("<int:pk>/", GalleryGridView.as_view(), name="grid"),
            path("<int:pk>/photo/<int:profile_pk>/", card_photo, name="photo"),
            path("<int:pk>/request/<int:profile_pk>/", RequestAccessView.as_view(), name="request"),
            path("<int:pk>/add/", AddToGalleryView.as_view(), name="add"),
            path("<int:pk>/remove/<int:entry_pk>/", RemoveFromGalleryView.as_view(), name="remove"),
        ]


# Access requests ---------------------------------------------------------------------

class DecideForm(forms.Form):
    level = forms.TypedChoiceField(choices=AccessLevel.choices, coerce=int, label="Level to grant")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=1000,
                           label="Note to the requester")


def requests_to_decide(user):
    return access.restrict(
        AccessRequest.objects.filter(status=AccessRequest.Status.PENDING), user, AccessLevel.MANAGE
    ).select_related("requested_by", "profile__owner_team", "case__owner_team")


class AccessRequestIndexView(_Screen):
    template_name = "wraparound/galleries/access_requests.html"
    page_title = "Access requests"
    header_icon = "lock-open"

    def get(self, request):
        mine = AccessRequest.objects.filter(requested_by=request.user).select_related("decided_by")[:50]
        waiting = list(requests_to_decide(request.user))
        orgs = {}
        if waiting:
            from ..models import Membership

            for user_id, org in Membership.objects.filter(
                user_id__in={r.requested_by_id for r in waiting}
            ).values_list("user_id", "team__organisation__name"):
                orgs.setdefault(user_id, org)
        for r in waiting:
            r.requester_organisation = orgs.get(r.requested_by_id, "")
        # The requester sees the decision on their own requests, never the record's name
        # unless they were granted access.
        granted = access.visible_pks(request.user, Profile, [r.profile_id for r in mine if r.profile_id])
        return self.render_to_response(self.get_context_data(waiting=waiting, mine=mine, granted=granted))


class DecideAccessRequestView(_Screen):
    template_name = "wraparound/galleries/decide.html"
    header_icon = "lock-open"
    page_title = "Decide on an access request"

    @forbidden_as_403
    def dispatch(self, request, pk):
        self.req = plain_get_object_or_404(requests_to_decide(request.user), pk=pk)
        return super().dispatch(request)

    def render(self, form, status=200):
        response = self.render_to_response(self.get_context_data(form=form, req=self.req))
        response.status_code = status
        return response

    def get(self, request):
        return self.render(DecideForm(initial={"level": self.req.level}))

    def post(self, request):
        form = DecideForm(request.POST)
        approve = "approve" in request.POST
        if form.is_valid():
            try:
                services.decide_and_notify(self.req, by=request.user, approve=approve,
                                           level=form.cleaned_data["level"], note=form.cleaned_data["note"])
            except NotAllowed as exc:
                raise PermissionDenied(exc.messages[0]) from exc
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Access granted." if approve else "Request refused.")
                return HttpResponseRedirect(reverse(f"{REQUESTS_NAMESPACE}:index"))
        return self.render(form, status=400)


class AccessRequestViewSet(ViewSet):
    name = "access_requests"
    url_prefix = "access-requests"
    url_namespace = REQUESTS_NAMESPACE
    icon = "lock-open"
    menu_label = "Access requests"
    menu_name = "access_requests"
    menu_order = 230
    add_to_admin_menu = True

    def get_urlpatterns(self):
        return [
            path("", AccessRequestIndexView.as_view(), name="index"),
            path("<int:pk>/", DecideAccessRequestView.as_view(), name="decide"),
        ]


@hooks.register("register_admin_viewset")
def register_gallery_viewsets():
    return [GalleryDefinitionViewSet(), GalleryViewSet(), AccessRequestViewSet()]
