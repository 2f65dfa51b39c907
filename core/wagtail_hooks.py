"""Wagtail loads this module at start-up; each admin module registers its own hooks."""

from .admin import records, security, shell, structure  # noqa: F401
