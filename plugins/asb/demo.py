"""ASB demo records: the Waveney perpetrator released into Norfolk (scenario S2), the
Brighton complaint with its long multi-agency chronology (S4), Kettering's neighbour
dispute worked with Restorative Northamptonshire (S8), and cases for each ASB team."""

from datetime import timedelta

from django.utils import timezone

from core import services
from core.access import AccessLevel
from core.demo.kit import advance, chronology, days_ago, new_profile, pick, run_case, team_profiles

ENTRIES = [
    ("contact", "Complainant contacted: incidents continuing at weekends"),
    ("visit", "Joint visit with housing officer to the perpetrator's address"),
    ("letter", "Warning letter sent to the perpetrator"),
    ("call", "Call from neighbour reporting loud music after midnight"),
    ("meeting", "ASB case review meeting: actions agreed"),
    ("intervention", "Referred to mediation service"),
    ("non_cooperation", "Complainant declined to complete incident diary sheets"),
    ("note", "Noise monitoring equipment installed for two weeks"),
]
STAGES = ["reported", "investigation", "warning", "abc", "monitoring"]
OUTCOMES = ["behaviour_stopped", "order_obtained", "referred_on", "no_further_action"]


def load(context) -> None:
    released_perpetrator(context)
    nothing_is_being_done(context)
    neighbour_dispute(context)
    for team in ("waveney_asb", "kettering_asb", "brighton_asb", "brighton_casework", "adur_safer",
                 "southdown_tenancy", "staffs_csp"):
        perpetrators = team_profiles(context, team, role="perpetrator", k=4)
        complainants = team_profiles(context, team, role="complainant") or team_profiles(context, team, role="victim")
        for perpetrator in perpetrators:
            participants = [(perpetrator, "offender")]
            if complainants:
                participants.append((context.random.choice(complainants), "complainant"))
            closed = context.random.random() < 0.3
            run_case(
                context, team=team, programme="asb", case_type="asb_case",
                title=f"ASB: {perpetrator.last_name} — {pick(context, ['noise', 'harassment', 'criminal damage', 'drug dealing', 'intimidation'])}",
                participants=participants, opened_days_ago=context.random.randint(30, 600),
                stage=pick(context, STAGES), outcome=pick(context, OUTCOMES) if closed else None,
                entries=[(None, *pick(context, ENTRIES)) for _ in range(context.random.randint(2, 7))],
            )


def released_perpetrator(ctx) -> None:
    """S2: Waveney ASB grants named Norfolk PPO officers, then Norfolk PPO takes ownership."""
    kyle = new_profile(
        ctx, "waveney_asb", first_name="Kyle", last_name="Mutford", age=24, gender="male",
        person_roles=["perpetrator", "offender"], risk_level="high", warning_markers=["violence"],
        identifiers=[("pnc", "2015/0456123M")], consent_to_share="refused", lawful_basis="crime_prevention",
    )
    case = services.open_case(
        by=ctx.users["waveney_asb"], owner_team=ctx.teams["waveney_asb"], programme="asb", case_type="asb_case",
        title="ASB: Kyle Mutford — intimidation, Kirkley estate", participants=[(kyle, "offender")],
        opened_on=days_ago(480), lead=ctx.users["waveney_asb"],
    )
    chronology(ctx, case, [
        ("waveney_asb", "contact", "Reports of intimidation of residents in Lowestoft"),
        ("waveney_asb", "letter", "Warning letter issued"),
        ("waveney_asb", "meeting", "Case review: civil injunction application agreed"),
        ("waveney_asb", "note", "Sentenced to 14 months; release expected to a Norfolk address"),
    ], until=days_ago(40))
    advance(case, "civil_order", by=ctx.users["waveney_asb"])
    for officer in ("norfolk_ppo", "norfolk_ppo2"):
        for target in (kyle, case):
            services.grant_access(target, ctx.users[officer], AccessLevel.CONTRIBUTE, by=ctx.users["waveney_asb"],
                                  reason="Released into Norfolk: PPO officers prepare the release risk assessment.")
    chronology(ctx, case, [
        ("norfolk_ppo", "note", "Release risk assessment written: high risk to former neighbours"),
        ("norfolk_ppo2", "visit", "Visited release address in Great Yarmouth"),
    ])
    services.transfer_ownership(
        kyle, ctx.teams["norfolk_ppo"], by=ctx.users["waveney_asb"], previous_owner_level=AccessLevel.CONTRIBUTE,
        reason="Now lives in Norfolk: Norfolk PPO team takes ownership.", consent_reviewed=True,
    )


def nothing_is_being_done(ctx) -> None:
    """S4: a Brighton complaint with police, council and housing entries, including the
    complainant's non-cooperation, for the duty inspector's chronology."""
    janet = new_profile(
        ctx, "brighton_asb", first_name="Janet", last_name="Hollingbury", age=67, gender="female",
        person_roles=["complainant", "victim"], risk_level="medium",
        consent_to_share="given", lawful_basis="consent", consent_recorded_on=days_ago(400),
    )
    jordan = new_profile(
        ctx, "brighton_asb", first_name="Jordan", last_name="Preece", age=19, gender="male",
        person_roles=["perpetrator"], risk_level="medium", warning_markers=["dogs"],
        consent_to_share="not_sought", lawful_basis="crime_prevention",
    )
    case = services.open_case(
        by=ctx.users["brighton_police"], owner_team=ctx.teams["brighton_asb"], programme="asb",
        case_type="asb_case", title="ASB: Whitehawk Road flats — youths, noise and intimidation",
        participants=[(janet, "complainant"), (jordan, "offender")], opened_on=days_ago(420),
        lead=ctx.users["brighton_police"],
        summary="Repeated reports by Mrs Hollingbury of youths gathering on the stairwell.",
    )
    for team in ("brighton_casework", "southdown_tenancy"):
        services.grant_access(case, ctx.teams[team], AccessLevel.CONTRIBUTE, by=ctx.users["brighton_police"],
                              reason="ASB partner agency working this case.")
    c, p, h = "brighton_casework", "brighton_police", "housing_officer"
    chronology(ctx, case, [
        (p, "call", "Initial report by phone: youths on stairwell, noise until 1am"),
        (p, "visit", "PCSO visit to complainant; advice given, incident diary provided"),
        (p, "contact", "Patrol attended stairwell: four youths dispersed"),
        (p, "non_cooperation", "Complainant not at home for arranged visit"),
        (h, "letter", "Tenancy warning letter to the perpetrator's household"),
        (c, "meeting", "Community Safety Casework Team: case adopted"),
        (p, "visit", "Door-to-door enquiries with neighbours: two witnesses"),
        (c, "call", "Complainant called: situation unchanged"),
        (p, "non_cooperation", "Complainant declined to give a statement"),
        (h, "visit", "Housing officer visit to the perpetrator's mother"),
        (c, "meeting", "ASB case review meeting (police, council, housing)"),
        (p, "intervention", "Community Protection Warning served"),
        (h, "note", "CCTV requested for the stairwell"),
        (c, "letter", "Letter to complainant with case update"),
        (p, "contact", "Youths stopped and searched; cannabis seized"),
        (c, "non_cooperation", "Complainant did not attend the case review meeting"),
        (h, "intervention", "Acceptable behaviour contract drafted with the family"),
        (p, "contact", "Acceptable behaviour contract signed at the station"),
        (c, "call", "Weekly check with complainant: fewer incidents"),
        (h, "visit", "Estate walkabout with residents' association"),
        (p, "contact", "Breach of ABC reported: shouting on the stairwell"),
        (c, "meeting", "Review: monitoring for three months"),
        (p, "call", "Complainant rang 101: 'nothing is being done'"),
        ("brighton_inspector", "note", "Duty inspector reviewed the full chronology with the complainant"),
    ])
    # Housing's own note, restricted to Southdown: the inspector's chronology leaves it out.
    services.add_activity(by=ctx.users["housing_officer"], case=case, kind="note", restricted=True,
                          summary="Tenancy file: rent arrears on the perpetrator's household",
                          occurred_at=timezone.now() - timedelta(days=30))
    advance(case, "abc", by=ctx.users["brighton_police"])
    services.change_stage(case, "monitoring", by=ctx.users["brighton_inspector"])


def neighbour_dispute(ctx) -> None:
    """S8: Kettering council refers a neighbour dispute to Restorative Northamptonshire."""
    a = new_profile(ctx, "kettering_asb", first_name="Gail", last_name="Barton", age=52, gender="female",
                    person_roles=["complainant"], consent_to_share="given", lawful_basis="consent")
    b = new_profile(ctx, "kettering_asb", first_name="Roy", last_name="Geddington", age=58, gender="male",
                    person_roles=["complainant", "perpetrator"], consent_to_share="given", lawful_basis="consent")
    case = services.open_case(
        by=ctx.users["kettering_asb"], owner_team=ctx.teams["kettering_asb"], programme="asb",
        case_type="neighbour_dispute", title="Neighbour dispute: boundary hedge, Rockingham Road",
        participants=[(a, "complainant"), (b, "complainant")], opened_on=days_ago(200),
        lead=ctx.users["kettering_asb"],
    )
    services.grant_access(case, ctx.teams["northants_rj"], AccessLevel.CONTRIBUTE, by=ctx.users["kettering_asb"],
                          reason="Referred to Restorative Northamptonshire for a restorative approach.")
    closed_on = days_ago(20)
    chronology(ctx, case, [
        ("kettering_asb", "contact", "Both households complaining about each other since spring"),
        ("kettering_asb", "referral", "Referred to Restorative Northamptonshire"),
        ("northants_rj", "meeting", "Volunteers assigned to work with the council's officer"),
        ("northants_rj", "visit", "Preparation visits to both households"),
        ("northants_rj", "meeting", "Restorative meeting held: agreement on the hedge and parking"),
        ("kettering_asb", "call", "Follow-up: no further complaints"),
    ], until=closed_on)
    advance(case, "monitoring", by=ctx.users["kettering_asb"], until=closed_on)
    services.close_case(case, by=ctx.users["kettering_asb"], outcome="resolved", closed_on=closed_on,
                        notes="Restorative outcome agreed with the help of Restorative Northamptonshire.")
