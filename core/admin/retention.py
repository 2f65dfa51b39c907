"""Admin: Settings → Retention review, and the erasure of one record past retention.

For organisation and partnership admins, about the records their own organisations own
(``core.security.retention.reviewing_organisations``); everyone else gets 404 — the
screen does not exist for them. The list names a person (or shows a case's title) only
to an admin who may see that record through ``core.access``; others see its reference.
Erasure asks for a written justification and the record's reference typed again, and
runs ``core.security.erasure`` (one transaction, one ERASE audit event).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import access
from ..models import Case, Profile
from ..security import erasure, retention


class _ReviewerMixin(WagtailAdminTemplateMixin):
    def dispatch(self, request, *args, **kwargs):
        if not retention.may_review(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return []


class RetentionReviewView(_ReviewerMixin, TemplateView):
    page_title = "Retention review"
    header_icon = "history"
    template_name = "wraparound/security/retention_review.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        orgs = retention.reviewing_organisations(user)
        profiles = retention.profiles_due(orgs)
        cases = retention.cases_due(orgs)
        seen_profiles = access.visible_pks(user, Profile, [d.record.pk for d in profiles])
        seen_cases = access.visible_pks(user, Case, [d.record.pk for d in cases])
        return {
            **super().get_context_data(**kwargs),
            "organisations": orgs,
            "profiles": [(d, str(d.record) if d.record.pk in seen_profiles else "") for d in profiles],
            "cases": [(d, d.record.title if d.record.pk in seen_cases else "") for d in cases],
        }


class EraseRecordView(_ReviewerMixin, TemplateView):
    page_title = "Erase a record"
    header_icon = "bin"
    template_name = "wraparound/security/erase_record.html"

    def dispatch(self, request, kind, pk):
        if kind not in ("profile", "case") or not retention.may_review(request.user):
            raise Http404
        self.kind = kind
        self.model = Profile if kind == "profile" else Case
        self.record = erasure.erasable(self.model, request.user, pk)
        return super().dispatch(request, kind, pk)

    def get_page_subtitle(self):
        return retention.record_reference(self.record)

    def get_context_data(self, **kwargs):
        status = (retention.profile_status(self.record) if self.kind == "profile"
                  else retention.case_status(self.record))
        plan = erasure.plan_profile(self.record) if self.kind == "profile" else erasure.plan_case(self.record)
        return {
            **super().get_context_data(**kwargs),
            "kind": self.kind,
            "reference": retention.record_reference(self.record),
            "status": status,
            "plan": plan,
            "errors": kwargs.get("errors") or {},
            "values": kwargs.get("values") or {},
        }

    def post(self, request, kind, pk):
        erase = erasure.erase_profile if kind == "profile" else erasure.erase_case
        reference = retention.record_reference(self.record)
        try:
            counts = erase(self.record, by=request.user, justification=request.POST.get("justification", ""),
                           confirm=request.POST.get("confirm", ""))
        except ValidationError as exc:
            response = self.render_to_response(self.get_context_data(
                errors={("record" if k == "__all__" else k): " ".join(v) for k, v in exc.message_dict.items()},
                values={"justification": request.POST.get("justification", "")}))
            response.status_code = 400
            return response
        messages.success(request, f"{reference} erased: " + ", ".join(f"{n} {name}" for name, n in sorted(counts.items()))
                         + ". The erasure is recorded in the audit log.")
        return redirect("wraparound_retention_review")


@hooks.register("register_admin_urls")
def _retention_urls():
    return [
        path("data-protection/retention/", RetentionReviewView.as_view(), name="wraparound_retention_review"),
        path("data-protection/retention/<str:kind>/<int:pk>/erase/", EraseRecordView.as_view(),
             name="wraparound_erase_record"),
    ]


class _RetentionMenuItem(MenuItem):
    def is_shown(self, request):
        return retention.may_review(request.user)


@hooks.register("register_settings_menu_item")
def _retention_menu_item():
    return _RetentionMenuItem("Retention review", reverse("wraparound_retention_review"), icon_name="history",
                              order=910)
