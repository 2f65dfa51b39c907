"""Cases and the action log.

A case belongs to one programme (a plugin slug) and one of the programme's case types;
its ``stage`` is one of the case type's stages, as declared through the
``wraparound_programme`` hook. References are generated per programme and year
(``ASB-2026-000123``) from :class:`CaseReferenceCounter`, under a row lock."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    reference = models.CharField(max_length=32, unique=True, editable=False)
    programme = models.SlugField(max_length=64)
    case_type = models.SlugField(max_length=64)
    stage = models.SlugField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    owner_team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="owned_cases")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_cases"
    )
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=64, blank=True)
    outcome_notes = models.TextField(blank=True)
    linked_cases = models.ManyToManyField("self", blank=True, symmetrical=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opened_on", "-id"]
        permissions = [
            ("contribute_case", "Can contribute to a case (object level)"),
            ("manage_case", "Can manage a case: share, transfer, close (object level)"),
        ]
        indexes = [
            models.Index(fields=["programme", "status", "stage"], name="case_programme_idx"),
            models.Index(fields=["owner_team", "status"], name="case_owner_idx"),
            models.Index(fields=["-opened_on", "-id"], name="case_opened_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="open", closed_on__isnull=True)
                | models.Q(status="closed", closed_on__isnull=False),
                name="case_closed_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class CaseReferenceCounter(models.Model):
    programme = models.SlugField(max_length=64)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["programme", "year"], name="uniq_case_counter")]

    def __str__(self) -> str:
        return f"{self.programme} {self.year}: {self.last_number}"


class CaseParticipant(models.Model):
    class Role(models.TextChoices):
        SUBJECT = "subject", "Subject"
        OFFENDER = "offender", "Offender / perpetrator"
        VICTIM = "victim", "Victim"
        COMPLAINANT = "complainant", "Complainant"
        WITNESS = "witness", "Witness"
        FAMILY_MEMBER = "family_member", "Family member"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participants")
    profile = models.ForeignKey("core.Profile", on_delete=models.PROTECT, related_name="case_participations")
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.SUBJECT)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "profile", "role"], name="uniq_participant")]

    def __str__(self) -> str:
        return f"{self.profile} ({self.get_role_display()}) in {self.case.reference}"


class Activity(models.Model):
    """An entry in the action log of a case or of a profile. It follows the access of its
    case (or, when it has no case, of its profile). ``restricted`` keeps it to members of
    the recording organisation among those with access."""

    class Kind(models.TextChoices):
        CONTACT = "contact", "Contact"
        VISIT = "visit", "Home visit"
        CALL = "call", "Phone call"
        MEETING = "meeting", "Meeting"
        INTERVENTION = "intervention", "Intervention"
        LETTER = "letter", "Letter"
        NOTE = "note", "Note"
        OUTCOME = "outcome", "Outcome"
        NON_COOPERATION = "non_cooperation", "Non-cooperation"
        STAGE_CHANGE = "stage_change", "Stage change"
        REFERRAL = "referral", "Referral"

    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="activities")
    profile = models.ForeignKey(
        "core.Profile", null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.CONTACT)
    occurred_at = models.DateTimeField()
    summary = models.CharField(max_length=300)
    details = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="recorded_activities"
    )
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="activities")
    restricted = models.BooleanField(
        default=False, help_text="Only people in the recording organisation may see this entry."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "activities"
        # Newest first within a case or a profile, covering what access needs and the kind
        # (PostgreSQL INCLUDE): listing every activity a user may see, of a kind or since a
        # time, and counting them, reads only these indexes (core.access.listing.
        # VisibleActivityList).
        indexes = [
            models.Index(fields=["case", "-occurred_at", "-id"], include=["restricted", "organisation", "kind"],
                         name="activity_case_kind_idx"),
            models.Index(fields=["profile", "-occurred_at", "-id"],
                         include=["case", "restricted", "organisation", "kind"], name="activity_profile_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(case__isnull=False) | models.Q(profile__isnull=False),
                name="activity_has_parent",
            )
        ]

    def __str__(self) -> str:
        return self.summary
