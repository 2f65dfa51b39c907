"""Wagtail loads this module at start-up; each admin module registers its own hooks."""

from .admin import api_tokens, records, shell, structure  # noqa: F401
