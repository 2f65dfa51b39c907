"""Troubled families demo records: whole-family cases for each Families First team, some
closed with a payment-by-results claim (scenario S10)."""

from core import services
from core.demo.kit import member_of, new_profile, pick, run_case, team_profiles

ENTRIES = [
    ("visit", "Keyworker home visit with the whole family"),
    ("meeting", "Team around the family meeting: family plan reviewed"),
    ("intervention", "Parenting course started"),
    ("call", "School attendance check: improved to 92%"),
    ("contact", "Adult referred to the employment adviser"),
    ("non_cooperation", "Family not at home for the planned visit"),
]
STAGES = ["identified", "eligibility", "assessment", "family_plan", "intervention", "sustained_progress"]
OUTCOMES = ["significant_progress", "continuous_employment", "disengaged", "moved"]


def load(context) -> None:
    pakefield_family(context)
    for team in ("waveney_families", "kettering_families", "adur_families"):
        members = team_profiles(context, team)
        context.random.shuffle(members)
        while len(members) >= 2:
            size = min(len(members), context.random.randint(2, 4))
            family, members = members[:size], members[size:]
            closed = context.random.random() < 0.3
            run_case(
                context, team=team, programme="troubled_families", case_type="family_intervention",
                title=f"The {family[0].last_name} family",
                participants=[(person, "family_member") for person in family],
                opened_days_ago=context.random.randint(60, 700), stage=pick(context, STAGES),
                outcome=pick(context, OUTCOMES) if closed else None,
                entries=[(None, *pick(context, ENTRIES)) for _ in range(context.random.randint(3, 7))],
            )


def pakefield_family(ctx) -> None:
    """S10: a keyworker manages a whole household; the son is also known as an offender."""
    team = "waveney_families"
    donna = new_profile(ctx, team, first_name="Donna", last_name="Pakefield", age=36, gender="female",
                        person_roles=["family_member", "victim"], consent_to_share="given", lawful_basis="consent")
    tyler = new_profile(ctx, team, first_name="Tyler", last_name="Pakefield", age=15, gender="male",
                        person_roles=["family_member", "offender"], consent_to_share="given", lawful_basis="consent")
    amber = new_profile(ctx, team, first_name="Amber", last_name="Pakefield", age=9, gender="female",
                        person_roles=["family_member", "vulnerable"], consent_to_share="given", lawful_basis="consent")
    services.create_household(
        by=member_of(ctx, team), owner_team=ctx.teams[team], name="The Pakefield family",
        members=[(donna, "parent"), (tyler, "child"), (amber, "child")],
    )
    run_case(
        ctx, team=team, programme="troubled_families", case_type="family_intervention",
        title="The Pakefield family", opened_days_ago=300, stage="intervention",
        participants=[(donna, "family_member"), (tyler, "family_member"), (amber, "family_member")],
        summary="Criteria: crime/ASB (Tyler), school attendance (Amber), domestic abuse (Donna).",
        entries=[
            ("waveney_families", "visit", "Whole-family assessment at home"),
            ("waveney_families", "meeting", "Family plan agreed: attendance, Tyler's YOT order, Donna's support"),
            ("waveney_families", "call", "School: Amber's attendance up from 78% to 91%"),
            ("waveney_families", "non_cooperation", "Tyler not at home for the keyworker visit"),
            ("waveney_families", "intervention", "Donna started the Freedom Programme"),
        ],
    )
