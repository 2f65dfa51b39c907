"""IOM demo records: the Staffordshire → Norfolk PPO (scenario S1), the offender HMP
Stafford, probation and police manage together (S3), and a cohort for each IOM team in
Staffordshire and Norfolk — with cohort memberships, custody periods, pathway needs and
risk score histories, all written through ``plugins.iom.services`` (audited)."""

from datetime import timedelta

from core import services
from core.access import AccessLevel
from core.demo.kit import (
    chronology,
    days_ago,
    member_of,
    new_profile,
    pick,
    run_case,
    team_profiles,
)

from . import services as iom
from .models import Pathway

ESTABLISHMENTS = ["HMP Stafford", "HMP Birmingham", "HMP Norwich", "HMP Featherstone", "HMP Wayland"]
PATHWAY_NOTES = {
    "accommodation": "Needs an address on release; referred to housing support",
    "education_training_employment": "Interested in a CSCS card course",
    "health": "Registered with a GP; mental health assessment due",
    "drugs_alcohol": "Attending the drug service weekly",
    "finance_debt": "Rent arrears; referred to debt advice",
    "children_families": "Supervised contact with his daughter",
    "attitudes_thinking": "Thinking Skills Programme offered",
}
IOM_TEAMS = ("staffs_iom", "norfolk_iom", "norfolk_ppo", "staffs_probation_iom", "hmp_stafford_omu")
CATEGORY_WEIGHTS = {"ppo": 2, "fixed": 4, "flex": 3, "free": 1}

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
    # The scenarios' people have their own cases (and Liam has changed owner since).
    scenario_people = [ppo_scenario(context), prison_scenario(context)]
    for team in IOM_TEAMS:
        for offender in team_profiles(context, team, role="offender", k=5, exclude=scenario_people):
            closed = context.random.random() < 0.25
            case = run_case(
                context, team=team, programme="iom", case_type="cohort",
                title=f"IOM cohort: {offender.full_name}", participants=[(offender, "subject")],
                opened_days_ago=context.random.randint(60, 720),
                stage=pick(context, STAGES), outcome=pick(context, OUTCOMES) if closed else None,
                entries=[(None, *pick(context, CONTACTS)) for _ in range(context.random.randint(2, 6))],
            )
            cohort_records(context, team, case, offender)
    gallery_audiences(context)


def gallery_audiences(ctx) -> None:
    """IOM's galleries ship without an audience; in the demo the partnership admin has
    shown them to the IOM teams."""
    from core.models import Gallery

    for gallery in Gallery.objects.filter(programme="iom"):
        gallery.audience_teams.add(*(ctx.teams[team] for team in IOM_TEAMS))


def cohort_records(ctx, team: str, case, offender) -> None:
    """Membership, custody, pathways and risk scores for a cohort case, in keeping with
    its stage (a referred case is not on the cohort yet; one in custody has a prison)."""
    if case.stage in ("referred", "assessed") and case.status == "open":
        return
    by, r = member_of(ctx, team), ctx.random
    adopted = min(case.opened_on + timedelta(days=r.randint(7, 40)), days_ago(1))
    membership = iom.record_membership(
        case, by=by, category=pick(ctx, list(CATEGORY_WEIGHTS), list(CATEGORY_WEIGHTS.values())),
        tier=pick(ctx, [1, 2, 3], [2, 5, 3]), risk_level=pick(ctx, ["medium", "high", "very_high"], [5, 4, 1]),
        adopted_on=adopted, offender_manager=by, lead_agency=ctx.teams[team].organisation,
    )
    if case.status == "closed":
        iom.update_membership(membership, by=by, changes={
            "exited_on": max(case.closed_on, adopted), "exit_reason": case.outcome or "other"})
    number = next((i.value for i in offender.identifiers.all() if i.kind == "prison_number"), "")
    if case.stage == "in_custody":
        iom.record_custody(
            offender, by=by, case=case, establishment=pick(ctx, ESTABLISHMENTS), prison_number=number,
            received_on=days_ago(r.randint(60, 300)), expected_release_on=days_ago(-r.randint(5, 150)),
            sentence_length=pick(ctx, ["18 months", "2 years", "3 years 4 months", "4 years"]),
        )
    elif r.random() < 0.5:
        received = r.randint(500, 1400)
        iom.record_custody(
            offender, by=by, establishment=pick(ctx, ESTABLISHMENTS), prison_number=number,
            received_on=days_ago(received), released_on=days_ago(received - r.randint(120, 480)),
            release_type=pick(ctx, ["licence", "hdc", "end_of_sentence"], [5, 2, 2]),
            licence_conditions="Reside at the approved address; report as instructed; drug testing.",
        )
    for pathway in r.sample(Pathway.values, r.randint(2, 5)):
        iom.set_pathway_status(case, pathway, by=by, status=pick(ctx, ["identified", "in_progress", "met"], [3, 4, 3]),
                               notes=PATHWAY_NOTES[pathway])
    for n in range(r.randint(1, 3)):
        iom.add_risk_score(offender, by=by, tool=pick(ctx, ["ogrs3", "ogp", "local"], [5, 2, 2]),
                           score=str(r.randint(25, 95)), level=pick(ctx, ["medium", "high"]),
                           assessed_on=min(max(adopted + timedelta(days=90 * n - 5), case.opened_on), days_ago(0)))


def ppo_scenario(ctx):
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
    staffs, norfolk = ctx.users["staffs_iom"], ctx.users["norfolk_iom"]
    membership = iom.record_membership(case, by=staffs, category="ppo", tier=1, risk_level="high",
                                       adopted_on=days_ago(520), offender_manager=staffs,
                                       lead_agency=ctx.organisations["staffs_police"])
    iom.record_custody(liam, by=staffs, establishment="HMP Birmingham", prison_number="A1234BC",
                       received_on=days_ago(960), sentence_date=days_ago(930), sentence_length="3 years",
                       released_on=days_ago(560), release_type="licence",
                       licence_conditions="Reside at his mother's address in Stafford; drug testing; "
                                          "no contact with co-defendants; curfew 21:00–06:00 for 3 months.")
    iom.add_risk_score(liam, by=staffs, case=case, tool="ogrs3", score="81", level="high", assessed_on=days_ago(530),
                       notes="Scored at adoption: prolific burglary, drug use.")
    for pathway, status, notes in (
        ("accommodation", "identified", "Mother's address in Stafford; wants to move to Norwich"),
        ("drugs_alcohol", "in_progress", "Engaging with the Stafford drug service (intermittently)"),
        ("education_training_employment", "identified", "No qualifications; interested in construction"),
    ):
        iom.set_pathway_status(case, pathway, by=staffs, status=status, notes=notes)
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
    iom.set_pathway_status(case, "accommodation", by=norfolk, status="met", notes="Settled at a hostel in Norwich, NR3")
    iom.set_pathway_status(case, "education_training_employment", by=norfolk, status="in_progress",
                           notes="Employment course at Norwich City College")
    iom.add_risk_score(liam, by=norfolk, case=case, tool="ogrs3", score="68", level="high", assessed_on=days_ago(60),
                       notes="Joint review with Staffordshire: engaging, no new offences in Norfolk.")
    for target in (liam, case):
        services.transfer_ownership(
            target, ctx.teams["norfolk_iom"], by=ctx.users["staffs_iom"], previous_owner_level=AccessLevel.VIEW,
            reason="Settled in Norfolk for six months: Norfolk IOM takes the lead.", consent_reviewed=True,
        )
    iom.update_membership(membership, by=norfolk, changes={
        "offender_manager": norfolk, "lead_agency": ctx.organisations["norfolk_police"]})
    return liam


def prison_scenario(ctx):
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
    prison_records(ctx, dean, case)
    prison_reports(ctx, dean)
    return dean


def prison_records(ctx, dean, case) -> None:
    """S3's IOM records: fixed-cohort membership, the current sentence at HMP Stafford
    with its release three weeks away, pathways the prison and probation work on and
    the OGRS3 scores probation entered."""
    police, prison, probation = ctx.users["staffs_iom"], ctx.users["hmp_stafford"], ctx.users["staffs_probation"]
    iom.record_membership(case, by=police, category="fixed", tier=2, risk_level="medium", adopted_on=days_ago(390),
                          offender_manager=probation, lead_agency=ctx.organisations["staffs_probation"])
    iom.record_custody(dean, by=prison, case=case, establishment="HMP Stafford", prison_number="A4821DK",
                       received_on=days_ago(380), sentence_date=days_ago(300), sentence_length="2 years 8 months",
                       expected_release_on=days_ago(-21),
                       licence_conditions="Curfew 19:00–07:00; no contact with co-defendants; drug testing.")
    for pathway, status, notes, by in (
        ("accommodation", "identified", "Approved premises in Stafford on release", probation),
        ("education_training_employment", "in_progress", "Level 1 English and maths; starting Level 2", prison),
        ("drugs_alcohol", "in_progress", "Drug recovery wing; two negative tests", prison),
        ("attitudes_thinking", "met", "Completed the Thinking Skills Programme", prison),
        ("children_families", "not_applicable", "", probation),
    ):
        iom.set_pathway_status(case, pathway, by=by, status=status, notes=notes)
    iom.add_risk_score(dean, by=probation, case=case, tool="ogrs3", score="62", level="high",
                       assessed_on=days_ago(350), notes="At sentence.")
    iom.add_risk_score(dean, by=probation, case=case, tool="ogrs3", score="48", level="medium",
                       assessed_on=days_ago(40), notes="Pre-release review: engagement in custody.")


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
