"""Wagtail loads this module at start-up; each admin module registers its own hooks."""

from .admin import alerts, galleries, records, reports, shell, structure  # noqa: F401
