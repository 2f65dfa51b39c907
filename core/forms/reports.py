"""The report form, generated from a report type version's schema.

The same form class validates on the screen and in ``core.services.reports`` (which is
what makes validation server-side for every caller): one Django field per schema entry,
errors per field. ``to_json`` turns cleaned values into what ``Report.data`` stores;
``to_initial`` turns stored data back into form values."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from wagtail.admin.widgets import AdminDateInput

from .. import access, uploads
from ..models import Profile

YES_NO = [("", "—"), ("yes", "Yes"), ("no", "No")]
MAX_FILE_BYTES = 10 * 1024 * 1024


class CheckedFileField(forms.FileField):
    """A report's file, checked by ``core.uploads`` (size, type sniffed from the content
    and agreeing with the name, active content and polyglots refused, images re-encoded):
    ``cleaned_data`` holds the ``uploads.CleanUpload`` ready to store, or nothing."""

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if not value or not hasattr(value, "read") or value is initial:
            return value
        try:
            return uploads.clean_upload(value, kinds=uploads.DOCUMENTS, max_bytes=MAX_FILE_BYTES)
        except ValidationError as exc:
            raise ValidationError(f"{uploads.safe_original_name(value.name)}: {' '.join(exc.messages)}",
                                  code=exc.code) from None


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        born = f" (born {obj.date_of_birth:%Y})" if obj.date_of_birth else ""
        return f"{obj.full_name}{born}"


def build_field(entry: dict, user, existing=None) -> forms.Field:
    kind = entry["kind"]
    common = {"label": entry["label"], "required": bool(entry.get("required")), "help_text": entry.get("help_text", "")}
    if kind == "text":
        return forms.CharField(max_length=500, **common)
    if kind == "long_text":
        return forms.CharField(max_length=20000, widget=forms.Textarea(attrs={"rows": 5}), **common)
    if kind == "number":
        return forms.DecimalField(max_digits=15, decimal_places=4, **common)
    if kind == "date":
        return forms.DateField(widget=AdminDateInput, **common)
    if kind == "yes_no":
        return forms.ChoiceField(choices=YES_NO, **common)
    if kind == "choice":
        choices = [tuple(c) for c in entry.get("choices", [])]
        if entry.get("multiple"):
            return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if kind == "person":
        people = access.restrict(Profile.objects.all(), user).order_by("last_name", "first_name", "pk")
        return PersonField(queryset=people, **common)
    if kind == "file":
        if existing:  # a file already attached satisfies "required"; a new upload replaces it
            common["required"] = False
            common["help_text"] = f"Attached: {existing['name']}. Upload another file to replace it."
        return CheckedFileField(**common)
    raise ValueError(f"Unknown report field kind {kind!r}.")


def report_form(schema: list[dict], user, *, data=None, files=None, stored: dict | None = None,
                prefix: str | None = "report") -> forms.Form:
    """A bound (``data`` given) or unbound form for ``schema``; ``stored`` is the data
    of the report being edited (initial values, and files already attached)."""
    stored = stored or {}
    form = forms.Form(data=data, files=files, initial=to_initial(schema, stored), prefix=prefix)
    for entry in schema:
        form.fields[entry["key"]] = build_field(entry, user, existing=stored.get(entry["key"]) if entry["kind"] == "file" else None)
    return form


def to_initial(schema: list[dict], stored: dict) -> dict:
    initial = {}
    for entry in schema:
        value = stored.get(entry["key"])
        if value is None or entry["kind"] == "file":
            continue
        if entry["kind"] == "yes_no":
            value = "yes" if value else "no"
        initial[entry["key"]] = value
    return initial


def to_json(entry: dict, value):
    """A cleaned form value as stored in ``Report.data`` (files are stored by the service)."""
    kind = entry["kind"]
    if value in (None, "", []):
        return None
    if kind == "number":
        value = Decimal(value)
        return int(value) if value == value.to_integral_value() else float(value)
    if kind == "date":
        return value.isoformat() if isinstance(value, datetime.date) else value
    if kind == "yes_no":
        return value == "yes"
    if kind == "person":
        return value.pk
    return value


def display_value(entry: dict, value, people: dict | None = None) -> str:
    """How a stored value reads on the report page. ``people``: visible profiles by id
    (a person the reader may not see is named as such, never disclosed)."""
    if value is None or value == "" or value == []:
        return "—"
    kind = entry["kind"]
    if kind == "yes_no":
        return "Yes" if value else "No"
    if kind == "date":
        try:
            return datetime.date.fromisoformat(value).strftime("%d %b %Y")
        except (TypeError, ValueError):
            return str(value)
    if kind == "choice":
        labels = {c[0]: c[1] for c in entry.get("choices", [])}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(v, v) for v in values)
    if kind == "person":
        person = (people or {}).get(value)
        return person.full_name if person else "A person you do not have access to"
    if kind == "file":
        return value.get("name", "file") if isinstance(value, dict) else str(value)
    return str(value)
