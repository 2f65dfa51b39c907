"""The start-up registry: what the built-in plugins declare, and the keys it refuses."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import services
from core.plugins import get_plugin_manager, hookimpl, registry
from core.plugins.discovery import BUILTIN_PLUGINS
from core.plugins.registry import Registry
from core.plugins.types import CaseType, Choice, IdentifierType, Programme, Stage

BUILTIN_SLUGS = {"iom", "rj", "asb", "missing_persons", "troubled_families"}


def programme(slug: str, prefix: str) -> Programme:
    return Programme(
        slug=slug,
        name=slug.title(),
        description="",
        reference_prefix=prefix,
        case_types=(CaseType("case", "Case", (Stage("open", "Open"),)),),
    )


def programme_plugin(prog: Programme):
    class Plugin:
        @hookimpl
        def wraparound_programme(self):
            return prog

    return Plugin()


def test_all_five_builtin_programmes_are_registered():
    assert set(registry.programmes) == BUILTIN_SLUGS
    assert {registry.programme_plugins[s] for s in BUILTIN_SLUGS} == set(BUILTIN_PLUGINS)
    assert {s: registry.programme_plugins[s] for s in BUILTIN_SLUGS} == {
        s: f"plugins.{s}" for s in BUILTIN_SLUGS
    }


@pytest.mark.parametrize("slug", sorted(BUILTIN_SLUGS))
def test_builtin_programme_declares_case_types_with_stages(slug):
    prog = registry.programme(slug)
    assert prog.name and prog.description and prog.reference_prefix
    assert prog.case_types
    for case_type in prog.case_types:
        assert case_type.stages, f"{slug}/{case_type.slug} has no stages"
        assert len({s.slug for s in case_type.stages}) == len(case_type.stages)


def test_builtin_reference_prefixes_are_distinct():
    prefixes = [p.reference_prefix for p in registry.programmes.values()]
    assert len(prefixes) == len(set(prefixes))


@pytest.mark.parametrize("slug", sorted(BUILTIN_SLUGS))
def test_case_of_every_builtin_case_type_can_be_opened(world, slug):
    for case_type in registry.programme(slug).case_types:
        case = services.open_case(
            by=world.norfolk_officer,
            owner_team=world.norfolk_iom,
            programme=slug,
            case_type=case_type.slug,
            title=f"{slug} {case_type.slug}",
        )
        assert case.reference.startswith(f"{registry.programme(slug).reference_prefix}-")
        assert case.stage == case_type.stages[0].slug


def test_core_declarations_come_from_the_core_plugin():
    pm = get_plugin_manager()
    assert pm.get_plugin("core") is not None
    assert {"pnc", "nhs", "ni"} <= set(registry.identifier_types)
    assert {"offender", "victim"} <= set(registry.person_roles)
    # Built-in plugins add their own on top of core's.
    assert {"prison_number", "probation_ref"} <= set(registry.identifier_types)


def test_plugin_declaring_nothing_is_fine(register_plugin):
    before = (
        dict(registry.programmes),
        dict(registry.identifier_types),
        dict(registry.person_roles),
        dict(registry.warning_markers),
        dict(registry.menu_items),
    )

    class Nothing:
        pass

    register_plugin(Nothing(), name="nothing")

    assert registry.loaded
    assert (
        registry.programmes,
        registry.identifier_types,
        registry.person_roles,
        registry.warning_markers,
        registry.menu_items,
    ) == before


def test_plugin_returning_none_for_its_programme_declares_none(register_plugin):
    class NoProgramme:
        @hookimpl
        def wraparound_programme(self):
            return None

    register_plugin(NoProgramme(), name="no_programme")
    assert set(registry.programmes) == BUILTIN_SLUGS


def test_duplicate_programme_slug_is_refused_naming_both_plugins(register_plugin):
    register_plugin(programme_plugin(programme("gangs", "GNG")), name="first_gangs")

    with pytest.raises(
        ImproperlyConfigured, match="'gangs' is declared by both first_gangs and second_gangs"
    ):
        register_plugin(programme_plugin(programme("gangs", "GN2")), name="second_gangs")


def test_programme_slug_of_a_builtin_is_refused(register_plugin):
    with pytest.raises(
        ImproperlyConfigured, match="'iom' is declared by both plugins.iom and impostor"
    ):
        register_plugin(programme_plugin(programme("iom", "IMP")), name="impostor")


def test_duplicate_reference_prefix_is_refused_naming_both_plugins(register_plugin):
    with pytest.raises(
        ImproperlyConfigured, match="prefix 'ASB' is used by both plugins.asb and nuisance"
    ):
        register_plugin(programme_plugin(programme("nuisance", "ASB")), name="nuisance")


def test_duplicate_identifier_type_is_refused_naming_both_plugins(register_plugin):
    class Plugin:
        @hookimpl
        def wraparound_identifier_types(self):
            return [IdentifierType("nhs", "NHS number again")]

    with pytest.raises(
        ImproperlyConfigured, match="Identifier type 'nhs' is declared by both core and health"
    ):
        register_plugin(Plugin(), name="health")


def test_duplicate_person_role_is_refused_naming_both_plugins(register_plugin):
    class Plugin:
        @hookimpl
        def wraparound_person_roles(self):
            return [Choice("victim", "Victim")]

    with pytest.raises(
        ImproperlyConfigured, match="Person role 'victim' is declared by both core and victims"
    ):
        register_plugin(Plugin(), name="victims")


def test_duplicate_warning_marker_within_two_test_plugins_is_refused(register_plugin):
    def marker_plugin():
        class Plugin:
            @hookimpl
            def wraparound_warning_markers(self):
                return [Choice("firearms", "Firearms")]

        return Plugin()

    register_plugin(marker_plugin(), name="one")
    with pytest.raises(ImproperlyConfigured, match="'firearms' is declared by both one and two"):
        register_plugin(marker_plugin(), name="two")


def test_refused_load_leaves_the_registry_as_it_was(register_plugin):
    before = dict(registry.programmes)
    with pytest.raises(ImproperlyConfigured):
        register_plugin(programme_plugin(programme("rj", "RJ2")), name="rj_again")
    assert registry.programmes == before
    assert registry.programme("rj").reference_prefix == "RJ"


def test_fresh_registry_from_the_manager_matches_the_loaded_one():
    fresh = Registry()
    assert not fresh.loaded
    fresh.load(get_plugin_manager())
    assert fresh.loaded
    assert fresh.programmes == registry.programmes
    assert fresh.identifier_types == registry.identifier_types
