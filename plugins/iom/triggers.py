"""IOM's trigger rule kinds (hook ``wraparound_trigger_rule_kinds``).

- ``iom_release_within`` — a person in custody whose expected release date falls within
  the next D days; keyed by custody period and date (a new date is a new occurrence).
- ``iom_no_contact`` — an active cohort member with no recorded contact for D days;
  keyed by membership and the day the silence began (the last contact, or adoption), so
  one silence raises one alert and a contact starts a new window. Only contacts the
  rule's audience may read count: entries restricted to their recording organisation
  count only if that organisation is among the recipients' (or the owner team's, when
  the owner team is told).
- ``iom_new_custody`` — a custody period recorded in the last D days for someone still
  in custody; keyed by the period.

Each kind is re-evaluated after a chronology entry on the profile (IOM's services write
one when custody is recorded or a release date changes) and by the periodic sweep
(which is what makes the time-based kinds fire on the right day). Summaries carry no
more than someone who may see the profile sees."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from core.alerts import Occurrence, scoped_profile_ids
from core.models import Activity, Case, Team
from core.plugins.types import DefaultTriggerRule, RuleParam, TriggerRuleKind

#: Kinds of chronology entry that are a contact with the person.
CONTACT_KINDS = (Activity.Kind.CONTACT, Activity.Kind.VISIT, Activity.Kind.CALL, Activity.Kind.MEETING,
                 Activity.Kind.INTERVENTION)


def _days(rule, default: int) -> int:
    try:
        return max(1, int((rule.params or {}).get("days", default)))
    except (TypeError, ValueError):
        return default


def evaluate_release_within(rule, profile_ids=None) -> list[Occurrence]:
    from .models import CustodyPeriod

    days = _days(rule, 28)
    today = timezone.localdate()
    periods = CustodyPeriod.objects.filter(
        profile_id__in=scoped_profile_ids(rule, profile_ids), released_on__isnull=True,
        expected_release_on__gte=today, expected_release_on__lte=today + timedelta(days=days),
    )
    return [
        Occurrence(profile_id, f"release:{pk}:{when.isoformat()}", f"Expected release from custody on {when:%d %b %Y}")
        for pk, profile_id, when in periods.values_list("pk", "profile_id", "expected_release_on")
    ]


def _audience_organisations(rule) -> set[int]:
    return set(Team.objects.filter(pk__in=rule.recipient_teams.values("pk")).values_list("organisation_id", flat=True))


def evaluate_no_contact(rule, profile_ids=None) -> list[Occurrence]:
    from .models import CohortMembership

    days = _days(rule, 28)
    today = timezone.localdate()
    memberships = list(
        CohortMembership.objects.filter(
            profile_id__in=scoped_profile_ids(rule, profile_ids), exited_on__isnull=True,
            case__status=Case.Status.OPEN, adopted_on__lte=today - timedelta(days=days),
        ).values_list("pk", "profile_id", "case_id", "adopted_on", "profile__owner_team__organisation_id")
    )
    if not memberships:
        return []
    profiles = {m[1] for m in memberships}
    cases = {m[2] for m in memberships}
    contacts = Activity.objects.filter(kind__in=CONTACT_KINDS, occurred_at__lte=timezone.now())
    # The latest contact per (profile or case, restricted, organisation): two queries
    # whatever the number of members or entries.
    latest: dict[tuple, list] = {}
    for field, ids in (("profile_id", profiles), ("case_id", cases)):
        rows = (contacts.filter(**{f"{field}__in": ids}).values(field, "restricted", "organisation_id")
                .annotate(last=Max("occurred_at")).order_by())
        for row in rows:
            latest.setdefault((field, row[field]), []).append((row["restricted"], row["organisation_id"], row["last"]))
    audience = _audience_organisations(rule)
    occurrences = []
    for pk, profile_id, case_id, adopted_on, owner_org in memberships:
        readers = audience | ({owner_org} if rule.notify_owner_team else set())
        seen = [
            last for key in (("profile_id", profile_id), ("case_id", case_id))
            for restricted, org, last in latest.get(key, []) if not restricted or org in readers
        ]
        since = max([timezone.localtime(t).date() for t in seen] + [adopted_on])
        if (today - since).days >= days:
            occurrences.append(Occurrence(
                profile_id, f"silence:{pk}:{since.isoformat()}",
                f"No recorded contact with this IOM cohort member since {since:%d %b %Y} ({days}+ days)",
            ))
    return occurrences


def evaluate_new_custody(rule, profile_ids=None) -> list[Occurrence]:
    from .models import CustodyPeriod

    days = _days(rule, 7)
    periods = CustodyPeriod.objects.filter(
        profile_id__in=scoped_profile_ids(rule, profile_ids), released_on__isnull=True,
        created_at__gte=timezone.now() - timedelta(days=days),
    )
    return [
        Occurrence(profile_id, f"custody:{pk}", f"New custody period recorded: {establishment} from {received:%d %b %Y}")
        for pk, profile_id, establishment, received in periods.values_list(
            "pk", "profile_id", "establishment", "received_on")
    ]


RULE_KINDS = [
    TriggerRuleKind(
        code="iom_release_within", programme="iom",
        name="IOM: release from custody within N days",
        description="A person in custody whose expected release date falls within the next N days.",
        params=(RuleParam("days", "Within how many days (N)", "int", 28),),
        evaluate=evaluate_release_within, listens_to=("activity",),
        defaults=(DefaultTriggerRule("IOM: release within 28 days", {"days": 28}, programme="iom"),),
    ),
    TriggerRuleKind(
        code="iom_no_contact", programme="iom",
        name="IOM: no recorded contact for N days",
        description="An active IOM cohort member with no recorded contact (contact, visit, call, meeting, "
                    "intervention) for N days.",
        params=(RuleParam("days", "Days without contact (N)", "int", 28),),
        evaluate=evaluate_no_contact, listens_to=("activity",),
        defaults=(DefaultTriggerRule("IOM: no contact for 28 days", {"days": 28}, programme="iom"),),
    ),
    TriggerRuleKind(
        code="iom_new_custody", programme="iom",
        name="IOM: new custody period recorded",
        description="A custody period was recorded (in the last N days) for someone still in custody.",
        params=(RuleParam("days", "Recorded within how many days (N)", "int", 7,
                          help_text="Older records do not raise an alert when the rule is switched on."),),
        evaluate=evaluate_new_custody, listens_to=("activity",),
        defaults=(DefaultTriggerRule("IOM: new custody period", {"days": 7}, programme="iom"),),
    ),
]


