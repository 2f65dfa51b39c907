"""Trigger factors and alerts.

A :class:`TriggerRule` is an admin's choice of a rule *kind* (declared by core or by a
plugin, see ``core.alerts``) with its parameters, its scope (a programme, owner
organisations) and its recipients. Evaluating a rule yields *occurrences*, each with a
stable key; an :class:`Alert` is raised once per (rule, key) — the unique constraint
makes re-evaluation (on a data change and by the periodic sweep, possibly at the same
time) harmless."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TriggerRule(models.Model):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=64, help_text="The kind of pattern this rule looks for.")
    params = models.JSONField(default=dict, blank=True)
    programme = models.SlugField(max_length=64, blank=True,
                                 help_text="Only profiles with a case in this programme; empty for all.")
    organisations = models.ManyToManyField(
        "core.Organisation", blank=True, related_name="trigger_rules",
        help_text="Only profiles owned by these organisations; none for every organisation.",
    )
    recipient_teams = models.ManyToManyField("core.Team", blank=True, related_name="trigger_rules")
    notify_owner_team = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Alert(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        ACTIONED = "actioned", "Actioned"
        DISMISSED = "dismissed", "Dismissed"

    rule = models.ForeignKey(TriggerRule, on_delete=models.CASCADE, related_name="alerts")
    profile = models.ForeignKey("core.Profile", on_delete=models.CASCADE, related_name="alerts")
    occurrence_key = models.CharField(max_length=200)
    summary = models.CharField(max_length=300)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    raised_at = models.DateTimeField(auto_now_add=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "profile", "occurrence_key"], name="alert_once_per_occurrence")
        ]
        indexes = [models.Index(fields=["profile", "status"], name="alert_profile_idx")]

    def __str__(self) -> str:
        return self.summary
