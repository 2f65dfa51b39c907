"""``/statistics``: the core figures, counted only over what the caller may see (the
same ``restrict`` as every list), so a count never discloses a hidden record."""


from django.db.models import Count
from django.http import HttpRequest
from ninja import Router, Schema

from .. import access
from ..models import Case, Profile
from ..plugins.registry import registry
from ..programmes import plugin_statistics_for
from .conventions import record_list_read
from .problems import Problem

router = Router(tags=["statistics"])


class StageCount(Schema):
    programme: str
    programme_name: str
    stage: str
    count: int


class RiskCount(Schema):
    risk_level: str
    count: int


class PluginStatistic(Schema):
    slug: str
    title: str
    programme: str
    columns: list[str]
    value: str
    rows: list[dict]


class StatisticsOut(Schema):
    open_cases: int
    open_cases_by_programme_and_stage: list[StageCount]
    profiles: int
    profiles_by_risk: list[RiskCount]
    programmes: list[PluginStatistic] = []


@router.get("/", response={200: StatisticsOut, 401: Problem, 429: Problem},
            summary="Open cases by programme and stage, profiles by risk, the programmes' statistics (what you can see)")
def statistics(request: HttpRequest):
    open_cases = access.restrict(Case.objects.filter(status=Case.Status.OPEN), request.user)
    by_stage = list(
        open_cases.order_by().values("programme", "stage").annotate(count=Count("pk")).order_by("programme", "stage")
    )
    profiles = access.restrict(Profile.objects.all(), request.user)
    by_risk = list(profiles.order_by().values("risk_level").annotate(count=Count("pk")).order_by("risk_level"))
    record_list_read(request, Case, {"statistics": "core"}, [])
    return {
        "open_cases": sum(row["count"] for row in by_stage),
        "open_cases_by_programme_and_stage": [
            {**row, "programme_name": registry.programme_name(row["programme"])} for row in by_stage
        ],
        "profiles": sum(row["count"] for row in by_risk),
        "profiles_by_risk": by_risk,
        # The programmes' own statistics (hook wraparound_statistics), for the programmes
        # the caller's organisations have enabled, over what the caller may see.
        "programmes": [
            {"slug": spec.slug, "title": spec.title, "programme": spec.programme, "columns": list(spec.columns),
             "value": spec.value, "rows": rows}
            for spec, rows in plugin_statistics_for(request.user)
        ],
    }
