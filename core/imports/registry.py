"""The import resources on offer: core's and those the plugins add through the
``wraparound_import_resources`` hook (collected into ``core.plugins.registry``)."""

from __future__ import annotations

from django.http import Http404

from ..plugins.registry import registry
from .resources import ImportResource


def resources() -> dict[str, ImportResource]:
    return {code: cls() for code, cls in registry.import_resources.items()}


def get_resource(code: str) -> ImportResource:
    cls = registry.import_resources.get(code)
    if cls is None:
        raise Http404(f"No import resource {code!r}.")
    return cls()


def resource_choices(user=None) -> list[tuple[str, str]]:
    """``(code, label)`` of the resources, sorted by label; given a user, only those of
    no programme or of a programme one of the user's organisations has enabled."""
    enabled = None
    if user is not None:
        from ..programmes import enabled_programmes_for

        enabled = enabled_programmes_for(user)
    return [
        (code, cls.label) for code, cls in sorted(registry.import_resources.items(), key=lambda i: i[1].label)
        if enabled is None or not cls.programme or cls.programme in enabled
    ]
