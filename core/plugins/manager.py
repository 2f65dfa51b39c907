"""The pluggy PluginManager for the project name ``wraparound``.

Built-in plugins (``core.plugins.discovery.BUILTIN_PLUGINS``) are registered by module;
third-party plugins through ``load_setuptools_entrypoints("wraparound")``, unless the
setting ``LOAD_ENTRYPOINT_PLUGINS`` is off (the test settings turn it off: tests register
the plugins they need). Core's own declarations are a plugin too (``core.plugins.defaults``).
"""

from __future__ import annotations

import importlib

import pluggy

from . import hookspecs
from .discovery import ENTRYPOINT_GROUP

hookimpl = pluggy.HookimplMarker("wraparound")

_manager: pluggy.PluginManager | None = None


def build_plugin_manager(builtin_apps, load_entrypoints: bool) -> pluggy.PluginManager:
    pm = pluggy.PluginManager("wraparound")
    pm.add_hookspecs(hookspecs)
    pm.register(importlib.import_module("core.plugins.defaults"), name="core")
    for app in builtin_apps:
        pm.register(importlib.import_module(f"{app}.plugin"), name=app)
    if load_entrypoints:
        pm.load_setuptools_entrypoints(ENTRYPOINT_GROUP)
    return pm


def get_plugin_manager() -> pluggy.PluginManager:
    global _manager
    if _manager is None:
        from django.conf import settings

        from .discovery import BUILTIN_PLUGINS

        _manager = build_plugin_manager(
            [app for app in BUILTIN_PLUGINS if app in settings.WRAPAROUND_PLUGIN_APPS],
            getattr(settings, "LOAD_ENTRYPOINT_PLUGINS", True),
        )
    return _manager
