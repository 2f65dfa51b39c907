"""IOM report types (scenario S3): the prison's periodic history, the police review of
behaviour before sentence, the pre-release report read before release and the initial
risk assessment once released."""

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
    ReportTypeSpec(
        slug="iom_initial_risk_on_release", name="Initial risk assessment on release", programme="iom",
        applies_to="profile",
        description="The IOM team's first assessment of risk once the person is released: who is at risk, "
                    "the factors either way and the plan for the first weeks in the community.",
        fields=(
            ReportField("released_on", "Date of release", "date", required=True),
            ReportField("assessed_on", "Date of assessment", "date", required=True),
            ReportField("risk", "Assessed risk of reoffending", "choice", required=True, choices=RISK),
            ReportField("harm_to", "Risk of serious harm to", "choice", multiple=True, choices=(
                Choice("public", "The public"), Choice("known_adult", "A known adult"),
                Choice("children", "Children"), Choice("staff", "Staff"), Choice("self", "Self"),
            )),
            ReportField("mappa_level", "MAPPA level", "choice", choices=(
                Choice("none", "Not MAPPA eligible"), Choice("1", "Level 1"), Choice("2", "Level 2"),
                Choice("3", "Level 3"),
            )),
            ReportField("risk_factors", "Risk factors", "long_text", required=True),
            ReportField("protective_factors", "Protective factors", "long_text"),
            ReportField("pathway_needs", "Pathway needs on release", "choice", multiple=True, choices=(
                Choice("accommodation", "Accommodation"),
                Choice("education_training_employment", "Education, training and employment"),
                Choice("health", "Health"), Choice("drugs_alcohol", "Drugs and alcohol"),
                Choice("finance_debt", "Finance, benefit and debt"),
                Choice("children_families", "Children and families"),
                Choice("attitudes_thinking", "Attitudes, thinking and behaviour"),
            )),
            ReportField("licence_understood", "Licence conditions explained and understood", "yes_no"),
            ReportField("first_appointment", "First appointment with the offender manager", "date"),
            ReportField("plan", "Plan for the first weeks", "long_text", required=True),
        ),
    ),
]
