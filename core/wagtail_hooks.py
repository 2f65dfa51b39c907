"""Wagtail loads this module at start-up; each admin module registers its own hooks."""

from .admin import dashboard, inbox, records, shell, structure, work_viewsets  # noqa: F401  # noqa: F401
