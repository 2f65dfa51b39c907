"""Forms of IOM's screens. They collect input; the rules live in ``services``."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from core.models import Organisation, RiskLevel

from .models import (
    EXIT_REASONS,
    CohortCategory,
    PathwayStatus,
    ReleaseType,
    RiskTool,
    Tier,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def offender_manager_choices(user, case):
    """Practitioners of the user's organisations and of the case's owner organisation:
    the people who manage an IOM case together, not everyone in the partnership."""
    orgs = Organisation.objects.filter(Q(teams__memberships__user=user) | Q(teams=case.owner_team)).values("pk")
    return get_user_model().objects.filter(
        is_active=True, memberships__team__organisation__in=orgs
    ).distinct().order_by("first_name", "last_name", "username")


class MembershipForm(forms.Form):
    category = forms.ChoiceField(choices=CohortCategory.choices)
    tier = forms.TypedChoiceField(choices=Tier.choices, coerce=int, initial=Tier.TWO)
    risk_level = forms.ChoiceField(choices=RiskLevel.choices, label="Risk level")
    adopted_on = forms.DateField(widget=DATE, label="Adopted onto the cohort on")
    offender_manager = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False)
    lead_agency = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(is_active=True).order_by("name"), required=False
    )
    exited_on = forms.DateField(widget=DATE, required=False, label="Left the cohort on")
    exit_reason = forms.ChoiceField(choices=[("", "—"), *EXIT_REASONS], required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, case, editing: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offender_manager"].queryset = offender_manager_choices(user, case)
        self.fields["offender_manager"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        if not editing:
            for name in ("exited_on", "exit_reason", "version"):
                del self.fields[name]


class CustodyForm(forms.Form):
    establishment = forms.CharField(max_length=200, help_text="The prison, e.g. HMP Stafford.")
    prison_number = forms.CharField(max_length=16, required=False, help_text="e.g. A1234BC")
    received_on = forms.DateField(widget=DATE, label="Received into custody on")
    sentence_date = forms.DateField(widget=DATE, required=False)
    sentence_length = forms.CharField(max_length=100, required=False, help_text="e.g. 2 years 6 months")
    expected_release_on = forms.DateField(widget=DATE, required=False, label="Expected release date")
    released_on = forms.DateField(widget=DATE, required=False, label="Released on")
    release_type = forms.ChoiceField(choices=[("", "—"), *ReleaseType.choices], required=False)
    licence_conditions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["version"]

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class ReleaseForm(forms.Form):
    released_on = forms.DateField(widget=DATE, label="Released on")
    release_type = forms.ChoiceField(choices=ReleaseType.choices)
    licence_conditions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class PathwayForm(forms.Form):
    status = forms.ChoiceField(choices=PathwayStatus.choices)
    notes = forms.CharField(required=False, max_length=2000)


class RiskScoreForm(forms.Form):
    tool = forms.ChoiceField(choices=RiskTool.choices)
    score = forms.CharField(label="Score (0–100)", max_length=10)
    level = forms.ChoiceField(choices=RiskLevel.choices, label="Risk level")
    assessed_on = forms.DateField(widget=DATE)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
