"""Wagtail loads this module at start-up; each admin module registers its own hooks."""

from .admin import (  # noqa: F401
    alerts,
    api_tokens,
    audit_views,
    dashboard,
    galleries,
    imports,
    inbox,
    records,
    reports,
    search,
    security,
    sharing,
    shell,
    structure,
    work_viewsets,
)
