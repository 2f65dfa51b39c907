"""Demo tasks and referrals, made through the services after the programmes' cases, so
that the task lists, referrals in/out, the inbox and the dashboard show real work:

- S6, live: a Stafford officer's RJ referral waits for the NRP coordinator (Victim
  Support); the browser test and a visitor can accept it.
- S8: Kettering's ASB unit referred a neighbour dispute to Restorative
  Northamptonshire, which accepted it (a case with stages; the council keeps
  contribute access).
- A referral in each other state (more information asked for, declined, withdrawn) and
  older accepted ones spread over the year for the referrals-per-month chart.
- Tasks for the practitioners of several teams: overdue, due soon, done."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from .. import services
from ..access import AccessLevel
from ..forms.referrals import GenericReferralForm
from ..models import Case, Profile, Referral
from ..plugins.registry import registry
from ..plugins.types import DemoContext
from .kit import member_of, new_profile

RJ_ANSWERS = {
    "offence": "Criminal damage to a shop window",
    "harm_caused": "Shopkeeper's window broken; she feels unsafe opening late.",
    "accepts_responsibility": "on", "harmed_party_informed": "on",
    "rj_champion_consulted": "PC Lee, RJ champion", "risks": "None known.",
}


def _form(slug: str, data: dict):
    spec = registry.referral_forms[slug]
    return spec.form_class({f"answers-{k}": v for k, v in data.items()}, prefix="answers")


def _generic(reason: str, urgency: str = "routine"):
    return GenericReferralForm({"answers-reason": reason, "answers-urgency": urgency,
                                "answers-consent_obtained": "on"}, prefix="answers")


def _backdate(referral: Referral, days: int) -> None:
    # Demo only: spread referrals over the past year (services stamp "now").
    when = timezone.now() - timedelta(days=days)
    Referral.objects.filter(pk=referral.pk).update(made_at=when)
    referral.steps.filter(action="made").update(at=when)


def owned(ctx: DemoContext, team_key: str, k: int) -> list[Profile]:
    """``k`` profiles the team owns *now* (a programme's demo may have transferred some)
    and has shared with nobody — the scenarios' named people keep their story."""
    pool = list(Profile.objects.filter(owner_team=ctx.teams[team_key], grants__isnull=True).order_by("pk"))
    return ctx.random.sample(pool, min(k, len(pool)))


def load(ctx: DemoContext) -> None:
    referrals(ctx)
    tasks(ctx)


def referrals(ctx: DemoContext) -> None:
    users, teams = ctx.users, ctx.teams
    if "rj_nrp" in registry.referral_forms and "rj" in registry.programmes:
        # S6, waiting for the NRP coordinator.
        youth = new_profile(ctx, "staffs_npt", first_name="Kyle", last_name="Brereton", age=16, gender="male",
                            person_roles=["offender"], consent_to_share="given", lawful_basis="consent")
        services.make_referral(by=users["staffs_officer"], profile=youth, to_team=teams["vs_nrp"],
                               form_slug="rj_nrp", form=_form("rj_nrp", RJ_ANSWERS),
                               referrer_case_level=AccessLevel.VIEW)
        # S8, accepted: Kettering's neighbour dispute to Restorative Northamptonshire.
        neighbour = next(iter(owned(ctx, "kettering_asb", 1)), None)
        if neighbour is not None:
            referral = services.make_referral(
                by=users["kettering_asb"], profile=neighbour, to_team=teams["northants_rj"], form_slug="rj_case",
                form=_form("rj_case", {**RJ_ANSWERS, "offence": "Ongoing neighbour dispute (noise, threats)",
                                       "harm_caused": "Both households report distress; two call-outs a week."}),
            )
            services.ask_for_information(referral, by=users["northants_rj"],
                                         question="Has the other household been approached about RJ?")
            services.give_information(referral, by=users["kettering_asb"],
                                      answer="Yes: both households agreed to meet a facilitator.")
            case = services.accept_referral(referral, by=users["northants_rj"], note="Suitable for a conference.")
            services.change_stage(case, "assessment", by=users["northants_rj"], note="Volunteers assigned")
            _backdate(referral, 20)
    for from_key, to_key, programme, case_type, reason, then, days in (
        ("waveney_asb", "norfolk_iom", "iom", "cohort", "Prolific shoplifter, wants help with addiction",
         "ask", 3),
        ("brighton_asb", "brighton_casework", "asb", "asb_case", "Joint casework on repeat street drinking",
         "decline", 40),
        ("adur_safer", "southdown_tenancy", "asb", "asb_case", "Tenancy breach: noise and visitors",
         "withdraw", 75),
        ("staffs_iom", "staffs_probation_iom", "iom", "cohort", "Released on licence, IOM cohort", "accept", 100),
        ("norfolk_ppo", "norfolk_iom", "iom", "cohort", "Moving from the PPO list to IOM", "accept", 160),
        ("brighton_asb", "sussex_rj", "rj", "rj_case", "Victim asks for a restorative meeting", "accept", 220),
        ("waveney_asb", "waveney_families", "troubled_families", "family_intervention", "Family support for three children",
         "accept", 300),
    ):
        if registry.case_type(programme, case_type) is None:
            continue
        person = next(iter(owned(ctx, from_key, 1)), None)
        if person is None:
            continue
        referrer, receiver = member_of(ctx, from_key), member_of(ctx, to_key)
        referral = services.make_referral(by=referrer, profile=person, to_team=teams[to_key], form_slug="generic",
                                          form=_generic(reason), programme=programme, case_type=case_type,
                                          from_team=teams[from_key])
        if then == "ask":
            services.ask_for_information(referral, by=receiver, question="Is the person on licence at the moment?")
        elif then == "decline":
            services.decline_referral(referral, by=receiver, reason="Already open with us under another case.")
        elif then == "withdraw":
            services.withdraw_referral(referral, by=referrer, reason="Tenant has moved out.")
        elif then == "accept":
            services.accept_referral(referral, by=receiver)
        _backdate(referral, days)


TASKS = [
    ("Home visit to check on welfare", -6, 3),
    ("Update the risk assessment", -1, 2),
    ("Chase the GP letter", 2, 2),
    ("Book the multi-agency meeting", 9, 1),
    ("Review licence conditions with probation", 20, 2),
]


def tasks(ctx: DemoContext) -> None:
    today = timezone.localdate()
    for team_key in ("staffs_iom", "waveney_asb", "kettering_asb", "vs_nrp", "brighton_asb", "norfolk_iom"):
        user = member_of(ctx, team_key)
        people = owned(ctx, team_key, 3)
        cases = list(Case.objects.filter(owner_team=ctx.teams[team_key], status=Case.Status.OPEN)[:2])
        for i, (title, due_in, priority) in enumerate(TASKS):
            on_case = cases[i % len(cases)] if cases and i % 2 else None
            person = people[i % len(people)] if people else None
            if on_case is None and person is None:
                continue
            assignee = {"assigned_team": ctx.teams[team_key]} if i == 4 else {"assigned_user": user}
            task = services.create_task(by=user, case=on_case, profile=None if on_case else person, title=title,
                                        due_on=today + timedelta(days=due_in), priority=priority, **assignee)
            if i == 3:
                services.complete_task(task, by=user, note="Meeting booked for Thursday.")
    # A manager asks a practitioner (so the practitioner's inbox has something from someone).
    practitioner, manager = ctx.users.get("practitioner"), ctx.users.get("manager")
    person = next(iter(owned(ctx, "staffs_iom", 1)), None)
    if practitioner and manager and person:
        services.create_task(by=manager, profile=person, title="Prepare the IOM panel summary",
                             assigned_user=practitioner, due_on=today + timedelta(days=1), priority=3,
                             description="For Tuesday's panel: offending since release, housing, employment.")
