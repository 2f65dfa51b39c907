"""Admin: security screens (issue 9).

- the user's two-factor settings, under the account menu (``core.security.twofactor``);
- "Locked-out sign-ins" under Settings, for organisation, partnership and system
  admins: the lockouts in force and a button to lift each (``core.security.lockouts``);
- the subject access export of one profile (``core.security.dataprotection``), at
  ``/admin/data-protection/profiles/<pk>/export/``: 404 to users who cannot see the
  profile, 403 to those who see it but may not manage it.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import access
from ..models import Profile
from ..security import dataprotection, lockouts, twofactor
from . import retention  # noqa: F401  (registers the retention review screens)


class SubjectAccessExportView(WagtailAdminTemplateMixin, TemplateView):
    page_title = "Subject access export"
    header_icon = "download"
    template_name = "wraparound/security/subject_access.html"

    def dispatch(self, request, pk):
        self.profile = access.get_object_or_404(Profile, request.user, access.AccessLevel.VIEW, pk=pk)
        if not dataprotection.may_export(request.user, self.profile):
            raise PermissionDenied
        return super().dispatch(request, pk)

    def get_breadcrumbs_items(self):
        return []

    def get_page_subtitle(self):
        return str(self.profile)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "profile": self.profile, "error": kwargs.get("error")}

    def post(self, request, pk):
        from django.core.exceptions import ValidationError
        from django.http import HttpResponse

        try:
            data = dataprotection.subject_access_export(self.profile, by=request.user,
                                                        reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            return self.render_to_response(self.get_context_data(error=" ".join(exc.messages)))
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="subject-access-profile-{self.profile.pk}.zip"'
        response["Cache-Control"] = "private, no-store"
        return response


class LockoutsView(WagtailAdminTemplateMixin, TemplateView):
    page_title = "Locked-out sign-ins"
    header_icon = "lock"
    template_name = "wraparound/security/lockouts.html"

    def dispatch(self, request, *args, **kwargs):
        if not lockouts.may_unlock(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return []

    def get_context_data(self, **kwargs):
        from django.conf import settings

        ctx = super().get_context_data(**kwargs)
        ctx.update(lockouts=lockouts.current_lockouts(self.request.user),
                   limit=settings.AXES_FAILURE_LIMIT,
                   minutes=int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
        return ctx

    def post(self, request):
        kind, value = request.POST.get("kind", ""), request.POST.get("value", "")
        if kind not in ("username", "ip_address") or not value:
            messages.error(request, "Choose a lockout to lift.")
            return redirect("wraparound_lockouts")
        try:
            lockouts.unlock(actor=request.user, kind=kind, value=value, reason=request.POST.get("reason", ""))
        except PermissionDenied:
            messages.error(request, "No such lockout, or not one you may lift.")
        else:
            messages.success(request, f"Lockout lifted for {value}.")
        return redirect("wraparound_lockouts")


@hooks.register("register_admin_urls")
def _security_urls():
    return [
        *twofactor.urlpatterns(),
        path("security/lockouts/", LockoutsView.as_view(), name="wraparound_lockouts"),
        path("data-protection/profiles/<int:pk>/export/", SubjectAccessExportView.as_view(),
             name="wraparound_subject_access"),
    ]


class _LockoutsMenuItem(MenuItem):
    def is_shown(self, request):
        return lockouts.may_unlock(request.user)


@hooks.register("register_settings_menu_item")
def _lockouts_menu_item():
    return _LockoutsMenuItem("Locked-out sign-ins", reverse("wraparound_lockouts"), icon_name="lock", order=900)


@hooks.register("register_account_menu_item")
def _two_factor_account_item(request):
    return {"url": reverse("wraparound_2fa"), "label": "Two-factor authentication",
            "help_text": "An authenticator app and recovery codes for signing in."}
