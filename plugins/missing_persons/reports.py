"""Missing persons report types (scenario S9): the return-home interview."""

from core.plugins.types import Choice, ReportField, ReportTypeSpec

REPORT_TYPES = [
    ReportTypeSpec(
        slug="mp_return_home_interview", name="Return-home interview", programme="missing_persons",
        applies_to="profile", restricted_by_default=False,
        description="Held within 72 hours of a missing child's return, by someone independent of the carers.",
        fields=(
            ReportField("episode_date", "Date of the episode", "date", required=True),
            ReportField("held_within_72h", "Held within 72 hours", "yes_no", required=True),
            ReportField("where", "Where the child was", "text"),
            ReportField("push_pull", "Push and pull factors", "choice", multiple=True, choices=(
                Choice("peers", "Older peers"), Choice("exploitation", "Exploitation concern"),
                Choice("home", "Conflict at home / placement"), Choice("substances", "Drugs or alcohol"),
            )),
            ReportField("account", "The child's account", "long_text", required=True),
        ),
    ),
]
