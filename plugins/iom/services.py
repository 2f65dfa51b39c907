"""IOM's operations and reads.

Writes (``record_membership``, ``update_membership``, ``record_custody``,
``record_release``, ``set_pathway_status``, ``add_risk_score``) follow core's services:
one transaction, the actor's access checked through ``core.access`` (contribute on the
case or profile), input validated with a message per field before anything is written,
one audit event, and a chronology entry where a practitioner would look for one
(adoption and exit, custody recorded, release).

Reads (``visible_*``, ``profile_summary``, ``case_summary``) return only what the user may
see: the profile or case must be visible to them *and* IOM enabled for one of their
organisations — switched off, IOM shows nothing, though nothing is deleted."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from core import audit
from core.access import AccessLevel, can, restrict
from core.models import (
    Activity,
    AuditAction,
    Case,
    CaseParticipant,
    Organisation,
    PersonRole,
    Profile,
    WarningMarker,
)
from core.programmes import programme_enabled_for_user
from core.services.errors import NotAllowed, full_clean_or_raise, require_level, save_versioned

from .models import (
    CohortMembership,
    CustodyPeriod,
    Pathway,
    PathwayNeed,
    PathwayStatus,
    RiskScore,
)

PROGRAMME = "iom"
COHORT_CASE_TYPE = "cohort"
#: Markers and roles that make IOM's panel worth showing on a profile with no IOM records yet.
IOM_MARKERS = ("ppo", "iom_cohort")
IOM_ROLES = ("offender",)

MEMBERSHIP_EDITABLE = (
    "category", "tier", "risk_level", "adopted_on", "exited_on", "exit_reason", "offender_manager", "lead_agency",
)
CUSTODY_EDITABLE = (
    "establishment", "prison_number", "received_on", "sentence_date", "sentence_length", "expected_release_on",
    "released_on", "release_type", "licence_conditions",
)


# Who may use IOM ------------------------------------------------------------------

def iom_enabled_for(user) -> bool:
    """IOM is switched on for one of the user's organisations."""
    return programme_enabled_for_user(user, PROGRAMME)


def require_iom(user) -> None:
    if not iom_enabled_for(user):
        raise NotAllowed("Integrated Offender Management is not enabled for your organisation.", code="forbidden")


def _require_cohort_case(case: Case) -> None:
    if case.programme != PROGRAMME or case.case_type != COHORT_CASE_TYPE:
        raise ValidationError({"case": "Only an IOM cohort case holds a cohort membership and pathways."})


def _subject_of(case: Case) -> Profile:
    participant = (
        CaseParticipant.objects.filter(case=case, role=CaseParticipant.Role.SUBJECT).select_related("profile")
        .order_by("added_at", "pk").first()
    )
    if participant is None:
        raise ValidationError({"case": "Add the cohort member to the case as its subject first."})
    return participant.profile


def _acting_organisation(by) -> Organisation:
    org = audit.actor_organisation(by)
    if org is None:
        raise ValidationError("You are not in any organisation's team, so this cannot be attributed.")
    return org


def _chronicle(by, summary: str, *, case: Case | None = None, profile: Profile | None = None,
               kind: str = Activity.Kind.NOTE, details: str = "", on: date | None = None) -> Activity:
    """An entry in the chronology of the case (or, without a case, of the profile),
    dated on the day the event happened when that is not today."""
    occurred = timezone.now()
    if on is not None and on != timezone.localdate():
        occurred = timezone.make_aware(datetime.combine(on, time(12, 0)))
    return Activity.objects.create(
        case=case, profile=None if case else profile, kind=kind, occurred_at=occurred, summary=summary[:300],
        details=details, recorded_by=by, organisation=_acting_organisation(by),
    )


def _check_offender_manager(user_id) -> None:
    if user_id is None:
        return
    if not get_user_model().objects.filter(pk=getattr(user_id, "pk", user_id), is_active=True,
                                           memberships__isnull=False).exists():
        raise ValidationError({"offender_manager": "Choose an active practitioner as offender manager."})


# Cohort membership ----------------------------------------------------------------

@transaction.atomic
def record_membership(case: Case, *, by, category: str, adopted_on: date, tier: int = 2,
                      risk_level: str = "unknown", offender_manager=None, lead_agency=None) -> CohortMembership:
    """Adopt the subject of an IOM cohort case onto the cohort."""
    require_iom(by)
    require_level(by, case, AccessLevel.CONTRIBUTE, "adopt this person onto the cohort")
    _require_cohort_case(case)
    if CohortMembership.objects.filter(case=case).exists():
        raise ValidationError({"case": "This case already has a cohort membership; edit it instead."})
    _check_offender_manager(offender_manager)
    membership = CohortMembership(
        case=case, profile=_subject_of(case), category=category, tier=tier, risk_level=risk_level,
        adopted_on=adopted_on, offender_manager=offender_manager, lead_agency=lead_agency,
    )
    if adopted_on and adopted_on > timezone.localdate():
        raise ValidationError({"adopted_on": "The adoption date cannot be in the future."})
    full_clean_or_raise(membership)
    membership.save()
    _chronicle(by, f"Adopted onto the IOM cohort: {membership.get_category_display()}, "
                   f"{membership.get_tier_display()}", case=case, kind=Activity.Kind.STAGE_CHANGE, on=adopted_on)
    audit.record(AuditAction.CREATE, membership, actor=by, changes={
        "case": case.reference, "category": category, "tier": tier, "risk_level": risk_level,
        "adopted_on": str(adopted_on),
    })
    return membership


@transaction.atomic
def update_membership(membership: CohortMembership, *, by, changes: dict,
                      expected_version: int | None = None) -> CohortMembership:
    """Change a membership (category, tier, risk, offender manager…). Setting
    ``exited_on`` takes the member off the cohort and needs an exit reason."""
    require_iom(by)
    require_level(by, membership.case, AccessLevel.CONTRIBUTE, "change this cohort membership")
    unknown = set(changes) - set(MEMBERSHIP_EDITABLE)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    fresh = CohortMembership.objects.select_related("case").get(pk=membership.pk)
    before = {f: getattr(fresh, f"{f}_id" if f in ("offender_manager", "lead_agency") else f)
              for f in MEMBERSHIP_EDITABLE}
    for key, value in changes.items():
        setattr(fresh, key, value)
    if "offender_manager" in changes:
        _check_offender_manager(changes["offender_manager"])
    errors = {}
    if fresh.exited_on and not fresh.exit_reason:
        errors["exit_reason"] = "Give the reason the member left the cohort."
    if fresh.exit_reason and not fresh.exited_on:
        errors["exited_on"] = "Give the date the member left the cohort."
    if fresh.exited_on and fresh.exited_on > timezone.localdate():
        errors["exited_on"] = "The exit date cannot be in the future."
    if errors:
        raise ValidationError(errors)
    full_clean_or_raise(fresh)
    save_versioned(fresh, membership.version if expected_version is None else expected_version, list(changes))
    after = {f: getattr(fresh, f"{f}_id" if f in ("offender_manager", "lead_agency") else f)
             for f in MEMBERSHIP_EDITABLE}
    if fresh.exited_on and not before["exited_on"]:
        _chronicle(by, f"Left the IOM cohort: {fresh.get_exit_reason_display()}", case=fresh.case,
                   kind=Activity.Kind.STAGE_CHANGE, on=fresh.exited_on)
    elif before["category"] != after["category"] or before["tier"] != after["tier"]:
        _chronicle(by, f"Cohort membership changed: {fresh.get_category_display()}, {fresh.get_tier_display()}",
                   case=fresh.case)
    audit.record(AuditAction.UPDATE, fresh, actor=by, changes=audit.changes_between(before, after))
    membership.__dict__.update({k: v for k, v in fresh.__dict__.items() if not k.startswith("_")})
    return fresh


# Custody ----------------------------------------------------------------------------

def _normalise_custody(data: dict) -> dict:
    data = dict(data)
    if "prison_number" in data:
        data["prison_number"] = (data["prison_number"] or "").strip().upper()
    for key in ("establishment", "sentence_length", "licence_conditions"):
        if key in data:
            data[key] = (data[key] or "").strip()
    return data


def _check_custody_dates(period: CustodyPeriod) -> None:
    errors = {}
    today = timezone.localdate()
    if period.received_on and period.received_on > today:
        errors["received_on"] = "The date received into custody cannot be in the future."
    if period.released_on and period.released_on > today:
        errors["released_on"] = "A release cannot be recorded before it happens; use the expected release date."
    if period.released_on and period.received_on and period.released_on < period.received_on:
        errors["released_on"] = "The release cannot be before the date received into custody."
    if period.expected_release_on and period.received_on and period.expected_release_on < period.received_on:
        errors["expected_release_on"] = "The expected release cannot be before the date received into custody."
    if period.released_on and not period.release_type:
        errors["release_type"] = "Say how the person was released."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_custody(profile: Profile, *, by, case: Case | None = None, **data) -> CustodyPeriod:
    """Record a period in custody (establishment, prison number, dates, release)."""
    require_iom(by)
    require_level(by, profile, AccessLevel.CONTRIBUTE, "record custody for this person")
    if case is not None:
        require_level(by, case, AccessLevel.CONTRIBUTE, "record custody on this case")
        if not CaseParticipant.objects.filter(case=case, profile=profile).exists():
            raise ValidationError({"case": "This person does not take part in that case."})
    unknown = set(data) - set(CUSTODY_EDITABLE)
    if unknown:
        raise ValidationError(f"Unknown custody fields: {', '.join(sorted(unknown))}.")
    period = CustodyPeriod(profile=profile, case=case, recorded_by=by, organisation=_acting_organisation(by),
                           **_normalise_custody(data))
    _check_custody_dates(period)
    full_clean_or_raise(period)
    period.save()
    summary = f"Custody recorded: {period.establishment} from {period.received_on:%d %b %Y}"
    if period.expected_release_on and not period.released_on:
        summary += f", expected release {period.expected_release_on:%d %b %Y}"
    _chronicle(by, summary, case=case, profile=profile, on=period.received_on)
    if period.released_on:
        _chronicle(by, _release_summary(period), case=case, profile=profile, details=period.licence_conditions,
                   on=period.released_on)
    audit.record(AuditAction.CREATE, period, actor=by, changes={
        "establishment": period.establishment, "prison_number": period.prison_number,
        "received_on": str(period.received_on), "case": case.reference if case else None,
    })
    return period


def _release_summary(period: CustodyPeriod) -> str:
    return f"Released from {period.establishment} ({period.get_release_type_display()}) on {period.released_on:%d %b %Y}"


@transaction.atomic
def update_custody(period: CustodyPeriod, *, by, changes: dict, expected_version: int | None = None) -> CustodyPeriod:
    """Correct or complete a custody period; a release date set here is logged as the release."""
    require_iom(by)
    require_level(by, period.profile, AccessLevel.CONTRIBUTE, "change this custody period")
    unknown = set(changes) - set(CUSTODY_EDITABLE)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    fresh = CustodyPeriod.objects.select_related("profile", "case").get(pk=period.pk)
    before = {f: getattr(fresh, f) for f in CUSTODY_EDITABLE}
    changes = _normalise_custody(changes)
    for key, value in changes.items():
        setattr(fresh, key, value)
    _check_custody_dates(fresh)
    full_clean_or_raise(fresh)
    save_versioned(fresh, period.version if expected_version is None else expected_version, list(changes))
    if fresh.released_on and not before["released_on"]:
        _chronicle(by, _release_summary(fresh), case=fresh.case, profile=fresh.profile,
                   details=fresh.licence_conditions, on=fresh.released_on)
    audit.record(AuditAction.UPDATE, fresh, actor=by,
                 changes=audit.changes_between(before, {f: getattr(fresh, f) for f in CUSTODY_EDITABLE}))
    period.__dict__.update({k: v for k, v in fresh.__dict__.items() if not k.startswith("_")})
    return fresh


def record_release(period: CustodyPeriod, *, by, released_on: date, release_type: str,
                   licence_conditions: str | None = None, expected_version: int | None = None) -> CustodyPeriod:
    """Record the release that ends a custody period (with its licence conditions)."""
    if period.released_on:
        raise ValidationError({"released_on": "This custody period already has a release recorded."})
    changes = {"released_on": released_on, "release_type": release_type}
    if licence_conditions is not None:
        changes["licence_conditions"] = licence_conditions
    return update_custody(period, by=by, changes=changes, expected_version=expected_version)


# Pathways ---------------------------------------------------------------------------

@transaction.atomic
def set_pathway_status(case: Case, pathway: str, *, by, status: str, notes: str = "") -> PathwayNeed:
    """Set where the case stands on one resettlement pathway (created on first use)."""
    require_iom(by)
    require_level(by, case, AccessLevel.CONTRIBUTE, "work on this case's pathways")
    _require_cohort_case(case)
    errors = {}
    if pathway not in Pathway.values:
        errors["pathway"] = "Choose one of the resettlement pathways."
    if status not in PathwayStatus.values:
        errors["status"] = "Choose a status for the pathway."
    if errors:
        raise ValidationError(errors)
    need = PathwayNeed.objects.select_for_update().filter(case=case, pathway=pathway).first()
    before = {"status": need.status, "notes": need.notes} if need else {}
    if need is None:
        need = PathwayNeed(case=case, pathway=pathway)
    else:
        need.version += 1
    need.status, need.notes, need.updated_by = status, (notes or "").strip(), by
    full_clean_or_raise(need, exclude=["case", "pathway"] if need.pk else None)
    need.save()
    audit.record(AuditAction.UPDATE if before else AuditAction.CREATE, need, actor=by,
                 changes={"case": case.reference, "pathway": pathway,
                          **audit.changes_between(before, {"status": status, "notes": need.notes})})
    return need


# Risk scores --------------------------------------------------------------------------

@transaction.atomic
def add_risk_score(profile: Profile, *, by, tool: str, score, assessed_on: date, level: str = "unknown",
                   notes: str = "", case: Case | None = None) -> RiskScore:
    """Add a risk or reoffending score as assessed (history: scores are never edited)."""
    require_iom(by)
    require_level(by, profile, AccessLevel.CONTRIBUTE, "record a risk score for this person")
    if case is not None:
        require_level(by, case, AccessLevel.CONTRIBUTE, "record a risk score on this case")
    try:
        score = Decimal(str(score).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"score": "Give the score as a number from 0 to 100."}) from None
    if assessed_on and assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": "The assessment date cannot be in the future."})
    risk = RiskScore(profile=profile, case=case, tool=tool, score=score, level=level, assessed_on=assessed_on,
                     assessed_by=by, notes=(notes or "").strip())
    full_clean_or_raise(risk)
    risk.save()
    audit.record(AuditAction.CREATE, risk, actor=by, changes={
        "tool": tool, "score": str(score), "level": level, "assessed_on": str(assessed_on),
    })
    return risk


# Reads --------------------------------------------------------------------------------

def _visible(queryset: QuerySet, user) -> QuerySet:
    return restrict(queryset, user) if iom_enabled_for(user) else queryset.none()


def visible_memberships(user) -> QuerySet:
    """Cohort memberships of the cases the user may see (none if IOM is off for them)."""
    return _visible(CohortMembership.objects.all(), user)


def visible_custody_periods(user) -> QuerySet:
    return _visible(CustodyPeriod.objects.all(), user)


def visible_pathway_needs(user) -> QuerySet:
    return _visible(PathwayNeed.objects.all(), user)


def visible_risk_scores(user) -> QuerySet:
    return _visible(RiskScore.objects.all(), user)


@dataclass
class ProfileSummary:
    """What IOM holds about one person, as far as the user may see it."""

    memberships: list[CohortMembership] = field(default_factory=list)
    custody_periods: list[CustodyPeriod] = field(default_factory=list)
    risk_scores: list[RiskScore] = field(default_factory=list)
    can_contribute: bool = False
    #: The person carries an IOM marker (PPO, IOM cohort) or the offender role.
    looks_like_iom: bool = False

    @property
    def current_membership(self) -> CohortMembership | None:
        return next((m for m in self.memberships if m.exited_on is None), None)

    @property
    def current_custody(self) -> CustodyPeriod | None:
        return next((p for p in self.custody_periods if p.released_on is None), None)

    @property
    def latest_risk_score(self) -> RiskScore | None:
        return self.risk_scores[0] if self.risk_scores else None

    @property
    def is_empty(self) -> bool:
        return not (self.memberships or self.custody_periods or self.risk_scores)


def profile_summary(user, profile: Profile, level: int | None = None) -> ProfileSummary | None:
    """IOM's records about a profile the user may see, or ``None`` when IOM is off for
    them or the profile is not visible to them. ``level``: the user's access level on
    the profile when the caller has already read it through ``core.access`` (saves the
    check). A fixed number of queries: memberships (only those of cases the user may
    see), custody periods and risk scores, after one query saying which exist."""
    if not iom_enabled_for(user):
        return None
    if level is None:
        level = AccessLevel.CONTRIBUTE if can(user, profile, AccessLevel.CONTRIBUTE) else (
            AccessLevel.VIEW if can(user, profile) else None)
    if not level:
        return None
    # One query says which kinds of record exist; only those are then read, so a person
    # IOM holds nothing about costs one query (the profile hub renders this panel).
    held = (
        Profile.objects.filter(pk=profile.pk)
        .annotate(
            has_memberships=Exists(CohortMembership.objects.filter(profile_id=OuterRef("pk"))),
            has_custody=Exists(CustodyPeriod.objects.filter(profile_id=OuterRef("pk"))),
            has_scores=Exists(RiskScore.objects.filter(profile_id=OuterRef("pk"))),
            looks_like_iom=Exists(WarningMarker.objects.filter(profile_id=OuterRef("pk"), marker__in=IOM_MARKERS))
            | Exists(PersonRole.objects.filter(profile_id=OuterRef("pk"), role__in=IOM_ROLES)),
        )
        .values("has_memberships", "has_custody", "has_scores", "looks_like_iom")
        .first()
    ) or {}
    memberships = list(
        restrict(CohortMembership.objects.filter(profile=profile), user)
        .select_related("case", "offender_manager", "lead_agency")
    ) if held.get("has_memberships") else []
    periods = list(
        CustodyPeriod.objects.filter(profile=profile).select_related("organisation", "case")
    ) if held.get("has_custody") else []
    scores = list(
        RiskScore.objects.filter(profile=profile).select_related("assessed_by")
    ) if held.get("has_scores") else []
    return ProfileSummary(memberships, periods, scores, can_contribute=level >= AccessLevel.CONTRIBUTE,
                          looks_like_iom=bool(held.get("looks_like_iom")))


@dataclass
class CaseSummary:
    """What IOM holds on one cohort case: its membership, the pathway grid (every
    pathway, recorded or not) and the custody periods of its subject (or recorded on
    it) that the user may see."""

    membership: CohortMembership | None
    pathways: list[tuple[str, str, PathwayNeed | None]]
    custody_periods: list[CustodyPeriod]
    can_contribute: bool = False

    @property
    def pathways_met(self) -> int:
        return sum(1 for _, _, need in self.pathways if need and need.status == PathwayStatus.MET)

    @property
    def pathways_open(self) -> int:
        return sum(1 for _, _, need in self.pathways
                   if need and need.status in (PathwayStatus.IDENTIFIED, PathwayStatus.IN_PROGRESS))


def case_summary(user, case: Case, level: int | None = None) -> CaseSummary | None:
    """IOM's records on a case the user may see (``None`` when IOM is off for them, the
    case is not visible, or it is not an IOM cohort case). ``level`` as for
    :func:`profile_summary`."""
    if case.programme != PROGRAMME or case.case_type != COHORT_CASE_TYPE:
        return None
    if not iom_enabled_for(user):
        return None
    if level is None:
        level = AccessLevel.CONTRIBUTE if can(user, case, AccessLevel.CONTRIBUTE) else (
            AccessLevel.VIEW if can(user, case) else None)
    if not level:
        return None
    membership = (
        CohortMembership.objects.filter(case=case).select_related("offender_manager", "lead_agency", "profile").first()
    )
    needs = {n.pathway: n for n in PathwayNeed.objects.filter(case=case).select_related("updated_by")}
    pathways = [(code, label, needs.get(code)) for code, label in Pathway.choices]
    # Custody follows the person's access, not the case's: someone who sees the case but
    # not the person sees no custody.
    subjects = CaseParticipant.objects.filter(case=case, role=CaseParticipant.Role.SUBJECT).values("profile_id")
    periods = list(
        restrict(CustodyPeriod.objects.filter(Q(case=case) | Q(profile_id__in=subjects)), user)
        .select_related("organisation", "profile")
    )
    return CaseSummary(membership, pathways, periods, can_contribute=level >= AccessLevel.CONTRIBUTE)
