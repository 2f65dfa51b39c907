"""Forms of the task, referral and notification screens. They only collect input; the
rules are in ``core.services.work`` (errors come back per field through
``add_service_errors``)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from wagtail.admin.widgets import AdminDateInput

from ..access import AccessLevel
from ..models import Grant, Membership, NotificationKind, Profile, TaskPriority, Team
from ..plugins.registry import registry


def teams_with_access(record) -> list[Team]:
    """The owner team and the teams holding a grant in force (directly or through their
    organisation) — the teams a task on ``record`` can go to."""
    field = "profile" if isinstance(record, Profile) else "case"
    grants = Grant.objects.filter(**{field: record}, revoked_at__isnull=True)
    team_ids = set(grants.exclude(team__isnull=True).values_list("team_id", flat=True))
    org_ids = set(grants.exclude(organisation__isnull=True).values_list("organisation_id", flat=True))
    team_ids.add(record.owner_team_id)
    return list(
        Team.objects.filter(Q(pk__in=team_ids) | Q(organisation_id__in=org_ids), is_active=True)
        .select_related("organisation").order_by("organisation__name", "name")
    )


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    assigned_user = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False,
                                           label="Assign to a person")
    assigned_team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label="or to a team")
    due_on = forms.DateField(required=False, widget=AdminDateInput, label="Due")
    priority = forms.TypedChoiceField(choices=TaskPriority.choices, coerce=int, initial=TaskPriority.NORMAL)

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        teams = teams_with_access(record)
        self.fields["assigned_team"].queryset = Team.objects.filter(pk__in=[t.pk for t in teams]).select_related(
            "organisation").order_by("organisation__name", "name")
        self.fields["assigned_team"].label_from_instance = lambda t: f"{t.name} · {t.organisation.name}"
        user_ids = Membership.objects.filter(team__in=teams, user__is_active=True).values("user_id")
        self.fields["assigned_user"].queryset = get_user_model().objects.filter(pk__in=user_ids).order_by(
            "first_name", "last_name", "username")
        self.fields["assigned_user"].label_from_instance = lambda u: u.get_full_name() or u.get_username()


class NoteForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Note")


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Reason")


class AttachmentForm(forms.Form):
    file = forms.FileField(label="Attach a file", allow_empty_file=True)


LEVEL_CHOICES = [(int(level), level.label) for level in AccessLevel]


class ReferralForm(forms.Form):
    """Where the referral goes and what access it carries; the referral form's own
    fields are a second form beside it (prefix ``answers``)."""

    to_team = forms.ModelChoiceField(queryset=Team.objects.none(), label="Refer to")
    case_type = forms.ChoiceField(label="Programme and case type", required=False)
    profile_level = forms.TypedChoiceField(
        choices=LEVEL_CHOICES, coerce=int, initial=int(AccessLevel.CONTRIBUTE),
        label="Access the receiving team gets to the profile if it accepts",
    )
    referrer_case_level = forms.TypedChoiceField(
        choices=[("", "None")] + LEVEL_CHOICES, coerce=int, empty_value=None, required=False,
        initial=int(AccessLevel.CONTRIBUTE), label="Access your team keeps to the case that starts",
    )

    def __init__(self, *args, spec, from_team_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_team"].queryset = (
            Team.objects.filter(is_active=True, organisation__is_active=True)
            .exclude(pk__in=from_team_ids).select_related("organisation").order_by("organisation__name", "name")
        )
        self.fields["to_team"].label_from_instance = lambda t: f"{t.organisation.name} — {t.name}"
        if spec.programme:
            del self.fields["case_type"]
        else:
            self.fields["case_type"].required = True
            self.fields["case_type"].choices = [("", "Choose…")] + [
                (f"{p.slug}:{ct.slug}", f"{p.name} — {ct.name}")
                for p in sorted(registry.programmes.values(), key=lambda p: p.name) for ct in p.case_types
            ]


class InfoForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Message")


class PreferencesForm(forms.Form):
    """One in-app and one e-mail box per kind of notification."""

    def __init__(self, *args, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = []
        for kind, label in NotificationKind.choices:
            pref = current.get(kind)
            self.fields[f"{kind}_in_app"] = forms.BooleanField(
                required=False, label=f"{label}: in Wraparound", initial=pref.in_app if pref else True)
            self.fields[f"{kind}_email"] = forms.BooleanField(
                required=False, label=f"{label}: by e-mail", initial=pref.email if pref else True)
            self.kinds.append((kind, label, self[f"{kind}_in_app"], self[f"{kind}_email"]))
