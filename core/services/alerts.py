"""Raising alerts (from rule evaluation) and handling them (acknowledge, action, dismiss)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from .. import audit
from ..access import AccessLevel
from ..models import Alert, AuditAction, NotificationKind, Profile
from .errors import require_level
from .notifications import notify


def alerts_visible_to(user):
    """The alerts the user may see: those on profiles they may see (``core.access``),
    less those of a programme their organisations have not enabled (by the rule's
    programme or its kind's): a disabled programme's alerts are hidden, not deleted."""
    from django.db.models import Q

    from .. import access
    from ..plugins.registry import registry
    from ..programmes import enabled_programmes_for

    enabled = enabled_programmes_for(user)
    hidden_kinds = [code for code, kind in registry.rule_kinds.items() if kind.programme and kind.programme not in enabled]
    return access.restrict(Alert.objects.all(), user).filter(
        Q(rule__programme="") | Q(rule__programme__in=enabled)
    ).exclude(rule__kind__in=hidden_kinds)


def alert_url(alert: Alert) -> str:
    return reverse("wraparound_alerts:detail", args=[alert.pk])


def raise_alerts(rule, occurrences) -> list[Alert]:
    """One alert per new occurrence, each in its own transaction with its audit event
    and the notification of the owner team and the rule's recipient teams."""
    occurrences = list(occurrences)
    if not occurrences:
        return []
    known = set(
        Alert.objects.filter(rule=rule, profile_id__in={o.profile_id for o in occurrences})
        .values_list("profile_id", "occurrence_key")
    )
    fresh = [o for o in occurrences if (o.profile_id, o.key) not in known]
    if not fresh:
        return []
    from ..models import Team

    owner_of = dict(Profile.objects.filter(pk__in={o.profile_id for o in fresh}).values_list("pk", "owner_team"))
    owners = Team.objects.in_bulk(set(owner_of.values()) if rule.notify_owner_team else [])
    recipients = list(rule.recipient_teams.all())
    told = _teams_using(rule, [*recipients, *owners.values()])
    recipients = [team for team in recipients if team in told]
    raised = []
    for occurrence in fresh:
        try:
            # Recorded on the caller's channel (the task, or the screen whose change
            # triggered the evaluation), with no actor: the system raised it.
            with transaction.atomic():
                alert = Alert.objects.create(rule=rule, profile_id=occurrence.profile_id,
                                             occurrence_key=occurrence.key[:200], summary=occurrence.summary[:300])
                audit.record(AuditAction.CREATE, alert, actor=None,
                             changes={"rule": rule.name, "profile_id": occurrence.profile_id, "key": occurrence.key})
                targets = list(recipients)
                owner = owners.get(owner_of.get(occurrence.profile_id))
                if owner is not None and owner in told:
                    targets.append(owner)
                # The subject names the rule, not the person: recipients without access to
                # the profile learn nothing from it (the link checks access).
                notify(targets, kind=NotificationKind.ALERT, subject=f"Alert: {rule.name}",
                       body="A trigger factor was met. Open the alert to see whom it concerns.",
                       url=alert_url(alert))
        except IntegrityError:  # raised by a concurrent evaluation meanwhile
            continue
        raised.append(alert)
    return raised


def rule_programmes(rule) -> set[str]:
    """The programmes a rule's alerts belong to: the rule's own and its kind's, if any (as
    ``alerts_visible_to`` hides them)."""
    from ..plugins.registry import registry

    kind = registry.rule_kinds.get(rule.kind)
    return {p for p in (rule.programme, kind.programme if kind else "") if p}


def _teams_using(rule, teams) -> set:
    """Those of ``teams`` whose organisation has the rule's programmes enabled: a team of
    an organisation that has switched the programme off is not told of alerts it could
    not open (``alerts_visible_to``)."""
    from django.db.models import Count

    from ..models import ProgrammeModule

    programmes = rule_programmes(rule)
    if not programmes:
        return set(teams)
    enabled = set(
        ProgrammeModule.objects.filter(programme__in=programmes, enabled=True,
                                       organisation_id__in={t.organisation_id for t in teams})
        .values("organisation_id").annotate(n=Count("programme", distinct=True)).filter(n=len(programmes))
        .values_list("organisation_id", flat=True)
    )
    return {team for team in teams if team.organisation_id in enabled}


HANDLED = {
    "acknowledge": Alert.Status.ACKNOWLEDGED,
    "action": Alert.Status.ACTIONED,
    "dismiss": Alert.Status.DISMISSED,
}


@transaction.atomic
def handle_alert(alert: Alert, *, by, action: str, note: str = "") -> Alert:
    """Acknowledge, action or dismiss an alert with a note (view on its profile
    needed; actioning or dismissing needs a note)."""
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    require_level(by, alert, AccessLevel.VIEW, "handle this alert")
    errors = {}
    status = HANDLED.get(action)
    if status is None:
        errors["action"] = "Choose acknowledge, action or dismiss."
    note = (note or "").strip()
    if action in ("action", "dismiss") and not note:
        errors["note"] = "Say what was done, or why the alert is dismissed."
    if alert.status in (Alert.Status.ACTIONED, Alert.Status.DISMISSED):
        errors["action"] = f"This alert is already {alert.get_status_display().lower()}."
    if errors:
        raise ValidationError(errors)
    previous = alert.status
    alert.status, alert.handled_by, alert.handled_at, alert.note = status, by, timezone.now(), note
    alert.save(update_fields=["status", "handled_by", "handled_at", "note"])
    audit.record(AuditAction.UPDATE, alert, actor=by, changes={"status": [previous, status], "note": note})
    return alert


@transaction.atomic
def save_trigger_rule(rule, *, by, organisations=None, recipient_teams=None):
    """Save an admin's trigger rule (parameters already validated by the form against its
    kind); one audit event. The new rule is evaluated by the next sweep or data change."""
    from ..plugins.registry import registry

    if rule.kind not in registry.rule_kinds:
        raise ValidationError({"kind": "Choose a kind of rule."})
    if not (rule.name or "").strip():
        raise ValidationError({"name": "Give the rule a name."})
    creating = rule.pk is None
    rule.save()
    if organisations is not None:
        rule.organisations.set(organisations)
    if recipient_teams is not None:
        rule.recipient_teams.set(recipient_teams)
    audit.record(AuditAction.CREATE if creating else AuditAction.UPDATE, rule, actor=by,
                 changes={"kind": rule.kind, "params": rule.params, "programme": rule.programme,
                          "active": rule.is_active})
    return rule


def sync_default_rules():
    """Create the default rules the rule kinds ship (``TriggerRuleKind.defaults``) that
    do not exist yet, matched by kind and name; after that they belong to the admins
    (switch a default off rather than deleting it, or the next ``migrate`` makes it
    again). Not audited, like the report types plugins ship. They notify the owner
    team of the profile concerned until an admin adds recipients."""
    from ..models import TriggerRule
    from ..plugins.registry import registry

    existing = set(TriggerRule.objects.values_list("kind", "name"))
    made = []
    for code, kind in registry.rule_kinds.items():
        for default in kind.defaults:
            if (code, default.name) in existing:
                continue
            made.append(TriggerRule.objects.create(name=default.name, kind=code, params=dict(default.params),
                                                   programme=default.programme, notify_owner_team=True))
    return made
