"""Panels other screens include (the profile hub, the case page):

- ``{% profile_alerts profile %}`` — the alerts on a profile the viewer may see
  (template ``wraparound/alerts/profile_panel.html``);
- ``{% record_reports profile_or_case %}`` — its reports the viewer may see, with links
  to write one (template ``wraparound/reports/record_panel.html``).

Both read through ``core.access`` with the request's user: two queries each."""

from __future__ import annotations

from django import template

from .. import access
from ..access import AccessLevel
from ..models import Profile, Report

register = template.Library()


@register.inclusion_tag("wraparound/alerts/profile_panel.html", takes_context=True)
def profile_alerts(context, profile):
    user = context["request"].user
    from ..services.alerts import alerts_visible_to

    alerts = alerts_visible_to(user).filter(profile=profile).select_related("rule")[:20]
    return {"alerts": list(alerts)}


@register.inclusion_tag("wraparound/reports/record_panel.html", takes_context=True)
def record_reports(context, parent):
    from ..services.reports import report_types_for

    user = context["request"].user
    kind = "profile" if isinstance(parent, Profile) else "case"
    reports = access.restrict(Report.objects.filter(**{kind: parent}), user).select_related(
        "report_type", "organisation", "author"
    )[:20]
    # The record screens already worked out the viewer's level on the record they show.
    shown = context.get("object")
    if "level" in context and type(shown) is type(parent) and shown.pk == parent.pk:
        level = context["level"]
    else:
        level = access.level_for(user, parent)
    types = report_types_for(user, kind) if level and level >= AccessLevel.CONTRIBUTE else []
    return {"reports": list(reports), "report_types": types, "kind": kind, "parent": parent}
