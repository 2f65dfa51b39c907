"""Core's generic referral form, and turning any referral form's answers into what is
stored with a referral (label and text, so they read the same if the form changes)."""

from __future__ import annotations

from django import forms


class GenericReferralForm(forms.Form):
    """For programmes that have not declared their own form."""

    reason = forms.CharField(label="Why are you referring this person?", widget=forms.Textarea(attrs={"rows": 4}))
    risks = forms.CharField(
        label="Risks the receiving team should know about", required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    urgency = forms.ChoiceField(
        label="Urgency", choices=[("routine", "Routine"), ("soon", "Within a week"), ("urgent", "Urgent")],
    )
    consent_obtained = forms.BooleanField(
        label="The person has agreed to this referral", required=False,
    )


def answers_of(form: forms.Form) -> list[list[str]]:
    """``[[label, text], ...]`` of a valid form, in field order."""
    answers = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if isinstance(field, forms.BooleanField):
            text = "Yes" if value else "No"
        elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField):
            text = str(dict(field.choices).get(value, value or ""))
        elif isinstance(value, (list, tuple)):
            labels = dict(getattr(field, "choices", []))
            text = ", ".join(str(labels.get(v, v)) for v in value)
        else:
            text = "" if value is None else str(value)
        answers.append([str(form[name].label), text])
    return answers
