"""The IOM cohort sheet import (hook ``wraparound_import_resources``): one row per
cohort member — name, date of birth, PNC, category, tier, offender manager, custody
and release dates, and the resettlement pathways as yes/no columns.

The person is matched, created or updated exactly as core's profile import does it
(this resource extends :class:`core.imports.profiles.ProfileResource`: by identifier,
then by name and date of birth; duplicates within the sheet are refused). Then, through
IOM's services (access checked, audited, in the batch's transaction):

- the person's open IOM cohort case owned by the import's team is found, or opened,
  and its cohort membership recorded (category, tier, risk, adoption date, offender
  manager) — an existing membership is left as it is;
- a custody period is recorded unless one with the same reception date exists;
- a pathway need ("need identified") is added for each pathway answered yes that the
  case does not have yet; "no" or blank changes nothing.

So re-importing the same sheet changes nothing. Undo removes what the import created
(the case with its membership and chronology, custody periods, pathway needs, then the
profiles core created) unless someone has changed it since."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Max, Q

from core import services
from core.imports import widgets as w
from core.imports.profiles import ProfileResource
from core.imports.resources import Context, ImportField, Row, audit_events
from core.models import (
    Activity,
    AuditAction,
    AuditEvent,
    Case,
    CaseParticipant,
    ImportedRecord,
    Profile,
)

from .plugin import PROGRAMME

READS = (AuditAction.VIEW, AuditAction.SEARCH, AuditAction.EXPORT, AuditAction.PRINT)
CASE_TYPE = "cohort"

PATHWAY_SYNONYMS = {
    "accommodation": ("housing", "accom"),
    "education_training_employment": ("ete", "education", "employment", "education training employment",
                                      "education training and employment", "ete needs"),
    "health": ("physical health", "mental health", "health needs"),
    "drugs_alcohol": ("drugs", "alcohol", "drugs and alcohol", "drugs alcohol", "substance misuse", "d&a"),
    "finance_debt": ("finance", "debt", "finance and debt", "finance benefit and debt", "money", "benefits"),
    "children_families": ("children and families", "family", "families", "children families"),
    "attitudes_thinking": ("attitudes", "attitudes thinking and behaviour", "atb", "thinking and behaviour"),
}


def _pathways():
    from .models import Pathway

    return Pathway.choices


class IOMCohortResource(ProfileResource):
    code = "iom_cohort"
    label = "IOM cohort list"
    description = ("An IOM cohort sheet: one row per member with category, tier, offender manager, custody and "
                   "release dates, and pathways as yes/no columns.")
    model = Profile
    programme = PROGRAMME.slug

    def get_fields(self) -> list[ImportField]:
        from .models import CohortCategory

        fields = super().get_fields()
        fields += [
            ImportField("iom_category", "Cohort category", w.ChoiceWidget(CohortCategory.choices, {
                "prolific": "ppo", "priority": "ppo", "ppo cohort": "ppo", "fixed cohort": "fixed",
                "flex cohort": "flex", "flexible": "flex", "free cohort": "free"}),
                ("category", "cohort", "iom category", "cohort type"), required=True),
            ImportField("iom_tier", "Tier", w.ChoiceWidget([("1", "Tier 1"), ("2", "Tier 2"), ("3", "Tier 3")], {
                "t1": "1", "t2": "2", "t3": "3", "one": "1", "two": "2", "three": "3", "1.0": "1",
                "2.0": "2", "3.0": "3"}), ("iom tier", "cohort tier", "level")),
            ImportField("adopted_on", "Date adopted onto the cohort", w.UKDateWidget(past=True),
                        ("adopted", "date adopted", "adoption date", "date joined", "start date")),
            ImportField("offender_manager", "Offender manager", w.TextWidget(150),
                        ("om", "iom officer", "case manager", "manager", "officer"),
                        help_text="The practitioner's username, e-mail or full name."),
            ImportField("establishment", "Prison (establishment)", w.TextWidget(200),
                        ("prison", "hmp", "establishment", "current prison")),
            ImportField("received_on", "Date received into custody", w.UKDateWidget(past=True),
                        ("custody date", "date received", "received", "reception date", "date into custody",
                         "custody start")),
            ImportField("expected_release_on", "Expected release date", w.UKDateWidget(),
                        ("release date", "erd", "crd", "expected release", "due for release", "date of release")),
            ImportField("released_on", "Date released", w.UKDateWidget(past=True),
                        ("released", "actual release", "actual release date", "release actual")),
        ]
        for code, label in _pathways():
            fields.append(ImportField(f"pathway:{code}", f"Pathway: {label}", w.YesNoWidget(),
                                      (label, *PATHWAY_SYNONYMS.get(code, ()))))
        return fields

    def clean(self, raw):
        values, errors = super().clean(raw)
        failed = {name for name, _ in errors}
        custody = [values.get(f) for f in ("establishment", "received_on", "expected_release_on", "released_on")]
        if any(custody):
            if not values.get("establishment") and "establishment" not in failed:
                errors.append(("establishment", "Custody dates are given: give the prison (establishment) too."))
            if not values.get("received_on") and "received_on" not in failed:
                errors.append(("received_on", "Custody is given: give the date received into custody."))
            received = values.get("received_on")
            for name, label in (("expected_release_on", "expected release date"), ("released_on", "release date")):
                if received and values.get(name) and values[name] < received:
                    errors.append((name, f"The {label} is before the date received into custody."))
        return values, errors

    # Matching -----------------------------------------------------------------------
    def plan(self, rows: list[Row], ctx: Context) -> None:
        super().plan(rows, ctx)
        ok = [r for r in rows if not r.errors]
        managers = self._offender_managers(ok)
        existing = [r.target for r in ok if r.target is not None]
        cases = {}
        for case_id, profile_id in CaseParticipant.objects.filter(
            profile_id__in=existing, case__programme=PROGRAMME.slug, case__case_type=CASE_TYPE,
            case__status=Case.Status.OPEN, case__owner_team=ctx.owner_team,
        ).order_by("case__opened_on", "case_id").values_list("case_id", "profile_id"):
            cases.setdefault(profile_id, case_id)
        from .models import CohortMembership, CustodyPeriod, PathwayNeed

        memberships = set(CohortMembership.objects.filter(case_id__in=cases.values()).values_list("case_id", flat=True))
        custody = set(CustodyPeriod.objects.filter(profile_id__in=existing).values_list("profile_id", "received_on"))
        needs = set(PathwayNeed.objects.filter(case_id__in=cases.values()).values_list("case_id", "pathway"))
        plans = ctx.cache.setdefault("iom", {})
        for r in ok:
            v = r.values
            manager = (v.get("offender_manager") or "").strip()
            if manager and managers.get(manager.lower()) is None:
                r.errors.append(("offender_manager", f"No practitioner matches {manager!r}: give their username, "
                                                     "e-mail or full name."))
                r.action = ""
                continue
            case_id = cases.get(r.target) if r.target is not None else None
            plan = {
                "profile_action": r.action,
                "case_id": case_id,
                "membership": case_id not in memberships,
                "manager": managers.get(manager.lower()) if manager else None,
                "custody": bool(v.get("received_on")) and (r.target, v.get("received_on")) not in custody,
                "pathways": [code for code, _ in _pathways() if v.get(f"pathway:{code}")
                             and (case_id, code) not in needs],
            }
            plans[r.number] = plan
            iom_parts = [part for part, wanted in (
                ("cohort case", case_id is None), ("membership", plan["membership"]),
                ("custody period", plan["custody"]), ("pathways", plan["pathways"])) if wanted]
            if r.action == "create":
                r.summary += " with " + ", ".join(iom_parts)
            elif iom_parts:
                r.summary = (r.summary.split(": already up to date")[0] if r.action == "skip" else r.summary)
                r.summary += "; IOM: " + ", ".join(iom_parts)
                r.action = "update"

    def _offender_managers(self, rows: list[Row]) -> dict[str, int]:
        """Offender managers named in the rows, by the lower-cased text: active users in
        a team, matched by username, e-mail or full name (unique matches only)."""
        wanted = {(r.values.get("offender_manager") or "").strip().lower() for r in rows} - {""}
        if not wanted:
            return {}
        found: dict[str, set[int]] = {}
        users = get_user_model().objects.filter(is_active=True, memberships__isnull=False).distinct()
        for pk, username, email, first, last in users.values_list("pk", "username", "email", "first_name",
                                                                  "last_name"):
            for key in (username.lower(), (email or "").lower(), f"{first} {last}".strip().lower()):
                if key in wanted:
                    found.setdefault(key, set()).add(pk)
        return {key: next(iter(pks)) for key, pks in found.items() if len(pks) == 1}

    # Writing ------------------------------------------------------------------------
    def write(self, rows: list[Row], ctx: Context) -> list[ImportedRecord]:
        from . import services as iom

        plans = ctx.cache.get("iom", {})
        shown = {r.number: r.action for r in rows}
        for r in rows:
            if r.number in plans:
                r.action = plans[r.number]["profile_action"]
        records = super().write(rows, ctx)
        for r in rows:
            r.action = shown[r.number]
        profiles = Profile.objects.in_bulk([r.target for r in rows if isinstance(r.target, int)])
        users = get_user_model().objects.in_bulk([p["manager"] for p in plans.values() if p.get("manager")])
        for r in rows:
            plan = plans.get(r.number)
            if plan is None or r.action not in ("create", "update"):
                continue
            profile = r.target if isinstance(r.target, Profile) else profiles[r.target]
            v = r.values
            last_activity = Activity.objects.aggregate(m=Max("pk"))["m"] or 0
            added = {"case_created": False, "membership": None, "custody": None, "pathways": []}
            try:
                if plan["case_id"] is None:
                    case = services.open_case(
                        by=ctx.user, owner_team=ctx.owner_team, programme=PROGRAMME.slug, case_type=CASE_TYPE,
                        title=f"IOM: {profile.full_name}", participants=[(profile, "subject")],
                        opened_on=v.get("adopted_on") or None,
                        stage="in_custody" if v.get("received_on") and not v.get("released_on") else "active")
                    added["case_created"] = True
                else:
                    case = Case.objects.get(pk=plan["case_id"])
                if plan["membership"]:
                    membership = iom.record_membership(
                        case, by=ctx.user, category=v["iom_category"], tier=int(v.get("iom_tier") or 2),
                        risk_level=v.get("risk_level") or "unknown", adopted_on=v.get("adopted_on") or _today(),
                        offender_manager=users.get(plan["manager"]), lead_agency=ctx.owner_team.organisation)
                    added["membership"] = membership.pk
                if plan["custody"]:
                    period = iom.record_custody(profile, by=ctx.user, case=case, **{
                        key: v[key] for key in ("establishment", "received_on", "expected_release_on",
                                                "released_on") if v.get(key)})
                    added["custody"] = period.pk
                for code in plan["pathways"]:
                    added["pathways"].append(iom.set_pathway_status(case, code, by=ctx.user, status="identified").pk)
            except ValidationError as exc:
                raise ValidationError(f"Row {r.number}: {' '.join(exc.messages)}") from exc
            added["activities"] = list(Activity.objects.filter(pk__gt=last_activity).filter(
                Q(case=case) | Q(profile=profile)).values_list("pk", flat=True))
            event = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
            records.append(ImportedRecord(
                job=ctx.job, row=r.number, action="created" if added["case_created"] else "updated",
                object_type="core.case", object_id=case.pk, object_repr=f"{case.reference} {case.title}"[:300],
                added=added, audit_event_id=event,
            ))
        return records

    # Undo ---------------------------------------------------------------------------
    def undo_blockers(self, records: list[ImportedRecord]) -> list[str]:
        from .models import CohortMembership, CustodyPeriod, PathwayNeed

        mine = [r for r in records if r.object_type == "core.case"]
        blockers = []
        for r in mine:
            added, name = r.added or {}, f"{r.object_repr} (row {r.row})"
            watched = [("core.case", r.object_id)] if added.get("case_created") else []
            watched += [(CohortMembership._meta.label_lower, added["membership"])] if added.get("membership") else []
            watched += [(CustodyPeriod._meta.label_lower, added["custody"])] if added.get("custody") else []
            watched += [(PathwayNeed._meta.label_lower, pk) for pk in added.get("pathways", [])]
            later = Q()
            for object_type, pk in watched:
                later |= Q(object_type=object_type, object_id=str(pk))
            if watched and AuditEvent.objects.filter(later, id__gt=r.audit_event_id or 0).exclude(
                    action__in=READS).exists():
                blockers.append(f"{name} was changed after the import.")
            elif added.get("case_created") and Activity.objects.filter(case_id=r.object_id).exclude(
                    pk__in=added.get("activities", [])).exists():
                blockers.append(f"{name} has log entries recorded after the import.")
        # Core's checks on the profiles, less the cases and entries this import made itself.
        own_cases = {r.object_id for r in mine if (r.added or {}).get("case_created")}
        own_entries = {pk for r in mine for pk in (r.added or {}).get("activities", [])}
        people = [r for r in records if r.object_type == "core.profile"]
        created = [r.object_id for r in people if r.action == "created"]
        clean = {
            pk for pk in created
            if not CaseParticipant.objects.filter(profile_id=pk).exclude(case_id__in=own_cases).exists()
            and not Activity.objects.filter(profile_id=pk).exclude(pk__in=own_entries).exists()
        }
        names = {r.object_id: f"‘{r.object_repr}’ (row {r.row})" for r in people}
        excused = {f"{names[pk]} {reason}." for pk in clean for reason in (
            "is a participant in a case opened after the import", "has log entries recorded after the import")}
        return blockers + [b for b in super().undo_blockers(people) if b not in excused]

    def undo(self, records: list[ImportedRecord], ctx: Context) -> None:
        from .models import CohortMembership, CustodyPeriod, PathwayNeed

        mine = [r for r in records if r.object_type == "core.case"]
        for r in mine:
            added = r.added or {}
            PathwayNeed.objects.filter(pk__in=added.get("pathways", [])).delete()
            CustodyPeriod.objects.filter(pk__in=[added["custody"]] if added.get("custody") else []).delete()
            CohortMembership.objects.filter(pk__in=[added["membership"]] if added.get("membership") else []).delete()
            Activity.objects.filter(pk__in=added.get("activities", [])).delete()
        cases = list(Case.objects.filter(pk__in=[r.object_id for r in mine if (r.added or {}).get("case_created")]))
        audit_events(AuditAction.DELETE, [(c, {"undo": True}) for c in cases], actor=ctx.user, job=ctx.job)
        Case.objects.filter(pk__in=[c.pk for c in cases]).delete()
        super().undo([r for r in records if r.object_type == "core.profile"], ctx)


def _today():
    from django.utils import timezone

    return timezone.localdate()
