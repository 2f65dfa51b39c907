"""Find programme plugins before Django starts.

Settings call :func:`plugin_apps` to extend ``INSTALLED_APPS``. This module must not
import Django models or the plugins themselves: at settings time the app registry is not
ready (importing a plugin's models would raise ``AppRegistryNotReady``). It only reads
names: the built-in plugins from ``BUILTIN_PLUGINS`` and third-party ones from the
entry-point group ``wraparound``.

An entry point names the plugin's hookimpl module, ``<app package>.plugin``; the Django
app is the package that holds it::

    [project.entry-points.wraparound]
    gangs = "wraparound_gangs.plugin"
"""

from __future__ import annotations

from importlib.metadata import entry_points

ENTRYPOINT_GROUP = "wraparound"

#: The five programmes that ship with Wraparound, as Django app packages.
BUILTIN_PLUGINS: tuple[str, ...] = (
    "plugins.iom",
    "plugins.rj",
    "plugins.asb",
    "plugins.missing_persons",
    "plugins.troubled_families",
)


def app_for_plugin_module(module: str) -> str:
    """The Django app package of a plugin module named by an entry point."""
    return module[: -len(".plugin")] if module.endswith(".plugin") else module


def entrypoint_plugin_apps() -> list[str]:
    """App packages of the third-party plugins installed in this environment."""
    apps = []
    for ep in entry_points(group=ENTRYPOINT_GROUP):
        app = app_for_plugin_module(ep.module)
        if app not in apps and app not in BUILTIN_PLUGINS:
            apps.append(app)
    return apps


def plugin_apps(load_entrypoints: bool = True) -> list[str]:
    """Every plugin app to install: the built-ins, then the entry-point plugins."""
    apps = list(BUILTIN_PLUGINS)
    if load_entrypoints:
        apps += entrypoint_plugin_apps()
    return apps
