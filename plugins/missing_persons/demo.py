"""Missing persons demo records: a child who keeps going missing from a Brighton care
home, worked by police, council, care home and hospital (scenario S9), and repeat-missing
cases for each team."""

from core import services
from core.access import AccessLevel
from core.demo.kit import chronology, days_ago, new_profile, pick, run_case, team_profiles

EPISODES = [
    ("contact", "Missing episode: reported missing at 22:00, found next morning in the city centre"),
    ("visit", "Return-home interview completed: pushed to go out by older friends"),
    ("call", "Reported missing by carers; returned of own accord at 02:30"),
    ("meeting", "Strategy meeting: exploitation risk discussed"),
    ("intervention", "Referred to the child exploitation team"),
    ("non_cooperation", "Declined the return-home interview"),
]
STAGES = ["identified", "risk_assessed", "prevention_plan", "monitoring"]
OUTCOMES = ["episodes_stopped", "moved_placement", "turned_18"]


def load(context) -> None:
    keeps_going_missing(context)
    for team in ("sussex_mispers", "brighton_children", "oakwood_care_team", "royal_sussex_safeguarding"):
        for child in team_profiles(context, team, role="vulnerable", k=3):
            closed = context.random.random() < 0.3
            run_case(
                context, team=team, programme="missing_persons", case_type="repeat_missing",
                title=f"Repeat missing: {child.full_name}", participants=[(child, "subject")],
                opened_days_ago=context.random.randint(30, 400), stage=pick(context, STAGES),
                outcome=pick(context, OUTCOMES) if closed else None,
                entries=[(None, *pick(context, EPISODES)) for _ in range(context.random.randint(2, 6))],
            )


def keeps_going_missing(ctx) -> None:
    """S9: one child, four agencies, each recording episodes and interviews."""
    police = ctx.users["sussex_mispers"]
    chloe = new_profile(
        ctx, "sussex_mispers", first_name="Chloe", last_name="Hangleton", age=14, gender="female",
        person_roles=["vulnerable"], risk_level="very_high", warning_markers=["missing_risk", "self_harm"],
        consent_to_share="not_sought", lawful_basis="safeguarding",
        addresses=[{"line1": "Oakwood House, 12 Dyke Road Avenue", "town": "Brighton", "postcode": "BN1 5LE",
                    "county": "East Sussex"}],
    )
    case = services.open_case(
        by=police, owner_team=ctx.teams["sussex_mispers"], programme="missing_persons",
        case_type="repeat_missing", title="Repeat missing: Chloe Hangleton", participants=[(chloe, "subject")],
        opened_on=days_ago(150), lead=police,
    )
    for team in ("brighton_children", "oakwood_care_team", "royal_sussex_safeguarding"):
        for target in (chloe, case):
            services.grant_access(target, ctx.teams[team], AccessLevel.CONTRIBUTE, by=police,
                                  reason="Partner managing a repeat missing child.")
    chronology(ctx, case, [
        ("care_home", "call", "Episode 1: not back by 21:00 curfew, reported to police"),
        ("sussex_mispers", "contact", "Episode 1: found at Churchill Square at 01:40"),
        ("brighton_council", "visit", "Return-home interview after episode 1"),
        ("care_home", "call", "Episode 2: left through the back garden at 19:30"),
        ("sussex_mispers", "contact", "Episode 2: found in a flat in Moulsecoomb with older males"),
        ("brighton_council", "visit", "Return-home interview after episode 2: exploitation concerns"),
        ("care_home", "call", "Episode 3: missing overnight"),
        ("hospital", "contact", "Episode 3: attended A&E intoxicated; safeguarding referral made"),
        ("brighton_council", "meeting", "Strategy meeting: prevention plan agreed"),
        ("care_home", "call", "Episode 4: missing after school"),
        ("sussex_mispers", "contact", "Episode 4: returned of own accord at 03:00"),
        ("brighton_council", "non_cooperation", "Declined the return-home interview after episode 4"),
    ])
    services.change_stage(case, "risk_assessed", by=police)
    services.change_stage(case, "prevention_plan", by=ctx.users["brighton_council"])
    return_home_interviews(ctx, chloe)


def return_home_interviews(ctx, chloe) -> None:
    """S9: the council's return-home interviews, as typed reports."""
    from core.models import ReportType

    rhi = ReportType.objects.filter(slug="mp_return_home_interview").first()
    if rhi is None:
        return
    council = ctx.users["brighton_council"]
    for days, where, factors, account in (
        (95, "Churchill Square", ["peers"], "Went to meet friends from school; lost track of time."),
        (40, "A flat in Moulsecoomb", ["peers", "exploitation"], "Older males gave her vapes and a lift."),
        (12, "Did not say", ["exploitation", "substances"], "Declined to say where she had been."),
    ):
        services.create_report(by=council, report_type=rhi, profile=chloe, final=True, data={
            "episode_date": days_ago(days).isoformat(), "held_within_72h": "yes" if days != 12 else "no",
            "where": where, "push_pull": factors, "account": account,
        })
