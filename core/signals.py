"""Signal receivers that keep derived state in step:

- a user's ``auth.Group`` memberships follow their team memberships: the team's group,
  and the group of each organisation they have a team in (grants to teams and
  organisations are group permissions);
- logins, logouts and failed logins are audited.
"""

from __future__ import annotations

from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Membership


def sync_user_groups(user) -> None:
    from .models import Organisation, Team

    team_groups = set(Team.objects.filter(memberships__user=user).values_list("group_id", flat=True))
    org_groups = set(
        Organisation.objects.filter(teams__memberships__user=user).values_list("group_id", flat=True)
    )
    wanted = team_groups | org_groups
    current = set(
        user.groups.filter(Q(team__isnull=False) | Q(organisation__isnull=False)).values_list("id", flat=True)
    )
    if wanted - current:
        user.groups.add(*(wanted - current))
    if current - wanted:
        user.groups.remove(*(current - wanted))


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def _membership_changed(sender, instance, **kwargs):
    sync_user_groups(instance.user)


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    from . import audit

    audit.record_auth(audit.AuditAction.LOGIN, user=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    from . import audit

    if user is not None:
        audit.record_auth(audit.AuditAction.LOGOUT, user=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    from . import audit

    audit.record_auth(
        audit.AuditAction.LOGIN_FAILED, user=None, request=request,
        username=str(credentials.get("username", ""))[:150],
    )
