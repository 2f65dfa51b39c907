"""Membership of teams and programme modules per organisation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import audit
from ..models import AuditAction, Membership, Organisation, ProgrammeModule, Team
from ..plugins.registry import registry


@transaction.atomic
def add_member(team: Team, user, *, role: str = Membership.Role.MEMBER, by=None) -> Membership:
    if not team.is_active:
        raise ValidationError({"team": f"{team} is no longer active."})
    membership, created = Membership.objects.get_or_create(user=user, team=team, defaults={"role": role})
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    audit.record(AuditAction.UPDATE, team, actor=by, changes={"member_added": user.get_username(), "role": role})
    return membership


@transaction.atomic
def remove_member(team: Team, user, *, by=None) -> None:
    deleted, _ = Membership.objects.filter(user=user, team=team).delete()
    if deleted:
        audit.record(AuditAction.UPDATE, team, actor=by, changes={"member_removed": user.get_username()})


@transaction.atomic
def set_programme_enabled(organisation: Organisation, programme: str, enabled: bool, *, by) -> ProgrammeModule:
    """Switch a programme on or off for an organisation. Off hides it; no data is lost."""
    if registry.programme(programme) is None:
        raise ValidationError({"programme": f"Unknown programme {programme!r}."})
    module, _ = ProgrammeModule.objects.update_or_create(
        organisation=organisation, programme=programme, defaults={"enabled": enabled, "changed_by": by}
    )
    audit.record(AuditAction.UPDATE, organisation, actor=by, changes={"programme": programme, "enabled": enabled})
    return module
