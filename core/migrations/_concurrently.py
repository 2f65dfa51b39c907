"""Index operations that do not block writes on PostgreSQL: ``CREATE/DROP INDEX
CONCURRENTLY`` there (the migration must be ``atomic = False``), the plain operation
elsewhere (SQLite, where a migration holds the database anyway). Replacing an index is
adding the new one under a new name, then removing the old: the table keeps an index
throughout and writes go on while the new one builds. The module's name starts with an
underscore so that the migration loader does not take it for a migration."""

from __future__ import annotations

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db.migrations.operations import AddIndex, RemoveIndex


def _on_postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        parent = AddIndexConcurrently if _on_postgres(schema_editor) else AddIndex
        parent.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        parent = AddIndexConcurrently if _on_postgres(schema_editor) else AddIndex
        parent.database_backwards(self, app_label, schema_editor, from_state, to_state)


class RemoveIndexConcurrentlyOnPostgres(RemoveIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        parent = RemoveIndexConcurrently if _on_postgres(schema_editor) else RemoveIndex
        parent.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        parent = RemoveIndexConcurrently if _on_postgres(schema_editor) else RemoveIndex
        parent.database_backwards(self, app_label, schema_editor, from_state, to_state)
