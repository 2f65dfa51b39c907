"""Hook implementations of the Anti-Social Behaviour programme."""

from core.plugins import hookimpl
from core.plugins.types import CaseType, Choice, Programme, Stage

PROGRAMME = Programme(
    slug="asb",
    name="Anti-Social Behaviour",
    description="Council and police ASB case management, from first report to civil orders.",
    reference_prefix="ASB",
    icon="warning",
    case_types=(
        CaseType(
            slug="asb_case",
            name="ASB case",
            stages=(
                Stage("reported", "Reported"),
                Stage("investigation", "Investigation"),
                Stage("warning", "Warning issued"),
                Stage("abc", "Acceptable behaviour contract"),
                Stage("civil_order", "Civil injunction / order"),
                Stage("monitoring", "Monitoring"),
            ),
            outcomes=(
                Choice("behaviour_stopped", "Behaviour stopped"),
                Choice("order_obtained", "Civil order obtained"),
                Choice("referred_on", "Referred to another service"),
                Choice("no_further_action", "No further action"),
            ),
        ),
        CaseType(
            slug="neighbour_dispute",
            name="Neighbour dispute",
            stages=(Stage("reported", "Reported"), Stage("mediation", "Mediation"), Stage("monitoring", "Monitoring")),
            outcomes=(Choice("resolved", "Resolved"), Choice("unresolved", "Unresolved"), Choice("referred_on", "Referred on")),
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
    from .imports import ASBCaseLogResource

    return [ASBCaseLogResource]
