"""People: profiles and what hangs off them (aliases, addresses, identifiers, person
roles, warning markers), relationships between profiles, and households.

Identifier types, person roles and warning markers are codes: core declares a few and
programme plugins add theirs through hooks (see ``core.plugins.registry``). They are
stored in child tables rather than JSON lists so that they can be filtered and indexed
the same way on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper


class RiskLevel(models.TextChoices):
    UNKNOWN = "unknown", "Not assessed"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class Profile(models.Model):
    class Gender(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        NON_BINARY = "non_binary", "Non-binary"
        OTHER = "other", "Other"
        UNKNOWN = "unknown", "Not known"

    class Consent(models.TextChoices):
        NOT_SOUGHT = "not_sought", "Not sought"
        GIVEN = "given", "Given"
        REFUSED = "refused", "Refused"

    class LawfulBasis(models.TextChoices):
        NONE = "", "—"
        CONSENT = "consent", "Consent"
        CRIME_PREVENTION = "crime_prevention", "Prevention or detection of crime (DPA 2018 s.31)"
        SAFEGUARDING = "safeguarding", "Safeguarding of children or adults at risk"
        VITAL_INTERESTS = "vital_interests", "Vital interests"
        PUBLIC_TASK = "public_task", "Public task / statutory duty"
        LEGAL_OBLIGATION = "legal_obligation", "Legal obligation"

    first_name = models.CharField(max_length=100)
    middle_names = models.CharField(max_length=200, blank=True)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    date_of_birth_approximate = models.BooleanField(
        default=False, help_text="Tick when the date of birth is an estimate."
    )
    gender = models.CharField(max_length=16, choices=Gender.choices, default=Gender.UNKNOWN)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    photo = models.ImageField(upload_to="profiles/photos/", blank=True)
    risk_level = models.CharField(max_length=16, choices=RiskLevel.choices, default=RiskLevel.UNKNOWN)
    owner_team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="owned_profiles")
    consent_to_share = models.CharField(max_length=16, choices=Consent.choices, default=Consent.NOT_SOUGHT)
    lawful_basis = models.CharField(max_length=32, choices=LawfulBasis.choices, blank=True)
    consent_recorded_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        permissions = [
            ("contribute_profile", "Can contribute to a profile (object level)"),
            ("manage_profile", "Can manage a profile: share, transfer, delete (object level)"),
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name", "id"], name="profile_name_idx"),
            models.Index(fields=["owner_team", "last_name"], name="profile_owner_name_idx"),
            models.Index(Upper("last_name"), name="profile_upper_last_idx"),
            models.Index(fields=["date_of_birth"], name="profile_dob_idx"),
            models.Index(fields=["updated_at"], name="profile_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(consent_to_share="refused") | ~models.Q(lawful_basis=""),
                name="profile_refused_consent_needs_basis",
                violation_error_message="Consent was refused: record the lawful basis for sharing without it.",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(x for x in (self.first_name, self.last_name) if x)

    def age(self, today: date | None = None) -> int | None:
        if not self.date_of_birth:
            return None
        today = today or date.today()
        born = self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


class ProfileAlias(models.Model):
    class Kind(models.TextChoices):
        ALIAS = "alias", "Alias"
        NICKNAME = "nickname", "Nickname / street name"
        PREVIOUS = "previous", "Previous name"

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ALIAS)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(Upper("name"), name="alias_upper_name_idx")]

    def __str__(self) -> str:
        return self.name


class Address(models.Model):
    class Kind(models.TextChoices):
        HOME = "home", "Home"
        TEMPORARY = "temporary", "Temporary"
        PREVIOUS = "previous", "Previous"
        CUSTODY = "custody", "Custody"
        OTHER = "other", "Other"

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.HOME)
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    county = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    current = models.BooleanField(default=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-current", "-valid_from", "id"]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return ", ".join(x for x in (self.line1, self.line2, self.town, self.postcode) if x)

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": "The address cannot end before it starts."})


class Identifier(models.Model):
    """A reference number for the person in another system (PNC, NHS, NI, prison
    number…). ``kind`` is an identifier-type code from the registry."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(max_length=64)
    value = models.CharField(max_length=100)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="uniq_identifier")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.value}"


class PersonRole(models.Model):
    """One of the roles a person has (offender, victim, vulnerable person…); several at once."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="person_roles")
    role = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "role"], name="uniq_person_role")]
        indexes = [models.Index(fields=["role", "profile"], name="person_role_idx")]

    def __str__(self) -> str:
        return self.role


class WarningMarker(models.Model):
    """A warning shown prominently to everyone who may see the profile (violence,
    weapons, self-harm…)."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="warning_markers")
    marker = models.CharField(max_length=64)
    note = models.CharField(max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "marker"], name="uniq_warning_marker")]
        indexes = [models.Index(fields=["marker", "profile"], name="warning_marker_idx")]

    def __str__(self) -> str:
        return self.marker


class Relationship(models.Model):
    class Kind(models.TextChoices):
        PARENT = "parent", "Parent of"
        CHILD = "child", "Child of"
        SIBLING = "sibling", "Sibling of"
        PARTNER = "partner", "Partner of"
        EX_PARTNER = "ex_partner", "Former partner of"
        CARER = "carer", "Carer of"
        ASSOCIATE = "associate", "Associate of"
        CO_OFFENDER = "co_offender", "Co-offender with"
        NEIGHBOUR = "neighbour", "Neighbour of"
        VICTIM_OF = "victim_of", "Victim of"
        OTHER = "other", "Other"

    from_profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="relationships_from")
    to_profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="relationships_to")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_profile=models.F("to_profile")),
                name="relationship_not_self",
                violation_error_message="A person cannot be related to themselves.",
            ),
            models.UniqueConstraint(fields=["from_profile", "to_profile", "kind"], name="uniq_relationship"),
        ]

    def __str__(self) -> str:
        return f"{self.from_profile} — {self.get_kind_display()} — {self.to_profile}"


class Household(models.Model):
    """A family or other group of profiles (co-offender group, gang) worked with together."""

    class Kind(models.TextChoices):
        FAMILY = "family", "Family / household"
        GROUP = "group", "Co-offender group"
        OTHER = "other", "Other group"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FAMILY)
    owner_team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="households")
    members = models.ManyToManyField(Profile, through="core.HouseholdMember", related_name="households")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="household_memberships")
    role = models.CharField(max_length=100, blank=True, help_text="e.g. parent, child, lead member")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["household", "profile"], name="uniq_household_member")]

    def __str__(self) -> str:
        return f"{self.profile} in {self.household}"
