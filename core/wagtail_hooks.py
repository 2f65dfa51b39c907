"""Wagtail loads this module at start-up; each admin module registers its own hooks."""

from .admin import (  # noqa: F401
    audit_views,
    imports,
    records,
    search,
    shell,
    structure,
)
