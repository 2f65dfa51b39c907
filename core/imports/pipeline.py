"""Running an import job: dry run, commit, undo.

- A *dry run* reads, cleans, matches and plans every row and stores the counts, every
  error (row, column, reason) and a preview on the job; it writes no record.
- *Commit*, mode "all or nothing": a dry run first; any error and nothing is written.
  Otherwise every batch is written inside one transaction, so the database holds all
  of the import or none of it. The rows are matched again as they are written (the
  data may have changed meanwhile), from the cells the check pass cleaned.
- *Commit*, mode "valid rows": each batch of ``BATCH_SIZE`` rows is checked and
  written in its own transaction together with the job's progress; rows with errors
  are listed and skipped. An interrupted import leaves whole batches, each recorded
  on the job (and so undoable).
- *Undo* removes what the job created and restores what it updated, in one
  transaction, unless something newer depends on it (the resource says what).

Every record written is audited (channel "import") with the importer as actor and the
job's id in the event."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl.utils import get_column_letter

from .. import audit
from ..models import AuditAction, Channel, ImportedRecord, ImportJob
from . import reading
from .fastwrite import insert_rows
from .registry import get_resource
from .resources import Context, Row

BATCH_SIZE = 1000
PREVIEW_ROWS = 200
#: Mode "all or nothing" keeps the cleaned cells of a sheet up to this many rows between
#: its check and write passes (the sheet itself is in memory already); a longer one is
#: read and cleaned twice.
KEEP_CLEANED_ROWS = 200_000


class UndoRefused(ValidationError):
    """Something newer depends on the imported records; ``blockers`` says what."""

    def __init__(self, blockers: list[str]):
        self.blockers = blockers
        super().__init__("This import cannot be undone: " + " ".join(blockers))


@dataclass
class Outcome:
    counts: dict
    errors: list[dict]
    preview: list[dict]


def prepare(job: ImportJob, header_row: int | None = None) -> reading.Sheet:
    """Read the file and (re)find the heading row and headings; stores them on the job."""
    sheet = reading.read_sheet(bytes(job.content), job.filename)
    resource = get_resource(job.resource)
    if not sheet.rows:
        raise reading.SheetError("The sheet is empty.")
    index = header_row - 1 if header_row else reading.find_header_row(sheet, lambda t: bool(resource.suggest(t)))
    if not 0 <= index < len(sheet.rows):
        raise reading.SheetError(f"Row {header_row} is not in the sheet.")
    job.header_row = index + 1
    job.headers = reading.headings(sheet, index)
    job.total_rows = sum(1 for _ in reading.data_rows(sheet, index))
    if not job.total_rows:
        raise reading.SheetError("There are no rows under the headings.")
    return sheet


def run(job: ImportJob, *, dry_run: bool) -> Outcome:
    """Dry-run or commit ``job`` (its mapping, constants, owner team and mode are set)."""
    with audit.audit_context(channel=Channel.IMPORT):
        sheet = prepare(job, job.header_row)
        _set(job, status=ImportJob.Status.RUNNING, started_at=timezone.now(), processed_rows=0,
             total_rows=job.total_rows, message="")
        try:
            if dry_run:
                outcome = _pass(job, sheet, write=False)
                _finish(job, outcome, ImportJob.Status.PREVIEWED)
            elif job.mode == ImportJob.Mode.ALL_OR_NOTHING:
                # The check pass keeps the cleaned cells (up to KEEP_CLEANED_ROWS rows), so
                # that the write pass matches and writes them without reading and cleaning
                # the sheet again (a fifth of the mode's time, measured).
                cleaned = [] if job.total_rows <= KEEP_CLEANED_ROWS else None
                outcome = _pass(job, sheet, write=False, keep=cleaned)
                if outcome.counts["error"]:
                    _finish(job, outcome, ImportJob.Status.FAILED,
                            "Nothing was imported: correct the rows listed and upload the sheet again.")
                    return outcome
                _set(job, processed_rows=0)
                with transaction.atomic():
                    outcome = _pass(job, sheet, write=True, atomic_batches=False, replay=cleaned)
                    if outcome.counts["error"]:  # the data changed since the check
                        transaction.set_rollback(True)
                if outcome.counts["error"]:
                    _finish(job, outcome, ImportJob.Status.FAILED, "Nothing was imported: records changed meanwhile.")
                    return outcome
                _finish(job, outcome, ImportJob.Status.COMMITTED)
            else:
                outcome = _pass(job, sheet, write=True)
                _finish(job, outcome, ImportJob.Status.COMMITTED)
        except Exception as exc:
            _set(job, status=ImportJob.Status.FAILED, finished_at=timezone.now(),
                 message=f"The import stopped: {exc}. Batches written before it are listed below and can be undone.")
            raise
        return outcome


def _pass(job: ImportJob, sheet: reading.Sheet, *, write: bool, atomic_batches: bool = True,
          keep: list | None = None, replay: list | None = None) -> Outcome:
    """One pass over the rows: clean, plan (match), and write if ``write``. ``keep``
    collects each row's cleaned cells and cell errors; ``replay`` (a list ``keep``
    collected) is used instead of reading and cleaning the sheet again."""
    resource = get_resource(job.resource)
    ctx = Context(job=job, user=job.created_by, owner_team=job.owner_team, dry_run=not write)
    columns = [(c, h, job.mapping.get(h, "")) for c, h in enumerate(job.headers)]
    columns = [(c, h, f) for c, h, f in columns if f]
    heading_of = {f: f"{get_column_letter(c + 1)} ({h})" for c, h, f in columns}
    constants = {k: v for k, v in job.constants.items() if v not in (None, "")}
    counts = {"create": 0, "update": 0, "skip": 0, "error": 0}
    errors: list[dict] = []
    preview: list[dict] = []
    batch: list[Row] = []

    def flush():
        if not batch:
            return
        if write and atomic_batches:
            with transaction.atomic():
                _process(batch)
                _set(job, processed_rows=job.processed_rows + len(batch))
        else:
            _process(batch)
            _set(job, processed_rows=job.processed_rows + len(batch))
        batch.clear()

    def _process(rows: list[Row]):
        resource.plan(rows, ctx)
        if write:
            records = resource.write([r for r in rows if not r.errors], ctx)
            insert_rows(ImportedRecord, [r if isinstance(r, dict) else _record_values(r) for r in records])
        for r in rows:
            if r.errors:
                counts["error"] += 1
                for field, reason in r.errors:
                    if len(errors) < ImportJob.MAX_ERRORS:
                        column = heading_of.get(field) or (
                            f"{resource.fields_by_name()[field].label} (constant)" if field in constants else "")
                        errors.append({"row": r.number, "column": column, "reason": reason})
            else:
                counts[r.action] += 1
            if len(preview) < PREVIEW_ROWS:
                preview.append({"row": r.number, "action": "error" if r.errors else r.action,
                                "summary": r.summary or _first_cells(r)})

    def cleaned_rows():
        for number, index, cells in reading.data_rows(sheet, job.header_row - 1):
            raw = dict(constants)
            formula_errors = []
            for c, _heading, field in columns:
                value = cells[c] if c < len(cells) else None
                if (index, c) in sheet.formulas:
                    formula_errors.append((field, f"holds a formula ({str(value)[:40]}); save the sheet with values "
                                                  "instead of formulas."))
                    continue
                if not reading._empty(value) or field not in raw:
                    raw[field] = value
            values, row_errors = resource.clean(raw)
            if formula_errors:  # "required" says nothing more about a formula cell
                flagged = {f for f, _ in formula_errors}
                row_errors = [(f, reason) for f, reason in row_errors if f not in flagged]
            yield number, values, formula_errors + row_errors

    for number, values, row_errors in (replay if replay is not None else cleaned_rows()):
        if keep is not None:
            keep.append((number, values, row_errors))
        # Copies: planning and writing may add to a row's values and errors.
        batch.append(Row(number=number, values=dict(values), errors=list(row_errors)))
        if len(batch) >= BATCH_SIZE:
            flush()
    flush()
    return Outcome(counts, errors, preview)


def _record_values(record: ImportedRecord) -> dict:
    return {f.attname: getattr(record, f.attname) for f in ImportedRecord._meta.concrete_fields if not f.primary_key}


def _first_cells(row: Row) -> str:
    return " ".join(str(v) for k, v in row.values.items() if k in ("first_name", "last_name") and v)


def _set(job: ImportJob, **fields) -> None:
    for k, v in fields.items():
        setattr(job, k, v)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _finish(job: ImportJob, outcome: Outcome, status: str, message: str = "") -> None:
    _set(job, status=status, counts=outcome.counts, errors=outcome.errors, preview=outcome.preview,
         finished_at=timezone.now(), message=message, processed_rows=job.total_rows)
    if status == ImportJob.Status.COMMITTED:
        with transaction.atomic():
            audit.record(AuditAction.IMPORT, job, actor=job.created_by, object_repr=f"{job} ({job.resource})",
                         changes={"counts": outcome.counts, "owner_team": str(job.owner_team), "mode": job.mode})


def undo(job: ImportJob, *, by) -> int:
    """Undo a committed import; returns how many records were removed or restored.
    Raises :class:`UndoRefused` naming what blocks it."""
    if job.status != ImportJob.Status.COMMITTED and not (
        job.status == ImportJob.Status.FAILED and job.records.exists()
    ):
        raise UndoRefused([f"Only a completed import can be undone (this one is “{job.get_status_display()}”)."])
    resource = get_resource(job.resource)
    with audit.audit_context(channel=Channel.IMPORT), transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status == ImportJob.Status.UNDONE:
            raise UndoRefused(["It has already been undone."])
        records = list(job.records.all())
        blockers = resource.undo_blockers(records)
        if blockers:
            raise UndoRefused(blockers)
        resource.undo(records, Context(job=job, user=by, owner_team=job.owner_team, dry_run=False))
        _set(job, status=ImportJob.Status.UNDONE, undone_at=timezone.now(), undone_by=by)
        audit.record(AuditAction.DELETE, job, actor=by, object_repr=f"Undo of {job}",
                     changes={"undo": True, "records": len(records)})
    return len(records)
