"""Cases and the action log."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .. import audit
from ..access import AccessLevel
from ..models import (
    Activity,
    AuditAction,
    Case,
    CaseParticipant,
    CaseReferenceCounter,
    Profile,
    Team,
)
from ..plugins.registry import registry
from .errors import full_clean_or_raise, require_level, require_perm, save_versioned
from .people import can_act_for_team


def next_reference(programme_slug: str, year: int) -> str:
    """``PREFIX-YEAR-NNNNNN``, numbered per programme and year, safe under concurrency
    (the counter row is locked; its creation is retried if two requests race)."""
    programme = registry.programme(programme_slug)
    for _ in range(3):
        try:
            with transaction.atomic():
                counter, _ = CaseReferenceCounter.objects.select_for_update().get_or_create(
                    programme=programme_slug, year=year
                )
                CaseReferenceCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
                counter.refresh_from_db()
                return f"{programme.reference_prefix}-{year}-{counter.last_number:06d}"
        except IntegrityError:
            continue
    raise RuntimeError("Could not allocate a case reference.")


def _case_type_or_error(programme_slug: str, case_type_slug: str):
    programme = registry.programme(programme_slug)
    if programme is None:
        raise ValidationError({"programme": f"Unknown programme {programme_slug!r}."})
    case_type = programme.case_type(case_type_slug)
    if case_type is None:
        raise ValidationError({"case_type": f"{programme.name} has no case type {case_type_slug!r}."})
    return programme, case_type


@transaction.atomic
def open_case(
    *,
    by,
    owner_team: Team,
    programme: str,
    case_type: str,
    title: str,
    participants=(),
    stage: str | None = None,
    opened_on: date | None = None,
    lead=None,
    summary: str = "",
) -> Case:
    """Open a case in a programme for ``owner_team``; ``participants`` are
    ``[(profile, role)]`` the user may see. One audit event."""
    require_perm(by, "core.add_case", "open cases")
    if not can_act_for_team(by, owner_team):
        raise ValidationError({"owner_team": "You can only open cases for your own teams."})
    programme_spec, type_spec = _case_type_or_error(programme, case_type)
    stage = stage or type_spec.stages[0].slug
    if type_spec.stage(stage) is None:
        raise ValidationError({"stage": f"{type_spec.name} has no stage {stage!r}."})
    if not programme_enabled_for(owner_team.organisation, programme):
        raise ValidationError({"programme": f"{programme_spec.name} is not enabled for {owner_team.organisation}."})
    opened_on = opened_on or timezone.localdate()
    case = Case(
        programme=programme, case_type=case_type, stage=stage, title=(title or "").strip(), summary=summary,
        owner_team=owner_team, lead=lead, opened_on=opened_on, created_by=by,
        reference="pending",
    )
    full_clean_or_raise(case, exclude=["reference"])
    for profile, _role in participants:
        require_level(by, profile, AccessLevel.VIEW, "add this person to a case")
    case.reference = next_reference(programme, opened_on.year)
    case.save()
    CaseParticipant.objects.bulk_create([CaseParticipant(case=case, profile=p, role=r) for p, r in participants])
    audit.record(AuditAction.CREATE, case, actor=by, changes={
        "programme": programme, "case_type": case_type, "stage": stage, "owner_team": str(owner_team),
        "participants": [p.pk for p, _ in participants],
    })
    return case


def programme_enabled_for(organisation, programme: str) -> bool:
    return organisation.programme_modules.filter(programme=programme, enabled=True).exists()


CASE_EDITABLE = ("title", "summary", "lead")


@transaction.atomic
def update_case(case: Case, *, by, changes: dict, expected_version: int | None = None) -> Case:
    require_level(by, case, AccessLevel.CONTRIBUTE, "edit this case")
    unknown = set(changes) - set(CASE_EDITABLE)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    fresh = Case.objects.get(pk=case.pk)
    before = {f: getattr(fresh, f) for f in CASE_EDITABLE}
    for key, value in changes.items():
        setattr(fresh, key, value)
    full_clean_or_raise(fresh)
    save_versioned(fresh, case.version if expected_version is None else expected_version, list(changes))
    audit.record(AuditAction.UPDATE, fresh, actor=by,
                 changes=audit.changes_between(before, {f: getattr(fresh, f) for f in CASE_EDITABLE}))
    case.__dict__.update(fresh.__dict__)
    return fresh


@transaction.atomic
def change_stage(case: Case, stage: str, *, by, note: str = "", occurred_at: datetime | None = None,
                 expected_version: int | None = None) -> Activity:
    """Move a case to another stage of its type; recorded as an activity on the case,
    dated ``occurred_at`` (default now: a stage change entered late says when it happened)."""
    require_level(by, case, AccessLevel.CONTRIBUTE, "move this case on")
    occurred_at = _check_entry_time(case, occurred_at)
    _, type_spec = _case_type_or_error(case.programme, case.case_type)
    new = type_spec.stage(stage)
    if new is None:
        raise ValidationError({"stage": f"{type_spec.name} has no stage {stage!r}."})
    if case.status == Case.Status.CLOSED:
        raise ValidationError({"stage": "This case is closed; reopen it before changing its stage."})
    if stage == case.stage:
        raise ValidationError({"stage": f"The case is already at {new.name}."})
    old = type_spec.stage(case.stage)
    case.stage = stage
    save_versioned(case, expected_version, ["stage"])
    activity = _log(case, by, Activity.Kind.STAGE_CHANGE,
                    f"Stage changed from {old.name if old else case.stage} to {new.name}", note, occurred_at)
    audit.record(AuditAction.UPDATE, case, actor=by, changes={"stage": [old.slug if old else "", stage], "activity": activity.pk})
    return activity


@transaction.atomic
def close_case(case: Case, *, by, outcome: str, notes: str = "", closed_on: date | None = None,
               expected_version: int | None = None) -> Activity:
    require_level(by, case, AccessLevel.MANAGE, "close this case")
    _, type_spec = _case_type_or_error(case.programme, case.case_type)
    if case.status == Case.Status.CLOSED:
        raise ValidationError("This case is already closed.")
    if type_spec.outcomes and outcome not in {o.code for o in type_spec.outcomes}:
        raise ValidationError({"outcome": "Choose one of the outcomes of this case type."})
    if not type_spec.outcomes and not (outcome or "").strip():
        raise ValidationError({"outcome": "Record the outcome."})
    case.status, case.closed_on = Case.Status.CLOSED, closed_on or timezone.localdate()
    case.outcome, case.outcome_notes = outcome, notes.strip()
    if case.closed_on < case.opened_on:
        raise ValidationError({"closed_on": "A case cannot close before it opened."})
    save_versioned(case, expected_version, ["status", "closed_on", "outcome", "outcome_notes"])
    label = next((o.label for o in type_spec.outcomes if o.code == outcome), outcome)
    # The outcome entry is dated on the closing day (now, if the case closes today).
    when = None
    if case.closed_on != timezone.localdate():
        when = timezone.make_aware(datetime.combine(case.closed_on, time(17, 0)))
    activity = _log(case, by, Activity.Kind.OUTCOME, f"Case closed: {label}", notes, when)
    audit.record(AuditAction.UPDATE, case, actor=by, changes={"status": ["open", "closed"], "outcome": outcome})
    return activity


@transaction.atomic
def add_participant(case: Case, profile: Profile, role: str, *, by) -> CaseParticipant:
    require_level(by, case, AccessLevel.CONTRIBUTE, "change this case")
    require_level(by, profile, AccessLevel.VIEW, "add this person to a case")
    if role not in CaseParticipant.Role.values:
        raise ValidationError({"role": "Choose a role in the case."})
    if case.participants.filter(profile=profile, role=role).exists():
        raise ValidationError({"profile": "This person already has that role in the case."})
    participant = CaseParticipant.objects.create(case=case, profile=profile, role=role)
    audit.record(AuditAction.LINK, case, actor=by, changes={"participant": profile.pk, "role": role})
    return participant


@transaction.atomic
def link_cases(case: Case, other: Case, *, by) -> None:
    if case.pk == other.pk:
        raise ValidationError({"other": "A case cannot be linked to itself."})
    require_level(by, case, AccessLevel.CONTRIBUTE, "change this case")
    require_level(by, other, AccessLevel.VIEW, "link these cases")
    case.linked_cases.add(other)
    audit.record(AuditAction.LINK, case, actor=by, changes={"linked_case": other.reference})


def _check_entry_time(case: Case, occurred_at: datetime | None) -> datetime:
    now = timezone.now()
    if occurred_at is None:
        return now
    if occurred_at > now + timedelta(minutes=5):
        raise ValidationError({"occurred_at": "This cannot be dated in the future."})
    if timezone.localdate(occurred_at) < case.opened_on:
        raise ValidationError({"occurred_at": "This cannot be dated before the case opened."})
    return occurred_at


def _log(case, by, kind, summary, details="", occurred_at=None) -> Activity:
    org = audit.actor_organisation(by)
    return Activity.objects.create(
        case=case, kind=kind, occurred_at=occurred_at or timezone.now(), summary=summary[:300],
        details=details, recorded_by=by, organisation=org,
    )


@transaction.atomic
def add_activity(
    *,
    by,
    summary: str,
    kind: str = Activity.Kind.CONTACT,
    case: Case | None = None,
    profile: Profile | None = None,
    occurred_at: datetime | None = None,
    details: str = "",
    restricted: bool = False,
    organisation=None,
) -> Activity:
    """Record an entry in the action log of a case or a profile (contribute needed).
    ``organisation`` is the one the user acts for (defaults to their first)."""
    parent = case or profile
    if parent is None:
        raise ValidationError("An activity belongs to a case or a profile.")
    require_level(by, parent, AccessLevel.CONTRIBUTE, "record activity here")
    organisation = organisation or audit.actor_organisation(by)
    if organisation is None:
        raise ValidationError("You are not in any organisation's team, so the entry cannot be attributed.")
    if not by.memberships.filter(team__organisation=organisation).exists():
        raise ValidationError({"organisation": "You can only record activity for your own organisation."})
    occurred_at = occurred_at or timezone.now()
    errors = {}
    if occurred_at > timezone.now() + timedelta(minutes=5):
        errors["occurred_at"] = "An activity cannot be in the future."
    if kind not in Activity.Kind.values:
        errors["kind"] = "Choose the kind of activity."
    if errors:
        raise ValidationError(errors)
    activity = Activity(
        case=case, profile=profile, kind=kind, occurred_at=occurred_at,
        summary=(summary or "").strip(), details=details, recorded_by=by, organisation=organisation,
        restricted=restricted,
    )
    full_clean_or_raise(activity)
    activity.save()
    audit.record(AuditAction.CREATE, activity, actor=by, changes={"parent": parent._meta.label_lower, "parent_id": parent.pk, "kind": kind})
    return activity
