"""What the plugins declared, collected once at start-up (``CoreConfig.ready``).

The rest of the code reads this registry, never the plugin manager, so hooks cost nothing
on the request path. Keys are global: declaring a programme slug, identifier type,
person role or warning marker that another plugin already declared is a start-up error
naming both plugins, as is a programme whose reference prefix is taken."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

from .types import (
    CaseType,
    Choice,
    GallerySpec,
    IdentifierType,
    MenuItem,
    Programme,
    RecordPanel,
    ReferralForm,
    ReportTypeSpec,
    StatisticSpec,
    TriggerRuleKind,
)

#: The list-returning hooks whose items are registered by a global key: (what they are,
#: hook, registry table, the item's key attribute). A key declared twice stops start-up.
DECLARATIONS = (
    ("Identifier type", "wraparound_identifier_types", "identifier_types", "code"),
    ("Person role", "wraparound_person_roles", "person_roles", "code"),
    ("Warning marker", "wraparound_warning_markers", "warning_markers", "code"),
    ("Import resource", "wraparound_import_resources", "import_resources", "code"),
    ("Report type", "wraparound_report_types", "report_types", "slug"),
    ("Trigger rule kind", "wraparound_trigger_rule_kinds", "rule_kinds", "code"),
    ("Referral form", "wraparound_referral_forms", "referral_forms", "slug"),
    ("Gallery", "wraparound_galleries", "galleries", "slug"),
    ("Statistic", "wraparound_statistics", "statistics", "slug"),
    ("Profile panel", "wraparound_profile_panels", "profile_panels", "key"),
    ("Case panel", "wraparound_case_panels", "case_panels", "key"),
)


def call_for_plugin(pm, plugin, hook_name: str, **kwargs) -> list:
    """Call one hook on one plugin only; returns that plugin's results (a list)."""
    others = [p for p in pm.get_plugins() if p is not plugin]
    return pm.subset_hook_caller(hook_name, remove_plugins=others)(**kwargs)


@dataclass
class Registry:
    programmes: dict[str, Programme] = field(default_factory=dict)
    identifier_types: dict[str, IdentifierType] = field(default_factory=dict)
    person_roles: dict[str, Choice] = field(default_factory=dict)
    warning_markers: dict[str, Choice] = field(default_factory=dict)
    #: import resource code -> ImportResource subclass (``wraparound_import_resources``)
    import_resources: dict[str, type] = field(default_factory=dict)
    #: programme slug -> menu items the programme's plugin added
    menu_items: dict[str, list[MenuItem]] = field(default_factory=dict)
    #: programme slug -> name of the plugin that declared it
    programme_plugins: dict[str, str] = field(default_factory=dict)
    #: programme slug -> the plugin object (for the hooks called later, e.g. demo data, URLs)
    plugin_objects: dict[str, object] = field(default_factory=dict)
    report_types: dict[str, ReportTypeSpec] = field(default_factory=dict)
    rule_kinds: dict[str, TriggerRuleKind] = field(default_factory=dict)
    #: slug -> referral form (hook ``wraparound_referral_forms``)
    referral_forms: dict[str, ReferralForm] = field(default_factory=dict)
    #: slug -> gallery spec (hook ``wraparound_galleries``), synced into ``Gallery`` rows
    galleries: dict[str, GallerySpec] = field(default_factory=dict)
    #: slug -> statistic spec (hook ``wraparound_statistics``)
    statistics: dict[str, StatisticSpec] = field(default_factory=dict)
    #: key -> panel of the profile hub / of the case screen (hooks ``wraparound_*_panels``)
    profile_panels: dict[str, RecordPanel] = field(default_factory=dict)
    case_panels: dict[str, RecordPanel] = field(default_factory=dict)
    loaded: bool = False

    def load(self, pm) -> None:
        """(Re)build from a plugin manager. Tests call this after registering a plugin."""
        fresh = Registry()
        owners: dict[tuple[str, str], str] = {}

        def put(kind: str, table: dict, key: str, value, plugin_name: str) -> None:
            if key in table:
                raise ImproperlyConfigured(
                    f"{kind} {key!r} is declared by both {owners[(kind, key)]} and {plugin_name}."
                )
            table[key] = value
            owners[(kind, key)] = plugin_name

        prefixes: dict[str, str] = {}
        # Registration order (core, the built-ins, then entry points), not get_plugins(),
        # which is a set: the registry's order and the "declared by both A and B" message
        # must not change from one start to the next.
        for name, plugin in pm.list_name_plugin():
            if plugin is None:  # a blocked plugin name
                continue
            programmes = [p for p in call_for_plugin(pm, plugin, "wraparound_programme") if p]
            if len(programmes) > 1:
                raise ImproperlyConfigured(f"Plugin {name} declares more than one programme.")
            programme = programmes[0] if programmes else None
            if programme:
                put("Programme", fresh.programmes, programme.slug, programme, name)
                if programme.reference_prefix in prefixes:
                    raise ImproperlyConfigured(
                        f"Case reference prefix {programme.reference_prefix!r} is used by both "
                        f"{prefixes[programme.reference_prefix]} and {name}."
                    )
                prefixes[programme.reference_prefix] = name
                fresh.programme_plugins[programme.slug] = name
                fresh.plugin_objects[programme.slug] = plugin
                items = [i for batch in call_for_plugin(pm, plugin, "wraparound_admin_menu_items") for i in batch]
                fresh.menu_items[programme.slug] = sorted(items, key=lambda i: (i.order, i.label))
            for kind, hook, table, key in DECLARATIONS:
                for batch in call_for_plugin(pm, plugin, hook):
                    for item in batch:
                        put(kind, getattr(fresh, table), getattr(item, key), item, name)
        fresh.loaded = True
        self.__dict__.update(fresh.__dict__)

    # Convenience look-ups used by forms and templates -------------------------------
    def programme(self, slug: str) -> Programme | None:
        return self.programmes.get(slug)

    def programme_name(self, slug: str) -> str:
        """The programme's name, or its slug if no plugin declares it any more."""
        programme = self.programmes.get(slug)
        return programme.name if programme else slug

    def case_type(self, programme: str, case_type: str) -> CaseType | None:
        """A programme's case type, or ``None`` if either is unknown."""
        spec = self.programmes.get(programme)
        return spec.case_type(case_type) if spec else None

    def programme_choices(self) -> list[tuple[str, str]]:
        return [(p.slug, p.name) for p in sorted(self.programmes.values(), key=lambda p: p.name)]

    def choices(self, table: str) -> list[tuple[str, str]]:
        """``(code, label)`` of a table (``person_roles``, ``warning_markers``…), for forms."""
        return [(code, item.label) for code, item in getattr(self, table).items()]

    def label(self, table: str, code: str) -> str:
        item = getattr(self, table).get(code)
        return item.label if item else code


registry = Registry()
