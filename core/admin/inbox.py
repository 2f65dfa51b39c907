"""Admin: the notifications inbox (list, open, mark read, mark all read), the unread
count in the main menu, and each user's preferences (in-app / e-mail per kind).

A notification is the recipient's own row; it says *that* something happened and
links to the screen where access is checked, so the inbox reads only
``Notification.objects.filter(recipient=request.user)``."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem as LinkMenuItemComponent
from wagtail.admin.viewsets.base import ViewSet

from ..forms.work import PreferencesForm
from ..models import Notification, NotificationKind, NotificationPreference
from ..services.inbox import open_notification, set_notification_preferences
from ..services.notifications import mark_read, unread_count
from .common import WorkScreen

NAMESPACE = "wraparound_inbox"
PAGE_SIZE = 30


class InboxView(WorkScreen, TemplateView):
    template_name = "wraparound/work/inbox.html"
    page_title = "Notifications"
    header_icon = "mail"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        show = self.request.GET.get("show", "all")
        rows = Notification.objects.filter(recipient=self.request.user).select_related("actor")
        if show == "unread":
            rows = rows.filter(read_at__isnull=True)
        else:
            show = "all"
        context.update(
            page=Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("p")), show=show,
            unread=unread_count(self.request.user),
        )
        return context


class OpenNotificationView(View):
    def get(self, request, pk):
        notification = open_notification(request.user, pk)
        if notification is None:
            raise Http404("No such notification.")
        target = notification.url
        # Only paths inside this site: a stored URL must not send the user elsewhere.
        if target and target.startswith("/") and url_has_allowed_host_and_scheme(target, {request.get_host()}):
            return HttpResponseRedirect(target)
        return HttpResponseRedirect(reverse(f"{NAMESPACE}:index"))


class MarkReadView(View):
    http_method_names = ["post"]

    def post(self, request, pk=None):
        count = mark_read(request.user, None if pk is None else [pk])
        if pk is None:
            messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
        return HttpResponseRedirect(reverse(f"{NAMESPACE}:index"))


class PreferencesView(WorkScreen, TemplateView):
    template_name = "wraparound/work/notification_preferences.html"
    page_title = "Notification settings"
    header_icon = "cog"

    def current(self):
        return {p.kind: p for p in NotificationPreference.objects.filter(user=self.request.user)}

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = form or PreferencesForm(current=self.current())
        return context

    def post(self, request):
        form = PreferencesForm(request.POST, current=self.current())
        if form.is_valid():
            set_notification_preferences(request.user, {
                kind: (form.cleaned_data[f"{kind}_in_app"], form.cleaned_data[f"{kind}_email"])
                for kind in NotificationKind.values
            })
            messages.success(request, "Notification settings saved.")
            return HttpResponseRedirect(reverse(f"{NAMESPACE}:preferences"))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class InboxViewSet(ViewSet):
    name = "inbox"
    url_prefix = "inbox"
    url_namespace = NAMESPACE

    def get_urlpatterns(self):
        return [
            path("", InboxView.as_view(), name="index"),
            path("<int:pk>/open/", OpenNotificationView.as_view(), name="open"),
            path("<int:pk>/read/", MarkReadView.as_view(), name="read"),
            path("read-all/", MarkReadView.as_view(), name="read_all"),
            path("settings/", PreferencesView.as_view(), name="preferences"),
        ]


class InboxMenuItem(MenuItem):
    """"Notifications (3)": the unread count is one indexed COUNT per page load."""

    def render_component(self, request):
        # A new component per request: menu item instances are shared between requests.
        count = unread_count(request.user)
        return LinkMenuItemComponent(
            self.name, f"Notifications ({count})" if count else "Notifications", self.url,
            icon_name=self.icon_name, classname=self.classname,
            attrs={"aria-label": f"Notifications, {count} unread"} if count else {},
        )


@hooks.register("register_admin_viewset")
def register_inbox():
    return InboxViewSet()


@hooks.register("register_admin_menu_item")
def inbox_menu_item():
    return InboxMenuItem("Notifications", reverse(f"{NAMESPACE}:index"), name="notifications",
                         icon_name="mail", order=140)
