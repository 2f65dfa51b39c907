"""What the tabs of the profile hub show, each read through ``core.access``.

Kept out of the view so that each tab's query cost is visible in one place: the hub
runs a fixed number of queries whatever the number of activities, cases, relations or
views (``tests/core/test_profile_hub.py`` asserts it).

- *Chronology*: every activity on the cases the person takes part in plus the
  activities on the profile itself, through ``restrict`` — so entries of cases the
  viewer may not see, and restricted entries of other organisations, never appear
  (not even in the counts or the organisation filter's choices).
- *Relationships*: the engine shows a relationship only when both people are visible.
- *Who has viewed*: VIEW audit events of this profile, for people who manage the
  record and for partnership admins of a partnership the owner organisation is in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import CharField, Count, Max, Q, Value
from django.db.models.functions import Cast
from django.urls import reverse

from .. import access
from ..access import AccessLevel
from ..models import (
    Activity,
    AuditAction,
    AuditEvent,
    CaseParticipant,
    HouseholdMember,
    Identifier,
    Organisation,
    Partnership,
    PersonRole,
    Profile,
    ProfileAlias,
    Relationship,
    WarningMarker,
)
from ..plugins.registry import registry
from ..roles import PARTNERSHIP_ADMIN, has_role
from .plugin_panels import panels_for, render_panel
from .sharing import grants_in_force

#: The browser's own date picker: Wagtail's AdminDateInput writes an inline <script>.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
#: Chronology entries per page of the hub's tab.
CHRONOLOGY_PAGE_SIZE = 25
#: Rows of the who-has-viewed summary.
VIEWERS_SHOWN = 50


def chronology_queryset(profile: Profile, user):
    cases = CaseParticipant.objects.filter(profile_id=profile.pk).values("case_id")
    # A UNION of the two ways in, not an OR: PostgreSQL cannot use an index for
    # "case in (…) OR profile = …" and scanned all 5,000,000 activities (~400 ms a query).
    entries = Activity.objects.filter(case_id__in=cases).order_by().values("pk").union(
        Activity.objects.filter(profile_id=profile.pk).order_by().values("pk"), all=True
    )
    # The entries computed first, then each checked (a point look-up): as a semi-join the
    # plan depended on ANALYZE's sample of how many entries one profile has — a few
    # hundred and PostgreSQL scanned every activity instead (1.8 s for the tab).
    return access.restrict(Activity.objects.filter(pk__in=access.computed_first(entries)), user, point_lookup=True)


class ChronologyFilter(django_filters.FilterSet):
    """The chronology's filters. The organisation choices are the organisations that
    recorded entries this viewer may see, never more."""

    kind = django_filters.ChoiceFilter(choices=Activity.Kind.choices, label="Kind", empty_label="All kinds")
    organisation = django_filters.ModelChoiceFilter(
        queryset=Organisation.objects.none(), label="Organisation", empty_label="All organisations"
    )
    date_from = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__gte", label="From", widget=DATE_INPUT
    )
    date_to = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__lte", label="To",
                                        widget=DATE_INPUT)

    class Meta:
        model = Activity
        fields = ["kind", "organisation", "date_from", "date_to"]

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        self.filters["organisation"].queryset = Organisation.objects.filter(
            pk__in=queryset.values("organisation_id")
        ).order_by("name")


def chronology(profile: Profile, user, params) -> tuple[ChronologyFilter, object]:
    """The filter set and the requested page, newest first. Four queries: the
    organisation choices, the count, the page and its organisations."""
    base = chronology_queryset(profile, user)
    filterset = ChronologyFilter(params or None, queryset=base)
    rows = filterset.qs if filterset.is_valid() else base
    # The organisation prefetched, not joined: the planner expects a profile's average 5
    # entries, and for the hub's 1,000 the join scanned every organisation per entry.
    rows = rows.select_related("recorded_by", "case").prefetch_related("organisation").order_by("-occurred_at", "-id")
    page = Paginator(rows, CHRONOLOGY_PAGE_SIZE).get_page(params.get("page"))
    return filterset, page


def relationships(profile: Profile, user) -> list[tuple[str, Profile, str]]:
    """``(how, other person, note)`` read from this person's side."""
    rows = access.restrict(
        Relationship.objects.filter(Q(from_profile_id=profile.pk) | Q(to_profile_id=profile.pk)), user
    ).select_related("from_profile", "to_profile").order_by("kind", "id")
    result = []
    for rel in rows:
        if rel.from_profile_id == profile.pk:
            result.append((rel.get_kind_display(), rel.to_profile, rel.note))
        else:
            result.append((f"{rel.get_kind_display()} this person (recorded from their side)", rel.from_profile,
                           rel.note))
    return result


def households(profile: Profile, user) -> list[dict]:
    """The households the person is in, with the other members the viewer may see. Two
    queries."""
    mine = list(
        access.restrict(HouseholdMember.objects.filter(profile_id=profile.pk), user, point_lookup=True)
        .select_related("household")
    )
    if not mine:
        return []
    others = access.restrict(
        HouseholdMember.objects.filter(household_id__in=[m.household_id for m in mine]).exclude(profile_id=profile.pk),
        user,
    ).select_related("profile").order_by("profile__last_name", "profile__first_name")
    by_household: dict[int, list] = {}
    for member in others:
        by_household.setdefault(member.household_id, []).append(member)
    return [{"household": m.household, "role": m.role, "members": by_household.get(m.household_id, [])} for m in mine]


def can_see_viewers(user, profile: Profile, level) -> bool:
    """Managers of the record (owner team, its organisation's admins, manage grants) and
    partnership admins of a partnership the owner organisation belongs to."""
    if level and level >= AccessLevel.MANAGE:
        return True
    if not has_role(user, PARTNERSHIP_ADMIN):
        return False
    return Partnership.objects.filter(
        memberships__organisation_id=profile.owner_team.organisation_id,
    ).filter(memberships__organisation__teams__memberships__user_id=user.pk).exists()


def viewers(profile: Profile) -> list[dict]:
    """Who opened the record: per person and organisation, how often and when last. A tab
    of the hub loaded on its own is a VIEW event too (naming the part): it puts its
    reader on this list but does not count as another opening."""
    rows = list(
        AuditEvent.objects.for_object(profile).filter(action=AuditAction.VIEW)
        .values("actor_id", "actor_username", "organisation_name")
        .annotate(times=Count("id", filter=Q(changes__isnull=True) | ~Q(changes__has_key="part")),
                  last=Max("occurred_at"))
        .order_by("-last")[:VIEWERS_SHOWN]
    )
    names = dict(
        (u.pk, u.get_full_name() or u.username)
        for u in get_user_model().objects.filter(pk__in=[r["actor_id"] for r in rows if r["actor_id"]])
    )
    for row in rows:
        row["name"] = names.get(row["actor_id"]) or row["actor_username"] or "System"
    return rows


# -- The hub's tabs ----------------------------------------------------------------------
#
# The hub renders its banner and the Summary tab with the page; every other tab is
# loaded on demand from its own URL (``wraparound_profiles:tab``), which goes through
# the access engine like the hub (404 to outsiders) and is audited as a VIEW of the
# profile. So the page's cost does not grow with what the person's record holds, and a
# tab nobody opens costs nothing. ``?tab=<slug>`` on the hub renders that tab with the
# page too (links and filters work without JavaScript, and a tab can be linked to).


@dataclass(frozen=True)
class HubView:
    """What a tab's loader and visibility test are given: the request, the profile
    (fetched through ``core.access``) and the viewer's level on it."""

    request: object
    profile: Profile
    level: AccessLevel | None

    @property
    def user(self):
        return self.request.user

    @cached_property
    def details(self) -> dict[str, list[tuple[str, str]]]:
        """The banner's and the summary's small lists — see :func:`profile_details`."""
        return profile_details(self.profile)

    @property
    def params(self):
        return self.request.GET


def _always(hub: HubView) -> bool:
    return True


def _nothing(hub: HubView) -> dict:
    return {}


@dataclass(frozen=True)
class HubTab:
    """One tab of the profile hub.

    ``template`` is rendered with the hub's context (``object``, ``level``,
    ``can_contribute``, ``can_manage``, ``request``…) plus what ``load(hub)`` returns;
    ``shown(hub)`` says whether this viewer gets the tab at all (a tab not shown is not
    in the page and its URL answers 404). Only ``eager`` tabs are rendered with the page.
    Every query a loader runs must go through ``core.access``."""

    slug: str
    label: str
    template: str
    load: Callable[[HubView], dict] = _nothing
    shown: Callable[[HubView], bool] = _always
    eager: bool = False


def profile_details(profile: Profile) -> dict[str, list[tuple[str, str]]]:
    """The person's warning markers ``(marker, note)``, roles ``(role, "")``, identifiers
    ``(kind, value)`` and aliases ``(name, kind)``, each sorted, in one query: a UNION ALL
    of four look-ups by profile instead of four round trips. The profile itself has been
    fetched through ``core.access``; these rows follow it."""
    parts = [
        (WarningMarker, "markers", "marker", "note"),
        (PersonRole, "roles", "role", None),
        (Identifier, "identifiers", "kind", "value"),
        (ProfileAlias, "aliases", "name", "kind"),
    ]
    text = CharField()
    queries = [
        model.objects.filter(profile_id=profile.pk).order_by()
        .annotate(wa_part=Value(part, output_field=text), wa_a=Cast(first, text),
                  wa_b=Cast(second, text) if second else Value("", output_field=text))
        .values_list("wa_part", "wa_a", "wa_b")
        for model, part, first, second in parts
    ]
    found: dict[str, list[tuple[str, str]]] = {part: [] for _, part, _, _ in parts}
    for part, a, b in queries[0].union(*queries[1:], all=True):
        found[part].append((a, b))
    for rows in found.values():
        rows.sort()
    return found


def load_summary(hub: HubView) -> dict:
    details = hub.details
    return {
        "person_roles": [registry.label("person_roles", role) for role, _ in details["roles"]],
        "identifiers": [(registry.label("identifier_types", kind), value) for kind, value in details["identifiers"]],
        "aliases": [ProfileAlias(name=name, kind=kind) for name, kind in details["aliases"]],
        "addresses": list(hub.profile.addresses.all()),
    }


def load_cases(hub: HubView) -> dict:
    participations = list(
        access.restrict(CaseParticipant.objects.filter(profile=hub.profile), hub.user)
        .select_related("case__owner_team__organisation")
        .order_by("-case__opened_on", "case_id")
    )
    for p in participations:
        p.programme_name = registry.programme_name(p.case.programme)
    return {"participations": participations, "can_open_case": hub.user.has_perm("core.add_case")}


def load_chronology(hub: HubView) -> dict:
    filterset, page = chronology(hub.profile, hub.user, hub.params)
    query = hub.params.copy()
    for name in ("page", "tab"):
        query.pop(name, None)
    return {"chronology_filter": filterset, "chronology_page": page, "chronology_query": query.urlencode()}


def load_relationships(hub: HubView) -> dict:
    return {"relationships": relationships(hub.profile, hub.user), "households": households(hub.profile, hub.user)}


def load_sharing(hub: HubView) -> dict:
    return {
        "grants": grants_in_force(hub.profile, hub.user),
        "sharing_url": reverse("wraparound_sharing:panel", args=["profile", hub.profile.pk]),
    }


def show_viewers(hub: HubView) -> bool:
    return can_see_viewers(hub.user, hub.profile, hub.level)


def load_viewers(hub: HubView) -> dict:
    return {"viewers": viewers(hub.profile)}


_TAB_TEMPLATES = "wraparound/records/profile_tab_{}.html"

#: The hub's tabs in the order they are shown. Append (or insert) a :class:`HubTab` to
#: add one; :func:`hub_tabs` is the single place the hub and the tab URL read them from.
HUB_TABS: list[HubTab] = [
    HubTab("summary", "Summary", _TAB_TEMPLATES.format("summary"), load_summary, eager=True),
    HubTab("cases", "Cases", _TAB_TEMPLATES.format("cases"), load_cases),
    HubTab("chronology", "Chronology", _TAB_TEMPLATES.format("chronology"), load_chronology),
    HubTab("work", "Tasks and reports", _TAB_TEMPLATES.format("work")),
    HubTab("relationships", "Relationships and household", _TAB_TEMPLATES.format("relationships"),
           load_relationships),
    HubTab("sharing", "Sharing", _TAB_TEMPLATES.format("sharing"), load_sharing),
    HubTab("viewers", "Who has viewed", _TAB_TEMPLATES.format("viewers"), load_viewers, shown=show_viewers),
]


def plugin_tab(panel) -> HubTab:
    """A programme plugin's hub panel (hook ``wraparound_profile_panels``) as a tab
    loaded on demand like core's: its ``context`` runs only when the tab is opened."""
    def load(hub: HubView) -> dict:
        return {"plugin_panel": panel,
                "plugin_panel_html": render_panel(hub.request, hub.profile, hub.level, panel)}

    return HubTab(panel.key, panel.label, _TAB_TEMPLATES.format("plugin"), load)


def hub_tabs(hub: HubView) -> list[HubTab]:
    """The tabs this viewer gets, in order: core's, then those of the programme plugins
    enabled for one of the viewer's organisations."""
    return [tab for tab in HUB_TABS if tab.shown(hub)] + [
        plugin_tab(panel) for panel in panels_for(hub.user, "profile_panels")
    ]
