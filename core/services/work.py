"""Tasks and referrals: the operations, each one transaction with its audit event and
its notifications (sent after commit, so a refused step tells nobody anything).

Referral decisions, written down:

- Making a referral discloses the referral's answers and a minimal summary of the
  person (name, age, gender) to the receiving team; it needs *manage* on the profile,
  the level at which one may share it.
- The receiving team gets access to the profile only when it accepts: the grant is
  made under the referrer's authority (``by`` = the referrer, who had to be able to
  share the profile when the referral was made and still must), and its reason names
  the referral. Then the case starts, owned by the receiving team, and the referring
  team keeps the access the referral asked for. Each of those is audited as what it is
  (a grant, a new case) besides the referral's own event.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .. import audit, uploads
from ..access import AccessLevel, can
from ..forms.referrals import answers_of
from ..models import (
    Activity,
    AuditAction,
    Case,
    Grant,
    Membership,
    NotificationKind,
    Profile,
    Referral,
    ReferralStep,
    Task,
    TaskAttachment,
    TaskPriority,
    Team,
)
from ..plugins.registry import registry
from .access import grant_access
from .cases import open_case, programme_enabled_for
from .errors import ConflictError, NotAllowed, full_clean_or_raise, require_level, save_versioned
from .notifications import notify
from .people import can_act_for_team

#: Largest task attachment (overridable in settings); the type rules are core.uploads'.
DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def _url(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


def task_url(task: Task) -> str:
    return _url("wraparound_tasks:detail", task.pk)


def referral_url(referral: Referral) -> str:
    return _url("wraparound_referrals:detail", referral.pk)


# Tasks -----------------------------------------------------------------------------

def check_attachment(upload) -> uploads.CleanUpload:
    """The one check of an uploaded file, ``core.uploads``': size, type sniffed from the
    content (the name must agree), active content and polyglots refused, images
    re-encoded, a random storage name. Raises ``ValidationError`` on the ``file`` field."""
    limit = getattr(settings, "WRAPAROUND_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES)
    if not (getattr(upload, "name", "") or ""):
        raise ValidationError({"file": "Choose a file."})
    try:
        return uploads.clean_upload(upload, kinds=uploads.DOCUMENTS, max_bytes=limit)
    except ValidationError as exc:
        raise ValidationError({"file": f"{uploads.safe_original_name(upload.name)}: {' '.join(exc.messages)}"},
                              code=exc.code) from None


def team_has_access(team: Team, record, level: int = AccessLevel.VIEW) -> bool:
    """Does ``team`` (as a team, or through its organisation) own or hold a grant in
    force at ``level`` or above on a profile or case?"""
    if record.owner_team_id == team.pk:
        return True
    field = "profile" if isinstance(record, Profile) else "case"
    now = timezone.now()
    return Grant.objects.filter(
        **{field: record}, revoked_at__isnull=True, level__gte=level,
    ).filter(Q(team=team) | Q(organisation_id=team.organisation_id)).exclude(expires_at__lte=now).exists()


def _can_work_on(user, task: Task) -> bool:
    if task.assigned_user_id == user.pk:
        return True
    if task.assigned_team_id and Membership.objects.filter(user=user, team_id=task.assigned_team_id).exists():
        return True
    return can(user, task.parent, AccessLevel.CONTRIBUTE)


@transaction.atomic
def create_task(
    *,
    by,
    title: str,
    profile: Profile | None = None,
    case: Case | None = None,
    assigned_user=None,
    assigned_team: Team | None = None,
    due_on: date | None = None,
    priority: int = TaskPriority.NORMAL,
    description: str = "",
) -> Task:
    """A task on a profile or a case (contribute needed) for a user or a team who can
    see that record. The assignees are notified."""
    parent = case or profile
    if parent is None:
        raise ValidationError("A task belongs to a profile or a case.")
    require_level(by, parent, AccessLevel.CONTRIBUTE, "add a task here")
    errors = {}
    if not (title or "").strip():
        errors["title"] = "Say what needs doing."
    if assigned_user is None and assigned_team is None:
        errors["assigned_user"] = "Assign the task to a person or a team."
    elif assigned_user is not None and not can(assigned_user, parent):
        errors["assigned_user"] = f"{assigned_user} cannot see this record; share it with them first."
    elif assigned_team is not None and assigned_user is None and not team_has_access(assigned_team, parent):
        errors["assigned_team"] = f"{assigned_team} cannot see this record; share it with the team first."
    if due_on is not None and due_on < timezone.localdate() - timedelta(days=365):
        errors["due_on"] = "The due date is more than a year ago."
    if errors:
        raise ValidationError(errors)
    task = Task(
        title=title.strip(), description=(description or "").strip(), profile=profile if case is None else None,
        case=case, assigned_user=assigned_user, assigned_team=assigned_team, due_on=due_on,
        priority=priority, created_by=by,
    )
    full_clean_or_raise(task)
    task.save()
    audit.record(AuditAction.CREATE, task, actor=by, changes={
        "parent": parent._meta.label_lower, "parent_id": parent.pk,
        "assigned_user": getattr(assigned_user, "pk", None), "assigned_team": getattr(assigned_team, "pk", None),
        "due_on": due_on.isoformat() if due_on else None, "priority": int(priority),
    })
    notify([t for t in (assigned_user, assigned_team) if t is not None], kind=NotificationKind.TASK,
           subject=f"New task for you: {task.title}", url=task_url(task), actor=by)
    return task


def _lock_task(task: Task) -> Task:
    return Task.objects.select_for_update(of=("self",)).select_related("profile", "case").get(pk=task.pk)


@transaction.atomic
def start_task(task: Task, *, by) -> Task:
    task = _lock_task(task)
    if not _can_work_on(by, task):
        raise NotAllowed("Only the people the task is assigned to can work on it.", code="forbidden")
    if task.status != Task.Status.OPEN:
        raise ValidationError({"status": f"This task is {task.get_status_display().lower()}."})
    task.status = Task.Status.IN_PROGRESS
    save_versioned(task, None, ["status"])
    audit.record(AuditAction.UPDATE, task, actor=by, changes={"status": ["open", "in_progress"]})
    return task


@transaction.atomic
def complete_task(task: Task, *, by, note: str = "") -> Activity:
    """Mark a task done; recorded as an entry in its record's action log (attributed to
    the completer's organisation). The creator is told."""
    task = _lock_task(task)
    if task.referral_id:
        raise ValidationError("A referral's task is done by accepting or declining the referral.")
    if not _can_work_on(by, task):
        raise NotAllowed("Only the people the task is assigned to can complete it.", code="forbidden")
    if not task.is_open:
        raise ValidationError({"status": f"This task is already {task.get_status_display().lower()}."})
    organisation = audit.actor_organisation(by)
    if organisation is None:
        raise ValidationError("You are not in any organisation's team, so the entry cannot be attributed.")
    before = task.status
    task.status, task.completed_at, task.completed_by = Task.Status.DONE, timezone.now(), by
    task.completion_note = (note or "").strip()
    save_versioned(task, None, ["status", "completed_at", "completed_by", "completion_note"])
    activity = Activity.objects.create(
        case=task.case, profile=task.profile if task.case_id is None else None, kind=Activity.Kind.NOTE,
        occurred_at=task.completed_at, summary=f"Task completed: {task.title}"[:300],
        details=task.completion_note, recorded_by=by, organisation=organisation,
    )
    audit.record(AuditAction.UPDATE, task, actor=by,
                 changes={"status": [before, "done"], "activity": activity.pk})
    if task.created_by_id:
        notify(task.created_by, kind=NotificationKind.TASK, subject=f"Task completed: {task.title}",
               url=task_url(task), actor=by)
    return activity


@transaction.atomic
def cancel_task(task: Task, *, by, reason: str) -> Task:
    task = _lock_task(task)
    if task.referral_id:
        raise ValidationError("A referral's task ends when the referral is decided or withdrawn.")
    if task.created_by_id != by.pk and not can(by, task.parent, AccessLevel.MANAGE):
        raise NotAllowed("Only the task's creator or the record's managers can cancel it.", code="forbidden")
    if not task.is_open:
        raise ValidationError({"status": f"This task is already {task.get_status_display().lower()}."})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the task is cancelled."})
    before = task.status
    task.status, task.completion_note = Task.Status.CANCELLED, reason.strip()
    save_versioned(task, None, ["status", "completion_note"])
    audit.record(AuditAction.UPDATE, task, actor=by, changes={"status": [before, "cancelled"], "reason": reason})
    notify([t for t in (task.assigned_user, task.assigned_team) if t is not None], kind=NotificationKind.TASK,
           subject=f"Task cancelled: {task.title}", url=task_url(task), actor=by)
    return task


#: What :func:`update_task` may change.
TASK_EDITABLE = ("title", "description", "due_on", "priority", "assigned_user", "assigned_team")


@transaction.atomic
def update_task(task: Task, *, by, changes: dict, expected_version: int | None = None) -> Task:
    """Change an open task's title, description, due date, priority or assignees
    (contribute on its record, or its creator). The same checks as :func:`create_task`;
    new assignees are notified. ``expected_version``: optimistic locking (a stale
    version raises ``ConflictError`` and nothing is written)."""
    unknown = set(changes) - set(TASK_EDITABLE)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    task = _lock_task(task)
    if task.created_by_id != by.pk and not can(by, task.parent, AccessLevel.CONTRIBUTE):
        raise NotAllowed("Only the task's creator or those who work on its record can change it.", code="forbidden")
    if expected_version is not None and task.version != expected_version:
        raise ConflictError(task)
    if task.referral_id:
        raise ValidationError("A referral's task changes with the referral.")
    if not task.is_open:
        raise ValidationError({"status": f"This task is {task.get_status_display().lower()}; it cannot be changed."})
    before = {f: getattr(task, f"{f}_id" if f.startswith("assigned_") else f) for f in TASK_EDITABLE}
    for field, value in changes.items():
        setattr(task, field, value)
    if "assigned_user" in changes and "assigned_team" not in changes and changes["assigned_user"] is not None:
        task.assigned_team = None
    errors = {}
    if "title" in changes:
        task.title = (task.title or "").strip()
        if not task.title:
            errors["title"] = "Say what needs doing."
    if "description" in changes:
        task.description = (task.description or "").strip()
    parent = task.parent
    if task.assigned_user is None and task.assigned_team is None:
        errors["assigned_user"] = "Assign the task to a person or a team."
    elif "assigned_user" in changes and task.assigned_user is not None and not can(task.assigned_user, parent):
        errors["assigned_user"] = f"{task.assigned_user} cannot see this record; share it with them first."
    elif ("assigned_team" in changes and task.assigned_team is not None and task.assigned_user is None
          and not team_has_access(task.assigned_team, parent)):
        errors["assigned_team"] = f"{task.assigned_team} cannot see this record; share it with the team first."
    if "due_on" in changes and task.due_on is not None and task.due_on < timezone.localdate() - timedelta(days=365):
        errors["due_on"] = "The due date is more than a year ago."
    if errors:
        raise ValidationError(errors)
    full_clean_or_raise(task)
    after = {f: getattr(task, f"{f}_id" if f.startswith("assigned_") else f) for f in TASK_EDITABLE}
    changed = [f for f in TASK_EDITABLE if before[f] != after[f]]
    save_versioned(task, task.version, changed or ["title"])
    audit.record(AuditAction.UPDATE, task, actor=by, changes=audit.changes_between(before, after))
    new_assignees = [t for f, t in (("assigned_user", task.assigned_user), ("assigned_team", task.assigned_team))
                     if f in changed and t is not None]
    if new_assignees:
        notify(new_assignees, kind=NotificationKind.TASK, subject=f"Task for you: {task.title}",
               url=task_url(task), actor=by)
    return task


@transaction.atomic
def add_task_attachment(task: Task, upload, *, by) -> TaskAttachment:
    if not _can_work_on(by, task) and task.created_by_id != by.pk:
        raise NotAllowed("You cannot add files to this task.", code="forbidden")
    cleaned = check_attachment(upload)
    attachment = TaskAttachment(
        task=task, original_name=cleaned.original_name[:200], content_type=cleaned.content_type, size=cleaned.size,
        uploaded_by=by,
    )
    attachment.file.save(cleaned.name, cleaned.content, save=False)
    try:
        attachment.save()
        audit.record(AuditAction.CREATE, attachment, actor=by,
                     changes={"task": task.pk, "name": attachment.original_name, "size": attachment.size})
    except Exception:
        # The row is rolled back with the transaction; do not leave the stored file behind.
        attachment.file.delete(save=False)
        raise
    return attachment


def open_attachment(attachment: TaskAttachment, *, by):
    """A task's file as a download response (the caller checked access), through
    ``core.uploads.protected_file_response``: a consultation, audited like opening a record."""
    response = uploads.protected_file_response(attachment.file, download_name=attachment.original_name)
    with transaction.atomic():
        audit.record(AuditAction.VIEW, attachment, actor=by, changes={"task": attachment.task_id})
    return response


# Referrals -------------------------------------------------------------------------

def _level_or_none(value, field: str, errors: dict, allow_none: bool) -> AccessLevel | None:
    if value in (None, "") and allow_none:
        return None
    try:
        return AccessLevel(int(value))
    except (TypeError, ValueError):
        errors[field] = "Choose view, contribute or manage."
        return None


def person_summary(profile: Profile) -> dict:
    """What the receiving team sees of the person before deciding."""
    return {"name": profile.full_name, "age": profile.age(), "gender": profile.get_gender_display()}


@transaction.atomic
def make_referral(
    *,
    by,
    profile: Profile,
    to_team: Team,
    form_slug: str,
    form,
    from_team: Team | None = None,
    programme: str = "",
    case_type: str = "",
    profile_level=AccessLevel.CONTRIBUTE,
    referrer_case_level=AccessLevel.CONTRIBUTE,
) -> Referral:
    """Refer ``profile`` to ``to_team`` with a referral form (a bound Django form of the
    form ``form_slug``). Arrives as a task for the receiving team, who are notified."""
    require_level(by, profile, AccessLevel.MANAGE, "refer this person (it shares their record)")
    spec = registry.referral_forms.get(form_slug)
    errors: dict = {}
    if spec is None:
        raise ValidationError({"form": f"There is no referral form {form_slug!r}."})
    programme = spec.programme or programme
    case_type = spec.case_type or case_type
    type_spec = registry.case_type(programme, case_type)
    if type_spec is None:
        errors["case_type"] = "Choose the programme and case type the referral is for."
    from_team = from_team or _default_from_team(by, profile)
    if from_team is None or not can_act_for_team(by, from_team):
        errors["from_team"] = "Refer on behalf of one of your own teams."
    if to_team is None:
        errors["to_team"] = "Choose the team you are referring to."
    else:
        to_team = Team.objects.select_related("organisation").filter(pk=to_team.pk).first()
        if to_team is None or not (to_team.is_active and to_team.organisation.is_active):
            errors["to_team"] = "This team is no longer active."
        elif from_team is not None and to_team.pk == from_team.pk:
            errors["to_team"] = "Choose another team than your own."
        elif type_spec is not None and not programme_enabled_for(to_team.organisation, programme):
            errors["to_team"] = f"{to_team.organisation} does not run {registry.programme_name(programme)}."
    profile_level = _level_or_none(profile_level, "profile_level", errors, allow_none=False)
    referrer_case_level = _level_or_none(referrer_case_level, "referrer_case_level", errors, allow_none=True)
    if not form.is_valid():
        for name, messages in form.errors.items():
            errors.setdefault(name, " ".join(messages))
    if errors:
        raise ValidationError(errors)
    referral = Referral.objects.create(
        profile=profile, from_team=from_team, to_team=to_team, programme=programme, case_type=case_type,
        form=form_slug, content={"form_label": spec.label, "answers": answers_of(form)},
        person_summary=person_summary(profile), participant_role=spec.participant_role,
        profile_level=profile_level, referrer_case_level=referrer_case_level, made_by=by,
    )
    ReferralStep.objects.create(referral=referral, action="made", by=by)
    Task.objects.create(
        title=f"Decide on referral #{referral.pk}: {spec.label}", profile=profile, referral=referral,
        assigned_team=to_team, due_on=timezone.localdate() + timedelta(days=7),
        priority=TaskPriority.HIGH, created_by=by,
    )
    audit.record(AuditAction.CREATE, referral, actor=by, changes={
        "profile": profile.pk, "from_team": str(from_team), "to_team": str(to_team), "programme": programme,
        "case_type": case_type, "form": form_slug, "shared": ["referral answers", "name", "age", "gender"],
    })
    notify(to_team, kind=NotificationKind.REFERRAL,
           subject=f"New referral #{referral.pk} from {from_team.organisation}: {spec.label}",
           url=referral_url(referral), actor=by)
    return referral


def _default_from_team(by, profile: Profile) -> Team | None:
    teams = Team.objects.filter(memberships__user=by).order_by("name")
    return teams.filter(pk=profile.owner_team_id).first() or teams.first()


def is_receiver(user, referral: Referral) -> bool:
    return can_act_for_team(user, referral.to_team)


def is_referrer(user, referral: Referral) -> bool:
    return referral.made_by_id == user.pk or can_act_for_team(user, referral.from_team)


def _lock_referral(referral: Referral) -> Referral:
    return Referral.objects.select_for_update(of=("self",)).select_related(
        "profile", "from_team__organisation", "to_team__organisation", "made_by"
    ).get(pk=referral.pk)


def _step(referral, by, action, status, note="", *, expected_version=None, extra=None, close_task=None):
    """Move ``referral`` to ``status``, keep the step, close its task if asked, audit."""
    before = referral.status
    referral.status = status
    fields = ["status"] + list(extra or ())
    save_versioned(referral, expected_version, fields)
    ReferralStep.objects.create(referral=referral, action=action, note=(note or "").strip(), by=by)
    if close_task:
        now = timezone.now()
        referral.tasks.filter(status__in=Task.OPEN_STATUSES).update(
            status=close_task, completed_at=now, completed_by=by, completion_note=(note or "")[:1000],
            updated_at=now,
        )
    audit.record(AuditAction.UPDATE, referral, actor=by,
                 changes={"status": [before, status], "step": action, "note": (note or "").strip()})


def _require_waiting(referral: Referral, *statuses) -> None:
    allowed = statuses or Referral.WAITING
    if referral.status not in allowed:
        raise ValidationError({"status": f"This referral is {referral.get_status_display().lower()}."})


@transaction.atomic
def accept_referral(referral: Referral, *, by, note: str = "", lead=None,
                    expected_version: int | None = None) -> Case:
    """The receiving team accepts: it gets the profile as the referral says, a case it
    owns starts with the person in it, and the referring team keeps its access."""
    referral = _lock_referral(referral)
    if not is_receiver(by, referral):
        raise NotAllowed("Only the receiving team can accept this referral.", code="forbidden")
    _require_waiting(referral, Referral.Status.SUBMITTED, Referral.Status.MORE_INFO)
    referrer = referral.made_by
    profile = referral.profile
    if not team_has_access(referral.to_team, profile, referral.profile_level):
        if referrer is None or not referrer.is_active or not can(referrer, profile, AccessLevel.MANAGE):
            raise ValidationError(
                "The referrer can no longer share this person's record, so it cannot be passed on. "
                "Ask the referring team to share it or to refer again."
            )
        grant_access(profile, referral.to_team, referral.profile_level, by=referrer,
                     reason=f"Referral #{referral.pk} accepted by {by}.")
    type_spec = registry.case_type(referral.programme, referral.case_type)
    case = open_case(
        by=by, owner_team=referral.to_team, programme=referral.programme, case_type=referral.case_type,
        # A neutral title: whoever is later given the case but not the person's profile
        # must not read the name in case lists (participants show it to those who may see it).
        title=f"{type_spec.name if type_spec else 'Case'} from referral #{referral.pk}",
        participants=[(profile, _participant_role(referral.participant_role))], lead=lead or by,
        summary=f"From referral #{referral.pk} by {referral.from_team}.",
    )
    # The case's action log starts with where it came from.
    Activity.objects.create(
        case=case, kind=Activity.Kind.REFERRAL, occurred_at=timezone.now(), recorded_by=by,
        organisation=referral.to_team.organisation,
        summary=f"Referral #{referral.pk} from {referral.from_team} accepted"[:300], details=(note or "").strip(),
    )
    if referral.referrer_case_level is not None:
        grant_access(case, referral.from_team, referral.referrer_case_level, by=by,
                     reason=f"Referring team of referral #{referral.pk} follows the case.")
    referral.case, referral.decided_by, referral.decided_at = case, by, timezone.now()
    _step(referral, by, "accepted", Referral.Status.ACCEPTED, note, expected_version=expected_version,
          extra=["case", "decided_by", "decided_at"], close_task=Task.Status.DONE)
    notify([referral.from_team, referrer] if referrer else [referral.from_team], kind=NotificationKind.REFERRAL,
           subject=f"Referral #{referral.pk} accepted by {referral.to_team.organisation}",
           url=referral_url(referral), actor=by)
    return case


def _participant_role(role: str) -> str:
    from ..models import CaseParticipant

    return role if role in CaseParticipant.Role.values else CaseParticipant.Role.SUBJECT


@transaction.atomic
def decline_referral(referral: Referral, *, by, reason: str, expected_version: int | None = None) -> Referral:
    referral = _lock_referral(referral)
    if not is_receiver(by, referral):
        raise NotAllowed("Only the receiving team can decline this referral.", code="forbidden")
    _require_waiting(referral)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the referral is declined."})
    referral.decided_by, referral.decided_at = by, timezone.now()
    _step(referral, by, "declined", Referral.Status.DECLINED, reason, expected_version=expected_version,
          extra=["decided_by", "decided_at"], close_task=Task.Status.DONE)
    notify(_referrer_side(referral), kind=NotificationKind.REFERRAL,
           subject=f"Referral #{referral.pk} declined by {referral.to_team.organisation}",
           url=referral_url(referral), actor=by)
    return referral


@transaction.atomic
def ask_for_information(referral: Referral, *, by, question: str,
                        expected_version: int | None = None) -> Referral:
    referral = _lock_referral(referral)
    if not is_receiver(by, referral):
        raise NotAllowed("Only the receiving team can ask about this referral.", code="forbidden")
    _require_waiting(referral, Referral.Status.SUBMITTED)
    if not (question or "").strip():
        raise ValidationError({"question": "Say what you need to know."})
    _step(referral, by, "more_info_asked", Referral.Status.MORE_INFO, question, expected_version=expected_version)
    notify(_referrer_side(referral), kind=NotificationKind.REFERRAL,
           subject=f"Referral #{referral.pk}: {referral.to_team.organisation} asks for more information",
           url=referral_url(referral), actor=by)
    return referral


@transaction.atomic
def give_information(referral: Referral, *, by, answer: str, expected_version: int | None = None) -> Referral:
    referral = _lock_referral(referral)
    if not is_referrer(by, referral):
        raise NotAllowed("Only the referring team can answer about this referral.", code="forbidden")
    _require_waiting(referral, Referral.Status.MORE_INFO)
    if not (answer or "").strip():
        raise ValidationError({"answer": "Give the information asked for."})
    _step(referral, by, "more_info_given", Referral.Status.SUBMITTED, answer, expected_version=expected_version)
    notify(referral.to_team, kind=NotificationKind.REFERRAL,
           subject=f"Referral #{referral.pk}: more information from {referral.from_team.organisation}",
           url=referral_url(referral), actor=by)
    return referral


@transaction.atomic
def withdraw_referral(referral: Referral, *, by, reason: str, expected_version: int | None = None) -> Referral:
    referral = _lock_referral(referral)
    if not is_referrer(by, referral):
        raise NotAllowed("Only the referring team can withdraw this referral.", code="forbidden")
    _require_waiting(referral)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the referral is withdrawn."})
    _step(referral, by, "withdrawn", Referral.Status.WITHDRAWN, reason, expected_version=expected_version,
          close_task=Task.Status.CANCELLED)
    notify(referral.to_team, kind=NotificationKind.REFERRAL,
           subject=f"Referral #{referral.pk} withdrawn by {referral.from_team.organisation}",
           url=referral_url(referral), actor=by)
    return referral


def _referrer_side(referral: Referral) -> list:
    return [t for t in (referral.from_team, referral.made_by) if t is not None]
