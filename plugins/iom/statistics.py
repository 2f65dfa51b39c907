"""IOM's statistics (hook ``wraparound_statistics``), for the dashboard's statistics
panel and ``GET /api/v1/statistics/``.

Each counts only the records the user may see (IOM's ``visible_*`` reads: core's
``restrict`` and IOM enabled for the user), in a fixed number of queries whatever the
number of rows: grouping is done by the database, or over one list of memberships."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from core.access import restrict
from core.models import Activity
from core.plugins.types import StatisticSpec

MONTHS = 12


def months_back(today: date, count: int = MONTHS) -> list[date]:
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


def _month(value) -> date:
    if hasattr(value, "date"):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def cohort_size(user) -> list[dict]:
    """Active cohort members (not exited, case open) by category and tier."""
    from .galleries import active_memberships
    from .models import CohortCategory
    from .services import visible_memberships

    labels = dict(CohortCategory.choices)
    rows = (
        visible_memberships(user).filter(pk__in=active_memberships().values("pk"))
        .values("category", "tier").annotate(count=Count("pk")).order_by("category", "tier")
    )
    return [{"category": labels.get(r["category"], r["category"]), "tier": r["tier"], "count": r["count"]}
            for r in rows]


def adoptions_and_exits(user) -> list[dict]:
    """Adoptions onto and exits from the cohort per month, over the last 12 months."""
    from .services import visible_memberships

    months = months_back(timezone.localdate())
    memberships = visible_memberships(user)
    counts = {}
    for movement, field in (("adopted", "adopted_on"), ("exited", "exited_on")):
        rows = (memberships.filter(**{f"{field}__gte": months[0]}).annotate(month=TruncMonth(field))
                .values("month").annotate(n=Count("pk")).order_by())
        for row in rows:
            counts[(movement, _month(row["month"]))] = row["n"]
    return [
        {"month": m.strftime("%b %Y"), "movement": movement, "count": counts.get((movement, m), 0)}
        for m in months for movement in ("adopted", "exited")
    ]


def contacts_per_member(user) -> list[dict]:
    """Contacts recorded with cohort members (on their cohort case or profile) per
    month, divided by the members on the cohort during that month."""
    from .services import visible_memberships
    from .triggers import CONTACT_KINDS

    today = timezone.localdate()
    months = months_back(today)
    memberships = list(visible_memberships(user).values_list("case_id", "profile_id", "adopted_on", "exited_on"))
    members = {
        m: sum(1 for _, _, adopted, exited in memberships
               if adopted < _next_month(m) and (exited is None or exited >= m))
        for m in months
    }
    contacts = {}
    if memberships:
        start = timezone.make_aware(datetime.combine(months[0], time.min))
        visible = visible_memberships(user)
        rows = (
            restrict(Activity.objects.filter(
                Q(case_id__in=visible.values("case_id")) | Q(profile_id__in=visible.values("profile_id")),
                kind__in=CONTACT_KINDS, occurred_at__gte=start,
            ), user)
            .annotate(month=TruncMonth("occurred_at")).values("month").annotate(n=Count("pk")).order_by()
        )
        for row in rows:
            contacts[_month(row["month"])] = contacts.get(_month(row["month"]), 0) + row["n"]
    return [
        {"month": m.strftime("%b %Y"), "contacts": contacts.get(m, 0), "members": members[m],
         "per_member": round(contacts.get(m, 0) / members[m], 2) if members[m] else 0}
        for m in months
    ]


def pathway_needs_met(user) -> list[dict]:
    """Per pathway: needs met, needs in all (not counting "not applicable") and the
    share met, in per cent."""
    from .models import Pathway, PathwayStatus
    from .services import visible_pathway_needs

    rows = {
        r["pathway"]: r for r in visible_pathway_needs(user).exclude(status=PathwayStatus.NOT_APPLICABLE)
        .values("pathway").annotate(total=Count("pk"), met=Count("pk", filter=Q(status=PathwayStatus.MET)))
        .order_by()
    }
    out = []
    for code, label in Pathway.choices:
        row = rows.get(code)
        if row:
            out.append({"pathway": label, "met": row["met"], "total": row["total"],
                        "share": round(100 * row["met"] / row["total"])})
    return out


STATISTICS = [
    StatisticSpec("iom_cohort_size", "IOM cohort size by category and tier", cohort_size,
                  columns=("category", "tier", "count"), programme="iom"),
    StatisticSpec("iom_adoptions_exits", "IOM adoptions and exits per month (last 12 months)", adoptions_and_exits,
                  columns=("month", "movement", "count"), programme="iom"),
    StatisticSpec("iom_contacts_per_member", "IOM contacts per cohort member per month", contacts_per_member,
                  columns=("month", "contacts", "members", "per_member"), value="per_member",
                  label_columns=("month",), programme="iom"),
    StatisticSpec("iom_pathway_needs_met", "IOM pathway needs met (count; share in %)", pathway_needs_met,
                  columns=("pathway", "met", "total", "share"), value="met", label_columns=("pathway",),
                  programme="iom"),
]
