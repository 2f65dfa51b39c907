"""The five roles, as Django groups with model-level permissions.

Roles say what kind of thing a user may do (create profiles, make referrals, administer
teams); *which* records they may do it to comes from ownership and grants in
``core.access``. Kept in step by :func:`sync_roles` after every migrate."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured

PRACTITIONER = "Practitioner"
TEAM_MANAGER = "Team manager"
ORGANISATION_ADMIN = "Organisation admin"
PARTNERSHIP_ADMIN = "Partnership admin"
SYSTEM_ADMIN = "System admin"

ROLES = (PRACTITIONER, TEAM_MANAGER, ORGANISATION_ADMIN, PARTNERSHIP_ADMIN, SYSTEM_ADMIN)

_WORK = [
    "wagtailadmin.access_admin",
    "core.add_profile", "core.change_profile",
    "core.add_case", "core.change_case",
    "core.add_activity", "core.add_grant", "core.add_accessrequest",
]
_TEAM_ADMIN = ["core.view_membership", "core.add_membership", "core.change_membership", "core.delete_membership"]
_ORG_ADMIN = _TEAM_ADMIN + ["core.view_team", "core.add_team", "core.change_team", "core.view_auditevent"]
_PARTNERSHIP_ADMIN = _ORG_ADMIN + [
    "core.view_partnership", "core.change_partnership",
    "core.view_organisation", "core.add_organisation", "core.change_organisation",
    "core.view_partnershipmembership", "core.add_partnershipmembership",
    "core.change_partnershipmembership", "core.delete_partnershipmembership",
    "core.view_programmemodule", "core.add_programmemodule", "core.change_programmemodule",
    # The low-code builders: report types, galleries, trigger rules (configuration, not records).
    "core.view_reporttype", "core.add_reporttype", "core.change_reporttype",
    "core.view_gallery", "core.add_gallery", "core.change_gallery",
    "core.view_triggerrule", "core.add_triggerrule", "core.change_triggerrule",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    PRACTITIONER: _WORK,
    TEAM_MANAGER: _WORK + _TEAM_ADMIN,
    ORGANISATION_ADMIN: _WORK + _ORG_ADMIN,
    PARTNERSHIP_ADMIN: ["wagtailadmin.access_admin"] + _PARTNERSHIP_ADMIN,
    SYSTEM_ADMIN: ["wagtailadmin.access_admin"] + _PARTNERSHIP_ADMIN + [
        "core.add_partnership", "core.delete_programmemodule", "core.delete_team",
        "auth.add_user", "auth.change_user", "auth.view_user",
    ],
}


def sync_roles(**kwargs) -> None:
    """Create the role groups and give each exactly its permissions. A permission that
    does not exist is a programming error (a typo would silently narrow a role)."""
    known = {
        f"{app}.{codename}": pk
        for pk, app, codename in Permission.objects.values_list("pk", "content_type__app_label", "codename")
    }
    missing = sorted({p for perms in ROLE_PERMISSIONS.values() for p in perms} - set(known))
    if missing:
        raise ImproperlyConfigured(f"Role permissions that do not exist: {', '.join(missing)}")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([known[p] for p in perms])


def has_role(user, role: str) -> bool:
    if not user.is_authenticated:
        return False
    cache = getattr(user, "_wraparound_roles", None)
    if cache is None:
        cache = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._wraparound_roles = cache
    return role in cache
