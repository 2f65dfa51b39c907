"""The access engine: the one way to read protected records.

- :func:`restrict` narrows any queryset of a protected model (profiles, cases, and every
  record hanging off them) to what a user may see at a level;
- :func:`get_object_or_404` fetches one object a user may use at a level (404 when they
  may not even see it, 403 when they see it but need a higher level);
- :func:`level_for`, :func:`can` and :func:`visible_pks` answer single and batch checks.

Levels are ``view < contribute < manage``. A user's level on a profile or case is the
highest of:

- *manage* if the owner team is one of the user's teams;
- *manage* if the user is an organisation admin (SPOC) of the owner team's organisation;
- the level of every grant in force (not revoked, not expired) to the user, to one of
  their teams, or to one of their organisations.

Nothing else gives access: roles (even system admin, even ``is_superuser``) give no
access to records; inactive and anonymous users see nothing.

How it stays fast: grants are stored as django-guardian direct foreign-key permission
rows, one per implied level, so "may view" is an index lookup on
``(user|group, permission, object)``. :func:`restrict` filters with
``pk IN (owned UNION ALL granted-to-user UNION ALL granted-to-groups …)`` — an indexed
semi-join computed in SQL, never a list of ids in Python, and never an ``OR`` of
subqueries, which PostgreSQL cannot turn into a join.
"""

from __future__ import annotations

from .engine import (
    AccessLevel,
    can,
    computed_first,
    get_object_or_404,
    level_for,
    restrict,
    user_organisation_ids,
    user_team_ids,
    uses_profile_index,
    visible_entry_pks,
    visible_pks,
    visible_profile_count,
    visible_profile_page,
    visible_root_pks,
)

__all__ = [
    "AccessLevel", "can", "computed_first", "get_object_or_404", "level_for", "restrict", "uses_profile_index", "user_organisation_ids", "user_team_ids",
    "visible_entry_pks", "visible_pks", "visible_profile_count", "visible_profile_page", "visible_root_pks",
]
