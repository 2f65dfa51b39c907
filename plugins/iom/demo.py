"""IOM demo records: the Staffordshire → Norfolk PPO (scenario S1), the offender HMP
Stafford, probation and police manage together (S3), and a cohort for each IOM team."""

from core import services
from core.access import AccessLevel
from core.demo.kit import chronology, days_ago, new_profile, pick, run_case, team_profiles

CONTACTS = [
    ("contact", "Scheduled contact at the police station: reported stable, looking for work"),
    ("visit", "Home visit: present, address suitable, partner at home"),
    ("call", "Phone check-in: engaging, attending drug service"),
    ("meeting", "IOM multi-agency meeting: risk reviewed, remains on cohort"),
    ("intervention", "Referred to housing support and employment programme"),
    ("non_cooperation", "Missed appointment without explanation; follow-up letter sent"),
    ("contact", "Drug test at probation: negative"),
    ("letter", "Licence conditions reminder sent"),
]
STAGES = ["referred", "assessed", "adopted", "active", "active", "in_custody"]
OUTCOMES = ["desisted", "risk_reduced", "moved_area", "long_sentence"]


def load(context) -> None:
    ppo_scenario(context)
    prison_scenario(context)
    for team in ("staffs_iom", "norfolk_iom", "norfolk_ppo", "staffs_probation_iom", "hmp_stafford_omu"):
        for offender in team_profiles(context, team, role="offender", k=5):
            closed = context.random.random() < 0.25
            run_case(
                context, team=team, programme="iom", case_type="cohort",
                title=f"IOM cohort: {offender.full_name}", participants=[(offender, "subject")],
                opened_days_ago=context.random.randint(60, 720),
                stage=pick(context, STAGES), outcome=pick(context, OUTCOMES) if closed else None,
                entries=[(None, *pick(context, CONTACTS)) for _ in range(context.random.randint(2, 6))],
            )


def ppo_scenario(ctx) -> None:
    """S1: Staffordshire's IOM team shares a PPO with Norfolk's, then hands him over."""
    liam = new_profile(
        ctx, "staffs_iom", first_name="Liam", last_name="Hadley", age=31, gender="male",
        person_roles=["offender"], risk_level="high", warning_markers=["ppo", "iom_cohort", "drugs"],
        identifiers=[("pnc", "2004/0123456X"), ("prison_number", "A1234BC")],
        consent_to_share="not_sought", lawful_basis="crime_prevention",
        aliases=["Hadders"],
    )
    case = services.open_case(
        by=ctx.users["staffs_iom"], owner_team=ctx.teams["staffs_iom"], programme="iom", case_type="cohort",
        title="PPO: Liam Hadley", participants=[(liam, "subject")], opened_on=days_ago(540),
        lead=ctx.users["staffs_iom"], summary="Prolific burglar; released on licence, moving to Norfolk.",
    )
    services.change_stage(case, "assessed", by=ctx.users["staffs_iom"])
    services.change_stage(case, "adopted", by=ctx.users["manager"], note="Adopted as PPO at the monthly panel.")
    services.change_stage(case, "active", by=ctx.users["staffs_iom"])
    for target in (liam, case):
        services.grant_access(target, ctx.teams["norfolk_iom"], AccessLevel.CONTRIBUTE, by=ctx.users["staffs_iom"],
                              reason="Moving to Norwich on release; joint management with Norfolk IOM.")
    chronology(ctx, case, [
        ("staffs_iom", "contact", "Initial IOM assessment at Stafford police station"),
        ("staffs_iom", "visit", "Home visit in Stafford: mother's address, suitable"),
        ("staffs_iom", "non_cooperation", "Did not attend drug service appointment"),
        ("practitioner", "meeting", "Pre-move meeting with Norfolk IOM (video call)"),
        ("norfolk_iom", "visit", "First home visit in Norwich: settled at hostel, NR3"),
        ("norfolk_iom", "contact", "Weekly contact at Bethel Street: engaging well"),
        ("staffs_iom", "call", "Call with Norfolk IOM: joint review, continue shared management"),
        ("norfolk_iom", "intervention", "Started employment course at Norwich City College"),
    ])
    for target in (liam, case):
        services.transfer_ownership(
            target, ctx.teams["norfolk_iom"], by=ctx.users["staffs_iom"], previous_owner_level=AccessLevel.VIEW,
            reason="Settled in Norfolk for six months: Norfolk IOM takes the lead.", consent_reviewed=True,
        )


def prison_scenario(ctx) -> None:
    """S3: HMP Stafford, probation and police share one IOM record."""
    dean = new_profile(
        ctx, "staffs_iom", first_name="Dean", last_name="Riley", age=27, gender="male",
        person_roles=["offender"], risk_level="medium", warning_markers=["iom_cohort"],
        identifiers=[("prison_number", "A4821DK"), ("probation_ref", "D204718")],
        consent_to_share="given", lawful_basis="consent",
    )
    case = services.open_case(
        by=ctx.users["staffs_iom"], owner_team=ctx.teams["staffs_iom"], programme="iom", case_type="cohort",
        title="IOM cohort: Dean Riley (in custody, HMP Stafford)", participants=[(dean, "subject")],
        opened_on=days_ago(400), lead=ctx.users["staffs_iom"],
    )
    for team in ("hmp_stafford_omu", "staffs_probation_iom"):
        for target in (dean, case):
            services.grant_access(target, ctx.teams[team], AccessLevel.CONTRIBUTE, by=ctx.users["staffs_iom"],
                                  reason="IOM partner: shared management through custody and release.")
    chronology(ctx, case, [
        ("staffs_iom", "note", "Review: behaviour before sentence — burglary series, drug-related"),
        ("hmp_stafford", "note", "Prison History: no adjudications, engaging with education"),
        ("hmp_stafford", "intervention", "Completed Thinking Skills Programme"),
        ("staffs_probation", "meeting", "Sentence plan review with offender manager"),
        ("hmp_stafford", "note", "Prison History: two negative mandatory drug tests, anxious about housing"),
        ("hmp_stafford", "note", "Pre-release report: release date confirmed, approved premises in Stafford"),
    ])
    services.change_stage(case, "assessed", by=ctx.users["staffs_iom"])
    services.change_stage(case, "in_custody", by=ctx.users["staffs_iom"])
    prison_reports(ctx, dean)


def prison_reports(ctx, dean) -> None:
    """S3's reports: Prison History at intervals (the partnership admin adds a field in
    between, so the two reports use different form versions), the IOM review and the
    pre-release report whose release date is near (the demo's release-date alert)."""
    from core.models import ReportType

    types = {t.slug: t for t in ReportType.objects.filter(slug__in=["iom_prison_history", "iom_review",
                                                                     "iom_pre_release"])}
    if len(types) < 3:
        return
    prison, police = ctx.users["hmp_stafford"], ctx.users["staffs_iom"]
    services.create_report(by=police, report_type=types["iom_review"], profile=dean, final=True, data={
        "behaviour": "Burglary series in Stafford town centre, drug-related; poor engagement on bail.",
        "risk": "medium",
    })
    services.create_report(by=prison, report_type=types["iom_prison_history"], profile=dean, final=True, data={
        "period_from": days_ago(270).isoformat(), "period_to": days_ago(180).isoformat(),
        "attitude": "Engages with his offender manager; wants to address drug use.", "adjudications": "0",
        "interventions": ["tsp", "education"], "drug_tests_negative": "yes",
    })
    history = types["iom_prison_history"]
    schema = history.versions.get(number=history.current_version).schema
    services.set_report_type_fields(history, [*schema, {
        "key": "education_progress", "label": "Education progress", "kind": "text", "required": False,
        "help_text": "Qualifications gained in the period.",
    }], by=ctx.users["partnership_admin"])
    draft = services.create_report(by=prison, report_type=history, profile=dean, data={
        "period_from": days_ago(180).isoformat(), "period_to": days_ago(60).isoformat(),
        "attitude": "Motivated; anxious about where he will live.", "adjudications": "1",
        "interventions": ["education", "work"], "drug_tests_negative": "no",
        "anxieties": "Housing on release", "education_progress": "Level 1 English and maths",
    })
    services.update_report(draft, by=prison, data={
        "period_from": days_ago(180).isoformat(), "period_to": days_ago(30).isoformat(),
        "attitude": "Motivated; anxious about where he will live.", "adjudications": "1",
        "interventions": ["education", "work"], "drug_tests_negative": "no",
        "anxieties": "Housing on release; contact with his former associates",
        "education_progress": "Level 1 English and maths; starting Level 2",
    })
    services.create_report(by=prison, report_type=types["iom_pre_release"], profile=dean, data={
        "release_date": (days_ago(-21)).isoformat(),
        "release_address": "Approved premises, Stafford", "approved_premises": "yes",
        "licence_conditions": "Curfew 19:00–07:00; no contact with co-defendants; drug testing.",
    })
