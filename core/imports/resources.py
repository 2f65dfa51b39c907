"""What an import resource is: the fields a sheet's columns can be mapped to (with the
headings people use for them), and how a batch of cleaned rows is matched, written and
undone. Core's profile resource is in :mod:`core.imports.profiles`; a programme plugin
adds its own by returning a subclass of :class:`ImportResource` from the
``wraparound_import_resources`` hook (see docs/hooks.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from import_export.fields import Field
from import_export.widgets import Widget

from .. import audit
from ..models import AuditEvent, ImportedRecord
from ..models.audit import S62_CATEGORY, AuditAction


def heading_key(text: str) -> str:
    """``"D.O.B."`` → ``"dob"``: headings compared without case, spaces or punctuation."""
    return re.sub(r"[^a-z0-9]+", "", str(text).lower())


@dataclass
class ImportField:
    name: str
    label: str
    widget: Widget
    synonyms: tuple[str, ...] = ()
    required: bool = False
    help_text: str = ""

    def as_field(self) -> Field:
        """The django-import-export field whose ``clean`` reads this column."""
        return Field(attribute=self.name, column_name=self.name, widget=self.widget)


@dataclass
class Row:
    """One data row of the sheet as it goes through the pipeline."""

    number: int
    values: dict[str, Any]
    #: (field name or "" for the whole row, reason)
    errors: list[tuple[str, str]] = field(default_factory=list)
    #: "create", "update", "skip" (nothing would change) or "" (not decided: has errors)
    action: str = ""
    target: Any = None
    summary: str = ""
    record: ImportedRecord | None = None


@dataclass
class Context:
    job: Any
    user: Any
    owner_team: Any
    dry_run: bool
    #: keys seen in earlier rows of this run (duplicates within the file)
    seen: dict = field(default_factory=dict)
    cache: dict = field(default_factory=dict)


class ImportResource:
    """Subclass and set ``code``, ``label``, ``model`` and :meth:`get_fields`; implement
    :meth:`plan`, :meth:`write`, :meth:`undo_blockers` and :meth:`undo`."""

    code: str = ""
    label: str = ""
    description: str = ""
    model = None
    #: The programme the resource belongs to, if any: offered only to users of an
    #: organisation with it enabled, and refused for an owner team whose organisation
    #: has it switched off.
    programme: str = ""

    def get_fields(self) -> list[ImportField]:
        raise NotImplementedError

    # Mapping ------------------------------------------------------------------------
    def fields_by_name(self) -> dict[str, ImportField]:
        cached = self.__dict__.get("_fields")
        if cached is None:
            cached = self.__dict__["_fields"] = {f.name: f for f in self.get_fields()}
        return cached

    def import_fields(self) -> dict[str, Field]:
        """The django-import-export ``Field`` of each field, made once per resource."""
        cached = self.__dict__.get("_iex_fields")
        if cached is None:
            cached = self.__dict__["_iex_fields"] = {n: f.as_field() for n, f in self.fields_by_name().items()}
        return cached

    def suggest(self, heading: str) -> str:
        """The field a heading most likely means, or ``""``."""
        key = heading_key(heading)
        for f in self.fields_by_name().values():
            if key in {heading_key(f.name), heading_key(f.label), *map(heading_key, f.synonyms)}:
                return f.name
        return ""

    # Rows ---------------------------------------------------------------------------
    def clean(self, raw: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """Run each mapped cell through its widget (``Field.clean``); a widget's
        ``ValueError`` becomes an error on that cell."""
        values, errors = {}, []
        fields, cleaners = self.fields_by_name(), self.import_fields()
        for name, cell in raw.items():
            try:
                values[name] = cleaners[name].clean({name: cell})
            except ValueError as exc:
                errors.append((name, str(exc)))
        for f in fields.values():
            if f.required and not values.get(f.name) and f.name not in dict(errors):
                errors.append((f.name, f"{f.label} is required."))
        return values, errors

    def plan(self, rows: list[Row], ctx: Context) -> None:
        """Decide each error-free row's ``action`` (and ``target`` for updates), adding
        errors for rows that cannot be imported. Writes nothing."""
        raise NotImplementedError

    def write(self, rows: list[Row], ctx: Context) -> list[ImportedRecord | dict]:
        """Write the planned rows (inside the batch's transaction); return the unsaved
        :class:`ImportedRecord` of each record created or updated (or a dict of its
        field values by attribute name, ``job_id``, ``audit_event_id``…: cheaper for
        thousands of rows)."""
        raise NotImplementedError

    def undo_blockers(self, records: list[ImportedRecord]) -> list[str]:
        """Why these records cannot be undone (empty: they can)."""
        raise NotImplementedError

    def undo(self, records: list[ImportedRecord], ctx: Context) -> None:
        raise NotImplementedError


def audit_events(action: str, items, *, actor, job) -> list[AuditEvent]:
    """One audit event per ``(obj, changes)``, saved in one statement — what
    ``audit.record`` writes, for a batch. ``changes`` carries the import's id so that
    each record's collection is attributed to the import as well as to the importer."""
    ctx = audit.current_context()
    org = audit.actor_organisation(actor)
    events = [
        AuditEvent(
            actor_id=actor.pk, actor_username=actor.get_username(),
            organisation_id=org.pk if org else None, organisation_name=org.name if org else "",
            action=action, category=S62_CATEGORY[AuditAction(action)], channel=ctx.channel,
            object_type=obj._meta.label_lower, object_id=str(obj.pk), object_repr=str(obj)[:300],
            changes={"import": job.pk, **(changes or {})}, source_address=ctx.source_address,
        )
        for obj, changes in items
    ]
    return AuditEvent.objects.bulk_create(events)


def audit_rows(action: str, entries, *, actor, job) -> list[int]:
    """What :func:`audit_events` writes, from ``(object_type, object_id, object_repr,
    changes)`` tuples instead of model instances, inserted with
    :func:`core.imports.fastwrite.insert_rows` (COPY on PostgreSQL); returns the events'
    ids in order."""
    from .fastwrite import insert_rows

    ctx = audit.current_context()
    org = audit.actor_organisation(actor)
    common = {
        "actor_id": actor.pk, "actor_username": actor.get_username(),
        "organisation_id": org.pk if org else None, "organisation_name": org.name if org else "",
        "action": action, "category": S62_CATEGORY[AuditAction(action)], "channel": ctx.channel,
        "source_address": ctx.source_address,
    }
    return insert_rows(AuditEvent, [
        {**common, "object_type": object_type, "object_id": str(object_id), "object_repr": str(object_repr)[:300],
         "changes": {"import": job.pk, **(changes or {})}}
        for object_type, object_id, object_repr, changes in entries
    ])
