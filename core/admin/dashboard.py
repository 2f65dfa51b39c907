"""Admin: the dashboard panels of the practitioner's workspace — my tasks, referrals
waiting, access requests waiting for me, recent records, and statistics with charts.

Every figure is counted over ``core.access.restrict``-ed querysets, so a case or a
referral the user may not see adds nothing to any bar. Charts are drawn on the server
as SVG (no JavaScript, nothing from a CDN); each panel costs a fixed number of queries,
whatever the number of rows."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, Window
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.ui.components import Component

from .. import access
from ..models import (
    AccessRequest,
    AuditAction,
    AuditEvent,
    Case,
    Membership,
    Profile,
    Referral,
    Task,
)
from ..plugins.registry import registry
from .referrals import form_label
from .tasks import annotate_tasks, task_queryset

PANEL_ROWS = 8


class DashboardPanel(Component):
    template_name = "wraparound/work/dashboard_panel.html"
    heading = ""
    name = ""
    order = 100

    def __init__(self, request):
        self.request = request
        self.user = request.user

    def get_context_data(self, parent_context=None):
        return {"panel": self, "heading": self.heading, **self.data()}

    def data(self) -> dict:
        raise NotImplementedError


class MyTasksPanel(DashboardPanel):
    name = "wraparound_my_tasks"
    heading = "My tasks"
    order = 20

    def data(self):
        teams = Membership.objects.filter(user=self.user).values("team_id")
        # Assigned to the user, or to one of their teams: a union of the two assignee
        # indexes, computed first. As an OR, PostgreSQL could use neither and scanned
        # every task (106 ms at scale 1.0); as a semi-join, it still did (155 ms).
        open_ = Task.objects.filter(status__in=Task.OPEN_STATUSES).order_by().values("pk")
        assigned = open_.filter(assigned_user=self.user).union(open_.filter(assigned_team_id__in=teams), all=True)
        # The panel shows the first few; how many are open and overdue in all comes with
        # them (counted over every row, before the limit), not from the rows shown.
        tasks = task_queryset(self.user).filter(pk__in=access.computed_first(assigned)).annotate(
            open_total=Window(Count("pk")),
            overdue_total=Window(Count("pk", filter=Q(due_on__lt=timezone.localdate()))),
        )
        rows = annotate_tasks(self.user, list(tasks[:PANEL_ROWS]))
        return {"kind": "tasks", "tasks": rows, "more_url": reverse("wraparound_tasks:index"),
                "open": rows[0].open_total if rows else 0, "overdue": rows[0].overdue_total if rows else 0}


class ReferralsWaitingPanel(DashboardPanel):
    name = "wraparound_referrals_waiting"
    heading = "Referrals waiting"
    order = 30

    def data(self):
        teams = Membership.objects.filter(user=self.user).values("team_id")
        visible = access.restrict(Referral.objects.all(), self.user).select_related(
            "from_team__organisation", "to_team__organisation")
        incoming = list(visible.filter(to_team_id__in=teams, status__in=Referral.WAITING)[:PANEL_ROWS])
        # Mine waiting on me: the receiving team asked a question.
        answers_due = list(visible.filter(Q(from_team_id__in=teams) | Q(made_by=self.user),
                                          status=Referral.Status.MORE_INFO)[:PANEL_ROWS])
        for r in incoming + answers_due:
            r.form_label = form_label(r)
        return {"kind": "referrals", "incoming": incoming, "answers_due": answers_due,
                "more_url": reverse("wraparound_referrals:index")}


class AccessRequestsPanel(DashboardPanel):
    name = "wraparound_access_requests"
    heading = "Access requests waiting for you"
    order = 40

    def data(self):
        pending = (
            access.restrict(AccessRequest.objects.filter(status=AccessRequest.Status.PENDING), self.user,
                            access.AccessLevel.MANAGE)
            .exclude(requested_by=self.user)
            .select_related("requested_by", "profile", "case")
            .order_by("requested_at")
        )
        rows = []
        for req in pending[:PANEL_ROWS]:
            target = req.profile or req.case
            label = target.full_name if isinstance(target, Profile) else str(target)
            url = (reverse("wraparound_profiles:detail", args=[target.pk]) if isinstance(target, Profile)
                   else reverse("wraparound_cases:detail", args=[target.pk]))
            rows.append({"request": req, "label": label, "url": url})
        return {"kind": "access_requests", "rows": rows}


class RecentRecordsPanel(DashboardPanel):
    """The records I opened lately (from my VIEW audit events), still visible to me."""

    name = "wraparound_recent_records"
    heading = "Recently opened"
    order = 50
    look_back = 60

    def data(self):
        events = (
            AuditEvent.objects.filter(actor_id=self.user.pk, action=AuditAction.VIEW,
                                      object_type__in=["core.profile", "core.case"])
            .order_by("-occurred_at").values_list("object_type", "object_id")[: self.look_back]
        )
        seen, order = set(), []
        for object_type, object_id in events:
            if (object_type, object_id) not in seen and object_id.isdigit():
                seen.add((object_type, object_id))
                order.append((object_type, int(object_id)))
        profile_ids = [pk for t, pk in order if t == "core.profile"]
        case_ids = [pk for t, pk in order if t == "core.case"]
        profiles = access.restrict(Profile.objects.filter(pk__in=profile_ids), self.user, point_lookup=True)
        cases = access.restrict(Case.objects.filter(pk__in=case_ids), self.user, point_lookup=True)
        profiles, cases = {p.pk: p for p in profiles}, {c.pk: c for c in cases}
        rows = []
        for object_type, pk in order:
            if object_type == "core.profile" and pk in profiles:
                rows.append({"label": profiles[pk].full_name, "kind": "Profile",
                             "url": reverse("wraparound_profiles:detail", args=[pk])})
            elif object_type == "core.case" and pk in cases:
                rows.append({"label": str(cases[pk]), "kind": "Case",
                             "url": reverse("wraparound_cases:detail", args=[pk])})
            if len(rows) >= PANEL_ROWS:
                break
        return {"kind": "recent", "rows": rows}


# Charts ------------------------------------------------------------------------------

def bar_chart(items: list[tuple[str, int]], *, label_width: int = 190, width: int = 560, bar: int = 18,
              gap: int = 6) -> dict:
    """Geometry of a horizontal bar chart for the SVG template: one row per item."""
    biggest = max((n for _, n in items), default=0) or 1
    room = width - label_width - 40
    rows = []
    for i, (label, n) in enumerate(items):
        y = i * (bar + gap)
        rows.append({"label": label, "value": n, "y": y, "text_y": y + bar - 5,
                     "width": max(1, round(room * n / biggest)) if n else 0,
                     "value_x": label_width + (round(room * n / biggest) if n else 0) + 6})
    return {"rows": rows, "height": max(1, len(items)) * (bar + gap), "width": width,
            "label_width": label_width, "bar": bar, "label_x": label_width - 8}


def short_name(programme: str) -> str:
    """The programme's case-reference prefix (ASB, RJ…): chart labels must stay short."""
    spec = registry.programme(programme)
    return spec.reference_prefix if spec else programme


def months_back(today: date, count: int) -> list[date]:
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(months))


class StatisticsPanel(DashboardPanel):
    name = "wraparound_statistics"
    heading = "Statistics (records you can see)"
    order = 60
    months = 12

    def data(self):
        user = self.user
        cases = access.restrict(Case.objects.all(), user)
        open_by_stage = (
            cases.filter(status=Case.Status.OPEN).values("programme", "case_type", "stage")
            .annotate(n=Count("pk")).order_by("programme", "case_type", "stage")
        )
        stage_rows = []
        for row in open_by_stage:
            case_type = registry.case_type(row["programme"], row["case_type"])
            stage = case_type.stage(row["stage"]) if case_type else None
            position = case_type.stages.index(stage) if stage else 99
            stage_rows.append(((registry.programme_name(row["programme"]), position),
                               f"{short_name(row['programme'])}: {stage.name if stage else row['stage']}",
                               row["n"]))
        stage_rows.sort(key=lambda r: r[0])
        start = months_back(timezone.localdate(), self.months)[0]
        per_month = dict(
            access.restrict(Referral.objects.filter(made_at__date__gte=start), user, listing=True)
            .annotate(month=TruncMonth("made_at")).values("month").annotate(n=Count("pk"))
            .values_list("month", "n")
        )
        per_month = {(m.date() if hasattr(m, "date") else m).replace(day=1): n for m, n in per_month.items()}
        months = [(m.strftime("%b %Y"), per_month.get(m, 0)) for m in months_back(timezone.localdate(), self.months)]
        outcomes = (
            cases.filter(status=Case.Status.CLOSED).exclude(outcome="")
            .values("programme", "case_type", "outcome").annotate(n=Count("pk")).order_by("-n")
        )
        outcome_rows = []
        for row in outcomes:
            case_type = registry.case_type(row["programme"], row["case_type"])
            labels = {o.code: o.label for o in (case_type.outcomes if case_type else ())}
            outcome_rows.append((f"{short_name(row['programme'])}: "
                                 f"{labels.get(row['outcome'], row['outcome'])}", row["n"]))
        shown = {row["programme"] for row in open_by_stage} | {row["programme"] for row in outcomes}
        legend = sorted((short_name(p), registry.programme_name(p)) for p in shown)
        plugin_charts = [
            {"title": title, "id": f"chart-{slug}", "chart": bar_chart(bars[:30], label_width=260), "plugin": True}
            for slug, title, bars in plugin_statistic_bars(user)
        ]
        return {
            "kind": "statistics", "legend": legend,
            "charts": [
                {"title": "Open cases by programme and stage", "id": "chart-open-cases",
                 "chart": bar_chart([(label, n) for _, label, n in stage_rows], label_width=250)},
                {"title": f"Referrals per month (last {self.months} months)", "id": "chart-referrals",
                 "chart": bar_chart(months, label_width=90)},
                {"title": "Outcomes of closed cases", "id": "chart-outcomes",
                 "chart": bar_chart(outcome_rows[:15], label_width=260)},
                *plugin_charts,
            ],
        }


def plugin_statistic_bars(user) -> list[tuple]:
    """``(slug, title, [(label, value)])`` per plugin statistic, for the bar charts."""
    from ..programmes import plugin_statistics_for

    charts = []
    for spec, rows in plugin_statistics_for(user):
        label_columns = spec.label_columns or [c for c in spec.columns if c != spec.value]
        bars = [(" · ".join(str(row.get(c, "")) for c in label_columns), row.get(spec.value) or 0) for row in rows]
        charts.append((spec.slug, spec.title, bars))
    return charts


PANELS = (MyTasksPanel, ReferralsWaitingPanel, AccessRequestsPanel, RecentRecordsPanel, StatisticsPanel)


@hooks.register("construct_homepage_panels")
def add_workspace_panels(request, panels):
    panels.extend(panel(request) for panel in PANELS)
