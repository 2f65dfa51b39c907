"""IOM's own records: a cohort member's membership, their periods in custody, the
resettlement pathways worked on and the risk scores practitioners entered.

They hang off core's profiles and cases and follow their access: nothing here is read
except through ``plugins.iom.services`` (which asks ``core.access`` first), and nothing
is written except through its write functions (audited, in one transaction)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from core.models import RiskLevel

from .plugin import PRISON_NUMBER, PROGRAMME

#: The cohort case type's exit reasons, as the programme declares them.
EXIT_REASONS = [(c.code, c.label) for c in PROGRAMME.case_type("cohort").outcomes]


class CohortCategory(models.TextChoices):
    PPO = "ppo", "PPO — Prolific and Priority Offender"
    FIXED = "fixed", "Fixed cohort"
    FLEX = "flex", "Flex cohort"
    FREE = "free", "Free cohort"


class Tier(models.IntegerChoices):
    ONE = 1, "Tier 1 — highest"
    TWO = 2, "Tier 2"
    THREE = 3, "Tier 3 — lowest"


class CohortMembership(models.Model):
    """One IOM cohort case's membership: who the member is, how they are managed and
    when they joined and left the cohort."""

    case = models.OneToOneField("core.Case", on_delete=models.CASCADE, related_name="iom_membership")
    profile = models.ForeignKey("core.Profile", on_delete=models.PROTECT, related_name="iom_memberships")
    category = models.CharField(max_length=16, choices=CohortCategory.choices)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.TWO)
    risk_level = models.CharField(max_length=16, choices=RiskLevel.choices, default=RiskLevel.UNKNOWN)
    adopted_on = models.DateField()
    exited_on = models.DateField(null=True, blank=True)
    exit_reason = models.CharField(max_length=64, choices=EXIT_REASONS, blank=True)
    offender_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="iom_managed"
    )
    lead_agency = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="iom_led"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-adopted_on", "-id"]
        indexes = [
            models.Index(fields=["category", "tier"], name="iom_membership_cat_idx"),
            models.Index(fields=["profile"], name="iom_membership_profile_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(exited_on__isnull=True) | models.Q(exited_on__gte=models.F("adopted_on")),
                name="iom_membership_exit_after_adoption",
            ),
            models.CheckConstraint(condition=models.Q(tier__gte=1, tier__lte=3), name="iom_membership_tier_range"),
        ]

    def __str__(self) -> str:
        return f"{self.profile} on the IOM cohort ({self.get_category_display()}, tier {self.tier})"

    @property
    def is_current(self) -> bool:
        return self.exited_on is None


class ReleaseType(models.TextChoices):
    LICENCE = "licence", "Licence"
    HDC = "hdc", "Home Detention Curfew"
    END_OF_SENTENCE = "end_of_sentence", "End of sentence"
    REMAND_ENDED = "remand_ended", "Remand ended"
    PAROLE = "parole", "Parole"
    OTHER = "other", "Other"


class CustodyPeriod(models.Model):
    """A period the person spent (or spends) in prison: where, under which prison
    number, the sentence, and the release (expected, then actual)."""

    profile = models.ForeignKey("core.Profile", on_delete=models.CASCADE, related_name="iom_custody_periods")
    case = models.ForeignKey(
        "core.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="iom_custody_periods"
    )
    establishment = models.CharField(max_length=200, help_text="The prison, e.g. HMP Stafford.")
    prison_number = models.CharField(
        max_length=16, blank=True,
        validators=[RegexValidator(rf"^{PRISON_NUMBER.pattern}$", f"Not a valid prison number ({PRISON_NUMBER.help_text}).")],
    )
    received_on = models.DateField()
    sentence_date = models.DateField(null=True, blank=True)
    sentence_length = models.CharField(max_length=100, blank=True, help_text="As sentenced, e.g. 2 years 6 months.")
    expected_release_on = models.DateField(null=True, blank=True)
    released_on = models.DateField(null=True, blank=True)
    release_type = models.CharField(max_length=32, choices=ReleaseType.choices, blank=True)
    licence_conditions = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="iom_custody_recorded"
    )
    organisation = models.ForeignKey("core.Organisation", on_delete=models.PROTECT, related_name="iom_custody_periods")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["profile", "-received_on"], name="iom_custody_profile_idx"),
            models.Index(fields=["expected_release_on"], name="iom_custody_release_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(released_on__isnull=True) | models.Q(released_on__gte=models.F("received_on")),
                name="iom_custody_release_after_reception",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile} at {self.establishment} from {self.received_on}"

    @property
    def in_custody(self) -> bool:
        return self.released_on is None


class Pathway(models.TextChoices):
    ACCOMMODATION = "accommodation", "Accommodation"
    ETE = "education_training_employment", "Education, training and employment"
    HEALTH = "health", "Health"
    DRUGS_ALCOHOL = "drugs_alcohol", "Drugs and alcohol"
    FINANCE_DEBT = "finance_debt", "Finance, benefit and debt"
    CHILDREN_FAMILIES = "children_families", "Children and families"
    ATTITUDES_THINKING = "attitudes_thinking", "Attitudes, thinking and behaviour"


class PathwayStatus(models.TextChoices):
    IDENTIFIED = "identified", "Need identified"
    IN_PROGRESS = "in_progress", "In progress"
    MET = "met", "Need met"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class PathwayNeed(models.Model):
    """Where a cohort case stands on one resettlement pathway."""

    case = models.ForeignKey("core.Case", on_delete=models.CASCADE, related_name="iom_pathway_needs")
    pathway = models.CharField(max_length=32, choices=Pathway.choices)
    status = models.CharField(max_length=16, choices=PathwayStatus.choices, default=PathwayStatus.IDENTIFIED)
    notes = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="iom_pathways_updated"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["case", "pathway"]
        constraints = [models.UniqueConstraint(fields=["case", "pathway"], name="iom_uniq_pathway_per_case")]

    def __str__(self) -> str:
        return f"{self.get_pathway_display()}: {self.get_status_display()}"


class RiskTool(models.TextChoices):
    OGRS3 = "ogrs3", "OGRS3"
    OGP = "ogp", "OGP"
    OVP = "ovp", "OVP"
    RSR = "rsr", "RSR"
    LOCAL = "local", "Local IOM matrix"


class RiskScore(models.Model):
    """A reoffending or risk score as a practitioner entered it (never computed here)."""

    profile = models.ForeignKey("core.Profile", on_delete=models.CASCADE, related_name="iom_risk_scores")
    case = models.ForeignKey(
        "core.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="iom_risk_scores"
    )
    tool = models.CharField(max_length=16, choices=RiskTool.choices)
    score = models.DecimalField(
        max_digits=5, decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="0 to 100 (a percentage for OGRS3, OGP and OVP).",
    )
    level = models.CharField(max_length=16, choices=RiskLevel.choices, default=RiskLevel.UNKNOWN)
    assessed_on = models.DateField()
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="iom_risk_scores"
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-assessed_on", "-id"]
        indexes = [models.Index(fields=["profile", "-assessed_on"], name="iom_riskscore_profile_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=0, score__lte=100), name="iom_riskscore_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_tool_display()} {self.score} on {self.assessed_on}"
