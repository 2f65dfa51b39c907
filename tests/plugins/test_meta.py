"""Keep the hooks, their tests and their documentation in step (after datasette's
``test_plugin_hooks_have_tests`` and ``test_plugin_hooks_are_documented``)."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from core.plugins import hookspecs

from . import test_hooks

HOOKS_DOC = Path(__file__).resolve().parents[2] / "docs" / "hooks.md"

HOOKSPECS = sorted(
    (name, fn)
    for name, fn in vars(hookspecs).items()
    if callable(fn) and hasattr(fn, "wraparound_spec")
)


def signature(fn) -> str:
    """``wraparound_demo_data(context)``: the hook's name and parameters as documented."""
    return f"{fn.__name__}({', '.join(inspect.signature(fn).parameters)})"


def test_hookspecs_are_found():
    assert len(HOOKSPECS) >= 7
    assert all(name.startswith("wraparound_") for name, _ in HOOKSPECS)


@pytest.mark.parametrize("name", [name for name, _ in HOOKSPECS])
def test_every_hook_has_a_test(name):
    test = getattr(test_hooks, f"test_hook_{name}", None)
    assert inspect.isfunction(test), f"tests/plugins/test_hooks.py has no test_hook_{name}"


def test_every_hook_test_names_a_hook():
    names = {name for name, _ in HOOKSPECS}
    stray = [
        t
        for t in vars(test_hooks)
        if t.startswith("test_hook_") and t[len("test_hook_") :] not in names
    ]
    assert stray == [], f"tests for hooks that do not exist: {stray}"


@pytest.mark.parametrize(("name", "fn"), HOOKSPECS)
def test_every_hook_signature_is_documented(name, fn):
    doc = HOOKS_DOC.read_text(encoding="utf-8")
    assert f"### {signature(fn)}" in doc, f"docs/hooks.md has no section '### {signature(fn)}'"


def test_documentation_names_no_hook_that_does_not_exist():
    names = {name for name, _ in HOOKSPECS}
    documented = [
        line[4:].split("(", 1)[0]
        for line in HOOKS_DOC.read_text(encoding="utf-8").splitlines()
        if line.startswith("### wraparound_")
    ]
    assert set(documented) <= names, f"documented but not hooks: {set(documented) - names}"
    assert len(documented) == len(set(documented)), "a hook is documented twice"


@pytest.mark.parametrize(("name", "fn"), HOOKSPECS)
def test_every_hook_has_a_docstring(name, fn):
    doc = inspect.getdoc(fn) or ""
    assert len(doc.split()) >= 8, (
        f"{name} needs a docstring saying when it is called and what it returns"
    )
    assert "return" in doc.lower() or "returns" in doc.lower(), (
        f"{name}'s docstring does not say what it returns"
    )
