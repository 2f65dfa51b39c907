"""Small pieces the workspace screens (tasks, referrals, inbox, dashboard) share."""

from __future__ import annotations

import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from ..services.errors import NotAllowed


def forbidden_as_403(view):
    """A refused service call (NotAllowed) or PermissionDenied answers 403 with the
    reason, rather than Wagtail's redirect to the dashboard."""

    @functools.wraps(view)
    def wrapped(self, request, *args, **kwargs):
        try:
            return view(self, request, *args, **kwargs)
        except (PermissionDenied, NotAllowed) as exc:
            message = (exc.messages[0] if isinstance(exc, ValidationError) else str(exc)) or (
                "You do not have the access this needs."
            )
            return TemplateResponse(request, "wraparound/records/forbidden.html", {"message": message}, status=403)

    return wrapped


def error_text(exc: ValidationError) -> str:
    """One line for a message banner from a service's ValidationError."""
    if hasattr(exc, "error_dict"):
        return " ".join(m for messages in exc.message_dict.values() for m in messages)
    return " ".join(exc.messages)


class WorkScreen(WagtailAdminTemplateMixin):
    """An admin screen whose header names it (Wagtail shows the last breadcrumb)."""

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]
