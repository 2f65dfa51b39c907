"""Hook implementations of the IOM programme (thin: declarations live in this package)."""

from core.plugins import hookimpl
from core.plugins.types import CaseType, Choice, IdentifierType, MenuItem, Programme, Stage

#: Prison numbers (NOMIS): a letter, four digits, two letters. Used by the identifier
#: type and by ``CustodyPeriod.prison_number``.
PRISON_NUMBER = IdentifierType("prison_number", "Prison number", r"[A-Z]\d{4}[A-Z]{2}", "e.g. A1234BC")
PROBATION_REF = IdentifierType("probation_ref", "Probation case reference (CRN)", r"[A-Z]\d{6}", "e.g. X123456")

PROGRAMME = Programme(
    slug="iom",
    name="Integrated Offender Management",
    description="Police, probation, prisons and partners jointly manage the offenders who cause most harm.",
    reference_prefix="IOM",
    icon="user",
    case_types=(
        CaseType(
            slug="cohort",
            name="IOM cohort management",
            stages=(
                Stage("referred", "Referred"),
                Stage("assessed", "Assessed"),
                Stage("adopted", "Adopted onto cohort"),
                Stage("active", "Active"),
                Stage("in_custody", "In custody"),
                Stage("exited", "De-selected / exited"),
            ),
            outcomes=(
                Choice("desisted", "Desisted from offending"),
                Choice("risk_reduced", "Risk reduced: de-selected"),
                Choice("moved_area", "Moved out of area"),
                Choice("long_sentence", "Long custodial sentence"),
                Choice("deceased", "Deceased"),
                Choice("other", "Other exit reason"),
            ),
        ),
    ),
)


@hookimpl
def wraparound_programme():
    return PROGRAMME


@hookimpl
def wraparound_identifier_types():
    return [PRISON_NUMBER, PROBATION_REF]


@hookimpl
def wraparound_warning_markers():
    return [Choice("ppo", "Prolific / priority offender (PPO)"), Choice("iom_cohort", "IOM cohort")]


@hookimpl
def wraparound_demo_data(context):
    from .demo import load

    load(context)


@hookimpl
def wraparound_report_types():
    from .reports import REPORT_TYPES

    return REPORT_TYPES


@hookimpl
def wraparound_galleries():
    from .galleries import galleries

    return galleries()


@hookimpl
def wraparound_trigger_rule_kinds():
    from .triggers import RULE_KINDS

    return RULE_KINDS


@hookimpl
def wraparound_statistics():
    from .statistics import STATISTICS

    return STATISTICS


@hookimpl
def wraparound_import_resources():
    from .imports import IOMCohortResource

    return [IOMCohortResource]


@hookimpl
def wraparound_profile_panels():
    from .panels import PROFILE_PANELS

    return PROFILE_PANELS


@hookimpl
def wraparound_case_panels():
    from .panels import CASE_PANELS

    return CASE_PANELS


@hookimpl
def wraparound_admin_urls():
    from .urls import urlpatterns

    return urlpatterns


@hookimpl
def wraparound_admin_menu_items():
    return [MenuItem("Cohort", "/admin/programmes/iom/cohort/", icon="group", order=10, name="iom-cohort")]
