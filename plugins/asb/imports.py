"""The ASB case log import: one row per case, the subject found among the profiles the
importer may see (import the people first with the Profiles resource).

Added through the ``wraparound_import_resources`` hook only, on core's public API: the
widgets and resource base of ``core.imports``, ``core.access`` for reads and
``core.services.open_case`` for writes (one audited transaction per case, inside the
import's batch transaction). Re-importing the same log does not duplicate: a row whose
subject already has an ASB case of the owner team opened on the same date with the same
title is left unchanged."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models.functions import Upper

from core import access, services
from core.imports import widgets as w
from core.imports.resources import Context, ImportField, ImportResource, Row
from core.models import Activity, AuditAction, AuditEvent, Case, Identifier, ImportedRecord, Profile

from .plugin import PROGRAMME

READS = (AuditAction.VIEW, AuditAction.SEARCH, AuditAction.EXPORT, AuditAction.PRINT)


class ASBCaseLogResource(ImportResource):
    code = "asb_case_log"
    label = "ASB case log"
    description = "A council or police ASB log: one row per case, with its subject."
    model = Case

    def get_fields(self):
        types = [(t.slug, t.name) for t in PROGRAMME.case_types]
        stages = {s.slug: s.name for t in PROGRAMME.case_types for s in t.stages}
        return [
            ImportField("opened_on", "Date opened", w.UKDateWidget(past=True),
                        ("opened", "date reported", "reported", "date"), required=True),
            ImportField("title", "Title", w.TextWidget(200), ("incident", "description", "issue"), required=True),
            ImportField("case_type", "Case type", w.ChoiceWidget(types, {"asb": "asb_case", "dispute": "neighbour_dispute"}),
                        ("type",)),
            ImportField("stage", "Stage", w.ChoiceWidget(list(stages.items()), {"abc": "abc"}), ("status",)),
            ImportField("summary", "Summary", w.TextWidget(), ("notes", "details")),
            ImportField("subject_pnc", "Subject PNC ID", w.TextWidget(100), ("pnc", "pnc no")),
            ImportField("subject_last_name", "Subject last name", w.NameWidget(100), ("surname", "last name")),
            ImportField("subject_first_name", "Subject first name", w.NameWidget(100), ("forename", "first name")),
            ImportField("subject_date_of_birth", "Subject date of birth", w.UKDateWidget(past=True), ("dob", "d.o.b")),
        ]

    def plan(self, rows: list[Row], ctx: Context) -> None:
        visible = access.restrict(Profile.objects.all(), ctx.user)
        pncs = {r.values["subject_pnc"].upper() for r in rows if not r.errors and r.values.get("subject_pnc")}
        by_pnc = dict(access.restrict(Identifier.objects.filter(kind="pnc", value__in=pncs), ctx.user)
                      .values_list("value", "profile_id"))
        for r in rows:
            if r.errors:
                continue
            v = r.values
            case_type = PROGRAMME.case_type(v.get("case_type") or "asb_case")
            if v.get("stage") and case_type.stage(v["stage"]) is None:
                r.errors.append(("stage", f"{case_type.name} has no stage {v['stage']!r}."))
                continue
            subject = by_pnc.get((v.get("subject_pnc") or "").upper())
            if subject is None and v.get("subject_last_name") and v.get("subject_date_of_birth"):
                found = list(visible.annotate(ul=Upper("last_name"), uf=Upper("first_name")).filter(
                    ul=v["subject_last_name"].upper(), uf=(v.get("subject_first_name") or "").upper(),
                    date_of_birth=v["subject_date_of_birth"]).values_list("pk", flat=True)[:2])
                if len(found) > 1:
                    r.errors.append(("subject_last_name", "Matches several profiles; give the subject's PNC ID."))
                    continue
                subject = found[0] if found else None
            if subject is None:
                r.errors.append(("", "No profile you can see matches the subject: import the people first, "
                                     "or give their PNC ID."))
                continue
            r.target = subject
            existing = Case.objects.filter(programme=PROGRAMME.slug, owner_team=ctx.owner_team, opened_on=v["opened_on"],
                                           title=v["title"], participants__profile_id=subject).exists()
            r.action = "skip" if existing else "create"
            r.summary = f"{v['title']}, opened {v['opened_on']:%d/%m/%Y}" + (" (already imported)" if existing else "")

    def write(self, rows: list[Row], ctx: Context) -> list[ImportedRecord]:
        records = []
        profiles = Profile.objects.in_bulk([r.target for r in rows if r.action == "create"])
        for r in rows:
            if r.action != "create":
                continue
            v = r.values
            try:
                case = services.open_case(
                    by=ctx.user, owner_team=ctx.owner_team, programme=PROGRAMME.slug,
                    case_type=v.get("case_type") or "asb_case", title=v["title"], stage=v.get("stage") or None,
                    opened_on=v["opened_on"], summary=v.get("summary") or "",
                    participants=[(profiles[r.target], "subject")])
            except ValidationError as exc:
                raise ValidationError(f"Row {r.number}: {' '.join(exc.messages)}") from exc
            event = AuditEvent.objects.for_object(case).order_by("-id").values_list("id", flat=True).first()
            records.append(ImportedRecord(job=ctx.job, row=r.number, action="created", object_type="core.case",
                                          object_id=case.pk, object_repr=f"{case.reference} {case.title}"[:300],
                                          audit_event_id=event))
        return records

    def undo_blockers(self, records: list[ImportedRecord]) -> list[str]:
        names = {r.object_id: f"{r.object_repr} (row {r.row})" for r in records}
        own = {r.object_id: r.audit_event_id or 0 for r in records}
        blockers, seen = [], set()
        later = AuditEvent.objects.filter(object_type="core.case", object_id__in=[str(pk) for pk in names]).exclude(
            action__in=READS).values_list("object_id", "id")
        for object_id, event_id in later:
            pk = int(object_id)
            if event_id > own[pk] and pk not in seen:
                seen.add(pk)
                blockers.append(f"{names[pk]} was changed after the import.")
        for pk in Activity.objects.filter(case_id__in=names).values_list("case_id", flat=True).distinct():
            if pk not in seen:
                seen.add(pk)
                blockers.append(f"{names[pk]} has log entries recorded after the import.")
        return blockers

    def undo(self, records: list[ImportedRecord], ctx: Context) -> None:
        from core.imports.resources import audit_events

        cases = list(Case.objects.filter(pk__in=[r.object_id for r in records]))
        audit_events(AuditAction.DELETE, [(c, {"undo": True}) for c in cases], actor=ctx.user, job=ctx.job)
        Case.objects.filter(pk__in=[c.pk for c in cases]).delete()
