"""Index operations that do not block writes on PostgreSQL: ``CREATE/DROP INDEX
CONCURRENTLY`` there (the migration must be ``atomic = False``), the plain operation
elsewhere (SQLite, where a migration holds the database anyway). Replacing an index is
adding the new one under a new name, then removing the old: the table keeps an index
throughout and writes go on while the new one builds. The module's name starts with an
underscore so that the migration loader does not take it for a migration."""

from __future__ import annotations

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db.migrations.operations import AddIndex, RemoveIndex


class _ConcurrentlyOnPostgres:
    """:attr:`concurrent` on PostgreSQL, :attr:`plain` on any other database."""

    concurrent: type
    plain: type

    def _operation(self, schema_editor) -> type:
        return self.concurrent if schema_editor.connection.vendor == "postgresql" else self.plain

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._operation(schema_editor).database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._operation(schema_editor).database_backwards(self, app_label, schema_editor, from_state, to_state)


class AddIndexConcurrentlyOnPostgres(_ConcurrentlyOnPostgres, AddIndexConcurrently):
    concurrent, plain = AddIndexConcurrently, AddIndex


class RemoveIndexConcurrentlyOnPostgres(_ConcurrentlyOnPostgres, RemoveIndexConcurrently):
    concurrent, plain = RemoveIndexConcurrently, RemoveIndex
