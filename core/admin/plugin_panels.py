"""The panels plugins add to the profile hub and the case screen (hooks
``wraparound_profile_panels`` and ``wraparound_case_panels``), collected and rendered in
one place.

A panel is left out for a user none of whose organisations has its programme enabled
(its ``context`` is not even called: switching a programme off hides its panels on the
next page load, and its data stays where it is), and when its ``context`` returns
``None`` for this record. Core has already fetched the record through ``core.access``
and passes the user's level on it, so panels need not check it again."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string

from ..plugins.registry import registry
from ..plugins.types import RecordPanel
from ..programmes import enabled_programmes_for


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    label: str
    html: str


def panels_for(user, table: str) -> list[RecordPanel]:
    """The panels of ``table`` (``profile_panels`` or ``case_panels``) whose programme is
    enabled for ``user``, in their declared order."""
    panels: dict[str, RecordPanel] = getattr(registry, table)
    if not panels:
        return []
    enabled = enabled_programmes_for(user)
    return [panel for panel in sorted(panels.values(), key=lambda p: (p.order, p.label))
            if not panel.programme or panel.programme in enabled]


def render_panel(request, obj, level, panel: RecordPanel) -> str | None:
    """``panel`` rendered for ``obj``, or ``None`` when it does not apply to this record."""
    context = panel.context(request, obj, level)
    if context is None:
        return None
    return render_to_string(panel.template, {**context, "object": obj, "level": level, "panel": panel},
                            request=request)


def render_panels(request, obj, level, table: str) -> list[RenderedPanel]:
    """The panels of ``table`` that apply to ``obj`` for ``request.user``, rendered, in
    their declared order (the case screen shows them all with the page)."""
    rendered = []
    for panel in panels_for(request.user, table):
        html = render_panel(request, obj, level, panel)
        if html is not None:
            rendered.append(RenderedPanel(panel.key, panel.label, html))
    return rendered
