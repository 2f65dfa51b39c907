"""Hook implementations of the Missing Persons programme."""

from core.plugins import hookimpl
from core.plugins.types import CaseType, Choice, Programme, Stage

PROGRAMME = Programme(
    slug="missing_persons",
    name="Missing Persons",
    description="Repeat missing people, especially children: episodes, return-home interviews and prevention.",
    reference_prefix="MP",
    icon="search",
    # Missing children's records are kept longer: patterns show up years later.
    retention_years=10,
    case_types=(
        CaseType(
            slug="repeat_missing",
            name="Repeat missing person",
            stages=(
                Stage("identified", "Identified as repeat missing"),
                Stage("risk_assessed", "Risk assessed"),
                Stage("prevention_plan", "Prevention plan in place"),
                Stage("monitoring", "Monitoring"),
            ),
            outcomes=(
                Choice("episodes_stopped", "No further episodes"),
                Choice("moved_placement", "Moved placement / area"),
                Choice("turned_18", "Turned 18: handed to adult services"),
            ),
        ),
    ),
)


@hookimpl
def wraparound_programme():
    return PROGRAMME


@hookimpl
def wraparound_warning_markers():
    return [Choice("missing_risk", "Repeat missing: high risk when missing")]


@hookimpl
def wraparound_demo_data(context):
    from .demo import load

    load(context)


@hookimpl
def wraparound_report_types():
    from .reports import REPORT_TYPES

    return REPORT_TYPES


@hookimpl
def wraparound_import_resources():
    from .imports import MissingEpisodeRegisterResource

    return [MissingEpisodeRegisterResource]
