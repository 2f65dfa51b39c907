"""Core's own declarations, registered as the plugin named ``core``: the identifier
types, person roles and warning markers every partnership needs whatever its
programmes."""

from .manager import hookimpl
from .types import Choice, IdentifierType


@hookimpl
def wraparound_identifier_types():
    return [
        IdentifierType("pnc", "Police National Computer (PNC) ID", r"\d{2,4}/\d{1,7}[A-Z]",
                       "Year/serial and check letter, e.g. 2004/0123456X"),
        IdentifierType("nhs", "NHS number", r"\d{10}", "Ten digits, no spaces"),
        IdentifierType("ni", "National Insurance number", r"[A-CEGHJ-PR-TW-Z]{2}\d{6}[A-D]", "e.g. AB123456C"),
        IdentifierType("council_ref", "Council reference"),
        IdentifierType("other", "Other reference"),
    ]


@hookimpl
def wraparound_person_roles():
    return [
        Choice("offender", "Offender"),
        Choice("victim", "Victim"),
        Choice("witness", "Witness"),
        Choice("vulnerable", "Vulnerable person"),
        Choice("perpetrator", "Perpetrator"),
        Choice("complainant", "Complainant"),
        Choice("family_member", "Family member"),
    ]


@hookimpl
def wraparound_warning_markers():
    return [
        Choice("violence", "Violence"),
        Choice("weapons", "Weapons"),
        Choice("self_harm", "Self-harm / suicide risk"),
        Choice("drugs", "Drugs"),
        Choice("mental_health", "Mental health"),
        Choice("do_not_visit_alone", "Do not visit alone"),
        Choice("dogs", "Dangerous dogs at address"),
    ]


@hookimpl
def wraparound_import_resources():
    from core.imports.profiles import ProfileResource  # models are ready when hooks are called

    return [ProfileResource]


@hookimpl
def wraparound_trigger_rule_kinds():
    # Imported here: core.alerts needs the models, which are not ready when this loads.
    from ..alerts import CORE_RULE_KINDS

    return list(CORE_RULE_KINDS)


@hookimpl
def wraparound_referral_forms():
    from ..forms.referrals import GenericReferralForm
    from .types import ReferralForm

    return [
        ReferralForm(
            "generic", "Referral", GenericReferralForm,
            description="The general referral form: choose the programme and case type.",
        )
    ]
