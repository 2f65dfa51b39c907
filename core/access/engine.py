"""Implementation of ``core.access`` (see the package docstring for the rules)."""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from ..models import (
    AccessLevel,
    AccessRequest,
    Activity,
    Address,
    Alert,
    Case,
    CaseGroupObjectPermission,
    CaseParticipant,
    CaseUserObjectPermission,
    GalleryEntry,
    Grant,
    HouseholdMember,
    Identifier,
    Membership,
    PersonRole,
    Profile,
    ProfileAccessEntry,
    ProfileAlias,
    ProfileGroupObjectPermission,
    ProfileUserObjectPermission,
    Referral,
    Relationship,
    Report,
    Task,
    TaskAttachment,
    Team,
    WarningMarker,
)
from ..models.access_index import ORG_ADMIN_PRINCIPAL, USER_PRINCIPAL
from ..roles import ORGANISATION_ADMIN, has_role

VERB = {AccessLevel.VIEW: "view", AccessLevel.CONTRIBUTE: "contribute", AccessLevel.MANAGE: "manage"}
LEVEL_OF_VERB = {v: k for k, v in VERB.items()}

# Root models: those with an owner team and their own grants.
_PERMISSION_TABLES: dict[type[models.Model], tuple[type[models.Model], type[models.Model]]] = {
    Profile: (ProfileUserObjectPermission, ProfileGroupObjectPermission),
    Case: (CaseUserObjectPermission, CaseGroupObjectPermission),
}


def _is_active_user(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def _codename(model: type[models.Model], level: int) -> str:
    return f"{VERB[AccessLevel(level)]}_{model._meta.model_name}"


def _in_force(now) -> Q:
    return Q(expires_at__isnull=True) | Q(expires_at__gt=now)


def user_team_ids(user) -> QuerySet:
    """Subquery: ids of the teams the user is a member of."""
    return Membership.objects.filter(user_id=user.pk).values("team_id")


def user_organisation_ids(user) -> QuerySet:
    """Subquery: ids of the organisations the user has a team in."""
    return Membership.objects.filter(user_id=user.pk).values("team__organisation_id")


def _user_group_ids(user) -> QuerySet:
    # Team and organisation groups, kept in step with memberships (core.signals).
    return user.groups.through.objects.filter(user_id=user.pk).values("group_id")


def uses_profile_index() -> bool:
    """Whether profiles are read through the access index (PostgreSQL, where migration
    0004 installed the triggers that keep it) rather than the permission tables."""
    return connection.vendor == "postgresql"


def _principals_sql(user) -> tuple[str, list]:
    """SQL (and parameters) selecting the principals (see ``core.models.access_index``)
    standing for ``user``: their groups (team and organisation groups, kept in step with
    memberships), their teams' groups read from the memberships themselves, the user, and
    — for organisation admins — their organisations' admin principal."""
    sql = [
        "SELECT group_id FROM auth_user_groups WHERE user_id = %s",
        "SELECT t.group_id FROM core_membership m JOIN core_team t ON t.id = m.team_id WHERE m.user_id = %s",
        "SELECT %s::bigint",
    ]
    params = [user.pk, user.pk, USER_PRINCIPAL + user.pk]
    if has_role(user, ORGANISATION_ADMIN):
        sql.append(
            "SELECT %s::bigint + t.organisation_id FROM core_membership m "
            "JOIN core_team t ON t.id = m.team_id WHERE m.user_id = %s"
        )
        params += [ORG_ADMIN_PRINCIPAL, user.pk]
    return " UNION ALL ".join(sql), params


def _principals(user) -> RawSQL:
    return RawSQL(*_principals_sql(user))


def profile_access_entries(user, level: int = AccessLevel.VIEW) -> QuerySet:
    """The access-index rows through which ``user`` reaches profiles at ``level`` (one
    profile may appear once per principal). PostgreSQL only."""
    return ProfileAccessEntry.objects.filter(principal__in=_principals(user), level__gte=int(level)).filter(
        _in_force(timezone.now())
    )


#: Whether the restriction being built is for a point look-up (a few known rows) rather
#: than a listing. Set by :func:`restrict` for the duration of one filter's construction.
_point_lookup: ContextVar[bool] = ContextVar("wraparound_access_point_lookup", default=False)


def visible_root_pks(model: type[models.Model], user, level: int = AccessLevel.VIEW):
    """A subquery of the ids of the profiles or cases ``user`` may use at ``level``, for
    use as the right-hand side of ``__in``.

    On PostgreSQL, outside point look-ups, the ids are computed first
    (``unnest(ARRAY(…))``, evaluated once): as a plain semi-join the planner estimates
    that a listing's ``ORDER BY name LIMIT 50`` will soon meet 50 visible rows and walks
    the name index probing each row — 16,739 probes and a second for a user who sees
    4,365 of 1,000,000 profiles (issue 8: "misplanned unless the match is computed
    first"). Point look-ups keep the semi-join, which probes only their rows."""
    if model is Profile and uses_profile_index() and _is_active_user(user):
        sql, params = _profile_index_sql(user, level)
        return RawSQL(sql, params) if _point_lookup.get() else _unnest(sql, params)
    ids = _visible_root_pks(model, user, level)
    if _point_lookup.get() or not _is_active_user(user):
        return ids
    return computed_first(ids)


def computed_first(ids: QuerySet):
    """The values a one-column subquery selects, computed once before the query using
    them (PostgreSQL: ``unnest(ARRAY(…))``), for the right-hand side of ``__in``. As a
    semi-join, a listing's ``ORDER BY … LIMIT`` may be planned as a walk down the order's
    index that probes each row until the page is full, which is slow when the rows are
    few or correlated with the order. Elsewhere ``ids`` itself."""
    if connection.vendor != "postgresql":
        return ids
    return _unnest(*ids.query.sql_with_params())


def _unnest(sql: str, params) -> RawSQL:
    return RawSQL(f"SELECT unnest(ARRAY({sql}))", params)


def _profile_index_sql(user, level: int) -> tuple[str, list]:
    """``profile_access_entries(user, level)``'s profile ids as SQL text: every
    restriction to profiles builds it, and building and compiling the queryset took a
    quarter of a millisecond (measured at scale 1.0) against none for the text. The
    equivalence test in tests/core/test_access_index.py keeps the two the same."""
    principals, params = _principals_sql(user)
    sql = ("SELECT e.profile_id FROM core_profileaccessentry e "
           f"WHERE e.level >= %s AND e.principal IN ({principals}) AND (e.expires_at IS NULL OR e.expires_at > %s)")
    return sql, [int(level), *params, timezone.now()]


def _visible_root_pks(model: type[models.Model], user, level: int = AccessLevel.VIEW) -> QuerySet:
    if not _is_active_user(user):
        return model.objects.none().values_list("pk", flat=True)
    if model is Profile and uses_profile_index():
        return profile_access_entries(user, level).values_list("profile_id", flat=True)
    user_perm, group_perm = _PERMISSION_TABLES[model]
    codename = _codename(model, level)
    now = timezone.now()
    parts = [
        model.objects.filter(owner_team_id__in=user_team_ids(user)).values_list("pk", flat=True),
        user_perm.objects.filter(user_id=user.pk, permission__codename=codename)
        .filter(_in_force(now))
        .values_list("content_object_id", flat=True),
        group_perm.objects.filter(group_id__in=_user_group_ids(user), permission__codename=codename)
        .filter(_in_force(now))
        .values_list("content_object_id", flat=True),
    ]
    if has_role(user, ORGANISATION_ADMIN):
        parts.append(
            model.objects.filter(owner_team__organisation_id__in=user_organisation_ids(user)).values_list("pk", flat=True)
        )
    first, *rest = (p.order_by() for p in parts)
    return first.union(*rest, all=True)


def visible_profile_count(user, level: int = AccessLevel.VIEW) -> int:
    """How many profiles ``user`` may use at ``level``: one query, an index-only scan of
    the access index on PostgreSQL."""
    if not _is_active_user(user):
        return 0
    if uses_profile_index():
        return profile_access_entries(user, level).values("profile_id").distinct().count()
    return restrict(Profile.objects.all(), user, level).count()


def visible_profile_page(user, start: int, stop: int, *, descending: bool = False,
                         level: int = AccessLevel.VIEW) -> list[int]:
    """Ids of the profiles ``user`` may use, ordered by (last name, first name, id), from
    ``start`` to ``stop`` — the listing's page, read from the access index on PostgreSQL
    so that only the page's rows are fetched afterwards."""
    if not _is_active_user(user) or stop <= start:
        return []
    if uses_profile_index():
        sql, params = visible_profile_page_sql(user, start, stop, descending=descending, level=level)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [row[0] for row in cursor.fetchall()]
    fields = ("last_name", "first_name", "id")
    qs = restrict(Profile.objects.all(), user, level).order_by(*(f"-{f}" if descending else f for f in fields))
    return list(qs.values_list("pk", flat=True)[start:stop])


def visible_profile_page_sql(user, start: int, stop: int, *, descending: bool = False,
                             level: int = AccessLevel.VIEW) -> tuple[str, list]:
    """:func:`visible_profile_page` as SQL text selecting the page's ids in order, from the
    access index (PostgreSQL, an active user): for ``pk__in=RawSQL(...)``, so that a
    listing loads its page's rows in the same statement. Selects nothing for an inactive
    user."""
    if not _is_active_user(user):
        return "SELECT NULL::bigint WHERE FALSE", []
    # Each principal's rows come off the index already in order: take the first ``stop``
    # of each (a lateral index scan), then merge, de-duplicate and cut. The first
    # ``stop`` distinct profiles overall are among them, and only principals × ``stop``
    # rows are ever sorted — not everything the user may see.
    direction = "DESC" if descending else "ASC"
    order = f"last_name {direction}, first_name {direction}, profile_id {direction}"
    principals, params = _principals_sql(user)
    sql = f"""
        SELECT page.profile_id FROM (
            SELECT DISTINCT a.last_name, a.first_name, a.profile_id
              FROM (SELECT DISTINCT p.id FROM ({principals}) AS p(id)) AS pr
             CROSS JOIN LATERAL (
                   SELECT e.last_name, e.first_name, e.profile_id FROM core_profileaccessentry e
                    WHERE e.principal = pr.id AND e.level >= %s AND (e.expires_at IS NULL OR e.expires_at > %s)
                    ORDER BY {order} LIMIT %s) AS a
             ORDER BY {order} LIMIT %s OFFSET %s) AS page"""
    return sql, [*params, int(level), timezone.now(), stop, stop - start, start]


def _root_filter(prefix: str, model: type[models.Model]) -> Callable[[object, int], Q]:
    def build(user, level):
        return Q(**{f"{prefix}__in": visible_root_pks(model, user, level)})

    return build


def _entry_conditions(user, level) -> tuple[Q, Q, Q]:
    """Entries (activities, reports) are written on a case or, without one, on a profile,
    and follow that parent's access; one marked restricted is seen only inside its
    author's organisation. (On a visible case, on no case with a visible profile, not
    restricted.)"""
    on_case = Q(case_id__in=visible_root_pks(Case, user, level))
    on_profile = Q(case__isnull=True, profile_id__in=visible_root_pks(Profile, user, level))
    not_restricted = Q(restricted=False) | Q(organisation_id__in=user_organisation_ids(user))
    return on_case, on_profile, not_restricted


def _entry_filter(user, level) -> Q:
    on_case, on_profile, not_restricted = _entry_conditions(user, level)
    return (on_case | on_profile) & not_restricted


def visible_entry_pks(model: type[models.Model], user, level: int = AccessLevel.VIEW) -> QuerySet:
    """Ids of every activity or report ``user`` may see at ``level``, for listing them all:
    a ``UNION ALL`` of the entries on visible cases and those on no case whose profile is
    visible, each an index scan from the parents' ids. ``restrict()``'s ``OR`` of the two
    suits entries already narrowed to a case or a profile (it probes only those), but
    over every entry PostgreSQL cannot use an index for it: the API's unfiltered activity
    list scanned all 5,000,000 activities (page and count 1.2 s at scale 1.0; 270 ms this
    way). Narrowed to one case or profile, this would compute every visible entry first
    (the hub's chronology: 89 ms with ``restrict()``, 1 s this way)."""
    if model not in (Activity, Report):
        raise TypeError("visible_entry_pks answers for activities and reports.")
    if not _is_active_user(user):
        return model.objects.none().values("pk")
    return _union_of_arms(model, user, level, "pk")


def _entry_arms(user, level) -> list[Q]:
    on_case, on_profile, not_restricted = _entry_conditions(user, level)
    return [on_case & not_restricted, on_profile & not_restricted]


def visible_activity_page_sql(user, start: int, stop: int, level: int = AccessLevel.VIEW, *,
                              where: Q | None = None) -> tuple[str, list]:
    """Ids of the activities ``user`` may see (and ``where`` selects), newest first, from
    ``start`` to ``stop``, as SQL text for ``pk__in=RawSQL(...)`` (PostgreSQL). Both arms
    of the union are read from the covering indexes of migration 0013 (and 0015: kind)
    alone; only the page's rows are fetched after."""
    if not _is_active_user(user):
        return "SELECT NULL::bigint WHERE FALSE", []
    sql, params = _union_of_arms(Activity, user, level, "id", "occurred_at", where=where).query.sql_with_params()
    return (f"SELECT u.id FROM ({sql}) AS u ORDER BY u.occurred_at DESC, u.id DESC LIMIT %s OFFSET %s",
            [*params, stop - start, start])


def visible_activity_count(user, level: int = AccessLevel.VIEW, *, where: Q | None = None) -> int:
    """How many activities ``user`` may see (and ``where`` selects): on PostgreSQL, a count
    over the two arms of :func:`visible_entry_pks`, read from the covering indexes alone."""
    if not _is_active_user(user):
        return 0
    if connection.vendor != "postgresql":
        return restrict(Activity.objects.filter(where or Q()), user, level).count()
    sql, params = _union_of_arms(Activity, user, level, "id", where=where).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) AS u", params)
        return cursor.fetchone()[0]


def _grant_filter(user, level) -> Q:
    return Q(profile_id__in=visible_root_pks(Profile, user, level)) | Q(
        case_id__in=visible_root_pks(Case, user, level)
    )


def _access_request_filter(user, level) -> Q:
    # The requester sees their own requests; managers of the record see requests on it.
    mine = Q(requested_by_id=user.pk) if level == AccessLevel.VIEW else Q(pk__in=[])
    return mine | _grant_filter(user, AccessLevel.MANAGE)


def _relationship_filter(user, level) -> Q:
    # Both ends must be visible: a relationship would otherwise disclose the other person.
    return Q(from_profile_id__in=visible_root_pks(Profile, user, level)) & Q(
        to_profile_id__in=visible_root_pks(Profile, user, level)
    )


def _task_arms(user, level) -> list[Q]:
    # A task follows its parent; its assignees (the user, or members of the team) see it
    # too — assigning a task is telling them about it.
    return [
        Q(case_id__in=visible_root_pks(Case, user, level)),
        Q(case__isnull=True, profile_id__in=visible_root_pks(Profile, user, level)),
        Q(assigned_user_id=user.pk),
        Q(assigned_team_id__in=user_team_ids(user)),
    ]


def _task_filter(user, level) -> Q:
    return _any(_task_arms(user, level))


def _task_attachment_filter(user, level) -> Q:
    return Q(task_id__in=Task.objects.filter(_task_filter(user, level)).values("pk"))


def _referral_arms(user, level) -> list[Q]:
    # The two teams and the referrer are parties to it; those who may see the profile
    # see the referrals made about it (read only).
    parties = [Q(from_team_id__in=user_team_ids(user)), Q(to_team_id__in=user_team_ids(user)), Q(made_by_id=user.pk)]
    if level == AccessLevel.VIEW:
        return [*parties, Q(profile_id__in=visible_root_pks(Profile, user, level))]
    return parties


def _referral_filter(user, level) -> Q:
    return _any(_referral_arms(user, level))


def _any(arms: list[Q]) -> Q:
    return functools.reduce(operator.or_, arms)


#: How each protected model is narrowed: a function of (user, level) returning a Q.
FILTERS: dict[type[models.Model], Callable[[object, int], Q]] = {
    Profile: _root_filter("pk", Profile),
    Case: _root_filter("pk", Case),
    Activity: _entry_filter,
    CaseParticipant: _root_filter("case_id", Case),
    ProfileAlias: _root_filter("profile_id", Profile),
    Address: _root_filter("profile_id", Profile),
    Identifier: _root_filter("profile_id", Profile),
    PersonRole: _root_filter("profile_id", Profile),
    WarningMarker: _root_filter("profile_id", Profile),
    HouseholdMember: _root_filter("profile_id", Profile),
    Relationship: _relationship_filter,
    Grant: _grant_filter,
    AccessRequest: _access_request_filter,
    Report: _entry_filter,
    Alert: _root_filter("profile_id", Profile),
    GalleryEntry: _root_filter("profile_id", Profile),
    Task: _task_filter,
    TaskAttachment: _task_attachment_filter,
    Referral: _referral_filter,
}


#: Models whose filter is an ``OR`` of arms that an index answers each: listed across the
#: user's whole reach, their rows are read as ``pk IN (arm UNION ALL arm …)`` (see
#: :func:`restrict`'s ``listing``, :func:`visible_entry_pks`, :class:`core.access.listing.
#: VisibleActivityList`).
ARMS: dict[type[models.Model], Callable[[object, int], list[Q]]] = {
    Activity: _entry_arms,
    Report: _entry_arms,
    Task: _task_arms,
    Referral: _referral_arms,
}


def _union_of_arms(model: type[models.Model], user, level: int, *fields: str, where: Q | None = None) -> QuerySet:
    """``fields`` of the rows of ``model`` that ``user`` may use at ``level`` (and ``where``
    selects): a ``UNION ALL`` of one select per arm of :data:`ARMS`; a row reached by two
    arms appears twice."""
    first, *rest = (model._default_manager.filter(arm, where or Q()).order_by().values(*fields)
                    for arm in ARMS[model](user, AccessLevel(level)))
    return first.union(*rest, all=True)


def register_protected(model: type[models.Model], build_filter: Callable[[object, int], Q]) -> None:
    """Let a plugin's model follow a parent's access, e.g.
    ``register_protected(CustodyPeriod, follow("profile_id", Profile))``."""
    if model in FILTERS:
        raise ValueError(f"{model._meta.label} is already protected.")
    FILTERS[model] = build_filter


def follow(prefix: str, parent: type[models.Model]) -> Callable[[object, int], Q]:
    """A filter for a model whose rows follow ``parent``'s access through ``prefix``."""
    if parent not in _PERMISSION_TABLES:
        raise ValueError("Rows can follow profiles or cases only.")
    return _root_filter(prefix, parent)


def restrict(queryset: QuerySet, user, level: int = AccessLevel.VIEW, *, point_lookup: bool = False,
             listing: bool = False) -> QuerySet:
    """Narrow ``queryset`` to the rows ``user`` may use at ``level``. Deny by default: a
    model the engine does not know raises rather than returning everything.

    ``point_lookup=True`` when ``queryset`` is already narrowed to a few known rows (by
    primary key): the access condition is then probed per row instead of computing
    everything the user may see first (see :func:`visible_root_pks`).

    ``listing=True`` when ``queryset`` lists rows across everything the user may see (not
    narrowed to one record or assignee): for the models in :data:`ARMS` (activities,
    reports, tasks, referrals) the rows are then read on PostgreSQL as ``pk IN`` the ``UNION ALL`` of the
    arms, each an index scan. Their ``OR`` suits a narrowed query, but over a whole table
    PostgreSQL cannot use an index for it: the API's unfiltered task list scanned all
    1,000,000 tasks at scale 1.0 (346 ms for a page and its count)."""
    model = queryset.model
    if model not in FILTERS:
        raise TypeError(f"{model._meta.label} is not protected by core.access.")
    if not _is_active_user(user):
        return queryset.none()
    token = _point_lookup.set(point_lookup)
    try:
        if listing and model in ARMS and connection.vendor == "postgresql":
            return queryset.filter(pk__in=_union_of_arms(model, user, level, "pk"))
        condition = FILTERS[model](user, AccessLevel(level))
    finally:
        _point_lookup.reset(token)
    return queryset.filter(condition)


def visible_pks(user, model: type[models.Model], pks: Iterable, level: int = AccessLevel.VIEW) -> set:
    """Which of ``pks`` the user may use at ``level`` — one query for the whole batch."""
    pks = list(pks)
    if not pks:
        return set()
    return set(
        restrict(model._default_manager.filter(pk__in=pks), user, level, point_lookup=True).values_list("pk", flat=True)
    )


def can(user, obj: models.Model, level: int = AccessLevel.VIEW) -> bool:
    """May ``user`` use ``obj`` at ``level``? One query."""
    return obj.pk in visible_pks(user, type(obj), [obj.pk], level)


def level_for(user, obj: models.Model) -> AccessLevel | None:
    """The user's highest level on a profile or case, or ``None``. Two queries at most."""
    model = type(obj)
    if model not in _PERMISSION_TABLES:
        raise TypeError("level_for answers for profiles and cases; use can() for their children.")
    if not _is_active_user(user):
        return None
    teams = dict(Membership.objects.filter(user_id=user.pk).values_list("team_id", "team__organisation_id"))
    if obj.owner_team_id in teams:
        return AccessLevel.MANAGE
    if has_role(user, ORGANISATION_ADMIN):
        owner_org = Team.objects.filter(pk=obj.owner_team_id).values_list("organisation_id", flat=True).first()
        if owner_org in teams.values():
            return AccessLevel.MANAGE
    user_perm, group_perm = _PERMISSION_TABLES[model]
    now = timezone.now()
    codenames = user_perm.objects.filter(user_id=user.pk, content_object_id=obj.pk).filter(
        _in_force(now)
    ).values_list("permission__codename", flat=True).union(
        group_perm.objects.filter(group_id__in=_user_group_ids(user), content_object_id=obj.pk)
        .filter(_in_force(now))
        .values_list("permission__codename", flat=True)
    )
    levels = [LEVEL_OF_VERB[c.split("_", 1)[0]] for c in codenames]
    return AccessLevel(max(levels)) if levels else None


def get_object_or_404(queryset_or_model, user, level: int = AccessLevel.VIEW, **lookup):
    """The object matching ``lookup`` if the user may use it at ``level``.

    404 when the user may not see it at all (its existence must not leak); 403 when they
    may see it but need a higher level."""
    queryset = (
        queryset_or_model._default_manager.all()
        if isinstance(queryset_or_model, type)
        else queryset_or_model
    )
    visible = restrict(queryset, user, AccessLevel.VIEW, point_lookup=True)
    try:
        obj = visible.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such record.") from exc
    if level > AccessLevel.VIEW and not can(user, obj, level):
        raise PermissionDenied(f"This needs {AccessLevel(level).label.lower()} access.")
    return obj
