"""Wagtail loads this module at start-up; each admin module registers its own hooks."""

from .admin import audit_views, records, search, shell, structure  # noqa: F401
