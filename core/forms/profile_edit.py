"""The profile edit form with everything that hangs off the profile: roles and
warning markers (checkboxes), one field per identifier type, aliases (one per line,
``name`` or ``name (nickname)``) and addresses (a formset, rows removable)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from ..models import Address, ProfileAlias
from ..plugins.registry import registry
from ..services.people import validate_identifier
from .records import ProfileEditForm

ALIAS_KINDS = {label.lower(): code for code, label in ProfileAlias.Kind.choices} | {
    code: code for code in ProfileAlias.Kind.values
}


class ProfileFullEditForm(ProfileEditForm):
    #: Set by the rendered form: a POST without it (an older client) leaves roles,
    #: markers, identifiers and aliases alone instead of clearing them.
    with_details = forms.BooleanField(widget=forms.HiddenInput, initial=True, required=False)
    person_roles = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple, label="Person roles")
    warning_markers = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Warning markers"
    )
    aliases = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Aliases",
        help_text="One per line. Add the kind in brackets if it is not an alias: “Smudge (nickname)”, "
        "“Jane Smith (previous)”.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profile = self.instance
        self.fields["person_roles"].choices = registry.choices("person_roles")
        self.fields["warning_markers"].choices = registry.choices("warning_markers")
        existing_ids = dict(profile.identifiers.values_list("kind", "value")) if profile.pk else {}
        for code, spec in registry.identifier_types.items():
            self.fields[f"identifier_{code}"] = forms.CharField(
                required=False, max_length=100, label=spec.label, help_text=spec.help_text,
                initial=existing_ids.get(code, ""),
            )
        self.order_fields([
            "first_name", "middle_names", "last_name", "preferred_name", "aliases", "date_of_birth",
            "date_of_birth_approximate", "gender", "person_roles", "risk_level", "warning_markers",
            *self.identifier_field_names(), "phone", "email",
        ])
        if profile.pk and not self.is_bound:
            self.initial.setdefault("person_roles", list(profile.person_roles.values_list("role", flat=True)))
            self.initial.setdefault("warning_markers", list(profile.warning_markers.values_list("marker", flat=True)))
            self.initial.setdefault("aliases", "\n".join(
                a.name if a.kind == ProfileAlias.Kind.ALIAS else f"{a.name} ({a.get_kind_display().lower()})"
                for a in profile.aliases.all()
            ))

    def identifier_field_names(self) -> list[str]:
        return [name for name in self.fields if name.startswith("identifier_")]

    def clean_aliases(self):
        result = []
        for line in (self.cleaned_data.get("aliases") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            name, kind = line, ProfileAlias.Kind.ALIAS
            if line.endswith(")") and "(" in line:
                head, _, tail = line[:-1].rpartition("(")
                if tail.strip().lower() in ALIAS_KINDS:
                    name, kind = head.strip(), ALIAS_KINDS[tail.strip().lower()]
            if len(name) > 200:
                raise ValidationError(f"“{name[:30]}…” is longer than 200 characters.")
            result.append((name, kind))
        return result

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
        return cleaned

    def detail_kwargs(self) -> dict:
        data = self.cleaned_data
        if not data.get("with_details"):
            return {}
        return {
            "person_roles": data.get("person_roles") or [],
            "warning_markers": data.get("warning_markers") or [],
            "identifiers": [(n.removeprefix("identifier_"), data[n]) for n in self.identifier_field_names() if data.get(n)],
            "aliases": data.get("aliases") or [],
        }


class AddressForm(forms.ModelForm):
    class Meta:
        model = Address
        fields = ["kind", "line1", "line2", "town", "county", "postcode", "current", "valid_from", "valid_to"]
        labels = {"line1": "Address line 1", "line2": "Address line 2", "current": "Current address",
                  "DELETE": "Remove"}
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_to": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            # The empty row for a new address counts as untouched until something is typed.
            self.fields["current"].initial = False


class BaseAddressFormSet(forms.BaseModelFormSet):
    def clean(self):
        super().clean()
        current = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
                   and f.cleaned_data.get("current")]
        if len(current) > 1:
            raise ValidationError("Only one address can be the current one.")

    def address_dicts(self) -> list[dict]:
        return [
            {k: v for k, v in f.cleaned_data.items() if k in AddressForm.Meta.fields}
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("line1")
        ]


AddressFormSet = forms.modelformset_factory(
    Address, form=AddressForm, formset=BaseAddressFormSet, extra=1, can_delete=True
)
