"""Case screens: the list (Wagtail listing filters: programme, status, stage, owner
team, lead, opened between; search by reference and title), opening a case (from a
profile), the case page (header, stage, participants, linked cases, the action log and
its quick entry, the stage/closure/reopen controls) and its printable chronology with
a PDF download.

Levels follow the engine (docs/access.md): contribute to record activity, move the
stage, change participants and links; manage to close and reopen. The controls a user
may not use are not shown, and the POST views refuse them (403) anyway.

A participant's name shows only if the user may see that profile: being on a case
that is shared with you does not share the people on it. The same holds for linked
cases, and for restricted entries of other organisations, which the access engine
leaves out of the action log and of the chronology alike."""

from __future__ import annotations

import io

import django_filters
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views import View
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from .. import access, audit, services
from ..access import AccessLevel
from ..forms.cases import (
    CaseCreateForm,
    CloseForm,
    LinkForm,
    ParticipantForm,
    ReopenForm,
    StageForm,
)
from ..forms.records import ActivityForm
from ..models import Activity, AuditAction, Case, CaseParticipant, Profile, Team
from ..plugins.registry import registry
from ..plugins.screens import add_service_errors, forbidden_as_403
from ..services.errors import NotAllowed
from . import plugin_panels
from .records_common import (
    RecordViewMixin,
    RestrictedListingView,
    audit_view,
    session_justification,
)

NAMESPACE = "wraparound_cases"
User = get_user_model()


def case_type_and_stage(case: Case) -> tuple[str, str]:
    case_type = registry.case_type(case.programme, case.case_type)
    if case_type is None:
        return case.case_type, case.stage
    stage = case_type.stage(case.stage)
    return case_type.name, stage.name if stage else case.stage


def all_stage_choices() -> list[tuple[str, str]]:
    """Every stage slug of every case type, once (several types share ``closed``…)."""
    seen = {}
    for programme in registry.programmes.values():
        for case_type in programme.case_types:
            for stage in case_type.stages:
                seen.setdefault(stage.slug, stage.name)
    return sorted(seen.items(), key=lambda kv: kv[1])


def participants_with_visibility(case: Case, user) -> list[CaseParticipant]:
    """The case's participants, each with ``profile_visible``: may ``user`` see that
    person? (Being on a visible case does not share its people.) One query."""
    visible = access.restrict(Profile.objects.filter(pk=OuterRef("profile_id")), user, point_lookup=True)
    return list(
        access.restrict(case.participants.all(), user)
        .select_related("profile")
        .annotate(profile_visible=Exists(visible))
        .order_by("role", "id")
    )


class CaseFilterSet(WagtailFilterSet):
    # A function, not the bound method: filters deep-copy their choices, and the registry
    # holds plugin modules, which cannot be copied.
    programme = django_filters.ChoiceFilter(
        choices=lambda: registry.programme_choices(), label="Programme", empty_label="All"
    )
    status = django_filters.ChoiceFilter(choices=Case.Status.choices, label="Status", empty_label="All")
    stage = django_filters.ChoiceFilter(choices=all_stage_choices, label="Stage", empty_label="All")
    owner_team = django_filters.ModelChoiceFilter(queryset=Team.objects.none(), label="Owner team",
                                                  empty_label="All")
    lead = django_filters.ModelChoiceFilter(queryset=User.objects.none(), label="Lead", empty_label="All")
    opened_on = django_filters.DateFromToRangeFilter(label="Opened between", widget=DateRangePickerWidget)

    class Meta:
        model = Case
        fields = ["programme", "status", "stage", "owner_team", "lead", "opened_on"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        # Only teams and leads of cases the user may see: the choices must not tell who
        # works on cases elsewhere. Subqueries, evaluated once when the form renders.
        visible = access.restrict(Case.objects.all(), request.user) if request else Case.objects.none()
        self.filters["owner_team"].queryset = (
            Team.objects.filter(owned_cases__in=visible.values("pk")).distinct()
            .select_related("organisation").order_by("organisation__name", "name")
        )
        self.filters["lead"].queryset = (
            User.objects.filter(led_cases__in=visible.values("pk")).distinct().order_by("last_name", "first_name")
        )
        self.form.fields["owner_team"].label_from_instance = lambda t: f"{t.name} ({t.organisation.name})"
        self.form.fields["lead"].label_from_instance = lambda u: u.get_full_name() or u.get_username()


class CaseIndexView(RestrictedListingView):
    model = Case
    url_namespace = NAMESPACE
    page_title = "Cases"
    header_icon = "folder-open-inverse"
    verbose_name = "case"
    verbose_name_plural = "cases"
    filterset_class = CaseFilterSet
    default_ordering = "-opened_on"
    orderings = {
        "opened_on": ("opened_on", "id"),
        "reference": ("reference",),
        "title": ("title", "id"),
    }

    @cached_property
    def header_buttons(self):
        if not self.request.user.has_perm("core.add_case"):
            return []
        return [HeaderButton("New case", url=reverse(f"{NAMESPACE}:add"), icon_name="plus")]

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "reference",
                label="Reference",
                get_url=lambda c: reverse(f"{NAMESPACE}:detail", args=[c.pk]),
                sort_key="reference",
            ),
            Column("title", label="Title", sort_key="title"),
            Column("programme", label="Programme", accessor=lambda c: registry.programme_name(c.programme)),
            Column("case_type", label="Case type", accessor=lambda c: case_type_and_stage(c)[0]),
            Column("stage", label="Stage", accessor=lambda c: case_type_and_stage(c)[1]),
            StatusTagColumn("status", label="Status", accessor="get_status_display",
                            primary=lambda c: c.status == Case.Status.OPEN),
            Column("owner_team", label="Owner team", accessor=lambda c: str(c.owner_team)),
            Column("lead", label="Lead",
                   accessor=lambda c: (c.lead.get_full_name() or c.lead.get_username()) if c.lead else "—"),
            Column("opened_on", label="Opened", accessor=lambda c: c.opened_on.strftime("%d %b %Y"),
                   sort_key="opened_on"),
        ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("owner_team__organisation", "lead")

    def term_filter(self, term):
        return Q(reference__icontains=term) | Q(title__icontains=term)


class CaseCreateView(WagtailAdminTemplateMixin, View):
    """Open a case; with ``?profile=<pk>`` (a person the user can see, else 404) that
    person becomes its first participant."""

    template_name = "wraparound/cases/case_form.html"
    page_title = "Open a case"
    header_icon = "folder-open-inverse"

    @forbidden_as_403
    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("core.add_case"):
            raise PermissionDenied("Your role does not allow you to open cases.")
        self.profile = None
        raw = request.GET.get("profile") or request.POST.get("profile")
        if raw:
            self.profile = access.get_object_or_404(Profile, request.user, pk=raw)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{NAMESPACE}:index"), "label": "Cases"},
            {"url": "", "label": "Open a case"},
        ]

    def get(self, request):
        return self.render(CaseCreateForm(user=request.user, profile=self.profile))

    def post(self, request):
        form = CaseCreateForm(request.POST, user=request.user, profile=self.profile)
        if form.is_valid():
            try:
                case = services.open_case(by=request.user, **form.service_kwargs())
            except NotAllowed as exc:
                raise PermissionDenied(exc.messages[0]) from exc
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "programme" in exc.error_dict:
                    exc.error_dict["case_type"] = exc.error_dict.pop("programme")
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Case {case.reference} opened.")
                return HttpResponseRedirect(reverse(f"{NAMESPACE}:detail", args=[case.pk]))
        messages.error(request, "The case was not opened: see the errors below.")
        return self.render(form)

    def render(self, form):
        action_url = reverse(f"{NAMESPACE}:add")
        if self.profile is not None:
            action_url += f"?profile={self.profile.pk}"
        return self.render_to_response(self.get_context_data(
            form=form, profile=self.profile, action_url=action_url,
            submit_button_label="Open the case", submit_button_active_label="Opening…",
        ))


class CaseDetailView(RecordViewMixin, View):
    model = Case
    url_namespace = NAMESPACE
    template_name = "wraparound/records/case_detail.html"
    header_icon = "folder-open-inverse"
    activities_per_page = 25
    people_search_limit = 10

    def get_page_title(self):
        return f"{self.object.reference} {self.object.title}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{NAMESPACE}:index"), "label": "Cases"},
            {"url": "", "label": self.object.reference},
        ]

    def get_header_buttons(self):
        pk = self.object.pk
        return [
            HeaderButton("Print chronology", url=self.url("chronology", pk), icon_name="doc-full"),
            HeaderButton("Download PDF", url=self.url("chronology_pdf", pk), icon_name="download"),
        ]

    def get(self, request, *args, **kwargs):
        context = self.get_context_data()
        audit_view(request, self.object)
        return self.render_to_response(context)

    @cached_property
    def case_type(self):
        return registry.case_type(self.object.programme, self.object.case_type)

    def get_context_data(self, **bound_forms):
        context = super().get_context_data()
        case, user = self.object, self.request.user
        context["case"] = case
        context["programme_name"] = registry.programme_name(case.programme)
        context["case_type_name"], context["stage_name"] = case_type_and_stage(case)
        case_type = self.case_type
        outcomes = {o.code: o.label for o in (case_type.outcomes if case_type else ())}
        context["outcome_label"] = outcomes.get(case.outcome, case.outcome)
        context["stages"] = [
            {"name": s.name, "current": s.slug == case.stage} for s in (case_type.stages if case_type else ())
        ]
        context["participants"] = [
            {"pk": p.pk, "role": p.get_role_display(), "profile": p.profile if p.profile_visible else None}
            for p in participants_with_visibility(case, user)
        ]
        context["linked_cases"] = list(access.restrict(case.linked_cases.all(), user).order_by("reference"))
        activities = access.restrict(Activity.objects.filter(case=case), user).select_related(
            "recorded_by", "organisation"
        )
        context["activities_page"] = Paginator(activities, self.activities_per_page).get_page(
            self.request.GET.get("p")
        )
        is_open = case.status == Case.Status.OPEN
        if context["can_contribute"]:
            context["activity_form"] = bound_forms.get("activity_form") or ActivityForm()
            context["activity_action"] = self.url("add_activity", case.pk)
            context["link_form"] = bound_forms.get("link_form") or LinkForm(user=user, case=case)
            context["participant_form"] = bound_forms.get("participant_form")
            context["people_query"] = (self.request.GET.get("person") or "").strip()
            context["people_found"] = self.people_matching(context["people_query"])
            context["role_choices"] = CaseParticipant.Role.choices
            if is_open and case_type and len(case_type.stages) > 1:
                context["stage_form"] = bound_forms.get("stage_form") or StageForm(case_type=case_type, case=case)
        if context["can_manage"] and case_type:
            if is_open:
                context["close_form"] = bound_forms.get("close_form") or CloseForm(case_type=case_type, case=case)
            else:
                context["reopen_form"] = bound_forms.get("reopen_form") or ReopenForm(initial={"version": case.version})
        # Sections the programme plugins add (hook wraparound_case_panels).
        context["plugin_panels"] = plugin_panels.render_panels(self.request, case, self.level, "case_panels")
        return context

    def people_matching(self, query: str) -> list:
        """People the user can see whose names match every word of ``query``."""
        terms = query.split()[:4]
        if not terms:
            return []
        found = access.restrict(Profile.objects.all(), self.request.user)
        for term in terms:
            found = found.filter(
                Q(first_name__icontains=term) | Q(last_name__icontains=term) | Q(preferred_name__icontains=term)
            )
        return list(found.order_by("last_name", "first_name", "id")[: self.people_search_limit])


class CaseFormPostView(RecordViewMixin, View):
    """A POST from one of the forms on the case page: valid → the service, then back to
    the case; invalid → the case page again (400) with the form's errors by its fields,
    nothing written. Subclasses say which form, which level and what the service does."""

    model = Case
    url_namespace = NAMESPACE
    http_method_names = ["post"]
    form_name = ""
    anchor = ""
    success_message = ""

    def build_form(self, data):
        raise NotImplementedError

    def perform(self, form):
        raise NotImplementedError

    def post(self, request, pk):
        form = self.build_form(request.POST)
        if form.is_valid():
            try:
                self.perform(form)
            except NotAllowed as exc:
                raise PermissionDenied(exc.messages[0]) from exc
            except ValidationError as exc:
                add_service_errors(form, exc)
                # A refused service may have changed the object in memory: show what is stored.
                self.object.refresh_from_db()
            else:
                messages.success(request, self.success_message)
                return HttpResponseRedirect(self.url("detail", self.object.pk) + self.anchor)
        messages.error(request, "Nothing was changed: see the errors on the form.")
        # Re-show the case with the form's errors (no second VIEW event: the user is on it).
        view = CaseDetailView()
        view.setup(request, pk=pk)
        view.object = self.object
        response = view.render_to_response(view.get_context_data(**{self.form_name: form}))
        response.status_code = 400
        return response

    @cached_property
    def case_type(self):
        case_type = registry.case_type(self.object.programme, self.object.case_type)
        if case_type is None:
            raise PermissionDenied("This case's programme is not installed.")
        return case_type


class CaseAddActivityView(CaseFormPostView):
    """The quick entry of the action log: contribute needed."""

    required_level = AccessLevel.CONTRIBUTE
    form_name, anchor, success_message = "activity_form", "#action-log", "Entry added to the action log."

    def build_form(self, data):
        return ActivityForm(data)

    def perform(self, form):
        services.add_activity(by=self.request.user, case=self.object, **form.cleaned_data)


class CaseStageView(CaseFormPostView):
    required_level = AccessLevel.CONTRIBUTE
    form_name, anchor = "stage_form", "#action-log"

    def build_form(self, data):
        return StageForm(data, case_type=self.case_type, case=self.object)

    def perform(self, form):
        data = form.cleaned_data
        services.change_stage(self.object, data["stage"], by=self.request.user, note=data["note"],
                              expected_version=data["version"])
        self.success_message = f"Moved to {self.case_type.stage(data['stage']).name}."


class CaseCloseView(CaseFormPostView):
    required_level = AccessLevel.MANAGE
    form_name, anchor, success_message = "close_form", "", "Case closed."

    def build_form(self, data):
        return CloseForm(data, case_type=self.case_type, case=self.object)

    def perform(self, form):
        data = form.cleaned_data
        services.close_case(self.object, by=self.request.user, outcome=data["outcome"], notes=data["notes"],
                            closed_on=data["closed_on"], expected_version=data["version"])


class CaseReopenView(CaseFormPostView):
    required_level = AccessLevel.MANAGE
    form_name, anchor, success_message = "reopen_form", "", "Case reopened."

    def build_form(self, data):
        return ReopenForm(data)

    def perform(self, form):
        services.reopen_case(self.object, by=self.request.user, reason=form.cleaned_data["reason"],
                             expected_version=form.cleaned_data["version"])


class CaseAddParticipantView(CaseFormPostView):
    required_level = AccessLevel.CONTRIBUTE
    form_name, anchor = "participant_form", "#participants"

    def build_form(self, data):
        return ParticipantForm(data, user=self.request.user)

    def perform(self, form):
        profile, role = form.cleaned_data["profile"], form.cleaned_data["role"]
        services.add_participant(self.object, profile, role, by=self.request.user)
        self.success_message = f"{profile.full_name} added as {CaseParticipant.Role(role).label.lower()}."


class CaseRemoveParticipantView(CaseFormPostView):
    """Take a person off the case; the participant row is looked up within this case."""

    required_level = AccessLevel.CONTRIBUTE
    form_name, anchor, success_message = "participant_form", "#participants", "Removed from the case."

    def build_form(self, data):
        from django import forms

        class RemoveForm(forms.Form):
            participant = forms.ModelChoiceField(queryset=self.object.participants.all(), widget=forms.HiddenInput,
                                                 error_messages={"invalid_choice": "This person is not on the case."})

        return RemoveForm(data)

    def perform(self, form):
        services.remove_participant(form.cleaned_data["participant"], by=self.request.user)


class CaseLinkView(CaseFormPostView):
    required_level = AccessLevel.CONTRIBUTE
    form_name, anchor = "link_form", "#linked"

    def build_form(self, data):
        return LinkForm(data, user=self.request.user, case=self.object)

    def perform(self, form):
        other = form.cleaned_data["reference"]
        services.link_cases(self.object, other, by=self.request.user)
        self.success_message = f"Linked to {other.reference}."


class CaseUnlinkView(CaseFormPostView):
    required_level = AccessLevel.CONTRIBUTE
    form_name, anchor, success_message = "link_form", "#linked", "Link removed."

    def build_form(self, data):
        from django import forms

        visible = access.restrict(self.object.linked_cases.all(), self.request.user)

        class UnlinkForm(forms.Form):
            other = forms.ModelChoiceField(queryset=visible, widget=forms.HiddenInput)
            reference = forms.CharField(required=False)  # the link form's field, for the page

        return UnlinkForm(data)

    def perform(self, form):
        services.unlink_cases(self.object, form.cleaned_data["other"], by=self.request.user)


# -- Chronology ---------------------------------------------------------------------


class ChronologyMixin(RecordViewMixin):
    """Everything the reader may see in the case's action log, oldest first: entries of
    every agency, but restricted entries only of the reader's own organisations (the
    access engine's Activity filter). One query for the entries, whatever their number."""

    model = Case
    url_namespace = NAMESPACE
    http_method_names = ["get"]

    def chronology_context(self) -> dict:
        case, user = self.object, self.request.user
        entries = list(
            access.restrict(Activity.objects.filter(case=case), user)
            .select_related("recorded_by", "organisation")
            .order_by("occurred_at", "id")
        )
        participants = participants_with_visibility(case, user)
        case_type_name, stage_name = case_type_and_stage(case)
        case_type = registry.case_type(case.programme, case.case_type)
        outcomes = {o.code: o.label for o in (case_type.outcomes if case_type else ())}
        return {
            "case": case,
            "entries": entries,
            "agencies": sorted({e.organisation.name for e in entries}),
            "participants": [
                {"role": p.get_role_display(), "name": p.profile.full_name if p.profile_visible else None}
                for p in participants
            ],
            "programme_name": registry.programme_name(case.programme),
            "case_type_name": case_type_name,
            "stage_name": stage_name,
            "outcome_label": outcomes.get(case.outcome, case.outcome),
            "printed_by": user.get_full_name() or user.get_username(),
            "printed_for": audit.actor_organisation(user),
            "printed_at": timezone.localtime(),
        }

    def audit_output(self, action, entries: int) -> None:
        services.record_chronology_output(self.object, by=self.request.user, action=action, entries=entries,
                                          justification=session_justification(self.request, self.object))


class CaseChronologyView(ChronologyMixin, View):
    """The chronology as a printable page (A4 print stylesheet). Opening it is audited
    as a print: that is what the page is for."""

    template_name = "wraparound/cases/chronology_print.html"

    def get(self, request, pk):
        context = self.chronology_context()
        context["case_url"] = self.url("detail", pk)
        context["pdf_url"] = self.url("chronology_pdf", pk)
        self.audit_output(AuditAction.PRINT, len(context["entries"]))
        return TemplateResponse(request, self.template_name, context)


def _pdf_link_callback(uri: str, rel: str) -> str:
    """xhtml2pdf asks for files by URL: serve only our own static files, from disk."""
    from django.conf import settings

    if uri.startswith(settings.STATIC_URL):
        found = finders.find(uri.removeprefix(settings.STATIC_URL))
        if found:
            return found
    raise ValueError(f"The chronology PDF may not load {uri!r}.")


def render_pdf(html: str) -> bytes:
    """HTML to PDF with xhtml2pdf (pure Python on ReportLab: no system libraries)."""
    from xhtml2pdf import pisa

    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, link_callback=_pdf_link_callback, encoding="utf-8")
    if result.err:
        raise RuntimeError("The chronology PDF could not be made.")
    return out.getvalue()


class CaseChronologyPdfView(ChronologyMixin, View):
    """The same chronology as a PDF download (A4), audited as an export."""

    template_name = "wraparound/cases/chronology_pdf.html"

    def get(self, request, pk):
        context = self.chronology_context()
        html = render_to_string(self.template_name, context, request=request)
        pdf = render_pdf(html)
        self.audit_output(AuditAction.EXPORT, len(context["entries"]))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{self.object.reference}-chronology.pdf"'
        response["Cache-Control"] = "no-store"
        return response
