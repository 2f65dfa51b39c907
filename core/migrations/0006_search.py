"""Search (``core.search``): pg_trgm and trigram indexes on PostgreSQL, an index for
identifier look-ups on both databases.

The GIN indexes are built on ``UPPER(col)`` because that is the expression Django's
``icontains`` and ``core.search`` compare (issue 8: an index on the bare column is not
used). They are created with SQL rather than declared on the models because SQLite has
no GIN indexes; the model state is unchanged, so ``makemigrations --check`` stays clean.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

TRIGRAM_INDEXES = [
    ("search_profile_first_trgm", "core_profile", "UPPER(first_name)"),
    ("search_profile_last_trgm", "core_profile", "UPPER(last_name)"),
    ("search_profile_preferred_trgm", "core_profile", "UPPER(preferred_name)"),
    ("search_profile_middle_trgm", "core_profile", "UPPER(middle_names)"),
    ("search_alias_name_trgm", "core_profilealias", "UPPER(name)"),
    ("search_case_title_trgm", "core_case", "UPPER(title)"),
    ("search_case_reference_trgm", "core_case", "UPPER(reference)"),
]
IDENTIFIER_INDEX = ("search_identifier_compact", "core_identifier", "UPPER(REPLACE(value, ' ', ''))")


def create_indexes(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for name, table, expression in TRIGRAM_INDEXES:
            execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}) gin_trgm_ops)")
    name, table, expression = IDENTIFIER_INDEX
    execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} (({expression}))")


def drop_indexes(apps, schema_editor):
    names = [IDENTIFIER_INDEX[0]]
    if schema_editor.connection.vendor == "postgresql":
        names += [name for name, _, _ in TRIGRAM_INDEXES]
    for name in names:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("core", "0005_imports")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
