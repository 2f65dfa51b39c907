"""Small pieces the workspace screens (tasks, referrals, inbox, dashboard) share."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin


def error_text(exc: ValidationError) -> str:
    """One line for a message banner from a service's ValidationError."""
    if hasattr(exc, "error_dict"):
        return " ".join(m for messages in exc.message_dict.values() for m in messages)
    return " ".join(exc.messages)


class WorkScreen(WagtailAdminTemplateMixin):
    """An admin screen whose header names it (Wagtail shows the last breadcrumb)."""

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]
