"""Which programmes a user may use: those enabled for any organisation they have a
team in. Cached on the user object for the request."""

from __future__ import annotations

from .models import ProgrammeModule
from .plugins.registry import registry


def enabled_programmes_for(user) -> set[str]:
    if not (user and user.is_authenticated and user.is_active):
        return set()
    cached = getattr(user, "_wraparound_programmes", None)
    if cached is None:
        cached = set(
            ProgrammeModule.objects.filter(
                enabled=True, organisation__teams__memberships__user=user, programme__in=list(registry.programmes)
            ).values_list("programme", flat=True)
        )
        user._wraparound_programmes = cached
    return cached


def programme_enabled_for_user(user, slug: str) -> bool:
    return slug in enabled_programmes_for(user)


def plugin_statistics_for(user) -> list[tuple]:
    """``(spec, rows)`` of the plugins' statistics (hook ``wraparound_statistics``) of the
    programmes the user's organisations have enabled; each ``compute`` counts only what
    the user may see (an unenabled programme's are not computed at all)."""
    enabled = enabled_programmes_for(user)
    return [(spec, spec.compute(user)) for spec in registry.statistics.values()
            if not spec.programme or spec.programme in enabled]
