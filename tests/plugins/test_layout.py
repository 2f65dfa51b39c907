"""The house rule, checked on the source: core never imports a plugin; a plugin imports
core's public API only and never another plugin."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLUGIN_DIRS = sorted(p.parent for p in (REPO / "plugins").glob("*/apps.py"))

#: What a plugin may import from core (and anything below these packages).
CORE_PUBLIC_API = (
    "core.models", "core.access", "core.services", "core.plugins", "core.audit", "core.imports", "core.alerts",
    "core.programmes",
)
#: ...and, in a plugin's ``demo.py`` only, the demo loader's helpers (so that the five
#: programmes do not each copy them).
DEMO_API = ("core.demo", "core.demo.kit")


def imported_modules(path: Path, package: str) -> list[tuple[int, str]]:
    """Absolute names of the modules a file imports (``from x import y`` counts as both
    ``x`` and ``x.y``, since ``y`` may be a module); relative imports are resolved
    against ``package``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def package_of(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts if path.name == "__init__.py" else parts[:-1]).removesuffix(".__init__")


def is_within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_the_five_builtin_plugins_are_checked():
    assert {p.name for p in PLUGIN_DIRS} >= {
        "iom",
        "rj",
        "asb",
        "missing_persons",
        "troubled_families",
    }


@pytest.mark.parametrize("plugin_dir", PLUGIN_DIRS, ids=lambda p: p.name)
def test_plugin_imports_only_core_public_api_and_never_another_plugin(plugin_dir):
    own = f"plugins.{plugin_dir.name}"
    problems = []
    for path in sorted(plugin_dir.rglob("*.py")):
        allowed = CORE_PUBLIC_API + (DEMO_API if path.name == "demo.py" else ())
        for lineno, module in imported_modules(path, package_of(path)):
            where = f"{path.relative_to(REPO)}:{lineno}"
            if is_within(module, "plugins") and not is_within(module, own) and module != "plugins":
                problems.append(f"{where} imports another plugin: {module}")
            elif module == "plugins":
                problems.append(f"{where} imports the plugins package")
            elif (
                is_within(module, "core")
                and module != "core"
                and not any(is_within(module, api) for api in allowed)
            ):
                # ``from core import services`` yields "core" and "core.services": only
                # the second names what is used.
                problems.append(f"{where} imports a private part of core: {module}")
    assert problems == []


def test_core_never_imports_a_plugin():
    problems = [
        f"{path.relative_to(REPO)}:{lineno} imports {module}"
        for path in sorted((REPO / "core").rglob("*.py"))
        if "migrations" not in path.parts
        for lineno, module in imported_modules(path, package_of(path))
        if is_within(module, "plugins")
    ]
    assert problems == []


def test_import_checker_sees_forbidden_imports(tmp_path):
    # The checks above are only as good as this parser: make sure it catches the cases.
    bad = tmp_path / "plugin.py"
    bad.write_text(
        "import plugins.rj.plugin\n"
        "from plugins.asb import plugin\n"
        "from ..rj import demo\n"
        "from core.roles import has_role\n"
        "from core import programmes\n"
    )
    modules = [m for _, m in imported_modules(bad, "plugins.iom")]
    assert "plugins.rj.plugin" in modules
    assert "plugins.asb" in modules
    assert "plugins.rj" in modules
    assert "core.roles" in modules
    assert "core.programmes" in modules
