"""``/programmes``: the programmes switched on for the caller's organisations, with
their case types, stages and outcomes (what a client needs to open and move cases)."""


from django.http import HttpRequest
from ninja import Router, Schema

from ..access import user_organisation_ids
from ..models import ProgrammeModule
from ..plugins.registry import registry
from .problems import Problem

router = Router(tags=["programmes"])


class ChoiceOut(Schema):
    code: str
    label: str


class StageOut(Schema):
    slug: str
    name: str


class CaseTypeOut(Schema):
    slug: str
    name: str
    stages: list[StageOut]
    outcomes: list[ChoiceOut]


class ProgrammeOut(Schema):
    slug: str
    name: str
    description: str
    case_types: list[CaseTypeOut]


def enabled_programmes(user) -> list[str]:
    """Slugs enabled for at least one of the user's organisations, that a plugin declares."""
    slugs = set(
        ProgrammeModule.objects.filter(organisation_id__in=user_organisation_ids(user), enabled=True)
        .values_list("programme", flat=True)
    )
    return [slug for slug in sorted(registry.programmes) if slug in slugs]


@router.get("/", response={200: list[ProgrammeOut], 401: Problem, 429: Problem},
            summary="Programmes enabled for your organisation")
def list_programmes(request: HttpRequest):
    return [registry.programmes[slug] for slug in enabled_programmes(request.user)]
