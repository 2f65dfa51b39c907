"""Demo data for reports, galleries and alerts (after the plugins' own demo records):

- an admin-built report type (a partnership case review, on cases) with a report;
- galleries: the Sussex *vulnerable persons* gallery (explicit) with S5's 15-year-old
  added as high risk by Adur & Worthing, seen by Brighton police who ask for access
  (pending in Adur & Worthing's inbox); *currently missing* and *IOM cohort* (saved
  filters);
- trigger rules: repeat missing episodes (S9), release date near (S3), added to the
  vulnerable persons gallery; then one sweep, so alerts are waiting on the dashboard,
  and one of them already acknowledged with a note.
"""

from __future__ import annotations

from .. import alerts, services
from ..models import Alert, Case, Gallery, Partnership, ReportType, TriggerRule
from ..plugins.types import DemoContext
from .data import PARTNERSHIPS
from .kit import new_profile, team_profiles


def _partnership(key: str) -> Partnership:
    return Partnership.objects.get(name=PARTNERSHIPS[key][0])


def load(ctx: DemoContext) -> None:
    admin = ctx.users["partnership_admin"]
    case_review(ctx, admin)
    galleries(ctx)
    rules(ctx)
    alerts.sweep()
    first = Alert.objects.filter(rule__kind="activity_count").order_by("raised_at", "pk").first()
    if first is not None:
        services.handle_alert(first, by=ctx.users["sussex_mispers"], action="acknowledge",
                              note="Strategy meeting booked for Thursday.")


def case_review(ctx: DemoContext, admin) -> None:
    review = ReportType(slug="partnership_case_review", name="Partnership case review", applies_to="case",
                        description="Built in the admin by the partnership admin: a quarterly multi-agency review.")
    review = services.set_report_type_fields(review, [
        {"key": "review_date", "label": "Review date", "kind": "date", "required": True},
        {"key": "agencies_present", "label": "Agencies present", "kind": "long_text", "required": True},
        {"key": "progress", "label": "Progress since the last review", "kind": "choice", "required": True,
         "choices": [["good", "Good"], ["some", "Some"], ["none", "None"]]},
        {"key": "escalate", "label": "Escalate to the partnership board", "kind": "yes_no"},
        {"key": "actions", "label": "Agreed actions", "kind": "long_text"},
    ], by=admin)
    case = Case.objects.filter(owner_team=ctx.teams["staffs_iom"], status=Case.Status.OPEN).order_by("pk").first()
    if case is not None:
        services.create_report(by=ctx.users["staffs_iom"], report_type=review, case=case, data={
            "review_date": case.opened_on.isoformat(), "agencies_present": "Police IOM, probation, HMP Stafford",
            "progress": "some", "escalate": "no", "actions": "Probation to confirm accommodation.",
        })


def galleries(ctx: DemoContext) -> None:
    sussex = _partnership("sussex")
    vulnerable = Gallery.objects.create(
        name="Vulnerable persons", slug="sussex_vulnerable", kind=Gallery.Kind.EXPLICIT,
        description="Children and adults at risk across Sussex: partners who know them can offer help.",
    )
    vulnerable.audience_partnerships.add(sussex)
    # S5: Adur & Worthing adds a 15-year-old as high risk; Brighton sees the card.
    jayden = new_profile(
        ctx, "adur_safer", first_name="Jayden", last_name="Marsh", age=15, gender="male",
        person_roles=["vulnerable", "victim"], risk_level="medium", warning_markers=["self_harm"],
        consent_to_share="not_sought", lawful_basis="safeguarding",
    )
    services.add_to_gallery(vulnerable, jayden, by=ctx.users["adur_worthing"], risk_level="high",
                            reason="Groomed by an older group in Worthing; missing from school twice this month.")
    for team in ("brighton_children", "sussex_mispers"):
        for person in team_profiles(ctx, team, role="vulnerable", k=3):
            by = next(u for u in ctx.users.values() if u.memberships.filter(team=ctx.teams[team]).exists())
            services.add_to_gallery(vulnerable, person, by=by, risk_level=person.risk_level if person.risk_level
                                    in ("medium", "high", "very_high") else "medium",
                                    reason="Known to several partners; repeat missing.")
    vulnerable_id = vulnerable.pk
    services.request_access_from_card(
        Gallery.objects.get(pk=vulnerable_id), jayden, by=ctx.users["brighton_police"],
        reason="Seen with the same group in Brighton last weekend; we would like to help.",
    )
    missing = Gallery.objects.create(
        name="Currently missing / repeat missing", slug="sussex_missing", kind=Gallery.Kind.FILTER,
        description="Vulnerable people with a repeat-missing marker and an open missing-persons case.",
        person_roles=["vulnerable"], warning_markers=["missing_risk"], open_case_programme="missing_persons",
    )
    missing.audience_partnerships.add(sussex)
    cohort = Gallery.objects.create(
        name="IOM cohort", slug="iom_cohort", kind=Gallery.Kind.FILTER, programme="iom",
        description="Everyone on an IOM cohort in Staffordshire, Norfolk and Suffolk.",
        warning_markers=["iom_cohort"],
    )
    cohort.audience_partnerships.add(_partnership("staffs"), _partnership("norfolk_suffolk"))


def rules(ctx: DemoContext) -> None:
    admin = ctx.users["partnership_admin"]
    missing = TriggerRule(
        name="Repeat missing: 4 episodes within 60 days", kind="activity_count", programme="missing_persons",
        params={"count": 4, "days": 60, "kinds": ["call", "contact"], "contains": "episode"},
    )
    services.save_trigger_rule(missing, by=admin, recipient_teams=[ctx.teams["brighton_children"]])
    release = TriggerRule(
        name="Release date within 28 days", kind="date_within", programme="iom",
        params={"report_type": "iom_pre_release", "field": "release_date", "days": 28},
    )
    services.save_trigger_rule(release, by=admin, recipient_teams=[ctx.teams["staffs_probation_iom"]])
    gallery = TriggerRule(name="Added to the Sussex vulnerable persons gallery", kind="gallery_added",
                          params={"gallery": "sussex_vulnerable"})
    services.save_trigger_rule(gallery, by=admin, recipient_teams=[ctx.teams["brighton_asb"]])
