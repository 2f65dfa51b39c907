"""A third-party plugin installed as a distribution with an entry point in the group
``wraparound`` is discovered, installed as a Django app and its programme registered.

The distribution is a tiny fake made in ``tmp_path`` (a package and its ``.dist-info``),
put on ``sys.path`` for the test only. The test settings do not load entry points, so
these tests build their own plugin manager and registry (and, end to end, a fresh
interpreter with entry points switched on)."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from core.plugins.discovery import BUILTIN_PLUGINS, entrypoint_plugin_apps, plugin_apps
from core.plugins.manager import build_plugin_manager
from core.plugins.registry import Registry

REPO = Path(__file__).resolve().parents[2]

FILES = {
    "wa_fake_gangs/__init__.py": '"""Gangs programme: a third-party Wraparound plugin."""\n',
    "wa_fake_gangs/apps.py": """
        from django.apps import AppConfig


        class GangsConfig(AppConfig):
            name = "wa_fake_gangs"
            label = "wa_fake_gangs"
            verbose_name = "Gangs and county lines"
        """,
    "wa_fake_gangs/plugin.py": """
        from core.plugins import hookimpl
        from core.plugins.types import CaseType, Programme, Stage


        @hookimpl
        def wraparound_programme():
            return Programme(
                slug="gangs",
                name="Gangs and county lines",
                description="Young people drawn into gangs and drug lines.",
                reference_prefix="GNG",
                case_types=(CaseType("gang_case", "Gang exit case", (Stage("identified", "Identified"),)),),
            )
        """,
    "wa_fake_gangs-0.1.dist-info/METADATA": """
        Metadata-Version: 2.1
        Name: wa-fake-gangs
        Version: 0.1
        Summary: A fake Wraparound plugin made by the test suite
        """,
    "wa_fake_gangs-0.1.dist-info/entry_points.txt": """
        [wraparound]
        gangs = wa_fake_gangs.plugin
        """,
}


def _forget_fake_modules():
    for name in [m for m in sys.modules if m == "wa_fake_gangs" or m.startswith("wa_fake_gangs.")]:
        del sys.modules[name]


@pytest.fixture
def fake_distribution(tmp_path, monkeypatch):
    """``tmp_path`` holding the installed fake distribution, on ``sys.path``."""
    for relative, text in FILES.items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))  # also invalidates importlib's caches
    importlib.invalidate_caches()
    try:
        yield tmp_path
    finally:
        _forget_fake_modules()
        monkeypatch.undo()
        importlib.invalidate_caches()


def test_without_the_distribution_no_entrypoint_plugin_is_found():
    assert "wa_fake_gangs" not in entrypoint_plugin_apps()


def test_entrypoint_plugin_app_is_discovered(fake_distribution):
    assert entrypoint_plugin_apps() == ["wa_fake_gangs"]


def test_settings_time_discovery_installs_the_app_after_the_builtins(fake_distribution):
    assert plugin_apps(load_entrypoints=True) == [*BUILTIN_PLUGINS, "wa_fake_gangs"]
    assert plugin_apps(load_entrypoints=False) == list(BUILTIN_PLUGINS)


def test_discovery_does_not_import_the_plugin(fake_distribution):
    # Settings run before Django's app registry is ready: discovery only reads names.
    plugin_apps(load_entrypoints=True)
    assert "wa_fake_gangs" not in sys.modules
    assert "wa_fake_gangs.plugin" not in sys.modules


def test_entrypoint_plugin_is_loaded_and_its_programme_registered(fake_distribution):
    pm = build_plugin_manager(list(BUILTIN_PLUGINS), load_entrypoints=True)

    assert pm.get_plugin("gangs") is sys.modules["wa_fake_gangs.plugin"]
    fresh = Registry()
    fresh.load(pm)
    assert fresh.programme("gangs").name == "Gangs and county lines"
    assert fresh.programme_plugins["gangs"] == "gangs"
    assert list(fresh.programmes)[-1] == "gangs"  # after the built-ins
    assert {"iom", "rj", "asb", "missing_persons", "troubled_families"} <= set(fresh.programmes)


def test_entrypoint_plugins_are_not_loaded_when_switched_off(fake_distribution):
    pm = build_plugin_manager(list(BUILTIN_PLUGINS), load_entrypoints=False)
    fresh = Registry()
    fresh.load(pm)
    assert "gangs" not in fresh.programmes
    assert pm.get_plugin("gangs") is None


def test_entrypoint_plugins_are_not_loaded_in_the_test_run():
    from django.conf import settings

    from core.plugins import get_plugin_manager, registry

    assert settings.LOAD_ENTRYPOINT_PLUGINS is False
    assert set(settings.WRAPAROUND_PLUGIN_APPS) == set(BUILTIN_PLUGINS)
    assert "gangs" not in registry.programmes
    assert {name for name, _ in get_plugin_manager().list_name_plugin()} == {
        "core",
        *BUILTIN_PLUGINS,
    }


def _run_django(code: str, fake_dir: Path, load_entrypoints: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(fake_dir), str(REPO), str(REPO / "site")]),
        "DJANGO_SETTINGS_MODULE": "wraparound.settings.test",
        "WRAPAROUND_LOAD_ENTRYPOINT_PLUGINS": load_entrypoints,
    }
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=fake_dir,
        capture_output=True,
        text=True,
        timeout=120,
    )


CHECK_STARTUP = textwrap.dedent("""
    import django
    django.setup()
    from django.apps import apps
    from core.plugins.registry import registry
    print(apps.is_installed("wa_fake_gangs"), "gangs" in registry.programmes,
          registry.programme_plugins.get("gangs"))
""")


def test_entrypoint_plugin_is_installed_and_registered_at_django_start_up(fake_distribution):
    """End to end: settings add the app to INSTALLED_APPS, CoreConfig.ready() registers
    the entry point with pluggy and the registry has the programme."""
    result = _run_django(CHECK_STARTUP, fake_distribution, "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "gangs"]


def test_entrypoint_plugin_is_ignored_at_start_up_when_switched_off(fake_distribution):
    result = _run_django(CHECK_STARTUP, fake_distribution, "0")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "None"]
