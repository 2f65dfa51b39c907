"""Inserting a batch of rows fast: ``COPY … FROM STDIN`` on PostgreSQL (psycopg 3's
``cursor.copy()``), ``bulk_create`` elsewhere.

Why: profiling the import (``bench/import_bench.py``) showed most of a batch's time in
``bulk_create`` itself — a model instance per row, every value prepared field by field,
the parameters quoted client side — not in the database. Rows here are plain dicts of
column attribute names (``profile_id``, not ``profile``) and values already cleaned;
what a row leaves out gets the field's default, as ``bulk_create`` would give it
(``auto_now``/``auto_now_add`` fields: the batch's time). Ids are taken from the table's
sequence in one query so that callers know them, as with ``bulk_create``'s RETURNING.
Like ``bulk_create``, no ``save()`` and no signals: callers write what those would."""

from __future__ import annotations

import json
from functools import partial

from django.db import connection, models
from django.utils import timezone

NO_DEFAULT = object()


def insert_rows(model: type[models.Model], rows: list[dict]) -> list[int]:
    """Insert ``rows`` (dicts of ``attname → value``) and return their ids, in order."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = model._default_manager.bulk_create([model(**row) for row in rows])
        return [obj.pk for obj in objs]
    return _copy(model, rows)


def _columns(model):
    """(attname, column, default, to_db) of each concrete field but the primary key."""
    from psycopg.types.json import Jsonb

    now = timezone.now()
    out = []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            default = now
        else:
            default = f.get_default()
        to_db = None
        if isinstance(f, models.JSONField):
            to_db = partial(_jsonb, Jsonb, partial(json.dumps, cls=f.encoder) if f.encoder else json.dumps)
        elif isinstance(f, models.GenericIPAddressField):
            to_db = _address  # "" is no address, as Django stores it
        out.append((f.attname, f.column, default, to_db))
    return out


def _jsonb(jsonb, dumps, value):
    return None if value is None else jsonb(value, dumps=dumps)


def _address(value):
    return value or None


def _copy(model, rows: list[dict]) -> list[int]:
    table = model._meta.db_table
    pk = model._meta.pk.column
    columns = _columns(model)
    names = ", ".join(connection.ops.quote_name(c) for _, c, _, _ in columns)
    connection.ensure_connection()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor under Django's wrapper
        raw.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [table, pk, len(rows)])
        ids = [r[0] for r in raw.fetchall()]
        with raw.copy(f"COPY {connection.ops.quote_name(table)} ({connection.ops.quote_name(pk)}, {names}) "
                      "FROM STDIN") as copy:
            for pk_value, row in zip(ids, rows, strict=True):
                values = [pk_value]
                for attname, _column, default, to_db in columns:
                    value = row.get(attname, default)
                    values.append(to_db(value) if to_db else value)
                copy.write_row(values)
    return ids
