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

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q

from .. import access
from ..access import AccessLevel
from ..models import (
    Activity,
    AuditAction,
    AuditEvent,
    CaseParticipant,
    HouseholdMember,
    Organisation,
    Partnership,
    Profile,
    Relationship,
)
from ..roles import PARTNERSHIP_ADMIN, has_role

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
    return access.restrict(Activity.objects.filter(pk__in=entries), user)


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
    """The filter set and the requested page, newest first. Three queries: the
    organisation choices, the count and the page."""
    base = chronology_queryset(profile, user)
    filterset = ChronologyFilter(params or None, queryset=base)
    rows = filterset.qs if filterset.is_valid() else base
    rows = rows.select_related("recorded_by", "organisation", "case").order_by("-occurred_at", "-id")
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
        access.restrict(HouseholdMember.objects.filter(profile_id=profile.pk), user).select_related("household")
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
    """Who opened the record: per person and organisation, how often and when last."""
    rows = list(
        AuditEvent.objects.for_object(profile).filter(action=AuditAction.VIEW)
        .values("actor_id", "actor_username", "organisation_name")
        .annotate(times=Count("id"), last=Max("occurred_at"))
        .order_by("-last")[:VIEWERS_SHOWN]
    )
    names = dict(
        (u.pk, u.get_full_name() or u.username)
        for u in get_user_model().objects.filter(pk__in=[r["actor_id"] for r in rows if r["actor_id"]])
    )
    for row in rows:
        row["name"] = names.get(row["actor_id"]) or row["actor_username"] or "System"
    return rows
