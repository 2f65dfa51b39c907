"""IOM's admin screens: forms to adopt a case's subject onto the cohort, record custody
and release, set pathway statuses and add risk scores, and the cohort list.

Mounted by core under ``/admin/programmes/iom/`` (hook ``wraparound_admin_urls``), which
answers 404 to users none of whose organisations has IOM enabled. Each view fetches its
record through ``core.access`` (404 when the user may not see it, 403 when they may only
view it) and writes through ``plugins.iom.services``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from core import access
from core.access import AccessLevel
from core.models import Case, Profile
from core.plugins.screens import add_service_errors, forbidden_as_403
from core.services.errors import NotAllowed

from . import services
from .forms import CustodyForm, MembershipForm, PathwayForm, ReleaseForm, RiskScoreForm
from .models import CohortMembership, CustodyPeriod, Pathway

FORM_TEMPLATE = "iom/form.html"


def profile_url(profile_id: int) -> str:
    return reverse("wraparound_profiles:detail", args=[profile_id]) + "#tab-iom"


def case_url(case_id: int) -> str:
    return reverse("wraparound_cases:detail", args=[case_id]) + "#panel-iom_case"


class IomFormView(WagtailAdminTemplateMixin, View):
    """A form about one record: ``get_record`` fetches it through the access engine;
    ``save`` calls a service; the service's field errors land on the form."""

    template_name = FORM_TEMPLATE
    header_icon = "user"
    form_class = None
    submit_label = "Save"
    success_message = "Saved."

    @forbidden_as_403
    def dispatch(self, request, *args, **kwargs):
        self.record = self.get_record(request, **kwargs)
        try:
            return super().dispatch(request, *args, **kwargs)
        except NotAllowed as exc:
            raise PermissionDenied(exc.messages[0]) from exc

    def get_record(self, request, **kwargs):
        raise NotImplementedError

    def form_kwargs(self) -> dict:
        return {}

    def initial(self) -> dict:
        return {}

    def get(self, request, **kwargs):
        return self.render(self.form_class(initial=self.initial(), **self.form_kwargs()))

    def post(self, request, **kwargs):
        form = self.form_class(request.POST, **self.form_kwargs())
        if form.is_valid():
            try:
                self.save(form)
            except NotAllowed:
                raise
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, self.success_message)
                return HttpResponseRedirect(self.success_url())
        messages.error(request, "Nothing was saved: see the errors below.")
        return self.render(form)

    def render(self, form):
        return self.render_to_response(self.get_context_data(
            form=form, action_url=self.request.path, submit_button_label=self.submit_label,
            cancel_url=self.success_url(), record=self.record, hidden_fields=self.hidden_fields(),
        ))

    def hidden_fields(self) -> dict:
        return {}


# Cohort membership --------------------------------------------------------------------

class MembershipView(IomFormView):
    """Adopt the case's subject onto the cohort, or edit (and end) the membership."""

    form_class = MembershipForm

    def get_record(self, request, pk):
        case = access.get_object_or_404(Case, request.user, AccessLevel.CONTRIBUTE, pk=pk)
        if case.programme != services.PROGRAMME or case.case_type != services.COHORT_CASE_TYPE:
            raise Http404("Not an IOM cohort case.")
        return case

    @cached_property
    def membership(self):
        return CohortMembership.objects.filter(case=self.record).first()

    def get_page_title(self):
        return "Cohort membership" if self.membership else "Adopt onto the IOM cohort"

    @property
    def submit_label(self):
        return "Save the membership" if self.membership else "Adopt onto the cohort"

    def form_kwargs(self):
        return {"user": self.request.user, "case": self.record, "editing": self.membership is not None}

    def initial(self):
        m = self.membership
        if m is None:
            return {"risk_level": "unknown", "offender_manager": self.record.lead_id}
        return {"category": m.category, "tier": m.tier, "risk_level": m.risk_level, "adopted_on": m.adopted_on,
                "offender_manager": m.offender_manager_id, "lead_agency": m.lead_agency_id,
                "exited_on": m.exited_on, "exit_reason": m.exit_reason, "version": m.version}

    def save(self, form):
        data = dict(form.cleaned_data)
        if self.membership is None:
            services.record_membership(self.record, by=self.request.user, **data)
            self.success_message = "Adopted onto the IOM cohort."
        else:
            version = data.pop("version", None)
            services.update_membership(self.membership, by=self.request.user, changes=data,
                                       expected_version=version)
            self.success_message = "Cohort membership saved."

    def success_url(self):
        return case_url(self.record.pk)


class PathwayView(View):
    """Set one pathway's status from the case's pathway grid (POST only)."""

    def post(self, request, pk, pathway):
        case = access.get_object_or_404(Case, request.user, AccessLevel.VIEW, pk=pk)
        if pathway not in Pathway.values:
            raise Http404
        form = PathwayForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose a status for the pathway.")
            return HttpResponseRedirect(case_url(case.pk))
        try:
            services.set_pathway_status(case, pathway, by=request.user, **form.cleaned_data)
        except NotAllowed as exc:
            raise PermissionDenied(exc.messages[0]) from exc
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{Pathway(pathway).label}: saved.")
        return HttpResponseRedirect(case_url(case.pk))

    dispatch = forbidden_as_403(View.dispatch)


# Custody --------------------------------------------------------------------------------

class CustodyAddView(IomFormView):
    """Record a period in custody for a person (optionally from one of their cases)."""

    form_class = CustodyForm
    page_title = "Record a period in custody"
    submit_label = "Record custody"
    success_message = "Custody period recorded."

    def get_record(self, request, pk):
        profile = access.get_object_or_404(Profile, request.user, AccessLevel.CONTRIBUTE, pk=pk)
        self.case = None
        raw = request.GET.get("case") or request.POST.get("case")
        if raw:
            self.case = access.get_object_or_404(Case, request.user, AccessLevel.CONTRIBUTE, pk=raw)
        return profile

    def initial(self):
        prison_numbers = [i.value for i in self.record.identifiers.filter(kind="prison_number")]
        return {"prison_number": prison_numbers[0] if prison_numbers else ""}

    def save(self, form):
        services.record_custody(self.record, by=self.request.user, case=self.case, **form.service_data())

    def hidden_fields(self):
        return {"case": self.case.pk} if self.case is not None else {}

    def success_url(self):
        return case_url(self.case.pk) if self.case else profile_url(self.record.pk)


class CustodyRecordMixin:
    def get_record(self, request, pk):
        period = access.get_object_or_404(
            CustodyPeriod.objects.select_related("profile", "case"), request.user, AccessLevel.VIEW, pk=pk
        )
        if not access.can(request.user, period.profile, AccessLevel.CONTRIBUTE):
            raise PermissionDenied("This needs contribute access to the person.")
        return period

    def success_url(self):
        return case_url(self.record.case_id) if self.record.case_id else profile_url(self.record.profile_id)


class CustodyEditView(CustodyRecordMixin, IomFormView):
    form_class = CustodyForm
    page_title = "Custody period"
    submit_label = "Save the custody period"
    success_message = "Custody period saved."

    def form_kwargs(self):
        return {"editing": True}

    def initial(self):
        p = self.record
        return {f: getattr(p, f) for f in services.CUSTODY_EDITABLE} | {"version": p.version}

    def save(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        services.update_custody(self.record, by=self.request.user, changes=data, expected_version=version)


class ReleaseView(CustodyRecordMixin, IomFormView):
    form_class = ReleaseForm
    page_title = "Record the release"
    submit_label = "Record the release"
    success_message = "Release recorded."

    def initial(self):
        return {"licence_conditions": self.record.licence_conditions, "version": self.record.version,
                "released_on": self.record.expected_release_on}

    def save(self, form):
        data = dict(form.cleaned_data)
        services.record_release(self.record, by=self.request.user, released_on=data["released_on"],
                                release_type=data["release_type"], licence_conditions=data["licence_conditions"],
                                expected_version=data["version"])


# Risk scores ------------------------------------------------------------------------------

class RiskScoreAddView(IomFormView):
    form_class = RiskScoreForm
    page_title = "Add a risk score"
    submit_label = "Add the score"
    success_message = "Risk score added."

    def get_record(self, request, pk):
        return access.get_object_or_404(Profile, request.user, AccessLevel.CONTRIBUTE, pk=pk)

    def save(self, form):
        services.add_risk_score(self.record, by=self.request.user, **form.cleaned_data)

    def success_url(self):
        return profile_url(self.record.pk)


# The cohort ---------------------------------------------------------------------------------

class CohortView(WagtailAdminTemplateMixin, TemplateView):
    """The current IOM cohort members the user may see, by category and tier."""

    template_name = "iom/cohort.html"
    page_title = "IOM cohort"
    header_icon = "group"

    def get_context_data(self, **kwargs):
        rows = (
            services.visible_memberships(self.request.user).filter(exited_on__isnull=True)
            .select_related("case", "profile", "offender_manager", "lead_agency")
            .order_by("tier", "category", "profile__last_name", "profile__first_name")
        )
        memberships = list(rows[:500])
        # A case may be shared without its subject: name only the people the user may see.
        visible = access.visible_pks(self.request.user, Profile, {m.profile_id for m in memberships})
        for m in memberships:
            m.profile_visible = m.profile_id in visible
        return {**super().get_context_data(**kwargs), "memberships": memberships}
