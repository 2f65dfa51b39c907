"""Admin: typed reports and the report-type builder.

- ``/admin/report-types/`` (``wraparound_report_types``): a Wagtail ``ModelViewSet`` for
  partnership admins (model permissions ``core.*_reporttype``). The fields are a
  StreamField, so adding, reordering, requiring fields and editing choices come from
  Wagtail's block editor; saving goes through ``services.save_report_type``, which
  freezes a new schema version when the fields changed. Report types are configuration,
  not personal data, so model-level permission is the right check here.
- ``/admin/reports/`` (``wraparound_reports``): the reports of one profile or case
  (``on/<parent>/<pk>/``), writing one (``new/<parent>/<pk>/<type>/``), reading one
  (``<pk>/``), editing a draft (``<pk>/edit/``), an earlier version
  (``<pk>/versions/<n>/``) and a file field's download (``<pk>/files/<key>/``). Every
  view reads through ``core.access`` (reports follow their parent's access and may be
  restricted to the author's organisation): 404 for a report or parent the user may
  not see.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404 as plain_get_object_or_404
from django.urls import path, reverse
from django.views import View
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet

from .. import access, services, uploads
from ..access import AccessLevel
from ..forms.reports import display_value, report_form
from ..models import Case, Profile, Report, ReportType
from ..plugins.registry import registry
from ..plugins.screens import forbidden_as_403
from ..services.errors import NotAllowed
from ..services.reports import report_types_for, schema_of, validate_schema
from . import records_cases, records_profiles
from .records_common import needs_justification

NAMESPACE = "wraparound_reports"
PARENTS = {"profile": (Profile, records_profiles.NAMESPACE), "case": (Case, records_cases.NAMESPACE)}
PREFIX = "report"


# The builder ---------------------------------------------------------------------------

class ReportTypeForm(WagtailAdminModelForm):
    programme = forms.ChoiceField(required=False, help_text="Only organisations using it can write these reports.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [("", "All programmes"), *registry.programme_choices()]

    def clean(self):
        cleaned = super().clean()
        if "fields" in cleaned:
            try:
                validate_schema(schema_of(ReportType(fields=cleaned["fields"])))
            except ValidationError as exc:
                for message in exc.message_dict.get("fields", []):
                    self.add_error("fields", message)
            if not cleaned["fields"]:
                self.add_error("fields", "Add at least one field.")
        return cleaned


class _WellFormedStreamMixin:
    """Wagtail's StreamField widget reads its ``<name>-count`` field without a default: a
    POST that is not the builder's own form (a script, a probe) raised KeyError, a 500.
    It is a malformed request, and answered as one, before any form is built."""

    def post(self, request, *args, **kwargs):
        if "fields-count" not in request.POST:
            return HttpResponseBadRequest("This is not the report-type builder's form.")
        return super().post(request, *args, **kwargs)


class ReportTypeCreateView(_WellFormedStreamMixin, CreateView):
    def save_instance(self):
        return services.save_report_type(self.form.save(commit=False), by=self.request.user)


class ReportTypeEditView(_WellFormedStreamMixin, EditView):
    def save_instance(self):
        saved = services.save_report_type(self.form.save(commit=False), by=self.request.user)
        messages.info(self.request, f"{saved.name} is at version {saved.current_version}; "
                                    "reports written earlier keep the version they were written with.")
        return saved


class ReportTypeViewSet(ModelViewSet):
    model = ReportType
    icon = "form"
    menu_label = "Report types"
    menu_name = "report_types"
    add_to_settings_menu = True
    name = "report_types"
    url_prefix = "report-types"
    url_namespace = "wraparound_report_types"
    copy_view_enabled = False
    add_view_class = ReportTypeCreateView
    edit_view_class = ReportTypeEditView
    list_display = ["name", "applies_to", "programme", "current_version", "source", "is_active"]
    list_filter = ["applies_to", "is_active"]
    search_fields = ["name", "description"]
    edit_handler = ObjectList([
        FieldPanel("name"), FieldPanel("slug"), FieldPanel("description"), FieldPanel("applies_to"),
        FieldPanel("programme"), FieldPanel("restricted_by_default"), FieldPanel("is_active"),
        FieldPanel("fields"),
    ], base_form_class=ReportTypeForm)


# Reports -----------------------------------------------------------------------------

def parent_url(parent) -> str:
    kind = "profile" if isinstance(parent, Profile) else "case"
    return reverse(f"{PARENTS[kind][1]}:detail", args=[parent.pk])


def parent_label(parent) -> str:
    return parent.full_name if isinstance(parent, Profile) else f"{parent.reference} {parent.title}"


class _Screen(WagtailAdminTemplateMixin, View):
    header_icon = "form"

    def gate(self, parent):
        """Send the user to the parent's reason screen when the partnership asks for one."""
        if needs_justification(self.request, parent):
            kind = "profile" if isinstance(parent, Profile) else "case"
            url = reverse(f"{PARENTS[kind][1]}:justify", args=[parent.pk])
            return HttpResponseRedirect(f"{url}?next={self.request.get_full_path()}")
        return None

    def crumbs(self, parent, *more):
        kind = "profile" if isinstance(parent, Profile) else "case"
        return self.breadcrumbs_items + [
            {"url": parent_url(parent), "label": parent_label(parent)},
            {"url": reverse(f"{NAMESPACE}:list", args=[kind, parent.pk]), "label": "Reports"},
            *more,
        ]


def refused_form(schema, user, request, error: ValidationError, stored=None):
    """The form re-shown after the service refused the data: its own errors, plus the
    service's errors that the form did not find (once each)."""
    form = report_form(schema, user, data=request.POST, files=request.FILES, stored=stored)
    form.is_valid()
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            if field in form.errors:
                continue
            for item in errors:
                form.add_error(field if field in form.fields else None, item)
    elif not form.errors:
        form.add_error(None, error)
    return form


def fetch_parent(user, kind: str, pk: int, level=AccessLevel.VIEW):
    if kind not in PARENTS:
        raise Http404
    model = PARENTS[kind][0]
    return access.get_object_or_404(model._default_manager.select_related("owner_team__organisation"), user,
                                    level, pk=pk)


class ReportListView(_Screen):
    template_name = "wraparound/reports/list.html"

    @forbidden_as_403
    def get(self, request, kind, pk):
        self.parent = fetch_parent(request.user, kind, pk)
        if redirect := self.gate(self.parent):
            return redirect
        reports = access.restrict(Report.objects.filter(**{kind: self.parent}), request.user).select_related(
            "report_type", "organisation", "author"
        )
        level = access.level_for(request.user, self.parent)
        types = report_types_for(request.user, kind) if level and level >= AccessLevel.CONTRIBUTE else []
        return self.render_to_response(self.get_context_data(
            parent=self.parent, kind=kind, reports=list(reports), report_types=types,
        ))

    def get_page_title(self):
        return f"Reports: {parent_label(self.parent)}"

    def get_breadcrumbs_items(self):
        return self.crumbs(self.parent)[:-1] + [{"url": "", "label": "Reports"}]


class ReportFormMixin:
    template_name = "wraparound/reports/form.html"

    def render_form(self, form, *, status=200, **extra):
        context = self.get_context_data(form=form, media=form.media, **extra)
        response = self.render_to_response(context)
        response.status_code = status
        return response


class ReportCreateView(ReportFormMixin, _Screen):
    @forbidden_as_403
    def dispatch(self, request, kind, pk, slug):
        self.parent = fetch_parent(request.user, kind, pk, AccessLevel.CONTRIBUTE)
        self.kind = kind
        self.report_type = next((t for t in report_types_for(request.user, kind) if t.slug == slug), None)
        if self.report_type is None:
            raise Http404("No such report type here.")
        self.schema = self.report_type.versions.get(number=self.report_type.current_version).schema
        if redirect := self.gate(self.parent):
            return redirect
        return super().dispatch(request)

    def get_page_title(self):
        return f"New {self.report_type.name}"

    def get_breadcrumbs_items(self):
        return self.crumbs(self.parent, {"url": "", "label": f"New {self.report_type.name}"})

    def get(self, request):
        return self.render_form(report_form(self.schema, request.user),
                                restricted=self.report_type.restricted_by_default)

    def post(self, request):
        final = "final" in request.POST
        restricted = request.POST.get("restricted") == "on"
        try:
            report = services.create_report(
                by=request.user, report_type=self.report_type, data=request.POST, files=request.FILES,
                final=final, restricted=restricted, prefix=PREFIX, **{self.kind: self.parent},
            )
        except NotAllowed as exc:
            raise PermissionDenied(exc.messages[0]) from exc
        except ValidationError as exc:
            form = refused_form(self.schema, request.user, request, exc)
            messages.error(request, "The report was not saved: see the errors below.")
            return self.render_form(form, status=400, restricted=restricted)
        messages.success(request, f"{report.report_type.name} saved as {report.get_status_display().lower()}.")
        return HttpResponseRedirect(reverse(f"{NAMESPACE}:detail", args=[report.pk]))

    def get_context_data(self, **kwargs):
        return super().get_context_data(report_type=self.report_type, version=self.report_type.current_version,
                                        parent=self.parent, **kwargs)


def fetch_report(user, pk, level=AccessLevel.VIEW) -> Report:
    reports = Report.objects.select_related("report_type", "type_version", "organisation", "author",
                                            "profile__owner_team", "case__owner_team")
    return access.get_object_or_404(reports, user, level, pk=pk)


def rendered_fields(schema, data, user) -> list[tuple[dict, str]]:
    person_ids = [data.get(e["key"]) for e in schema if e["kind"] == "person" and data.get(e["key"])]
    people = {}
    if person_ids:
        people = {p.pk: p for p in access.restrict(Profile.objects.filter(pk__in=person_ids), user, point_lookup=True)}
    return [(entry, display_value(entry, data.get(entry["key"]), people)) for entry in schema]


class ReportDetailView(_Screen):
    template_name = "wraparound/reports/detail.html"

    @forbidden_as_403
    def get(self, request, pk, number=None):
        self.report = fetch_report(request.user, pk)
        if redirect := self.gate(self.report.parent):
            return redirect
        versions = list(self.report.versions.select_related("saved_by", "type_version").order_by("-number"))
        shown = self.report
        schema, data = self.report.type_version.schema, self.report.data
        if number is not None:
            shown = next((v for v in versions if v.number == number), None)
            if shown is None:
                raise Http404("No such version.")
            schema, data = shown.type_version.schema, shown.data
        self.number = number
        can_edit = self.report.status == Report.Status.DRAFT and access.can(request.user, self.report,
                                                                                AccessLevel.CONTRIBUTE)
        with transaction.atomic():
            services.record_view(self.report, by=request.user)
        return self.render_to_response(self.get_context_data(
            report=self.report, shown=shown, fields=rendered_fields(schema, data, request.user), versions=versions,
            number=number, can_edit=can_edit, parent=self.report.parent,
            type_version=shown.type_version,
        ))

    def get_page_title(self):
        suffix = f" — version {self.number}" if self.number else ""
        return f"{self.report.report_type.name}{suffix}"

    def get_breadcrumbs_items(self):
        return self.crumbs(self.report.parent, {"url": "", "label": self.get_page_title()})


class ReportEditView(ReportFormMixin, _Screen):
    @forbidden_as_403
    def dispatch(self, request, pk):
        self.report = fetch_report(request.user, pk, AccessLevel.CONTRIBUTE)
        if self.report.status != Report.Status.DRAFT:
            raise PermissionDenied("This report is final and can no longer be changed.")
        self.schema = self.report.type_version.schema
        if redirect := self.gate(self.report.parent):
            return redirect
        return super().dispatch(request)

    def get_page_title(self):
        return f"Edit {self.report.report_type.name}"

    def get_breadcrumbs_items(self):
        return self.crumbs(self.report.parent, {"url": "", "label": self.get_page_title()})

    def get(self, request):
        form = report_form(self.schema, request.user, stored=self.report.data)
        return self.render_form(form, restricted=self.report.restricted)

    def post(self, request):
        restricted = request.POST.get("restricted") == "on"
        try:
            expected = int(request.POST.get("version", ""))
        except ValueError:
            expected = None
        try:
            report = services.update_report(
                self.report, by=request.user, data=request.POST, files=request.FILES, final="final" in request.POST,
                restricted=restricted, expected_version=expected, prefix=PREFIX,
            )
        except NotAllowed as exc:
            raise PermissionDenied(exc.messages[0]) from exc
        except ValidationError as exc:
            form = refused_form(self.schema, request.user, request, exc, stored=self.report.data)
            messages.error(request, "The report was not saved: see the errors below.")
            return self.render_form(form, status=409 if isinstance(exc, services.ConflictError) else 400,
                                    restricted=restricted)
        messages.success(request, f"Saved as version {report.version}.")
        return HttpResponseRedirect(reverse(f"{NAMESPACE}:detail", args=[report.pk]))

    def get_context_data(self, **kwargs):
        return super().get_context_data(report_type=self.report.report_type, report=self.report,
                                        version=self.report.type_version.number, parent=self.report.parent, **kwargs)


def report_file(request, pk, key, number=None):
    """A file field's upload, served only to users who may see the report."""
    report = fetch_report(request.user, pk)
    data = report.data
    if number is not None:
        data = plain_get_object_or_404(report.versions, number=number).data
    stored = data.get(key)
    if not isinstance(stored, dict) or not stored.get("path") or not default_storage.exists(stored["path"]):
        raise Http404("No such file.")
    return uploads.protected_file_response(default_storage.open(stored["path"], "rb"), download_name=stored["name"])


class ReportViewSet(ViewSet):
    name = "reports"
    url_prefix = "reports"
    url_namespace = NAMESPACE

    def get_urlpatterns(self):
        return [
            path("on/<slug:kind>/<int:pk>/", ReportListView.as_view(), name="list"),
            path("new/<slug:kind>/<int:pk>/<slug:slug>/", ReportCreateView.as_view(), name="add"),
            path("<int:pk>/", ReportDetailView.as_view(), name="detail"),
            path("<int:pk>/edit/", ReportEditView.as_view(), name="edit"),
            path("<int:pk>/versions/<int:number>/", ReportDetailView.as_view(), name="version"),
            path("<int:pk>/files/<slug:key>/", report_file, name="file"),
            path("<int:pk>/versions/<int:number>/files/<slug:key>/", report_file, name="version_file"),
        ]


@hooks.register("register_admin_viewset")
def register_report_viewsets():
    return [ReportTypeViewSet(), ReportViewSet()]
