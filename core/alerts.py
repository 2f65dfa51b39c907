"""Trigger factors: the generic rule kinds core ships, and evaluating rules.

A rule kind's ``evaluate(rule, profile_ids)`` returns :class:`Occurrence` s; each has a
key that stays the same as long as the data that caused it does, so an alert is raised
once per occurrence however often rules are re-evaluated (``Alert``'s unique constraint
is the last word when two evaluations race).

Rules are evaluated

- for the profiles concerned after a change a kind listens to (an activity, a report, a
  gallery entry; ``core.signals_alerts`` calls :func:`evaluate_for_profiles` after the
  transaction commits): one query for the rules, then the kind's own few queries for
  those profiles only;
- for everyone in scope by the periodic sweep (:func:`sweep`, run as the django-tasks
  task ``core.tasks.evaluate_alerts_task``).

Core's kinds:

- ``activity_count`` — N activities (of the chosen kinds, optionally whose summary
  contains a phrase) within D days on one profile, counting entries on the profile and
  on its cases, whoever recorded them — except entries restricted to their
  organisation, which never count: an alert is shown to everyone who may see the
  profile, and its count and date would tell them such entries exist. Occurrences are
  clusters: from the earliest entry, the entries within D days; if there are N or more,
  that is an occurrence keyed by its first entry, and the next cluster starts after its
  window.
- ``date_within`` — a date field of a report type (e.g. the release date of a
  Pre-release report) falling within the next D days; keyed by report and date.
- ``gallery_added`` — a profile added to a gallery; keyed by the gallery entry.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from .plugins.types import Choice, RuleParam, TriggerRuleKind


@dataclass(frozen=True)
class Occurrence:
    profile_id: int
    key: str
    summary: str


def scoped_profile_ids(rule, profile_ids=None):
    """A ``values_list`` queryset of the profiles within ``rule``'s scope (and among
    ``profile_ids`` if given)."""
    from .models import CaseParticipant, Profile

    profiles = Profile.objects.all()
    if profile_ids is not None:
        profiles = profiles.filter(pk__in=list(profile_ids))
    organisation_ids = list(rule.organisations.values_list("pk", flat=True))
    if organisation_ids:
        profiles = profiles.filter(owner_team__organisation_id__in=organisation_ids)
    if rule.programme:
        profiles = profiles.filter(pk__in=CaseParticipant.objects.filter(case__programme=rule.programme).values("profile_id"))
    return profiles.values_list("pk", flat=True)


def _int(params: dict, key: str, default: int) -> int:
    try:
        return max(1, int(params.get(key, default)))
    except (TypeError, ValueError):
        return default


# activity_count ------------------------------------------------------------------------

def _activity_filter(params: dict) -> Q:
    q = Q(restricted=False)
    if params.get("kinds"):
        q &= Q(kind__in=list(params["kinds"]))
    if (params.get("contains") or "").strip():
        q &= Q(summary__icontains=params["contains"].strip())
    return q


def evaluate_activity_count(rule, profile_ids=None) -> list[Occurrence]:
    from .models import Activity

    params = rule.params or {}
    count, days = _int(params, "count", 3), _int(params, "days", 30)
    scope = scoped_profile_ids(rule, profile_ids)
    wanted = _activity_filter(params)
    rows = set(
        Activity.objects.filter(wanted, profile_id__in=scope).values_list("profile_id", "occurred_at", "id")
    ) | set(
        Activity.objects.filter(wanted, case__participants__profile_id__in=scope)
        .values_list("case__participants__profile_id", "occurred_at", "id")
    )
    by_profile: dict[int, list] = defaultdict(list)
    for profile_id, occurred_at, pk in rows:
        by_profile[profile_id].append((occurred_at, pk))
    window = datetime.timedelta(days=days)
    occurrences = []
    for profile_id, entries in by_profile.items():
        entries = sorted(set(entries))
        i = 0
        while i < len(entries):
            start, first_pk = entries[i]
            j = i
            while j < len(entries) and entries[j][0] - start <= window:
                j += 1
            if j - i >= count:
                occurrences.append(Occurrence(
                    profile_id, f"activities:{first_pk}",
                    f"{j - i} matching entries within {days} days from {start:%d %b %Y}",
                ))
                i = j
            else:
                i += 1
    return occurrences


# date_within ----------------------------------------------------------------------------

def evaluate_date_within(rule, profile_ids=None) -> list[Occurrence]:
    from .models import Report

    params = rule.params or {}
    days = _int(params, "days", 28)
    key = (params.get("field") or "").strip()
    today = timezone.localdate()
    horizon = today + datetime.timedelta(days=days)
    scope = scoped_profile_ids(rule, profile_ids)
    # An alert follows its profile's access, so its summary may only quote what everyone
    # who sees the profile may see: a report restricted to its organisation is left out.
    reports = Report.objects.filter(
        report_type__slug=params.get("report_type", ""), profile_id__in=scope, restricted=False
    )
    occurrences = []
    for report_id, profile_id, data, type_name in reports.values_list("pk", "profile_id", "data", "report_type__name"):
        raw = (data or {}).get(key)
        try:
            when = datetime.date.fromisoformat(raw)
        except (TypeError, ValueError):
            continue
        if today <= when <= horizon:
            occurrences.append(Occurrence(profile_id, f"report:{report_id}:{when.isoformat()}",
                                          f"{type_name}: {key.replace('_', ' ')} on {when:%d %b %Y}"))
    return occurrences


# gallery_added --------------------------------------------------------------------------

def evaluate_gallery_added(rule, profile_ids=None) -> list[Occurrence]:
    from .models import GalleryEntry

    params = rule.params or {}
    entries = GalleryEntry.objects.filter(
        gallery__slug=params.get("gallery", ""), removed_at__isnull=True,
        profile_id__in=scoped_profile_ids(rule, profile_ids),
    )
    return [
        Occurrence(profile_id, f"entry:{pk}", f"Added to the gallery {name}")
        for pk, profile_id, name in entries.values_list("pk", "profile_id", "gallery__name")
    ]


def _activity_kind_choices():
    from .models import Activity

    return tuple(Choice(value, label) for value, label in Activity.Kind.choices)


CORE_RULE_KINDS = (
    TriggerRuleKind(
        code="activity_count",
        name="Repeated activity on one profile",
        description="N entries of the chosen kinds within D days on one profile, whichever organisation recorded them.",
        params=(
            RuleParam("count", "How many entries (N)", "int", 3),
            RuleParam("days", "Within how many days (D)", "int", 30),
            RuleParam("kinds", "Kinds of entry (none: any)", "choices", [], choices=_activity_kind_choices()),
            RuleParam("contains", "Summary contains (optional)", "text", "",
                      help_text="e.g. 'missing episode'; not case-sensitive."),
        ),
        evaluate=evaluate_activity_count,
        listens_to=("activity",),
    ),
    TriggerRuleKind(
        code="date_within",
        name="A date in a report is near",
        description="A date field of a report type (e.g. a release date) falls within the next D days.",
        params=(
            RuleParam("report_type", "Report type (its slug)", "text", ""),
            RuleParam("field", "Date field (its key)", "text", ""),
            RuleParam("days", "Within how many days (D)", "int", 28),
        ),
        evaluate=evaluate_date_within,
        listens_to=("report",),
    ),
    TriggerRuleKind(
        code="gallery_added",
        name="Profile added to a gallery",
        description="Someone added a profile to the gallery G.",
        params=(RuleParam("gallery", "Gallery (its slug)", "text", ""),),
        evaluate=evaluate_gallery_added,
        listens_to=("gallery",),
    ),
)


# Evaluation -----------------------------------------------------------------------------

def evaluate_rule(rule, profile_ids=None) -> list:
    """Raise the alerts of ``rule`` (for ``profile_ids``, or everyone in scope); returns
    the alerts newly raised."""
    from .plugins.registry import registry
    from .services.alerts import raise_alerts

    kind = registry.rule_kinds.get(rule.kind)
    if kind is None or not rule.is_active:
        return []
    return raise_alerts(rule, kind.evaluate(rule, profile_ids))


def evaluate_for_profiles(profile_ids, event: str) -> list:
    """Re-evaluate the rules whose kind listens to ``event`` for these profiles."""
    from .models import TriggerRule
    from .plugins.registry import registry

    profile_ids = [p for p in set(profile_ids) if p]
    codes = [code for code, kind in registry.rule_kinds.items() if event in kind.listens_to]
    if not profile_ids or not codes:
        return []
    raised = []
    for rule in TriggerRule.objects.filter(is_active=True, kind__in=codes):
        raised += evaluate_rule(rule, profile_ids)
    return raised


def sweep() -> int:
    """Evaluate every active rule for everyone in its scope; returns how many alerts were raised."""
    from .models import TriggerRule

    return sum(len(evaluate_rule(rule)) for rule in TriggerRule.objects.filter(is_active=True))
