"""IOM report types (scenario S3): the prison's periodic history, the police review of
behaviour before sentence and the pre-release report read before release."""

from core.plugins.types import Choice, ReportField, ReportTypeSpec

RISK = (Choice("low", "Low"), Choice("medium", "Medium"), Choice("high", "High"), Choice("very_high", "Very high"))

REPORT_TYPES = [
    ReportTypeSpec(
        slug="iom_prison_history", name="Prison History", programme="iom", applies_to="profile",
        description="Added by the prison's single point of contact at agreed intervals.",
        fields=(
            ReportField("period_from", "Period from", "date", required=True),
            ReportField("period_to", "Period to", "date", required=True),
            ReportField("attitude", "Attitude to rehabilitation", "long_text", required=True),
            ReportField("adjudications", "Adjudications in the period", "number", required=True),
            ReportField("interventions", "Interventions", "choice", multiple=True, choices=(
                Choice("tsp", "Thinking Skills Programme"), Choice("education", "Education"),
                Choice("drug_recovery", "Drug recovery wing"), Choice("work", "Prison work"),
            )),
            ReportField("drug_tests_negative", "All mandatory drug tests negative", "yes_no"),
            ReportField("anxieties", "Anxieties and concerns", "long_text"),
        ),
    ),
    ReportTypeSpec(
        slug="iom_review", name="IOM Review", programme="iom", applies_to="profile",
        description="The IOM officer's review of behaviour before sentence.",
        fields=(
            ReportField("behaviour", "Behaviour before sentence", "long_text", required=True),
            ReportField("risk", "Assessed risk", "choice", required=True, choices=RISK),
            ReportField("co_offender", "Known co-offender", "person"),
        ),
    ),
    ReportTypeSpec(
        slug="iom_pre_release", name="Pre-release", programme="iom", applies_to="profile",
        description="Read by the IOM team before release: date, address and licence conditions.",
        fields=(
            ReportField("release_date", "Release date", "date", required=True),
            ReportField("release_address", "Release address", "text", required=True),
            ReportField("approved_premises", "Approved premises", "yes_no"),
            ReportField("licence_conditions", "Licence conditions", "long_text"),
            ReportField("licence", "Licence (scan)", "file"),
        ),
    ),
]
