"""Profile screens: list, detail (the summary a practitioner opens), create and edit.

Every row and object comes through ``core.access``; writes go through
``core.services`` (create_profile, update_profile with the version the form was
loaded at)."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case as DbCase
from django.db.models import Exists, IntegerField, OuterRef, Prefetch, Q, When
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.views import View
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import HeaderButton

from .. import services
from ..access import AccessLevel
from ..access.listing import VisibleProfileList
from ..forms.profile_edit import AddressFormSet, ProfileFullEditForm
from ..forms.records import ProfileCreateForm
from ..models import (
    PersonRole,
    Profile,
    ProfileAlias,
    RiskLevel,
    WarningMarker,
)
from ..models.notifications import NotificationKind
from ..plugins.registry import registry
from ..plugins.screens import add_service_errors, forbidden_as_403
from ..services import duplicates
from ..services.errors import NotAllowed
from ..services.notifications import notify
from . import profile_hub
from .records_common import (
    RecordViewMixin,
    RestrictedListingView,
    audit_view,
    needs_justification,
)

NAMESPACE = "wraparound_profiles"
RISK_CLASS = {"high": "critical", "very_high": "critical", "medium": "warning"}


def date_of_birth_display(profile: Profile) -> str:
    if not profile.date_of_birth:
        return "Not known"
    text = profile.date_of_birth.strftime("%d %b %Y")
    if profile.date_of_birth_approximate:
        text = f"approx. {text}"
    return f"{text} (age {profile.age()})"


class RiskColumn(Column):
    cell_template_name = "wraparound/records/risk_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["risk_class"] = RISK_CLASS.get(instance.risk_level, "")
        return context


def profile_columns():
    def detail_url(profile):
        return reverse(f"{NAMESPACE}:detail", args=[profile.pk])

    def name(profile):
        markers = list(profile.warning_markers.all())
        if not markers:
            return profile.full_name
        return format_html(
            '{} <span class="w-status wa-risk wa-risk--critical" title="Warning markers: {}">⚠ {}</span>',
            profile.full_name,
            ", ".join(registry.label("warning_markers", m.marker) for m in markers),
            len(markers),
        )

    return [
        TitleColumn("name", label="Name", accessor=name, get_url=detail_url, sort_key="name"),
        Column("date_of_birth", label="Date of birth (age)", accessor=date_of_birth_display, sort_key="date_of_birth"),
        Column(
            "person_roles",
            label="Person roles",
            accessor=lambda p: ", ".join(registry.label("person_roles", r.role) for r in p.person_roles.all()),
        ),
        RiskColumn("risk_level", label="Risk", accessor="get_risk_level_display", sort_key="risk_level"),
        Column("owner_team", label="Owner team", accessor=lambda p: str(p.owner_team)),
    ]


class ProfileIndexView(RestrictedListingView):
    model = Profile
    url_namespace = NAMESPACE
    page_title = "Profiles"
    header_icon = "user"
    verbose_name = "profile"
    verbose_name_plural = "profiles"
    default_ordering = "name"
    orderings = {
        "name": ("last_name", "first_name", "id"),
        "date_of_birth": ("date_of_birth", "id"),
        # By severity, not alphabetically.
        "risk_level": (
            DbCase(*(When(risk_level=code, then=rank) for rank, code in enumerate(RiskLevel.values)),
                   default=-1, output_field=IntegerField()),
            "id",
        ),
    }

    @property
    def columns(self):
        return profile_columns()

    @staticmethod
    def with_columns(queryset):
        # One query for the page, one per prefetch: the count does not grow with rows.
        return queryset.select_related("owner_team__organisation").prefetch_related(
            Prefetch("person_roles", queryset=PersonRole.objects.order_by("role")),
            Prefetch("warning_markers", queryset=WarningMarker.objects.order_by("marker")),
        )

    def get_base_queryset(self):
        return self.with_columns(super().get_base_queryset())

    def fast_listing(self, queryset):
        # The unfiltered list by name — the landing page — is paged from the access index.
        ordering = self.ordering or self.default_ordering
        if self.is_searching or self.is_filtering or ordering.lstrip("-") != "name":
            return None
        return VisibleProfileList(self.request.user, self.with_columns(Profile.objects.all()),
                                  descending=ordering.startswith("-"))

    def term_filter(self, term):
        # Names and aliases; an alias match is a semi-join, so no duplicate rows.
        return (
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(preferred_name__icontains=term)
            | Q(middle_names__icontains=term)
            | Exists(ProfileAlias.objects.filter(profile_id=OuterRef("pk"), name__icontains=term))
        )

    @property
    def header_buttons(self):
        if self.request.user.has_perm("core.add_profile"):
            return [HeaderButton("Add profile", url=reverse(f"{NAMESPACE}:add"), icon_name="plus")]
        return []


class ProfileDetailView(RecordViewMixin, View):
    model = Profile
    url_namespace = NAMESPACE
    template_name = "wraparound/records/profile_detail.html"
    header_icon = "user"

    def get_page_title(self):
        return self.object.full_name

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{NAMESPACE}:index"), "label": "Profiles"},
            {"url": "", "label": self.object.full_name},
        ]

    @property
    def header_buttons(self):
        if self.level and self.level >= AccessLevel.CONTRIBUTE:
            return [HeaderButton("Edit", url=self.url("edit", self.object.pk), icon_name="edit")]
        return []

    def get(self, request, *args, **kwargs):
        context = self.get_context_data()
        audit_view(request, self.object)
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        profile = self.object
        hub = profile_hub.HubView(self.request, profile, self.level)
        # The banner: whoever opens the record must see the risk and the warning markers.
        context["warning_markers"] = [
            (registry.label("warning_markers", marker), note) for marker, note in hub.details["markers"]
        ]
        context["date_of_birth"] = date_of_birth_display(profile)
        context["risk_class"] = RISK_CLASS.get(profile.risk_level, "")
        context["risk_unknown"] = profile.risk_level == RiskLevel.UNKNOWN
        context["owner_team"] = profile.owner_team
        # The tabs: the eager ones (Summary) and the one asked for with ?tab= are rendered
        # with the page; the others are placeholders loaded from their own URL when shown.
        requested = self.request.GET.get("tab", "")
        tabs = []
        for tab in profile_hub.hub_tabs(hub):
            rendered = tab.eager or tab.slug == requested
            if rendered:
                context.update(tab.load(hub))
            tabs.append({"slug": tab.slug, "label": tab.label, "template": tab.template, "rendered": rendered,
                         "url": reverse(f"{NAMESPACE}:tab", args=[profile.pk, tab.slug])})
        context["tabs"] = tabs
        context["active_tab"] = requested if any(t["slug"] == requested for t in tabs) else ""
        context["hub_url"] = reverse(f"{NAMESPACE}:detail", args=[profile.pk])
        return context


class ProfileTabView(RecordViewMixin, View):
    """One tab of the profile hub on its own (an HTML fragment the hub loads when the tab
    is first shown). Fetched through the access engine like the hub — 404 to someone who
    may not see the profile, and for a tab this viewer does not get — and audited as a
    VIEW of the profile naming the tab."""

    model = Profile
    url_namespace = NAMESPACE
    # Checked in get(): a fragment answers with a link to the reason screen, not a redirect.
    justification_gate = False

    def get(self, request, pk, tab):
        if needs_justification(request, self.object):
            hub_url = self.url("detail", self.object.pk)
            justify_url = f"{self.url('justify', self.object.pk)}?{urlencode({'next': hub_url})}"
            return TemplateResponse(request, "wraparound/records/profile_tab_reason.html",
                                    {"justify_url": justify_url}, status=403)
        hub = profile_hub.HubView(request, self.object, self.level)
        found = next((t for t in profile_hub.hub_tabs(hub) if t.slug == tab), None)
        if found is None:
            raise Http404("No such tab.")
        context = self.get_context_data()
        context.update(found.load(hub))
        context["hub_url"] = self.url("detail", self.object.pk)
        context["tab_url"] = request.path
        context["owner_team"] = self.object.owner_team
        response = TemplateResponse(request, found.template, context)
        audit_view(request, self.object, part=found.slug)
        return response


class ProfileCreateView(WagtailAdminTemplateMixin, View):
    template_name = "wraparound/records/profile_form.html"
    page_title = "New profile"
    header_icon = "user"

    @forbidden_as_403
    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("core.add_profile"):
            raise PermissionDenied("Your role does not allow you to create profiles.")
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{NAMESPACE}:index"), "label": "Profiles"},
            {"url": "", "label": "New profile"},
        ]

    def get(self, request):
        return self.render(ProfileCreateForm(user=request.user))

    def post(self, request):
        form = ProfileCreateForm(request.POST, user=request.user)
        if form.is_valid():
            kwargs = form.service_kwargs()
            matches = duplicates.find_possible_duplicates(
                first_name=kwargs.get("first_name", ""), last_name=kwargs.get("last_name", ""),
                date_of_birth=kwargs.get("date_of_birth"), identifiers=kwargs["identifiers"],
                aliases=kwargs["aliases"],
            )
            if matches and not request.POST.get("create_anyway"):
                # Warn first; nothing is saved until the user confirms.
                return self.render(form, matches=matches)
            try:
                profile = services.create_profile(
                    by=request.user, possible_duplicates=[m.profile.pk for m in matches], **kwargs
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
                if any(e.code == "identifier_taken" for e in exc.error_dict.get("identifiers", [])):
                    # Offer the access request for the record holding the identifier,
                    # as the duplicate warning does, instead of any detail of it.
                    messages.error(request, "The profile could not be created: see the errors below.")
                    return self.render(form, matches=[m for m in matches if "same identifier" in m.reasons])
            else:
                messages.success(request, f"Profile of {profile.full_name} created.")
                return HttpResponseRedirect(reverse(f"{NAMESPACE}:detail", args=[profile.pk]))
        messages.error(request, "The profile could not be created: see the errors below.")
        return self.render(form)

    def render(self, form, matches=()):
        visible, hidden = duplicates.split_by_access(self.request.user, list(matches))
        for match in hidden:
            match.token = access_request_token(self.request.user, match.profile)
        return self.render_to_response(
            self.get_context_data(
                form=form, action_url=reverse(f"{NAMESPACE}:add"), submit_button_label="Create profile",
                submit_button_active_label="Creating…", duplicates_visible=visible, duplicates_hidden=hidden,
                has_duplicates=bool(matches), request_access_url=reverse(f"{NAMESPACE}:request_access"),
            )
        )


#: Salt of the tokens that let a duplicate warning lead to an access request.
ACCESS_REQUEST_SALT = "wraparound.profiles.duplicate-access-request"


def access_request_token(user, profile) -> str:
    """A signed reference to a profile the user may not see. The warning page carries
    this instead of the pk, so that requesting access works only for a record a
    duplicate check actually matched, by the user it was shown to — pks cannot be
    probed through the request URL."""
    return signing.dumps({"p": profile.pk, "u": user.pk}, salt=ACCESS_REQUEST_SALT)


class ProfileRequestAccessView(WagtailAdminTemplateMixin, View):
    """Ask the owner of a matched (unseen) profile for access. Shows nothing about the
    profile: only that the request went to its owner team. A token that is forged,
    expired or someone else's gets the same answer as a profile that does not exist."""

    template_name = "wraparound/records/request_access.html"
    page_title = "Request access"
    header_icon = "lock"

    def get(self, request):
        return self.render_to_response(self.get_context_data())

    def post(self, request):
        try:
            data = signing.loads(request.POST.get("token", ""), salt=ACCESS_REQUEST_SALT, max_age=24 * 3600)
        except signing.BadSignature:
            data = {}
        profile = None
        if data.get("u") == request.user.pk:
            profile = Profile.objects.select_related("owner_team__organisation").filter(pk=data.get("p")).first()
        if profile is None:
            return self.render_to_response(self.get_context_data(invalid=True))
        reason = (request.POST.get("reason") or "").strip()
        try:
            with transaction.atomic():
                services.request_access(profile, by=request.user, reason=reason)
                notify(
                    profile.owner_team, kind=NotificationKind.ACCESS_REQUEST, actor=request.user,
                    subject="Someone asked for access to a profile your team owns",
                    body=f"{request.user.get_full_name() or request.user.username} asked: {reason}",
                    url=reverse("wraparound_sharing:panel", args=["profile", profile.pk]),
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Your request was sent to {profile.owner_team}.")
        return HttpResponseRedirect(reverse(f"{NAMESPACE}:add"))


class ProfileEditView(RecordViewMixin, View):
    model = Profile
    url_namespace = NAMESPACE
    required_level = AccessLevel.CONTRIBUTE
    template_name = "wraparound/records/profile_form.html"
    header_icon = "edit"

    def get_page_title(self):
        return f"Edit {self.object.full_name}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{NAMESPACE}:index"), "label": "Profiles"},
            {"url": self.url("detail", self.object.pk), "label": self.object.full_name},
            {"url": "", "label": "Edit"},
        ]

    def get(self, request, pk):
        form = ProfileFullEditForm(instance=self.object, initial={"version": self.object.version})
        response = self.render(form, self.address_formset())
        audit_view(request, self.object)
        return response

    def address_formset(self, data=None):
        return AddressFormSet(data, queryset=self.object.addresses.order_by("id"), prefix="addresses")

    def post(self, request, pk):
        # A copy: the form writes its values onto its instance while validating.
        form = ProfileFullEditForm(request.POST, instance=copy.copy(self.object))
        # Without the formset's management data (an older client) the addresses are left alone.
        addresses = self.address_formset(request.POST) if "addresses-TOTAL_FORMS" in request.POST else None
        status = 200
        if form.is_valid() and (addresses is None or addresses.is_valid()):
            try:
                services.edit_profile(
                    self.object, by=request.user, changes=form.changes(),
                    expected_version=form.cleaned_data["version"],
                    addresses=addresses.address_dicts() if addresses is not None else None,
                    **form.detail_kwargs(),
                )
            except services.ConflictError as exc:
                form.add_error(None, exc)
                messages.error(request, exc.messages[0])
                status = 409
            except NotAllowed as exc:
                raise PermissionDenied(exc.messages[0]) from exc
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Profile of {self.object.full_name} saved.")
                return HttpResponseRedirect(self.url("detail", self.object.pk))
        if status == 200:
            messages.error(request, "The profile could not be saved: see the errors below.")
        response = self.render(form, addresses or self.address_formset())
        response.status_code = status
        return response

    def render(self, form, addresses):
        return self.render_to_response(
            self.get_context_data(
                form=form, address_formset=addresses, action_url=self.url("edit", self.object.pk),
                submit_button_label="Save", submit_button_active_label="Saving…",
            )
        )
