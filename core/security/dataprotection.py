"""Data protection: subject access (everything held about one person, as one download)
(retention and erasure are in their own modules).

- :func:`subject_access_export` builds a zip: ``profile.json`` (the profile and every
  row that hangs off it: aliases, identifiers, addresses, markers, roles, relationships,
  household memberships…, found from the model's relations so new ones are included),
  ``cases.json`` (the cases the person takes part in, with their role),
  ``activities.csv`` (the action log of the profile and of those cases) and
  ``access_log.csv`` (the audit trail: who viewed or changed the profile and when).
  Only users who may *manage* the profile (its owner team) may run it, and it holds
  what they may see: other agencies' unshared cases and restricted entries are theirs to
  disclose. It is audited as ``EXPORT`` with the stated reason.
- Retention review and erasure: ``core.security.retention`` and ``core.security.erasure``.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.forms.models import model_to_dict

from .. import access, audit
from ..models import Activity, AuditEvent, CaseParticipant, Profile


def may_export(user, profile: Profile) -> bool:
    """Those who manage the record (its owner team, their organisation's admins, a
    manage grant). A role gives no access to records, so a system admin is not enough."""
    return access.can(user, profile, access.AccessLevel.MANAGE)


def _row(obj: models.Model) -> dict:
    data = model_to_dict(obj)
    data["id"] = obj.pk
    for field in obj._meta.concrete_fields:
        if isinstance(field, models.FileField):
            data[field.name] = getattr(obj, field.name).name or ""
    return data


def _profile_related(profile: Profile, user) -> dict[str, list[dict]]:
    """Rows of every protected model with a foreign key to the profile, as far as
    ``user`` may see them (another organisation's restricted reports, a relationship to a
    person not shared with them…). Models the access engine does not protect — derived
    tables such as the access index — are left out: deny by default."""
    from ..access.engine import FILTERS

    related: dict[str, list[dict]] = {}
    for rel in profile._meta.related_objects:
        if not (rel.one_to_many or rel.one_to_one) or rel.related_model in (Activity, CaseParticipant):
            continue
        if rel.related_model not in FILTERS:
            continue
        rows = access.restrict(rel.related_model._default_manager.filter(**{rel.field.name: profile}), user)
        if rows.exists():
            related[rel.related_model._meta.label_lower] = [_row(r) for r in rows]
    return related


def subject_access_export(profile: Profile, *, by, reason: str) -> bytes:
    """Everything held about ``profile`` as a zip (see the module docstring)."""
    if not may_export(by, profile):
        raise PermissionDenied("Only those who manage the profile (its owner team) may export it.")
    if len(reason.strip()) < 10:
        raise ValidationError({"reason": "Say why this export is made (the request reference, at least 10 characters)."})
    # What the exporter may see, as everywhere else: cases of other agencies that were not
    # shared, and their restricted entries, are theirs to disclose (docs/security.md).
    participations = access.restrict(CaseParticipant.objects.filter(profile=profile), by).select_related("case")
    cases = [{**_row(p.case), "role_in_case": p.role} for p in participations]
    case_ids = [p.case_id for p in participations]
    activities = access.restrict(
        Activity.objects.filter(models.Q(profile=profile) | models.Q(case_id__in=case_ids)), by
    ).order_by("occurred_at")
    events = AuditEvent.objects.for_object(profile).order_by("occurred_at")

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("profile.json", json.dumps({"profile": _row(profile), "related": _profile_related(profile, by)},
                                               cls=DjangoJSONEncoder, indent=2))
        zf.writestr("cases.json", json.dumps(cases, cls=DjangoJSONEncoder, indent=2))
        zf.writestr("activities.csv", _csv(["id", "case_id", "kind", "occurred_at", "summary", "details"],
                                           ([a.pk, a.case_id or "", a.kind, a.occurred_at.isoformat(), a.summary, a.details]
                                            for a in activities)))
        zf.writestr("access_log.csv", _csv(["occurred_at", "actor", "organisation", "action", "channel", "justification"],
                                           ([e.occurred_at.isoformat(), e.actor_username, e.organisation_name, e.action,
                                             e.channel, e.justification] for e in events)))
    with transaction.atomic():
        audit.record(audit.AuditAction.EXPORT, profile, actor=by, justification=reason.strip(),
                     changes={"kind": "subject_access", "cases": len(cases), "activities": activities.count()})
    return buf.getvalue()


def _csv(header, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        # Cells starting with = + - @ would run as formulas in a spreadsheet.
        writer.writerow([f"'{c}" if isinstance(c, str) and c[:1] in "=+-@" else c for c in row])
    return out.getvalue()


# Retention lives in ``core.security.retention``; erasure in ``core.security.erasure``.
from .retention import retention_years  # noqa: E402,F401  (kept importable from here)
