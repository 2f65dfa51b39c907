"""Who works in Wraparound: partnerships, organisations, teams and their members, and which
programme modules each organisation has switched on.

Teams and organisations each own an ``auth.Group``: a grant to a team or an organisation
is stored as a django-guardian group permission on that group, and a user's group
memberships follow their team memberships (kept in step by ``core.services.people``'s
membership functions and the signal in ``core.signals``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.text import slugify


class Partnership(models.Model):
    """An area's network of organisations under an information-sharing agreement."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    area = models.CharField(max_length=200, blank=True, help_text="County or area covered.")
    require_justification = models.BooleanField(
        default=False,
        help_text="Ask users for a reason each time they open a profile or case owned in this partnership.",
    )
    organisations = models.ManyToManyField(
        "core.Organisation", through="core.PartnershipMembership", related_name="partnerships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:200]
        super().save(*args, **kwargs)


class Organisation(models.Model):
    class Kind(models.TextChoices):
        POLICE = "police", "Police"
        COUNCIL = "council", "Council"
        PRISON = "prison", "Prison"
        PROBATION = "probation", "Probation"
        HOUSING = "housing", "Housing"
        HEALTH = "health", "Health"
        EDUCATION = "education", "Education"
        VICTIM_SERVICES = "victim_services", "Victim services"
        VOLUNTARY = "voluntary", "Voluntary / community"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    area = models.CharField(max_length=200, blank=True, help_text="County or area, e.g. Norfolk.")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="organisation", editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:200]
        if not self.group_id:
            self.group = Group.objects.create(name=f"org:{self.slug}")
        super().save(*args, **kwargs)


class PartnershipMembership(models.Model):
    """An organisation's place in a partnership, under its information-sharing agreement."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="partnership_memberships")
    agreement_reference = models.CharField(max_length=200, blank=True)
    agreement_signed_on = models.DateField(null=True, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partnership", "organisation"], name="uniq_partnership_organisation")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.partnership}"


class Team(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    email = models.EmailField(blank=True, help_text="How other agencies contact this team.")
    phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="team", editable=False)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="core.Membership", related_name="teams")

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "slug"], name="uniq_team_slug_per_org")]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.name})"

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:200]
        if not self.group_id:
            self.group = Group.objects.create(name=f"team:{self.organisation.slug}:{self.slug}")
        super().save(*args, **kwargs)

    @property
    def contact(self) -> str:
        return " · ".join(x for x in (self.email, self.phone) if x) or self.organisation.email


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        MANAGER = "manager", "Manager"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "team"], name="uniq_membership")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.get_role_display()})"


class ProgrammeModule(models.Model):
    """A programme switched on (or off) for one organisation. Switching off hides the
    programme's menus, screens and routes from the organisation's users; no data is
    deleted."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="programme_modules")
    programme = models.SlugField(max_length=64, help_text="Slug of the programme plugin.")
    enabled = models.BooleanField(default=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation__name", "programme"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "programme"], name="uniq_programme_per_org")
        ]

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"{self.programme} for {self.organisation} ({state})"
