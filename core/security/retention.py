"""Retention: how long a record is kept after its last activity, and which records an
organisation's admins should review for erasure.

- Each programme declares a period (``Programme.retention_years``); programmes that
  declare none get core's ``WRAPAROUND_RETENTION_YEARS["default"]``, and a deployment may
  override a programme by slug in the same setting.
- A **case** is due when it is closed and its last activity (the case's own changes, its
  action-log entries, its reports) is older than its programme's period.
- A **profile** is due when none of its cases is open and its last activity (the
  profile's changes, its own entries and reports, and those of every case it takes part
  in) is older than the longest period of the programmes of its cases (the core default
  when it has none).
- Only the *owner organisation* reviews and erases its records; the listing is for the
  organisation and partnership admins of that organisation (:func:`reviewing_organisations`).
  A role is no access to records: the listing names a person only to an admin who may
  see the profile (``core.admin.retention``), everyone else sees the record's reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import DateTimeField, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from ..access import user_organisation_ids
from ..models import Activity, Case, Organisation, Profile, Report
from ..plugins.registry import registry
from ..roles import ORGANISATION_ADMIN, PARTNERSHIP_ADMIN, has_role


def retention_years(programme: str | None) -> int:
    """Years a record of ``programme`` is kept after its last activity."""
    table = settings.WRAPAROUND_RETENTION_YEARS
    if programme and programme in table:
        return int(table[programme])
    declared = registry.programme(programme) if programme else None
    if declared is not None and declared.retention_years:
        return int(declared.retention_years)
    return int(table.get("default", 6))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def reviewing_organisations(user) -> QuerySet:
    """The organisations whose records ``user`` may review and erase: their own
    organisations, when they are an organisation or partnership admin. Nothing otherwise
    (a system admin role gives no access to records)."""
    if not (user and user.is_authenticated and user.is_active):
        return Organisation.objects.none()
    if not (has_role(user, ORGANISATION_ADMIN) or has_role(user, PARTNERSHIP_ADMIN)):
        return Organisation.objects.none()
    return Organisation.objects.filter(pk__in=user_organisation_ids(user))


def may_review(user) -> bool:
    return reviewing_organisations(user).exists()


def _latest(qs: QuerySet, field: str):
    """A subquery: the latest ``field`` of ``qs`` (already filtered on OuterRef)."""
    return Subquery(qs.order_by(f"-{field}").values(field)[:1], output_field=DateTimeField())


def _with_last_activity_cases(qs: QuerySet) -> QuerySet:
    own = F("updated_at")
    return qs.annotate(last_activity=Greatest(
        own,
        Coalesce(_latest(Activity.objects.filter(case=OuterRef("pk")), "occurred_at"), own),
        Coalesce(_latest(Report.objects.filter(case=OuterRef("pk")), "updated_at"), own),
    ))


def _with_last_activity_profiles(qs: QuerySet) -> QuerySet:
    own = F("updated_at")
    cases_of = Case.objects.filter(participants__profile=OuterRef(OuterRef("pk"))).values("pk")
    return qs.annotate(last_activity=Greatest(
        own,
        Coalesce(_latest(Activity.objects.filter(profile=OuterRef("pk")), "occurred_at"), own),
        Coalesce(_latest(Activity.objects.filter(case__in=cases_of), "occurred_at"), own),
        Coalesce(_latest(Report.objects.filter(profile=OuterRef("pk")), "updated_at"), own),
        Coalesce(_latest(Report.objects.filter(case__in=cases_of), "updated_at"), own),
        Coalesce(_latest(Case.objects.filter(participants__profile=OuterRef("pk")), "updated_at"), own),
    ))


@dataclass(frozen=True)
class Due:
    """A record past its retention period."""

    record: Profile | Case
    last_activity: datetime
    years: int
    review_on: date

    @property
    def kind(self) -> str:
        return "profile" if isinstance(self.record, Profile) else "case"

    @property
    def reference(self) -> str:
        return record_reference(self.record)


def record_reference(record) -> str:
    """What the audit trail and the screens call a record without naming the person."""
    return f"PROFILE-{record.pk}" if isinstance(record, Profile) else record.reference


def _shortest_period() -> int:
    return min([retention_years(None), *(retention_years(slug) for slug in registry.programmes)])


def _cutoff(today: date, years: int) -> datetime:
    day = add_years(today, -years)
    return timezone.make_aware(datetime(day.year, day.month, day.day))


def profile_retention(profile: Profile) -> int:
    programmes = set(Case.objects.filter(participants__profile=profile).values_list("programme", flat=True))
    return max([retention_years(p) for p in programmes] or [retention_years(None)])


def profile_status(profile: Profile, today: date | None = None) -> Due | None:
    """``Due`` when ``profile`` is past retention, else None."""
    today = today or timezone.localdate()
    if Case.objects.filter(participants__profile=profile, status=Case.Status.OPEN).exists():
        return None
    last = _with_last_activity_profiles(Profile.objects.filter(pk=profile.pk)).values_list(
        "last_activity", flat=True).get()
    return _due(profile, last, profile_retention(profile), today)


def case_status(case: Case, today: date | None = None) -> Due | None:
    today = today or timezone.localdate()
    if case.status != Case.Status.CLOSED:
        return None
    last = _with_last_activity_cases(Case.objects.filter(pk=case.pk)).values_list("last_activity", flat=True).get()
    return _due(case, last, retention_years(case.programme), today)


def _due(record, last: datetime, years: int, today: date) -> Due | None:
    review_on = add_years(timezone.localtime(last).date() if timezone.is_aware(last) else last.date(), years)
    return Due(record, last, years, review_on) if review_on <= today else None


def profiles_due(organisations: QuerySet | None, today: date | None = None, limit: int = 200) -> list[Due]:
    """Profiles owned by ``organisations`` (every organisation when None, for the command
    line) that are past retention, oldest activity first, at most ``limit``."""
    today = today or timezone.localdate()
    qs = Profile.objects.exclude(case_participations__case__status=Case.Status.OPEN)
    if organisations is not None:
        qs = qs.filter(owner_team__organisation_id__in=organisations.values("pk"))
    # The database narrows to those older than the shortest period; each is then checked
    # against the periods of its own cases' programmes.
    qs = _with_last_activity_profiles(qs).filter(last_activity__lt=_cutoff(today, _shortest_period()))
    due = []
    for profile in qs.select_related("owner_team").order_by("last_activity", "pk")[: limit * 2]:
        found = _due(profile, profile.last_activity, profile_retention(profile), today)
        if found:
            due.append(found)
        if len(due) >= limit:
            break
    return due


def cases_due(organisations: QuerySet | None, today: date | None = None, limit: int = 200) -> list[Due]:
    """Closed cases owned by ``organisations`` (every organisation when None) past
    retention, oldest activity first."""
    today = today or timezone.localdate()
    qs = Case.objects.filter(status=Case.Status.CLOSED)
    if organisations is not None:
        qs = qs.filter(owner_team__organisation_id__in=organisations.values("pk"))
    qs = _with_last_activity_cases(qs).filter(last_activity__lt=_cutoff(today, _shortest_period()))
    due = []
    for case in qs.select_related("owner_team").order_by("last_activity", "pk")[: limit * 2]:
        found = _due(case, case.last_activity, retention_years(case.programme), today)
        if found:
            due.append(found)
        if len(due) >= limit:
            break
    return due


__all__ = [
    "Due", "case_status", "cases_due", "may_review", "profile_status", "profiles_due", "record_reference",
    "retention_years", "reviewing_organisations",
]
