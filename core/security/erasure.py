"""Justified erasure of records past retention.

An organisation erases *its own* records (profiles and cases its teams own) once they are
past retention (``core.security.retention``), with a written justification and a
confirmation (the record's reference typed again). Everything happens in one transaction
with one ``ERASE`` audit event holding who, when, the justification, the record's
reference and how many rows of each kind went — never what they said. Stored files are
removed only after the transaction commits, so a failure leaves the record whole.

What goes with a **profile**:

- the profile and everything hanging off it: names, aliases, identifiers, addresses,
  roles, warning markers, relationships, household memberships, gallery entries, alerts,
  access requests, grants, its own action-log entries, reports (every version), tasks
  and their attachments, referrals about the person (with their steps and tasks), the
  photo file;
- the cases the organisation owns in which the person is the **only** participant
  (erased as below);
- the person's participation in the organisation's cases that have other participants
  (those cases stay: they are the other people's record too);
- notifications pointing at anything erased, import history rows with before-images of
  the profile, Wagtail log entries of the profile and erased cases.

What goes with a **case**: the case with its entries, reports, tasks and attachments,
participants (the people's profiles stay), grants and links; a referral that opened it
keeps its other details.

**Refused, nothing done**, when another organisation holds part of the record: the person
takes part in a case another organisation owns, or another organisation recorded entries
or reports on the profile or on a case that would be erased. That part is theirs to
review; they remove the person from their case, or erase their own records, first. The
refusal says how many, not which (they may not be visible to the admin).

Not changed: audit events written before the erasure (the trail is append-only and is the
s.62 log the law asks to keep); they keep the description they were written with.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from .. import audit
from ..models import (
    Activity,
    Case,
    CaseParticipant,
    ImportedRecord,
    Notification,
    Profile,
    Referral,
    Report,
    Task,
)
from ..models.audit import AuditAction
from .retention import case_status, profile_status, record_reference, reviewing_organisations

MIN_JUSTIFICATION = 20


def erasable(model: type[Profile] | type[Case], user, pk) -> Profile | Case:
    """The record ``pk`` if ``user`` reviews its owner organisation, else 404 (a record of
    another organisation does not exist for them)."""
    record = model.objects.filter(
        pk=pk, owner_team__organisation_id__in=reviewing_organisations(user).values("pk")
    ).select_related("owner_team").first()
    if record is None:
        raise Http404
    return record


@dataclass
class Plan:
    """What erasing a record would do, worked out before anything is written."""

    record: Profile | Case
    cases: list[Case] = field(default_factory=list)  # erased with it
    participations: list[CaseParticipant] = field(default_factory=list)  # only the person's row removed
    blockers: list[str] = field(default_factory=list)


def _foreign_entries(org_id: int, *, profile=None, cases=()) -> tuple[int, int]:
    entries = reports = 0
    if profile is not None:
        entries += Activity.objects.filter(profile=profile).exclude(organisation_id=org_id).count()
        reports += Report.objects.filter(profile=profile).exclude(organisation_id=org_id).count()
    if cases:
        entries += Activity.objects.filter(case__in=cases).exclude(organisation_id=org_id).count()
        reports += Report.objects.filter(case__in=cases).exclude(organisation_id=org_id).count()
    return entries, reports


def _blockers(entries: int, reports: int) -> list[str]:
    out = []
    if entries:
        out.append(f"{entries} action-log entr{'y' if entries == 1 else 'ies'} recorded by other organisations")
    if reports:
        out.append(f"{reports} report{'' if reports == 1 else 's'} written by other organisations")
    return out


def plan_profile(profile: Profile) -> Plan:
    org_id = profile.owner_team.organisation_id
    plan = Plan(profile)
    foreign_cases = 0
    for part in CaseParticipant.objects.filter(profile=profile).select_related("case__owner_team"):
        case = part.case
        if case.owner_team.organisation_id != org_id:
            foreign_cases += 1
        elif CaseParticipant.objects.filter(case=case).exclude(profile=profile).exists():
            plan.participations.append(part)
        else:
            plan.cases.append(case)
    if foreign_cases:
        plan.blockers.append(f"the person takes part in {foreign_cases} case{'' if foreign_cases == 1 else 's'} "
                             "owned by other organisations")
    plan.blockers += _blockers(*_foreign_entries(org_id, profile=profile, cases=plan.cases))
    return plan


def plan_case(case: Case) -> Plan:
    plan = Plan(case, cases=[case])
    plan.blockers += _blockers(*_foreign_entries(case.owner_team.organisation_id, cases=[case]))
    return plan


def _check_request(record, plan: Plan, *, justification: str, confirm: str, today) -> tuple[str, object]:
    errors: dict[str, str] = {}
    justification = (justification or "").strip()
    if len(justification) < MIN_JUSTIFICATION:
        errors["justification"] = (f"Say why this record is erased (at least {MIN_JUSTIFICATION} characters: "
                                   "the retention decision, its reference).")
    elif _names_the_person(record, justification):
        errors["justification"] = ("Do not write the person's name or identifiers in the justification: it stays "
                                   "in the audit trail after the record is gone.")
    if (confirm or "").strip().upper() != record_reference(record):
        errors["confirm"] = f"Type the record's reference, {record_reference(record)}, to confirm."
    status = profile_status(record, today) if isinstance(record, Profile) else case_status(record, today)
    if status is None:
        errors["__all__"] = ("This record is not past its retention period (a case must be closed, and its last "
                             "activity older than the programme's period): it cannot be erased.")
    elif plan.blockers:
        errors["__all__"] = ("This record cannot be erased: " + "; ".join(plan.blockers)
                             + ". That part is theirs: they remove the person from their case or erase their own "
                             "records first.")
    if errors:
        raise ValidationError(errors)
    return justification, status


def _names_the_person(record, text: str) -> bool:
    text = text.casefold()
    profiles = [record] if isinstance(record, Profile) else list(
        Profile.objects.filter(case_participations__case=record))
    for profile in profiles:
        words = [profile.first_name, profile.last_name, profile.middle_names, profile.preferred_name,
                 *profile.aliases.values_list("name", flat=True),
                 *profile.identifiers.values_list("value", flat=True)]
        if any(len(w) >= 3 and w.casefold() in text for w in words if w):
            return True
    return False


def _files_of(profile_ids: list[int], case_ids: list[int]) -> list:
    """Stored files that go with the rows: photos, task attachments, report files (every
    version's). Deleted after commit."""
    from django.db.models import Q

    from ..models import ReportVersion, TaskAttachment

    files = [p.photo for p in Profile.objects.filter(pk__in=profile_ids).exclude(photo="")]
    tasks = Task.objects.filter(Q(profile_id__in=profile_ids) | Q(case_id__in=case_ids)
                                | Q(referral__profile_id__in=profile_ids))
    files += [a.file for a in TaskAttachment.objects.filter(task__in=tasks)]
    reports = Report.objects.filter(Q(profile_id__in=profile_ids) | Q(case_id__in=case_ids))
    paths = set()
    for data in [*reports.values_list("data", flat=True),
                 *ReportVersion.objects.filter(report__in=reports).values_list("data", flat=True)]:
        for value in (data or {}).values():
            if isinstance(value, dict) and value.get("path"):
                paths.add(value["path"])
    return files + sorted(paths)


def _urls_of(profile_ids: list[int], case_ids: list[int]) -> set[str]:
    """Admin addresses of what is erased, to remove the notifications that point at them
    (their subjects may quote a name or a title)."""
    from django.db.models import Q
    from django.urls import reverse

    from ..models import Alert
    from ..services.alerts import alert_url
    from ..services.work import referral_url, task_url

    urls = {reverse("wraparound_profiles:detail", args=[pk]) for pk in profile_ids}
    urls |= {reverse("wraparound_cases:detail", args=[pk]) for pk in case_ids}
    urls |= {task_url(t) for t in Task.objects.filter(
        Q(profile_id__in=profile_ids) | Q(case_id__in=case_ids) | Q(referral__profile_id__in=profile_ids)).only("pk")}
    urls |= {referral_url(r) for r in Referral.objects.filter(profile_id__in=profile_ids).only("pk")}
    urls |= {alert_url(a) for a in Alert.objects.filter(profile_id__in=profile_ids).only("pk")}
    return urls


def _delete_file(item) -> None:
    from django.core.files.storage import default_storage

    if isinstance(item, str):
        default_storage.delete(item)
    else:
        item.storage.delete(item.name)


def _erase(plan: Plan, *, by, justification: str, status, kind: str) -> dict:
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ModelLogEntry

    record = plan.record
    record_pk, reference = record.pk, record_reference(record)  # delete() forgets the pk
    profile_ids = [record.pk] if kind == "profile" else []
    case_ids = [c.pk for c in plan.cases]
    case_references = [c.reference for c in plan.cases]
    counts: Counter = Counter()

    files = _files_of(profile_ids, case_ids)
    counts["files"] = len(files)
    counts["notifications"] = Notification.objects.filter(url__in=_urls_of(profile_ids, case_ids)).delete()[0]
    counts["import history rows"] = ImportedRecord.objects.filter(
        object_type="core.profile", object_id__in=profile_ids).delete()[0]
    for model, ids in ((Profile, profile_ids), (Case, case_ids)):
        counts["log entries"] += ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), object_id__in=[str(i) for i in ids]).delete()[0]
    if profile_ids:
        # Referrals protect the profile; they are about the person and go with them.
        _, by_model = Referral.objects.filter(profile_id__in=profile_ids).delete()
        counts.update(by_model)
        for part in plan.participations:
            _, by_model = CaseParticipant.objects.filter(pk=part.pk).delete()
            counts["case participations removed"] += by_model.get("core.CaseParticipant", 0)
    for case in plan.cases:
        _, by_model = case.delete()
        counts.update(by_model)
    if profile_ids:
        _, by_model = record.delete()
        counts.update(by_model)
    # Labels such as "core.Profile" → "profile"; permission rows are counted with grants.
    table = {}
    for label, n in counts.items():
        if n:
            name = label.split(".", 1)[-1].lower() if "." in label else label
            table[name] = table.get(name, 0) + n
    audit.record(
        AuditAction.ERASE, actor=by, object_type=f"core.{kind}", object_id=str(record_pk), justification=justification,
        changes={"reference": reference, "counts": table, "retention_years": status.years,
                 "cases_erased": case_references},
    )
    transaction.on_commit(lambda: [_delete_file(f) for f in files])
    return table


def erase_profile(profile: Profile, *, by, justification: str, confirm: str, today=None) -> dict:
    """Erase ``profile`` (see the module docstring). ``by`` must review its owner
    organisation. Raises ``ValidationError`` (per field) and changes nothing when the
    request is incomplete, the record is not past retention, or another organisation
    holds part of it. Returns the counts of what went."""
    with transaction.atomic():
        profile = erasable(Profile, by, profile.pk)
        profile = Profile.objects.select_for_update().select_related("owner_team").get(pk=profile.pk)
        plan = plan_profile(profile)
        justification, status = _check_request(profile, plan, justification=justification, confirm=confirm,
                                               today=today or timezone.localdate())
        return _erase(plan, by=by, justification=justification, status=status, kind="profile")


def erase_case(case: Case, *, by, justification: str, confirm: str, today=None) -> dict:
    """Erase ``case`` (see the module docstring); the same rules as :func:`erase_profile`."""
    with transaction.atomic():
        case = erasable(Case, by, case.pk)
        case = Case.objects.select_for_update().select_related("owner_team").get(pk=case.pk)
        plan = plan_case(case)
        justification, status = _check_request(case, plan, justification=justification, confirm=confirm,
                                               today=today or timezone.localdate())
        return _erase(plan, by=by, justification=justification, status=status, kind="case")
