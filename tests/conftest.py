"""Shared fixtures. Factories live in ``tests/factories.py``."""

from __future__ import annotations

import pytest
from django.db import connection

from core.plugins.manager import get_plugin_manager
from core.plugins.registry import registry


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs PostgreSQL"))


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def register_plugin():
    """Register a tiny in-test plugin object for the duration of a test and rebuild the
    registry around it; unregistered (and the registry rebuilt) in ``finally``."""
    pm = get_plugin_manager()
    added = []

    def _register(plugin, name=None):
        pm.register(plugin, name=name)
        added.append(plugin)
        registry.load(pm)
        return plugin

    try:
        yield _register
    finally:
        for plugin in added:
            pm.unregister(plugin)
        registry.load(pm)


@pytest.fixture
def world(db):
    """A small two-county partnership (see ``factories.make_world``)."""
    from .factories import make_world

    return make_world()
