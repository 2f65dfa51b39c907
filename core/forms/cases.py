"""Forms of the case screens: open a case, stage, closure, reopening, participants and
links. They check what a form can (choices from the programme registry, the user's
own teams, people and cases the user can see); the services check again and carry
the rules, and their errors come back per field through ``add_service_errors``."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from wagtail.admin.widgets import AdminDateInput

from .. import access
from ..models import Case, CaseParticipant, Profile, Team
from ..plugins.registry import registry
from ..programmes import enabled_programmes_for

User = get_user_model()


def case_type_choices(programmes) -> list:
    """``programme:case_type`` values grouped by programme (one select, no script)."""
    groups = []
    for slug in sorted(programmes, key=registry.programme_name):
        programme = registry.programme(slug)
        if programme is None:
            continue
        groups.append((programme.name, [(f"{slug}:{t.slug}", f"{programme.name} — {t.name}")
                                        for t in programme.case_types]))
    return groups


def stage_choices(programmes) -> list:
    """``programme:case_type:stage`` values grouped by case type."""
    groups = [("", "First stage of the case type")]
    for slug in sorted(programmes, key=registry.programme_name):
        programme = registry.programme(slug)
        if programme is None:
            continue
        for t in programme.case_types:
            groups.append((f"{programme.name} — {t.name}", [(f"{slug}:{t.slug}:{s.slug}", s.name) for s in t.stages]))
    return groups


class CaseCreateForm(forms.Form):
    """Open a case, usually from a profile (who becomes its first participant)."""

    case_type = forms.ChoiceField(label="Programme and case type",
                                  help_text="Only programmes enabled for your organisation.")
    stage = forms.ChoiceField(required=False, label="Starting stage")
    title = forms.CharField(max_length=200)
    owner_team = forms.ModelChoiceField(queryset=Team.objects.none(), label="Owner team",
                                        help_text="The team responsible for the case; it has full access.")
    lead = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label="Lead practitioner")
    opened_on = forms.DateField(required=False, widget=AdminDateInput, label="Opened on",
                                help_text="Leave empty for today.")
    role = forms.ChoiceField(choices=CaseParticipant.Role.choices, label="Role of the person in the case",
                             initial=CaseParticipant.Role.SUBJECT)
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, profile: Profile | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.profile = profile
        programmes = enabled_programmes_for(user)
        self.fields["case_type"].choices = [("", "Choose…"), *case_type_choices(programmes)]
        self.fields["stage"].choices = stage_choices(programmes)
        teams = Team.objects.filter(memberships__user=user, is_active=True).select_related("organisation")
        self.fields["owner_team"].queryset = teams
        self.fields["owner_team"].label_from_instance = lambda t: f"{t.name} ({t.organisation.name})"
        # A lead from the user's own teams: whoever the owner team is, they work together.
        self.fields["lead"].queryset = (
            User.objects.filter(memberships__team__in=Team.objects.filter(memberships__user=user), is_active=True)
            .distinct().order_by("last_name", "first_name")
        )
        self.fields["lead"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        self.fields["lead"].initial = user.pk
        if len(teams) == 1:
            self.fields["owner_team"].initial = teams[0].pk
        if profile is None:
            del self.fields["role"]

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get("case_type") or ""
        programme, _, case_type = value.partition(":")
        cleaned["programme"], cleaned["case_type_slug"] = programme, case_type
        stage = cleaned.get("stage") or ""
        if stage and value and not stage.startswith(f"{value}:"):
            self.add_error("stage", "Choose a stage of the chosen case type.")
        cleaned["stage_slug"] = stage.rsplit(":", 1)[-1] if stage else None
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        participants = [(self.profile, data["role"])] if self.profile is not None else []
        return {
            "owner_team": data["owner_team"], "programme": data["programme"], "case_type": data["case_type_slug"],
            "stage": data["stage_slug"], "title": data["title"], "summary": data.get("summary") or "",
            "lead": data.get("lead"), "opened_on": data.get("opened_on"), "participants": participants,
        }


class StageForm(forms.Form):
    stage = forms.ChoiceField(label="Move to stage")
    note = forms.CharField(required=False, max_length=2000, label="Note for the action log",
                           widget=forms.TextInput(attrs={"placeholder": "Why, or what was decided"}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, case_type, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(s.slug, s.name) for s in case_type.stages if s.slug != case.stage]
        # Cases mostly move on to the next stage: offer it first.
        slugs = [s.slug for s in case_type.stages]
        if case.stage in slugs and slugs.index(case.stage) + 1 < len(slugs):
            self.fields["stage"].initial = slugs[slugs.index(case.stage) + 1]
        self.fields["version"].initial = case.version


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Outcome notes")
    closed_on = forms.DateField(required=False, widget=AdminDateInput, label="Closed on",
                                help_text="Leave empty for today.")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, case_type, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        if case_type.outcomes:
            self.fields["outcome"].choices = [("", "Choose…"), *((o.code, o.label) for o in case_type.outcomes)]
        else:
            self.fields["outcome"] = forms.CharField(max_length=64, label="Outcome")
        self.fields["version"].initial = case.version


class ReopenForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}), label="Why reopen it?")
    version = forms.IntegerField(widget=forms.HiddenInput)


class ParticipantForm(forms.Form):
    """Add a person the user can see (found with the search on the case page)."""

    profile = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(choices=CaseParticipant.Role.choices, label="Role")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_profile(self):
        profile = access.restrict(Profile.objects.filter(pk=self.cleaned_data["profile"]), self.user,
                                   point_lookup=True).first()
        if profile is None:
            raise forms.ValidationError("Choose a person you can see.")
        return profile


class LinkForm(forms.Form):
    reference = forms.CharField(max_length=32, label="Case reference", help_text="e.g. ASB-2026-000123")

    def __init__(self, *args, user, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.case = user, case

    def clean_reference(self):
        reference = self.cleaned_data["reference"].strip().upper()
        # The same answer whether the case does not exist or is not visible.
        other = access.restrict(Case.objects.filter(reference__iexact=reference), self.user).first()
        if other is None:
            raise forms.ValidationError(f"No case {reference} that you can see.")
        if other.pk == self.case.pk:
            raise forms.ValidationError("A case cannot be linked to itself.")
        return other
