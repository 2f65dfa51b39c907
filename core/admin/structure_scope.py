"""Who may administer which part of the structure (partnerships, organisations, teams,
memberships, programme modules), as querysets and Wagtail permission policies.

Roles (``core.roles``) give the *model-level* right ("may change teams"); the scope
functions here say *which rows*:

- a system admin (or superuser) administers everything;
- a partnership admin administers the partnerships their teams' organisations belong
  to, every organisation in those partnerships, and those organisations' teams,
  memberships and programme modules;
- an organisation admin (SPOC) administers their own organisations' teams and
  memberships;
- a team manager administers the memberships of the teams they manage.

A user who holds several roles gets the union. Everything is a subquery (no id lists
in Python). Wagtail's generic views only consult model-level permissions, so the
viewsets in ``core.admin.structure`` narrow every queryset they read through
:func:`scope`, and the policies below answer instance questions with the same scope.
"""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet
from wagtail.permission_policies import ModelPermissionPolicy

from ..access import user_organisation_ids
from ..models import (
    Membership,
    Organisation,
    Partnership,
    PartnershipMembership,
    ProgrammeModule,
    Team,
)
from ..roles import ORGANISATION_ADMIN, PARTNERSHIP_ADMIN, SYSTEM_ADMIN, TEAM_MANAGER, has_role

NOTHING = Q(pk__in=[])


def is_system_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or has_role(user, SYSTEM_ADMIN)))


def _user_partnership_ids(user) -> QuerySet:
    return PartnershipMembership.objects.filter(organisation_id__in=user_organisation_ids(user)).values("partnership_id")


def _administered_organisations(user) -> Q:
    """A filter on Organisation for the organisations ``user`` administers (non-system admins)."""
    q = NOTHING
    if has_role(user, PARTNERSHIP_ADMIN):
        q |= Q(
            pk__in=PartnershipMembership.objects.filter(
                partnership_id__in=_user_partnership_ids(user)
            ).values("organisation_id")
        )
    if has_role(user, ORGANISATION_ADMIN):
        q |= Q(pk__in=user_organisation_ids(user))
    return q


def _filter_for(model: type[Model], user) -> Q:
    if model is Partnership:
        return Q(pk__in=_user_partnership_ids(user)) if has_role(user, PARTNERSHIP_ADMIN) else NOTHING
    if model is PartnershipMembership:
        return Q(partnership_id__in=_user_partnership_ids(user)) if has_role(user, PARTNERSHIP_ADMIN) else NOTHING
    orgs = Organisation.objects.filter(_administered_organisations(user)).values("pk")
    if model is Organisation:
        return Q(pk__in=orgs)
    if model is Team:
        return Q(organisation_id__in=orgs)
    if model is ProgrammeModule:
        return Q(organisation_id__in=orgs)
    if model is Membership:
        q = Q(team__organisation_id__in=orgs)
        if has_role(user, TEAM_MANAGER):
            q |= Q(team_id__in=Membership.objects.filter(user_id=user.pk, role=Membership.Role.MANAGER).values("team_id"))
        return q
    raise ValueError(f"No structure scope for {model.__name__}.")


def scope(queryset: QuerySet, user) -> QuerySet:
    """Narrow a queryset of a structure model to the rows ``user`` administers."""
    if not (user and user.is_authenticated and user.is_active):
        return queryset.none()
    if is_system_admin(user):
        return queryset
    return queryset.filter(_filter_for(queryset.model, user))


class StructurePermissionPolicy(ModelPermissionPolicy):
    """Model permissions from the user's roles, instance permissions from :func:`scope`.

    Only the listed ``actions`` exist: anything else ("publish", "lock", "copy"…) is
    refused, even for superusers, so a Wagtail feature we have not reviewed cannot
    switch itself on."""

    def __init__(self, model, actions=("add", "change", "delete", "view")):
        super().__init__(model)
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action):
        if action not in self.actions or not (user.is_authenticated and user.is_active):
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a in self.actions])

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action)
            and scope(self.model._default_manager.filter(pk=instance.pk), user).exists()
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return scope(self.model._default_manager.all(), user)


#: The policies, registered with Wagtail when ``core.admin.structure`` is imported.
POLICIES = {
    Partnership: StructurePermissionPolicy(Partnership, actions=("add", "change", "view")),
    Organisation: StructurePermissionPolicy(Organisation, actions=("add", "change", "view")),
    PartnershipMembership: StructurePermissionPolicy(PartnershipMembership),
    Team: StructurePermissionPolicy(Team),
    Membership: StructurePermissionPolicy(Membership),
    ProgrammeModule: StructurePermissionPolicy(ProgrammeModule, actions=("change", "view")),
}


def register_policies() -> None:
    """Register the structure models' permission policies. Called from
    ``CoreConfig.ready()``, before the admin URLs load and before any viewset asks for a
    policy (which would otherwise get Wagtail's model-only fallback)."""
    from wagtail.permissions import policy_registry, register_permission_policy

    for model, policy in POLICIES.items():
        if policy_registry.get_by_type(model, fallback=False) is None:
            register_permission_policy(model, policy)
