"""Import speed (issue 6): the profile access index is filled once per INSERT statement
(see ``core.access.index_sql.STATEMENT_INSERT``). PostgreSQL only; nothing on SQLite."""

from django.db import migrations

from core.access import index_sql


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(index_sql.STATEMENT_INSERT)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(index_sql.ROW_INSERT)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0011_api_more"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
