"""Case screens: list (filterable by programme and status) and detail (header,
participants, stage, the action log and a quick entry for it).

A participant's name shows only if the user may see that profile: being on a case
that is shared with you does not share the people on it."""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, StatusTagColumn, TitleColumn

from .. import access, services
from ..access import AccessLevel
from ..forms.records import ActivityForm, add_service_errors
from ..models import Activity, Case, Profile
from ..plugins.registry import registry
from ..services.errors import NotAllowed
from .records_common import RecordViewMixin, RestrictedListingView, audit_view

NAMESPACE = "wraparound_cases"


def case_type_and_stage(case: Case) -> tuple[str, str]:
    case_type = registry.case_type(case.programme, case.case_type)
    if case_type is None:
        return case.case_type, case.stage
    stage = case_type.stage(case.stage)
    return case_type.name, stage.name if stage else case.stage


class CaseFilterSet(WagtailFilterSet):
    # A function, not the bound method: filters deep-copy their choices, and the registry
    # holds plugin modules, which cannot be copied.
    programme = django_filters.ChoiceFilter(
        choices=lambda: registry.programme_choices(), label="Programme", empty_label="All"
    )
    status = django_filters.ChoiceFilter(choices=Case.Status.choices, label="Status", empty_label="All")

    class Meta:
        model = Case
        fields = ["programme", "status"]


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
            Column("opened_on", label="Opened", accessor=lambda c: c.opened_on.strftime("%d %b %Y"),
                   sort_key="opened_on"),
        ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("owner_team__organisation")

    def term_filter(self, term):
        return Q(reference__icontains=term) | Q(title__icontains=term)


class CaseDetailView(RecordViewMixin, View):
    model = Case
    url_namespace = NAMESPACE
    template_name = "wraparound/records/case_detail.html"
    header_icon = "folder-open-inverse"
    activities_per_page = 25

    def get_page_title(self):
        return f"{self.object.reference} {self.object.title}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{NAMESPACE}:index"), "label": "Cases"},
            {"url": "", "label": self.object.reference},
        ]

    def get(self, request, *args, **kwargs):
        context = self.get_context_data()
        audit_view(request, self.object)
        return self.render_to_response(context)

    def get_context_data(self, activity_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        case, user = self.object, self.request.user
        context["programme_name"] = registry.programme_name(case.programme)
        context["case_type_name"], context["stage_name"] = case_type_and_stage(case)
        case_type = registry.case_type(case.programme, case.case_type)
        outcomes = {o.code: o.label for o in (case_type.outcomes if case_type else ())}
        context["outcome_label"] = outcomes.get(case.outcome, case.outcome)
        context["stages"] = [
            {"name": s.name, "current": s.slug == case.stage} for s in (case_type.stages if case_type else ())
        ]
        participants = list(
            access.restrict(case.participants.all(), user).select_related("profile").order_by("role", "id")
        )
        visible = access.visible_pks(user, Profile, [p.profile_id for p in participants])
        context["participants"] = [
            {"role": p.get_role_display(), "profile": p.profile if p.profile_id in visible else None}
            for p in participants
        ]
        context["linked_cases"] = list(access.restrict(case.linked_cases.all(), user).order_by("reference"))
        activities = access.restrict(Activity.objects.filter(case=case), user).select_related(
            "recorded_by", "organisation"
        )
        context["activities_page"] = Paginator(activities, self.activities_per_page).get_page(
            self.request.GET.get("p")
        )
        if context["can_contribute"]:
            context["activity_form"] = activity_form or ActivityForm()
            context["activity_action"] = self.url("add_activity", case.pk)
        return context


class CaseAddActivityView(RecordViewMixin, View):
    """The quick entry of the action log (POST only): contribute needed."""

    model = Case
    url_namespace = NAMESPACE
    required_level = AccessLevel.CONTRIBUTE
    http_method_names = ["post"]

    def post(self, request, pk):
        form = ActivityForm(request.POST)
        if form.is_valid():
            try:
                services.add_activity(by=request.user, case=self.object, **form.cleaned_data)
            except NotAllowed as exc:
                raise PermissionDenied(exc.messages[0]) from exc
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Entry added to the action log.")
                return HttpResponseRedirect(self.url("detail", self.object.pk) + "#action-log")
        messages.error(request, "The entry was not added: see the errors in the action log form.")
        # Re-show the case with the form's errors (no second VIEW event: the user is on it).
        view = CaseDetailView()
        view.setup(request, pk=pk)
        view.object = self.object
        response = view.render_to_response(view.get_context_data(activity_form=form))
        response.status_code = 400
        return response
