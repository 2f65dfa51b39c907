"""Admin: the structure of the platform — partnerships, their organisations (and the
information-sharing agreements that put an organisation in a partnership), teams,
memberships and the programmes each organisation has switched on.

Screens are Wagtail ``ModelViewSet``s in one "Partnership" menu group. Wagtail's generic
views only check model-level permissions, so every view here reads its rows through
``structure_scope.scope`` (index, edit, delete, history, usage, inspect, and the choices
of foreign-key fields): an organisation admin who types another organisation's team id
into the URL gets a 404. Writes that carry rules go through ``core.services``
(memberships, programme switches); the other writes are audited here, in the same
transaction as the save.
"""

from __future__ import annotations

from collections import Counter

from django import forms
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.forms import ModelChoiceField
from django.forms.models import modelform_factory
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.text import slugify
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.menus import MenuItem as ListingMenuItem
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.history import HistoryView
from wagtail.admin.views.generic.usage import UsageView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import Button

from .. import audit, services
from ..models import (
    AuditAction,
    Membership,
    Organisation,
    Partnership,
    PartnershipMembership,
    ProgrammeModule,
    Team,
)
from ..plugins.registry import registry
from .structure_scope import POLICIES, scope

# Forms -----------------------------------------------------------------------------

class ScopedModelForm(WagtailAdminModelForm):
    """Foreign-key choices narrowed to what the user administers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, ModelChoiceField) and field.queryset.model in POLICIES:
                field.queryset = scope(field.queryset, self.for_user)


class SluggedForm(ScopedModelForm):
    """Slugs are made from the name; a clash is reported on the name field."""

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name")
        if name:
            clash = self._meta.model._default_manager.filter(slug=slugify(name)[:200])
            if self._meta.model is Team:
                clash = clash.filter(organisation=cleaned.get("organisation") or getattr(self.instance, "organisation", None))
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name", "That name is already taken (its short name would clash).")
        return cleaned


class OrganisationForm(SluggedForm):
    """On creation a partnership admin also chooses the partnership the organisation
    joins, so that it is inside their administration from the start."""

    partnership = forms.ModelChoiceField(queryset=Partnership.objects.all(), required=False,
                                         help_text="The partnership this organisation joins.")
    agreement_reference = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .structure_scope import is_system_admin

        if self.instance.pk:
            del self.fields["partnership"], self.fields["agreement_reference"]
        else:
            self.fields["partnership"].queryset = scope(Partnership.objects.all(), self.for_user)
            self.fields["partnership"].required = not is_system_admin(self.for_user)


# Views -----------------------------------------------------------------------------

def form_changes(form) -> dict:
    """What a structure form changed, for the audit event (values as text)."""
    return {f: str(form.cleaned_data.get(f)) for f in form.changed_data}


class ScopedIndexView(generic.IndexView):
    def get_base_queryset(self):
        return scope(super().get_base_queryset(), self.request.user)


class ScopedObjectMixin:
    """Single-object views fetch through the scope: out of reach is 404."""

    def get_queryset(self):
        return scope(self.model._default_manager.all(), self.request.user)

    def get_base_object_queryset(self):
        return self.get_queryset()


class AuditedCreateView(generic.CreateView):
    def save_instance(self):
        instance = super().save_instance()
        audit.record(AuditAction.CREATE, instance, actor=self.request.user, changes=form_changes(self.form))
        return instance


class AuditedEditView(ScopedObjectMixin, generic.EditView):
    def save_instance(self):
        instance = super().save_instance()
        # Re-check inside the transaction: the saved object must still be ours.
        if not self.get_queryset().filter(pk=instance.pk).exists():
            raise Http404
        audit.record(AuditAction.UPDATE, instance, actor=self.request.user, changes=form_changes(self.form))
        return instance


class AuditedDeleteView(ScopedObjectMixin, generic.DeleteView):
    def delete_action(self):
        with transaction.atomic():
            audit.record(AuditAction.DELETE, self.object, actor=self.request.user)
            super().delete_action()

    def form_valid(self, form):
        # Records (profiles, cases, households…) protect the team or organisation that
        # owns them: refuse clearly, with what is in the way, instead of a server error.
        try:
            return super().form_valid(form)
        except (ProtectedError, RestrictedError) as exc:
            blocking = Counter(obj._meta for obj in
                               (exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects))
            what = ", ".join(f"{n} {opts.verbose_name if n == 1 else opts.verbose_name_plural}"
                             for opts, n in sorted(blocking.items(), key=lambda item: item[0].label))
            messages.error(self.request, f"{self.object} cannot be deleted: it still has {what}. Transfer them to "
                                         "another team (or close them) first, or mark it inactive instead.")
            response = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 409
            return response


class _ScopedObjectOnly:
    """History and usage views list log entries / references of one object: only the
    object is fetched through the scope (their own ``get_queryset`` is the listing's)."""

    def get_base_object_queryset(self):
        return scope(self.model._default_manager.all(), self.request.user)


class ScopedHistoryView(_ScopedObjectOnly, HistoryView):
    pass


class ScopedUsageView(_ScopedObjectOnly, UsageView):
    pass


class ScopedInspectView(generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(scope(self.model._default_manager.all(), self.request.user), pk=self.pk)


class StructureViewSet(ModelViewSet):
    """A structure model's screens, every read scoped, every write audited."""

    base_form = ScopedModelForm
    copy_view_enabled = False
    index_view_class = ScopedIndexView
    add_view_class = AuditedCreateView
    edit_view_class = AuditedEditView
    delete_view_class = AuditedDeleteView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    inspect_view_class = ScopedInspectView

    def get_form_class(self, for_update=False):
        return modelform_factory(self.model, form=self.base_form, fields=self.get_form_fields(),
                                 formfield_callback=self.formfield_for_dbfield)


# Memberships go through services so that user groups and the audit trail stay right.

class MembershipCreateView(generic.CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.add_member(data["team"], data["user"], role=data["role"], by=self.request.user)


class MembershipEditView(ScopedObjectMixin, generic.EditView):
    def save_instance(self):
        return services.add_member(self.object.team, self.object.user, role=self.form.cleaned_data["role"],
                                   by=self.request.user)


class MembershipDeleteView(ScopedObjectMixin, generic.DeleteView):
    def delete_action(self):
        services.remove_member(self.object.team, self.object.user, by=self.request.user)


class ProgrammeModuleEditView(ScopedObjectMixin, generic.EditView):
    def save_instance(self):
        return services.set_programme_enabled(self.object.organisation, self.object.programme,
                                              self.form.cleaned_data["enabled"], by=self.request.user)


# Programme switches per organisation -------------------------------------------------

class ProgrammeSwitchesForm(forms.Form):
    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        enabled = set(organisation.programme_modules.filter(enabled=True).values_list("programme", flat=True))
        for programme in sorted(registry.programmes.values(), key=lambda p: p.name):
            self.fields[programme.slug] = forms.BooleanField(
                label=programme.name, required=False, initial=programme.slug in enabled,
                help_text=programme.description,
            )


class OrganisationProgrammesView(WagtailAdminTemplateMixin, FormView):
    """Switch programmes on and off for one organisation (partnership admins)."""

    template_name = "wraparound/structure/organisation_programmes.html"
    header_icon = "folder-open-inverse"
    form_class = ProgrammeSwitchesForm

    def dispatch(self, request, pk):
        policy = POLICIES[ProgrammeModule]
        self.organisation = get_object_or_404(scope(Organisation.objects.all(), request.user), pk=pk)
        if not policy.user_has_permission(request.user, "change"):
            raise Http404
        return super().dispatch(request, pk)

    def get_page_title(self):
        return f"Programmes of {self.organisation}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("wraparound_organisations:index"), "label": "Organisations"},
            {"url": reverse("wraparound_organisations:edit", args=[self.organisation.pk]),
             "label": str(self.organisation)},
            {"url": "", "label": "Programmes"},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "organisation": self.organisation}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "organisation": self.organisation}

    def form_valid(self, form):
        with transaction.atomic():
            for slug in form.changed_data:
                services.set_programme_enabled(self.organisation, slug, form.cleaned_data[slug], by=self.request.user)
        if form.changed_data:
            messages.success(self.request, f"Programmes of {self.organisation} saved.")
        return redirect("wraparound_organisations:index")


class OrganisationIndexView(ScopedIndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if POLICIES[ProgrammeModule].user_has_permission(self.request.user, "change"):
            buttons.append(ListingMenuItem("Programmes", url=reverse("wraparound_organisations:programmes",
                                                                     args=[instance.pk]),
                                           icon_name="folder-open-inverse", priority=15))
        return buttons


class OrganisationEditView(AuditedEditView):
    @property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if POLICIES[ProgrammeModule].user_has_permission(self.request.user, "change"):
            buttons.append(Button("Programmes", url=reverse("wraparound_organisations:programmes",
                                                            args=[self.object.pk]),
                                  icon_name="folder-open-inverse", priority=5))
        return buttons


class OrganisationCreateView(AuditedCreateView):
    def save_instance(self):
        instance = super().save_instance()
        if partnership := self.form.cleaned_data.get("partnership"):
            PartnershipMembership.objects.create(
                partnership=partnership, organisation=instance,
                agreement_reference=self.form.cleaned_data.get("agreement_reference", ""),
            )
        return instance


# Viewsets --------------------------------------------------------------------------

class PartnershipViewSet(StructureViewSet):
    model = Partnership
    base_form = SluggedForm
    icon = "group"
    url_prefix = "structure/partnerships"
    name = "wraparound_partnerships"
    form_fields = ["name", "area", "description", "require_justification"]
    list_display = ["name", "area", BooleanColumn("require_justification", label="Reason to open")]
    search_fields = ["name", "area"]
    menu_order = 1


class OrganisationViewSet(StructureViewSet):
    model = Organisation
    base_form = OrganisationForm
    icon = "site"
    url_prefix = "structure/organisations"
    name = "wraparound_organisations"
    form_fields = ["name", "kind", "area", "email", "phone", "is_active"]
    list_display = ["name", "kind", "area", BooleanColumn("is_active", label="Active")]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "area"]
    index_view_class = OrganisationIndexView
    add_view_class = OrganisationCreateView
    edit_view_class = OrganisationEditView
    inspect_view_enabled = True
    menu_order = 2

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("programmes/<int:pk>/", OrganisationProgrammesView.as_view(), name="programmes"),
        ]


class AgreementViewSet(StructureViewSet):
    model = PartnershipMembership
    icon = "doc-full"
    url_prefix = "structure/agreements"
    name = "wraparound_agreements"
    menu_label = "Agreements"
    form_fields = ["partnership", "organisation", "agreement_reference", "agreement_signed_on"]
    list_display = ["organisation", "partnership", "agreement_reference", "agreement_signed_on"]
    menu_order = 3


class TeamViewSet(StructureViewSet):
    model = Team
    base_form = SluggedForm
    icon = "group"
    url_prefix = "structure/teams"
    name = "wraparound_teams"
    form_fields = ["organisation", "name", "email", "phone", "is_active"]
    list_display = ["name", "organisation", "email", BooleanColumn("is_active", label="Active")]
    list_filter = ["is_active"]
    search_fields = ["name"]
    menu_order = 4


class MembershipViewSet(StructureViewSet):
    model = Membership
    icon = "user"
    url_prefix = "structure/memberships"
    name = "wraparound_memberships"
    add_view_class = MembershipCreateView
    edit_view_class = MembershipEditView
    delete_view_class = MembershipDeleteView
    list_display = ["user", "team", "role", "joined_at"]
    list_filter = ["role"]
    menu_order = 5

    def get_form_class(self, for_update=False):
        fields = ["role"] if for_update else ["user", "team", "role"]
        form = modelform_factory(Membership, form=ScopedModelForm, fields=fields)
        if not for_update:
            form.base_fields["user"].queryset = form.base_fields["user"].queryset.filter(is_active=True)
        return form


class ProgrammeModuleViewSet(StructureViewSet):
    model = ProgrammeModule
    icon = "folder-open-inverse"
    url_prefix = "structure/programme-modules"
    name = "wraparound_programme_modules"
    edit_view_class = ProgrammeModuleEditView
    form_fields = ["enabled"]
    list_display = ["organisation", "programme", BooleanColumn("enabled"), "changed_by", "changed_at"]
    list_filter = ["enabled", "programme"]
    menu_order = 6


class PartnershipGroup(ModelViewSetGroup):
    menu_label = "Partnership"
    menu_icon = "group"
    menu_name = "partnership"
    menu_order = 8000
    items = (PartnershipViewSet, OrganisationViewSet, AgreementViewSet, TeamViewSet, MembershipViewSet,
             ProgrammeModuleViewSet)


@hooks.register("register_admin_viewset")
def register_structure_viewsets():
    return PartnershipGroup()
