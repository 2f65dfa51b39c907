"""Forms of the profile and case screens. They validate what a form can (types,
required fields, identifier formats) so that errors show beside each field; the
services validate again and carry the rules, and their errors are put back on the
form by :func:`core.plugins.screens.add_service_errors`."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput

from ..models import Activity, Profile, Team
from ..plugins.registry import registry
from ..services.people import EDITABLE_FIELDS, validate_identifier

#: Profile fields on the create and edit forms (the photo has its own upload later).
PROFILE_FIELDS = [f for f in EDITABLE_FIELDS if f != "photo"]
ADDRESS_FIELDS = ("line1", "line2", "town", "county", "postcode")


class JustificationForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to open this record?",
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded in the audit trail with your name. At least 10 characters, e.g. "
        "'Safeguarding strategy meeting on 12 May'.",
    )

    def clean_reason(self):
        return " ".join(self.cleaned_data["reason"].split())


class ProfileFieldsForm(forms.ModelForm):
    """The profile's own fields, with the model's validation (constraints included)."""

    class Meta:
        model = Profile
        fields = PROFILE_FIELDS
        widgets = {
            "date_of_birth": AdminDateInput,
            "consent_recorded_on": AdminDateInput,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }


class ProfileCreateForm(ProfileFieldsForm):
    owner_team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        label="Owner team",
        help_text="The team responsible for this record; it has full access.",
    )
    person_roles = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Person roles"
    )
    warning_markers = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Warning markers"
    )
    aliases = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Aliases", help_text="One per line."
    )
    line1 = forms.CharField(required=False, max_length=200, label="Address line 1")
    line2 = forms.CharField(required=False, max_length=200, label="Address line 2")
    town = forms.CharField(required=False, max_length=100)
    county = forms.CharField(required=False, max_length=100)
    postcode = forms.CharField(required=False, max_length=10)

    class Meta(ProfileFieldsForm.Meta):
        fields = ["owner_team", *PROFILE_FIELDS]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(memberships__user=user, is_active=True).select_related("organisation")
        self.fields["owner_team"].queryset = teams
        if len(teams) == 1:
            self.fields["owner_team"].initial = teams[0].pk
        self.fields["person_roles"].choices = registry.choices("person_roles")
        self.fields["warning_markers"].choices = registry.choices("warning_markers")
        # One optional field per identifier type the plugins declared.
        for code, spec in registry.identifier_types.items():
            self.fields[f"identifier_{code}"] = forms.CharField(
                required=False, max_length=100, label=spec.label, help_text=spec.help_text
            )

        self.order_fields([
            "owner_team", "first_name", "middle_names", "last_name", "preferred_name", "aliases",
            "date_of_birth", "date_of_birth_approximate", "gender", "person_roles", "risk_level",
            "warning_markers", *self.identifier_field_names(), "phone", "email", *ADDRESS_FIELDS,
            "consent_to_share", "lawful_basis", "consent_recorded_on", "notes",
        ])

    def identifier_field_names(self) -> list[str]:
        return [name for name in self.fields if name.startswith("identifier_")]

    def clean(self):
        cleaned = super().clean()
        for name in self.identifier_field_names():
            value = (cleaned.get(name) or "").strip()
            if not value:
                continue
            try:
                cleaned[name] = validate_identifier(name.removeprefix("identifier_"), value)
            except ValidationError as exc:
                self.add_error(name, exc.message_dict.get("identifiers", exc.messages))
        if any(cleaned.get(f) for f in ADDRESS_FIELDS) and not cleaned.get("line1"):
            self.add_error("line1", "Give the first line of the address.")
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {f: data[f] for f in PROFILE_FIELDS if f in data}
        kwargs["owner_team"] = data["owner_team"]
        kwargs["person_roles"] = data.get("person_roles") or []
        kwargs["warning_markers"] = data.get("warning_markers") or []
        kwargs["identifiers"] = [
            (name.removeprefix("identifier_"), data[name]) for name in self.identifier_field_names() if data.get(name)
        ]
        kwargs["aliases"] = [line.strip() for line in (data.get("aliases") or "").splitlines() if line.strip()]
        if data.get("line1"):
            kwargs["addresses"] = [{f: data.get(f) or "" for f in ADDRESS_FIELDS}]
        return kwargs


class ProfileEditForm(ProfileFieldsForm):
    """Edit a profile's own fields. ``version`` is the version the form was loaded at:
    saving after someone else's save is refused (services.ConflictError)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def changes(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.changed_data if f in PROFILE_FIELDS}


#: What a practitioner records by hand; stage changes, outcomes and referrals are
#: written by the operations that cause them.
MANUAL_ACTIVITY_KINDS = [
    (k.value, k.label)
    for k in Activity.Kind
    if k not in (Activity.Kind.STAGE_CHANGE, Activity.Kind.OUTCOME, Activity.Kind.REFERRAL)
]


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(choices=MANUAL_ACTIVITY_KINDS, initial=Activity.Kind.CONTACT)
    occurred_at = forms.DateTimeField(label="When", widget=AdminDateTimeInput, initial=timezone.now)
    summary = forms.CharField(max_length=300)
    details = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    restricted = forms.BooleanField(
        required=False,
        label="Restricted to my organisation",
        help_text="Only people in your organisation who may see this case will see this entry.",
    )
