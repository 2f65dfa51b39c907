"""The values plugins return from hooks. Frozen dataclasses: the registry hands the same
objects to every request, so nobody may change them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Choice:
    """A code with its label, e.g. a person role or a warning marker."""

    code: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class Stage:
    slug: str
    name: str


@dataclass(frozen=True)
class CaseType:
    """A kind of case in a programme, with its ordered stages and possible outcomes."""

    slug: str
    name: str
    stages: tuple[Stage, ...]
    outcomes: tuple[Choice, ...] = ()
    description: str = ""

    def __post_init__(self):
        if not self.stages:
            raise ValueError(f"Case type {self.slug!r} needs at least one stage.")

    def stage(self, slug: str) -> Stage | None:
        return next((s for s in self.stages if s.slug == slug), None)


@dataclass(frozen=True)
class Programme:
    """A programme (IOM, RJ, ASB…): what a plugin is about."""

    slug: str
    name: str
    description: str
    reference_prefix: str
    case_types: tuple[CaseType, ...]
    icon: str = "folder-open-inverse"
    # Years a record of this programme is kept after its last activity before it is due
    # for retention review; 0 means core's default (WRAPAROUND_RETENTION_YEARS).
    retention_years: int = 0

    def case_type(self, slug: str) -> CaseType | None:
        return next((c for c in self.case_types if c.slug == slug), None)


@dataclass(frozen=True)
class IdentifierType:
    """A kind of reference number for a person in another system (PNC, NHS…).
    ``pattern`` is a regular expression a value must match in full, if given."""

    code: str
    label: str
    pattern: str = ""
    help_text: str = ""


@dataclass(frozen=True)
class MenuItem:
    """An admin menu entry a plugin adds under its programme's menu. ``url`` is an admin
    path; the item is hidden from users whose organisations have not enabled the
    programme."""

    label: str
    url: str
    icon: str = "list-ul"
    order: int = 100
    name: str = ""


@dataclass
class DemoContext:
    """What the demo loader hands each plugin: the organisations, teams and users it
    created (by key), a seeded random generator and the people it made."""

    organisations: dict = field(default_factory=dict)
    teams: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    profiles: list = field(default_factory=list)
    random: object = None


@dataclass(frozen=True)
class ReportField:
    """One field of a report type's form. ``kind`` is one of ``text``, ``long_text``,
    ``number``, ``date``, ``yes_no``, ``choice`` (``choices``, ``multiple``), ``person``
    (a profile the author can see) or ``file``."""

    key: str
    label: str
    kind: str = "text"
    required: bool = False
    help_text: str = ""
    choices: tuple[Choice, ...] = ()
    multiple: bool = False


@dataclass(frozen=True)
class ReportTypeSpec:
    """A report type a plugin ships (Prison History, Return-home interview…).
    ``applies_to`` is ``profile`` or ``case``."""

    slug: str
    name: str
    fields: tuple[ReportField, ...]
    applies_to: str = "profile"
    description: str = ""
    programme: str = ""
    restricted_by_default: bool = False


@dataclass(frozen=True)
class RuleParam:
    """A parameter an admin sets on a trigger rule. ``kind``: ``int``, ``text``,
    ``choices`` (several codes from ``choices``) or ``choice`` (one)."""

    key: str
    label: str
    kind: str = "int"
    default: object = None
    help_text: str = ""
    choices: tuple[Choice, ...] = ()


@dataclass(frozen=True)
class TriggerRuleKind:
    """A kind of pattern alerts look for. ``evaluate(rule, profile_ids)`` returns the
    occurrences (:class:`core.alerts.Occurrence`) of ``rule`` among ``profile_ids``
    (``None``: every profile in the rule's scope); each occurrence's key must be stable,
    so that re-evaluating the same data raises nothing new. ``listens_to`` names the data
    changes after which the rule is re-evaluated for the profile concerned
    (``activity``, ``report``, ``gallery``)."""

    code: str
    name: str
    description: str
    params: tuple[RuleParam, ...]
    evaluate: object
    listens_to: tuple[str, ...] = ()
    #: Rules of this kind created once by ``core.services.alerts.sync_default_rules``
    #: (a tuple of :class:`DefaultTriggerRule`); admins own them afterwards.
    defaults: tuple = ()
    #: The programme the kind belongs to, if any: its alerts are hidden from users whose
    #: organisations do not have the programme enabled (whatever the rule's scope).
    programme: str = ""


@dataclass(frozen=True)
class ReferralForm:
    """A referral form (hook ``wraparound_referral_forms``). ``programme``/``case_type``
    empty means the referrer chooses them (core's generic form). ``form_class`` is a
    Django ``Form`` class."""

    slug: str
    label: str
    form_class: type
    programme: str = ""
    case_type: str = ""
    participant_role: str = "subject"
    description: str = ""


@dataclass(frozen=True)
class RecordPanel:
    """A panel a plugin adds to the profile hub (hook ``wraparound_profile_panels``) or
    to the case screen (``wraparound_case_panels``).

    ``context(request, obj, level)`` is called when the screen is rendered, with the
    profile or case the user opened and the user's access level on it (core has already
    checked it through ``core.access``). It returns the template's context, or ``None``
    to leave the panel out for this record (e.g. a case of another programme). It must
    read through ``core.access`` and cost a fixed number of queries. ``template`` is
    rendered with that context plus ``object``, ``level`` and ``panel``.

    ``programme``: the panel is left out, without calling ``context``, for users none of
    whose organisations has the programme enabled. ``key`` is global."""

    key: str
    label: str
    template: str
    context: object
    programme: str = ""
    order: int = 100


@dataclass(frozen=True)
class GalleryFacet:
    """A filter offered on a plugin gallery's card grid (e.g. cohort category).
    ``filter(profiles, value)`` narrows a ``Profile`` queryset to the chosen value."""

    key: str
    label: str
    choices: tuple[Choice, ...]
    filter: object


@dataclass(frozen=True)
class GallerySpec:
    """A gallery a plugin ships (hook ``wraparound_galleries``): a saved filter over the
    audience organisations' profiles. The criteria core can express (person roles, risk
    levels, warning markers, an open case in a programme) are stored on the gallery
    and admins may edit them; ``profile_filter(profiles)`` narrows a ``Profile``
    queryset further with what only the plugin knows (its own tables). ``facets`` are
    the filters offered on the grid."""

    slug: str
    name: str
    description: str = ""
    programme: str = ""
    person_roles: tuple[str, ...] = ()
    risk_levels: tuple[str, ...] = ()
    warning_markers: tuple[str, ...] = ()
    open_case_programme: str = ""
    profile_filter: object = None
    facets: tuple[GalleryFacet, ...] = ()


@dataclass(frozen=True)
class StatisticSpec:
    """A statistic a plugin offers (hook ``wraparound_statistics``). ``compute(user)``
    returns a list of dicts (one per row, keys ``columns``) counted only over records
    the user may see (``core.access``), in a fixed number of queries. ``value`` is the
    column drawn as a bar; the other columns make the bar's label."""

    slug: str
    title: str
    compute: object
    columns: tuple[str, ...]
    value: str = "count"
    programme: str = ""
    description: str = ""
    #: The columns that make a bar's label (default: every column but ``value``).
    label_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class DefaultTriggerRule:
    """A trigger rule created once for a kind (``TriggerRuleKind.defaults``); after that
    it belongs to the admins, who set its recipients, change it or switch it off."""

    name: str
    params: dict = field(default_factory=dict)
    programme: str = ""
