"""Admin: tasks — "my tasks", "my team's tasks", one task (start, complete, cancel,
attachments), and adding a task to a profile or case.

Every task comes from ``core.access.restrict`` (a task follows its record; its
assignees see it too). The record a task is on is named and linked only when the user
may see that record: an assignee without access sees the task, not the person."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.viewsets.base import ViewSet

from .. import access, services
from ..access import AccessLevel
from ..forms.work import AttachmentForm, NoteForm, ReasonForm, TaskForm
from ..models import Case, Membership, Profile, Task, TaskAttachment
from ..plugins.screens import add_service_errors, forbidden_as_403
from ..services.errors import NotAllowed
from ..services.work import open_attachment
from .common import WorkScreen, error_text

NAMESPACE = "wraparound_tasks"
PAGE_SIZE = 50


def parents_visible(user, tasks) -> tuple[set, set]:
    """Which of the tasks' profiles and cases the user may see: two queries in all."""
    return (
        access.visible_pks(user, Profile, {t.profile_id for t in tasks if t.profile_id}),
        access.visible_pks(user, Case, {t.case_id for t in tasks if t.case_id}),
    )


def annotate_tasks(user, tasks) -> list[Task]:
    """Set ``parent_label``/``parent_url`` (empty when the record is not the user's to
    see) and ``overdue`` on each task."""
    profiles, cases = parents_visible(user, tasks)
    today = timezone.localdate()
    for task in tasks:
        task.overdue = bool(task.is_open and task.due_on and task.due_on < today)
        task.parent_label = task.parent_url = ""
        if task.case_id and task.case_id in cases:
            task.parent_label = f"{task.case.reference} {task.case.title}"
            task.parent_url = reverse("wraparound_cases:detail", args=[task.case_id])
        elif not task.case_id and task.profile_id in profiles:
            task.parent_label = task.profile.full_name
            task.parent_url = reverse("wraparound_profiles:detail", args=[task.profile_id])
    return tasks


def task_queryset(user):
    return access.restrict(Task.objects.all(), user).select_related(
        "profile", "case", "assigned_user", "assigned_team__organisation", "referral"
    )


class TaskIndexView(WorkScreen, TemplateView):
    template_name = "wraparound/work/task_index.html"
    page_title = "Tasks"
    header_icon = "tasks"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scope = self.request.GET.get("scope", "mine")
        status = self.request.GET.get("status", "open")
        tasks = task_queryset(user)
        if scope == "team":
            tasks = tasks.filter(assigned_team_id__in=Membership.objects.filter(user=user).values("team_id"))
        else:
            scope = "mine"
            tasks = tasks.filter(assigned_user=user)
        if status == "closed":
            tasks = tasks.exclude(status__in=Task.OPEN_STATUSES).order_by("-completed_at", "-id")
        else:
            status = "open"
            tasks = tasks.filter(status__in=Task.OPEN_STATUSES)
        page = Paginator(tasks, PAGE_SIZE).get_page(self.request.GET.get("p"))
        context.update(
            page=page, scope=scope, status=status, tasks=annotate_tasks(user, list(page.object_list)),
            tabs=[("mine", "My tasks"), ("team", "My teams' tasks")],
        )
        return context


class TaskMixin(WorkScreen):
    header_icon = "tasks"

    def get_task(self, pk) -> Task:
        return access.get_object_or_404(task_queryset(self.request.user), self.request.user, pk=pk)

    def back(self, task):
        return HttpResponseRedirect(reverse(f"{NAMESPACE}:detail", args=[task.pk]))


class TaskDetailView(TaskMixin, TemplateView):
    template_name = "wraparound/work/task_detail.html"

    def get(self, request, pk):
        self.task = self.get_task(pk)
        return super().get(request, pk=pk)

    def get_page_title(self):
        return self.task.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{NAMESPACE}:index"), "label": "Tasks"}, {"url": "", "label": self.task.title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        task = annotate_tasks(self.request.user, [self.task])[0]
        referral_visible = bool(task.referral_id) and access.can(self.request.user, task.referral)
        context.update(
            task=task, attachments=list(task.attachments.select_related("uploaded_by")),
            note_form=NoteForm(), reason_form=ReasonForm(), attachment_form=AttachmentForm(),
            referral_visible=referral_visible,
        )
        return context


class TaskActionView(TaskMixin, View):
    """POST: start, complete or cancel."""

    http_method_names = ["post"]
    action = ""

    @forbidden_as_403
    def post(self, request, pk):
        task = self.get_task(pk)
        try:
            if self.action == "start":
                services.start_task(task, by=request.user)
                messages.success(request, "Task started.")
            elif self.action == "complete":
                services.complete_task(task, by=request.user, note=request.POST.get("note", ""))
                messages.success(request, "Task completed and recorded in the action log.")
            elif self.action == "cancel":
                services.cancel_task(task, by=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, "Task cancelled.")
        except NotAllowed:
            raise
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return self.back(task)


class TaskAttachmentView(TaskMixin, View):
    http_method_names = ["post"]

    @forbidden_as_403
    def post(self, request, pk):
        task = self.get_task(pk)
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "Choose a file to attach.")
            return self.back(task)
        try:
            services.add_task_attachment(task, form.cleaned_data["file"], by=request.user)
        except NotAllowed:
            raise
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, "File attached.")
        return self.back(task)


class TaskAttachmentDownloadView(View):
    """The only way to a task's file: checked against the task's access, audited, and
    always sent as a download (never rendered in the admin's origin)."""

    def get(self, request, pk, attachment_pk):
        attachment = access.get_object_or_404(
            TaskAttachment.objects.select_related("task"), request.user, pk=attachment_pk, task_id=pk
        )
        try:
            return open_attachment(attachment, by=request.user)
        except FileNotFoundError as exc:
            raise Http404("The file is missing from storage.") from exc


class TaskCreateView(TaskMixin, TemplateView):
    """``?profile=<pk>`` or ``?case=<pk>``: add a task to a record you can contribute to."""

    template_name = "wraparound/work/task_form.html"
    page_title = "New task"

    @forbidden_as_403
    def dispatch(self, request, *args, **kwargs):
        if request.GET.get("case"):
            self.record = access.get_object_or_404(Case, request.user, AccessLevel.CONTRIBUTE,
                                                   pk=request.GET["case"])
        elif request.GET.get("profile"):
            self.record = access.get_object_or_404(Profile, request.user, AccessLevel.CONTRIBUTE,
                                                   pk=request.GET["profile"])
        else:
            raise Http404("A task is added to a profile or a case.")
        return super().dispatch(request, *args, **kwargs)

    def record_label(self):
        return str(self.record) if isinstance(self.record, Case) else self.record.full_name

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(form=form or TaskForm(record=self.record), record_label=self.record_label())
        return context

    def post(self, request):
        form = TaskForm(request.POST, record=self.record)
        if form.is_valid():
            kind = "case" if isinstance(self.record, Case) else "profile"
            try:
                task = services.create_task(by=request.user, **{kind: self.record}, **form.cleaned_data)
            except NotAllowed:
                raise
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Task added; the assignees have been told.")
                return self.back(task)
        response = self.render_to_response(self.get_context_data(form=form))
        response.status_code = 400
        return response


class TaskViewSet(ViewSet):
    name = "tasks"
    url_prefix = "tasks"
    url_namespace = NAMESPACE
    icon = "tasks"
    menu_label = "Tasks"
    menu_name = "tasks"
    menu_order = 150
    add_to_admin_menu = True

    def get_urlpatterns(self):
        return [
            path("", TaskIndexView.as_view(), name="index"),
            path("add/", TaskCreateView.as_view(), name="add"),
            path("<int:pk>/", TaskDetailView.as_view(), name="detail"),
            path("<int:pk>/start/", TaskActionView.as_view(action="start"), name="start"),
            path("<int:pk>/complete/", TaskActionView.as_view(action="complete"), name="complete"),
            path("<int:pk>/cancel/", TaskActionView.as_view(action="cancel"), name="cancel"),
            path("<int:pk>/attachments/", TaskAttachmentView.as_view(), name="attach"),
            path("<int:pk>/attachments/<int:attachment_pk>/", TaskAttachmentDownloadView.as_view(),
                 name="attachment"),
        ]
