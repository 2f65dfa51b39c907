"""The case operations the case screens need beyond ``services.cases``: taking a person
off a case, unlinking cases, reopening a closed case, and auditing a printed or
downloaded chronology.

Kept apart from ``cases.py`` so that the case screens' additions stay in one module;
the rules are the same: one transaction, the level checked through ``core.access``
(contribute to change who is on a case or what it links to, manage to reopen what
closing needed manage for), one audit event, nothing written on a refusal."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import audit
from ..access import AccessLevel
from ..models import Activity, AuditAction, Case, CaseParticipant
from .cases import _log
from .errors import require_level, save_versioned


@transaction.atomic
def remove_participant(participant: CaseParticipant, *, by) -> None:
    """Take a person (in one role) off a case. Contribute on the case is needed, as for
    adding them; the profile itself is untouched."""
    case = participant.case
    require_level(by, case, AccessLevel.CONTRIBUTE, "change this case")
    removed = CaseParticipant.objects.filter(pk=participant.pk, case=case).delete()[0]
    if not removed:
        raise ValidationError({"participant": "This person is no longer on the case."})
    audit.record(AuditAction.UPDATE, case, actor=by,
                 changes={"removed_participant": participant.profile_id, "role": participant.role})


@transaction.atomic
def unlink_cases(case: Case, other: Case, *, by) -> None:
    """Undo :func:`services.link_cases` (the link is symmetrical, so either side may)."""
    require_level(by, case, AccessLevel.CONTRIBUTE, "change this case")
    if not case.linked_cases.filter(pk=other.pk).exists():
        raise ValidationError({"other": "These cases are not linked."})
    case.linked_cases.remove(other)
    audit.record(AuditAction.LINK, case, actor=by, changes={"unlinked_case": other.reference})


@transaction.atomic
def reopen_case(case: Case, *, by, reason: str, expected_version: int | None = None) -> Activity:
    """Reopen a closed case (new information, a closure in error). Manage is needed, as
    for closing. The outcome is cleared from the case but stays in the action log, and
    the reopening is itself an entry there, with the reason."""
    require_level(by, case, AccessLevel.MANAGE, "reopen this case")
    reason = " ".join((reason or "").split())
    errors = {}
    if case.status != Case.Status.CLOSED:
        errors["status"] = "This case is open."
    if len(reason) < 5:
        errors["reason"] = "Say why the case is reopened (at least 5 characters)."
    if errors:
        raise ValidationError(errors)
    previous = case.outcome
    case.status, case.closed_on, case.outcome, case.outcome_notes = Case.Status.OPEN, None, "", ""
    save_versioned(case, expected_version, ["status", "closed_on", "outcome", "outcome_notes"])
    activity = _log(case, by, Activity.Kind.STAGE_CHANGE, "Case reopened", reason)
    audit.record(AuditAction.UPDATE, case, actor=by,
                 changes={"status": ["closed", "open"], "previous_outcome": previous, "activity": activity.pk})
    return activity


def record_chronology_output(case: Case, *, by, action: str, entries: int, justification: str = "") -> None:
    """Audit that ``by`` printed (``AuditAction.PRINT``) or downloaded
    (``AuditAction.EXPORT``) the chronology of ``case``: a disclosure of everything in
    it, so the number of entries goes in the event."""
    if action not in (AuditAction.PRINT, AuditAction.EXPORT):
        raise ValueError("A chronology is printed or exported.")
    require_level(by, case, AccessLevel.VIEW, "print this case")
    with transaction.atomic():
        audit.record(action, case, actor=by, justification=justification,
                     changes={"chronology_entries": entries})
