"""Hook implementations of the Troubled Families programme."""

from core.plugins import hookimpl
from core.plugins.types import CaseType, Choice, Programme, Stage

PROGRAMME = Programme(
    slug="troubled_families",
    name="Troubled Families",
    description="A keyworker works with the whole family towards outcomes that a payment-by-results claim needs.",
    reference_prefix="TF",
    icon="home",
    case_types=(
        CaseType(
            slug="family_intervention",
            name="Family intervention",
            stages=(
                Stage("identified", "Identified"),
                Stage("eligibility", "Eligibility checked"),
                Stage("assessment", "Whole-family assessment"),
                Stage("family_plan", "Family plan agreed"),
                Stage("intervention", "Intervention"),
                Stage("sustained_progress", "Sustained progress"),
            ),
            outcomes=(
                Choice("significant_progress", "Significant and sustained progress (claim)"),
                Choice("continuous_employment", "Continuous employment (claim)"),
                Choice("disengaged", "Family disengaged"),
                Choice("moved", "Family moved away"),
            ),
        ),
    ),
)


@hookimpl
def wraparound_programme():
    return PROGRAMME


@hookimpl
def wraparound_demo_data(context):
    from .demo import load

    load(context)


@hookimpl
def wraparound_import_resources():
    from .imports import FamiliesListResource

    return [FamiliesListResource]
