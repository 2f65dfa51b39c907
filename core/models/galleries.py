"""Galleries: photo-first card grids of profiles, shown to an audience.

- *Explicit* galleries list the profiles people added (with a reason and the risk they
  see), until removed; removal keeps the row (``removed_at``) for the record.
- *Saved-filter* galleries list the profiles matching their criteria (person roles,
  risk levels, warning markers, an open case in a programme) among the profiles owned
  by the audience's organisations.

The audience (partnerships and teams) sees each profile's *minimal card* — photo, name,
age, risk, owner team and how to contact it — even without access to the profile: the
deliberate, audited disclosure DESIGN.md allows, which leads to an access request."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .people import RiskLevel


class Gallery(models.Model):
    class Kind(models.TextChoices):
        EXPLICIT = "explicit", "Profiles added by hand"
        FILTER = "filter", "Saved filter"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.EXPLICIT)
    programme = models.SlugField(max_length=64, blank=True, help_text="Programme it belongs to; empty for all.")
    audience_partnerships = models.ManyToManyField("core.Partnership", blank=True, related_name="galleries")
    audience_teams = models.ManyToManyField("core.Team", blank=True, related_name="galleries")
    # Saved-filter criteria (a profile matches when it meets every criterion given).
    person_roles = models.JSONField(default=list, blank=True)
    risk_levels = models.JSONField(default=list, blank=True)
    warning_markers = models.JSONField(default=list, blank=True)
    open_case_programme = models.SlugField(max_length=64, blank=True,
                                           help_text="Only profiles with an open case in this programme.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "galleries"

    def __str__(self) -> str:
        return self.name


class GalleryEntry(models.Model):
    gallery = models.ForeignKey(Gallery, on_delete=models.CASCADE, related_name="entries")
    profile = models.ForeignKey("core.Profile", on_delete=models.CASCADE, related_name="gallery_entries")
    reason = models.TextField()
    risk_level = models.CharField(max_length=16, choices=RiskLevel.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-added_at", "-id"]
        verbose_name_plural = "gallery entries"
        constraints = [
            models.UniqueConstraint(fields=["gallery", "profile"], condition=Q(removed_at__isnull=True),
                                    name="gallery_entry_once"),
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} in {self.gallery}"
