"""Listings of visible profiles paged through the access index.

Django's paginator asks its object list for ``count()`` and a slice; a queryset
restricted by ``core.access.restrict`` answers both with a semi-join that, for a user who
sees thousands of profiles, fetches every one of them to sort the page. On PostgreSQL
:class:`VisibleProfileList` answers them from the access index instead (one index-only
count; one lateral index scan for the page's ids), then loads only the page's rows
through the view's own queryset — still restricted, so the index can never show more
than ``restrict`` would."""

from __future__ import annotations

from .engine import visible_profile_count, visible_profile_page


class VisibleProfileList:
    ordered = True

    def __init__(self, user, queryset, *, descending: bool = False):
        self.user = user
        self.queryset = queryset
        self.descending = descending
        self._count = None

    def count(self) -> int:
        if self._count is None:
            self._count = visible_profile_count(self.user)
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if isinstance(key, int):
            rows = self[key : key + 1]
            if not rows:
                raise IndexError(key)
            return rows[0]
        start, stop = key.start or 0, key.stop if key.stop is not None else self.count()
        ids = visible_profile_page(self.user, start, stop, descending=self.descending)
        rows = {row.pk: row for row in self.queryset.filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]
