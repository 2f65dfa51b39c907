"""RJ demo records: a Staffordshire referral to the Neighbourhood Resolution Panel run by
Victim Support (scenario S6), RJ across 160 miles from Sussex to Northamptonshire (S7),
and restorative cases for each RJ team."""

from core import services
from core.access import AccessLevel
from core.demo.kit import advance, chronology, days_ago, new_profile, pick, run_case, team_profiles

ENTRIES = [
    ("call", "Initial call with the harmed person: interested in RJ"),
    ("visit", "Preparation visit to the person responsible"),
    ("meeting", "Risk and suitability assessment completed"),
    ("letter", "Letter of explanation passed on"),
    ("meeting", "Facilitators' planning meeting"),
    ("non_cooperation", "Participant cancelled the preparation meeting"),
]
RJ_STAGES = ["referred", "assessment", "preparation", "conference", "follow_up"]
RJ_OUTCOMES = ["agreement", "indirect", "not_suitable", "withdrew"]
NRP_STAGES = ["referred", "volunteers_assigned", "panel_arranged", "panel_held", "follow_up"]
NRP_OUTCOMES = ["resolved", "partially_resolved", "declined"]


def load(context) -> None:
    panel_referral(context)
    across_160_miles(context)
    for team, case_type in (("northants_rj", "rj_case"), ("sussex_rj", "rj_case"), ("vs_nrp", "nrp"),
                            ("staffs_npt", "rj_case")):
        offenders = team_profiles(context, team, role="offender", k=3)
        victims = team_profiles(context, team, role="victim", exclude=offenders)
        for offender in offenders:
            participants = [(offender, "offender")]
            if victims:
                participants.append((context.random.choice(victims), "victim"))
            closed = context.random.random() < 0.4
            nrp = case_type == "nrp"
            run_case(
                context, team=team, programme="rj", case_type=case_type,
                title=f"{'NRP' if nrp else 'RJ'}: {offender.full_name}", participants=participants,
                opened_days_ago=context.random.randint(30, 500),
                stage=pick(context, NRP_STAGES if nrp else RJ_STAGES),
                outcome=pick(context, NRP_OUTCOMES if nrp else RJ_OUTCOMES) if closed else None,
                entries=[(None, *pick(context, ENTRIES)) for _ in range(context.random.randint(2, 5))],
            )


def panel_referral(ctx) -> None:
    """S6: a Staffordshire officer refers to the NRP coordinator (Victim Support)."""
    officer = ctx.users["staffs_officer"]
    youth = new_profile(ctx, "staffs_npt", first_name="Harvey", last_name="Cooper", age=17, gender="male",
                        person_roles=["offender"], consent_to_share="given", lawful_basis="consent")
    shopkeeper = new_profile(ctx, "staffs_npt", first_name="Anita", last_name="Mistry", age=49, gender="female",
                             person_roles=["victim"], consent_to_share="given", lawful_basis="consent")
    for person in (youth, shopkeeper):
        services.grant_access(person, ctx.teams["vs_nrp"], AccessLevel.CONTRIBUTE, by=officer,
                              reason="RJ referral to the Neighbourhood Resolution Panel, agreed with the RJ champion.")
        services.add_activity(by=officer, profile=person, kind="referral",
                              summary="Referred to the Neighbourhood Resolution Panel (Victim Support)",
                              occurred_at=None)
    coordinator = ctx.users["nrp_coordinator"]
    case = services.open_case(
        by=coordinator, owner_team=ctx.teams["vs_nrp"], programme="rj", case_type="nrp",
        title="NRP: criminal damage to Stafford newsagent", participants=[(youth, "offender"), (shopkeeper, "victim")],
        opened_on=days_ago(120), lead=coordinator,
    )
    services.grant_access(case, ctx.teams["staffs_npt"], AccessLevel.VIEW, by=coordinator,
                          reason="Referring officer follows the outcome.")
    closed_on = days_ago(10)
    chronology(ctx, case, [
        ("nrp_coordinator", "note", "Referral accepted from Staffordshire Police"),
        ("nrp_coordinator", "meeting", "Two trained volunteers assigned"),
        ("nrp_volunteer", "visit", "Preparation visit to the shopkeeper"),
        ("nrp_volunteer", "visit", "Preparation visit to the young person and his mother"),
        ("nrp_volunteer", "meeting", "Panel held at Stafford library: apology and repair agreed"),
        ("nrp_coordinator", "call", "Follow-up: shop window repaired, agreement kept"),
    ], until=closed_on)
    advance(case, NRP_STAGES[-1], by=coordinator, until=closed_on)
    services.close_case(case, by=coordinator, outcome="resolved", closed_on=closed_on,
                        notes="Written apology and four Saturdays' work for the shop.")


def across_160_miles(ctx) -> None:
    """S7: Sussex staff assess an offender, then bring in Northamptonshire's RJ team."""
    sussex = ctx.users["sussex_rj"]
    offender = new_profile(ctx, "sussex_rj", first_name="Aaron", last_name="Corby", age=34, gender="male",
                           person_roles=["offender"], consent_to_share="given", lawful_basis="consent")
    victim = new_profile(ctx, "northants_rj", first_name="Linda", last_name="Weekley", age=61, gender="female",
                         person_roles=["victim"], consent_to_share="given", lawful_basis="consent")
    case = services.open_case(
        by=sussex, owner_team=ctx.teams["sussex_rj"], programme="rj", case_type="rj_case",
        title="RJ: burglary in Kettering (offender now in Brighton)", participants=[(offender, "offender")],
        opened_on=days_ago(90), lead=sussex,
    )
    chronology(ctx, case, [
        ("sussex_rj", "visit", "Offender contacted in Brighton: asks for RJ with the victim"),
        ("sussex_rj", "meeting", "RJ risk assessment completed and uploaded"),
    ], until=days_ago(30))
    services.change_stage(case, "assessment", by=sussex)
    for target in (case, offender):
        services.grant_access(target, ctx.teams["northants_rj"], AccessLevel.CONTRIBUTE, by=sussex,
                              reason="Victim lives in Northamptonshire: local RJ team progresses contact.")
    services.add_participant(case, victim, "victim", by=ctx.users["northants_rj"])
    chronology(ctx, case, [
        ("northants_rj", "call", "Victim contacted in Kettering: willing to receive a letter"),
        ("northants_rj", "visit", "Preparation visit to the victim"),
    ])
    services.change_stage(case, "preparation", by=ctx.users["northants_rj"])
