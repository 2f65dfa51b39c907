"""Hook implementations of the Restorative Justice programme."""

from core.plugins import hookimpl
from core.plugins.types import CaseType, Choice, Programme, ReferralForm, Stage

PROGRAMME = Programme(
    slug="rj",
    name="Restorative Justice",
    description="Restorative approaches: victim–offender conferences and Neighbourhood Resolution Panels.",
    reference_prefix="RJ",
    icon="group",
    case_types=(
        CaseType(
            slug="rj_case",
            name="Restorative justice case",
            stages=(
                Stage("referred", "Referred"),
                Stage("assessment", "Risk and suitability assessment"),
                Stage("preparation", "Preparation with participants"),
                Stage("conference", "Conference / communication"),
                Stage("follow_up", "Follow-up"),
            ),
            outcomes=(
                Choice("agreement", "Conference held: agreement reached"),
                Choice("indirect", "Indirect communication completed"),
                Choice("not_suitable", "Not suitable"),
                Choice("withdrew", "A participant withdrew"),
            ),
        ),
        CaseType(
            slug="nrp",
            name="Neighbourhood Resolution Panel",
            stages=(
                Stage("referred", "Referred"),
                Stage("volunteers_assigned", "Volunteers assigned"),
                Stage("panel_arranged", "Panel arranged"),
                Stage("panel_held", "Panel held"),
                Stage("follow_up", "Follow-up"),
            ),
            outcomes=(
                Choice("resolved", "Restorative outcome agreed"),
                Choice("partially_resolved", "Partly resolved"),
                Choice("declined", "Parties declined"),
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
def wraparound_referral_forms():
    from .referrals import RJReferralForm

    return [
        ReferralForm("rj_nrp", "Neighbourhood Resolution Panel referral", RJReferralForm,
                     programme="rj", case_type="nrp", participant_role="offender",
                     description="Refer a young person or adult to a Neighbourhood Resolution Panel."),
        ReferralForm("rj_case", "Restorative justice referral", RJReferralForm,
                     programme="rj", case_type="rj_case", participant_role="offender"),
    ]
