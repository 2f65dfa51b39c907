"""Admin: importing legacy spreadsheets — upload → map columns → dry run → commit →
history → undo (``/admin/imports/``, namespace ``wraparound_imports``).

Who: organisation admins import (``core.imports.jobs.may_import``), for a team they
belong to; a job is seen only by its importer and their organisation's admins — to
anyone else every URL of it answers 404. The import's page refreshes itself with a
``<meta http-equiv="refresh">`` while the job runs (no script), so the importer can
leave and come back: the progress lives on the job row.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.views import View
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from ..imports import jobs, pipeline, reading
from ..imports.registry import get_resource, resource_choices
from ..models import ImportJob
from ..plugins.screens import forbidden_as_403

NAMESPACE = "wraparound_imports"


def url(name: str, *args) -> str:
    return reverse(f"{NAMESPACE}:{name}", args=args)


def add_errors(form, exc: ValidationError, default: str | None = None) -> None:
    """Put a service's ValidationError on the form: per field where it names one."""
    by_field = exc.message_dict if hasattr(exc, "error_dict") else {default: exc.messages}
    for field, errors in by_field.items():
        form.add_error(field if field in form.fields else None, errors)


class UploadForm(forms.Form):
    resource = forms.ChoiceField(label="What the sheet holds", choices=())
    owner_team = forms.ModelChoiceField(
        queryset=None, label="Owner team",
        help_text="Every record the import creates or updates is owned by this team (one of yours).")
    file = forms.FileField(label="Spreadsheet")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = resource_choices(user)
        self.fields["owner_team"].queryset = jobs.importer_teams(user)
        self.fields["file"].help_text = format_html(
            'CSV (any encoding or delimiter), Excel .xlsx or .ods. To try it, <a href="{}">download a messy '
            "sample cohort list</a>.", url("sample"))


class MappingForm(forms.Form):
    """A select per column of the sheet, a constant per field, the mode, the heading row
    and a name to save the mapping under."""

    def __init__(self, *args, job: ImportJob, samples: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.job = job
        resource = get_resource(job.resource)
        choices = [("", "— ignore this column —")] + [(f.name, f.label) for f in resource.get_fields()]
        for i, heading in enumerate(job.headers):
            example = ", ".join(samples.get(i, [])) or "empty in the first rows"
            self.fields[f"col_{i}"] = forms.ChoiceField(
                label=f"Column “{heading}”", choices=choices, required=False,
                initial=job.mapping.get(heading, ""), help_text=f"e.g. {example}")
        self.fields["mode"] = forms.ChoiceField(
            label="When a row has errors", choices=ImportJob.Mode.choices, initial=job.mode,
            widget=forms.RadioSelect)
        self.fields["header_row"] = forms.IntegerField(
            label="Row of the column headings", min_value=1, initial=job.header_row,
            help_text="Found automatically; change it if the headings are on another row.")
        for f in resource.get_fields():
            self.fields[f"const_{f.name}"] = forms.CharField(
                label=f"Constant: {f.label}", required=False, initial=job.constants.get(f.name, ""),
                help_text="Used for every row when no column gives this (or the cell is blank).")
        self.fields["save_as"] = forms.CharField(
            label="Save this mapping as", required=False, max_length=200,
            help_text="Offered automatically the next time a sheet with these headings is uploaded.")

    def mapping(self) -> dict:
        return {h: self.cleaned_data.get(f"col_{i}") or "" for i, h in enumerate(self.job.headers)}

    def constants(self) -> dict:
        return {k[6:]: v for k, v in self.cleaned_data.items() if k.startswith("const_") and v}


class ImportViewMixin(WagtailAdminTemplateMixin):
    header_icon = "upload"
    page_title = "Imports"
    #: False for the history: an admin who lost the role still sees their past imports.
    importer_only = False

    @forbidden_as_403
    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs:
            self.job = get_object_or_404(jobs.visible_jobs(request.user).select_related(
                "owner_team__organisation", "created_by"), pk=kwargs["pk"])
        elif not jobs.may_import(request.user) and (
            self.importer_only or not jobs.visible_jobs(request.user).exists()
        ):
            raise PermissionDenied("Importing is for organisation admins.")
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = self.breadcrumbs_items + [{"url": url("index"), "label": "Imports"}]
        if getattr(self, "job", None):
            items.append({"url": url("detail", self.job.pk), "label": str(self.job)})
        return items + [{"url": "", "label": self.page_title}]

    def require_importer(self):
        if self.job.created_by_id != self.request.user.pk or not jobs.may_import(self.request.user):
            raise PermissionDenied("Only the admin who uploaded this sheet can run it.")


class ImportIndexView(ImportViewMixin, View):
    template_name = "wraparound/imports/index.html"
    page_title = "Imports"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": "Imports"}]

    def get(self, request):
        history = jobs.visible_jobs(request.user).select_related("owner_team__organisation", "created_by").defer(
            "content", "errors", "preview")[:100]
        return self.render_to_response(self.get_context_data(
            jobs=history, may_import=jobs.may_import(request.user)))


class ImportUploadView(ImportViewMixin, View):
    template_name = "wagtailadmin/generic/form.html"
    page_title = "New import"

    importer_only = True

    def get(self, request):
        return self.render(UploadForm(user=request.user))

    def post(self, request):
        form = UploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = jobs.create_job(by=request.user, resource=form.cleaned_data["resource"],
                                      filename=upload.name, content=upload.read(),
                                      owner_team=form.cleaned_data["owner_team"])
            except ValidationError as exc:
                add_errors(form, exc, default="file")
            else:
                return HttpResponseRedirect(url("map", job.pk))
        return self.render(form)

    def render(self, form):
        return self.render_to_response(self.get_context_data(
            form=form, action_url=url("add"), submit_button_label="Upload and map columns",
            submit_button_active_label="Reading the sheet…"))


class ImportMapView(ImportViewMixin, View):
    template_name = "wraparound/imports/map.html"
    page_title = "Map the columns"

    def samples(self) -> dict:
        try:
            sheet = reading.read_sheet(bytes(self.job.content), self.job.filename)
        except reading.SheetError:
            return {}
        out: dict[int, list[str]] = {}
        for _number, _index, cells in list(reading.data_rows(sheet, self.job.header_row - 1))[:3]:
            for i, value in enumerate(cells):
                if not reading._empty(value):
                    out.setdefault(i, []).append(str(value)[:30])
        return out

    def get(self, request, pk):
        self.require_importer()
        return self.render(MappingForm(job=self.job, samples=self.samples()))

    def post(self, request, pk):
        self.require_importer()
        if self.job.status in (ImportJob.Status.COMMITTED, ImportJob.Status.UNDONE) or self.job.in_progress:
            messages.error(request, "This import can no longer be changed.")
            return HttpResponseRedirect(url("detail", self.job.pk))
        form = MappingForm(request.POST, job=self.job, samples=self.samples())
        if form.is_valid():
            header_row = form.cleaned_data["header_row"]
            try:
                jobs.set_mapping(self.job, mapping=form.mapping(), constants=form.constants(),
                                 mode=form.cleaned_data["mode"], save_as=form.cleaned_data["save_as"],
                                 header_row=header_row, by=request.user)
                jobs.start(self.job, dry_run=True)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                return HttpResponseRedirect(url("detail", self.job.pk))
        return self.render(form)

    def render(self, form):
        column_fields = [form[f"col_{i}"] for i in range(len(self.job.headers))]
        constant_fields = [form[n] for n in form.fields if n.startswith("const_")]
        return self.render_to_response(self.get_context_data(
            form=form, job=self.job, column_fields=column_fields, constant_fields=constant_fields,
            option_fields=[form["header_row"], form["mode"], form["save_as"]]))


class ImportDetailView(ImportViewMixin, View):
    template_name = "wraparound/imports/detail.html"

    def get(self, request, pk):
        job = self.job
        self.page_title = str(job)
        records = job.records.only("row", "action", "object_type", "object_id", "object_repr")[:500]
        return self.render_to_response(self.get_context_data(
            job=job, records=records, record_count=job.records.count(),
            may_run=job.created_by_id == request.user.pk and jobs.may_import(request.user),
            may_commit=job.status == ImportJob.Status.PREVIEWED,
            may_undo=job.status == ImportJob.Status.COMMITTED or (
                job.status == ImportJob.Status.FAILED and job.records.exists()),
            page_title=str(job)))

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": url("index"), "label": "Imports"}, {"url": "", "label": str(self.job)}]


class ImportCommitView(ImportViewMixin, View):
    def post(self, request, pk):
        self.require_importer()
        if self.job.status != ImportJob.Status.PREVIEWED:
            messages.error(request, "Run the dry run (map the columns) before importing.")
            return HttpResponseRedirect(url("detail", self.job.pk))
        try:
            job = jobs.start(self.job, dry_run=False)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if job.status == ImportJob.Status.COMMITTED:
                messages.success(request, f"Imported: {job.counts.get('create', 0)} created, "
                                          f"{job.counts.get('update', 0)} updated.")
            elif job.in_progress:
                messages.info(request, "The import is running in the background: this page shows its progress.")
            else:
                messages.error(request, job.message or "Nothing was imported.")
        return HttpResponseRedirect(url("detail", self.job.pk))


class ImportUndoView(ImportViewMixin, View):
    template_name = "wraparound/imports/undo.html"
    page_title = "Undo the import"

    def get(self, request, pk):
        self.require_importer()
        blockers = get_resource(self.job.resource).undo_blockers(list(self.job.records.all()))
        return self.render_to_response(self.get_context_data(job=self.job, blockers=blockers))

    def post(self, request, pk):
        self.require_importer()
        try:
            count = pipeline.undo(self.job, by=request.user)
        except pipeline.UndoRefused as exc:
            return self.render_to_response(self.get_context_data(job=self.job, blockers=exc.blockers))
        messages.success(request, f"Import undone: {count} records removed or restored.")
        return HttpResponseRedirect(url("detail", self.job.pk))


SAMPLE = Path(__file__).resolve().parents[1] / "demo" / "samples" / "iom_cohort_legacy.csv"


class ImportSampleView(ImportViewMixin, View):
    """The demo's messy sample sheet (no personal data: invented people)."""

    importer_only = True

    def get(self, request):
        return FileResponse(SAMPLE.open("rb"), as_attachment=True, filename=SAMPLE.name, content_type="text/csv")


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return jobs.may_import(request.user)


class ImportViewSet(ViewSet):
    name = "imports"
    url_prefix = "imports"
    url_namespace = NAMESPACE
    icon = "upload"
    menu_label = "Imports"
    menu_name = "imports"
    menu_order = 250
    add_to_admin_menu = True

    @property
    def menu_item_class(self):
        return ImportMenuItem

    def get_urlpatterns(self):
        return [
            path("", ImportIndexView.as_view(), name="index"),
            path("new/", ImportUploadView.as_view(), name="add"),
            path("sample.csv", ImportSampleView.as_view(), name="sample"),
            path("<int:pk>/", ImportDetailView.as_view(), name="detail"),
            path("<int:pk>/map/", ImportMapView.as_view(), name="map"),
            path("<int:pk>/commit/", ImportCommitView.as_view(), name="commit"),
            path("<int:pk>/undo/", ImportUndoView.as_view(), name="undo"),
        ]


@hooks.register("register_admin_viewset")
def register_import_viewset():
    return ImportViewSet()

