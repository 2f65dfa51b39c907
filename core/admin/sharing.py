"""Sharing panel: who may use a profile or case, and (for managers) the controls to
grant, change, revoke and transfer — S1, S2 and S7 in one screen.

``/admin/sharing/<kind>/<pk>/`` (namespace ``wraparound_sharing``, name ``panel``),
``kind`` being ``profile`` or ``case``. Decisions:

- The record comes through :class:`RecordViewMixin` (``core.access.get_object_or_404``
  at *view*): a record the user may not see answers 404 and nothing about it is shown;
  the justification gate applies as on the record's own screens.
- Users with view but not manage see the list read-only; every POST needs manage (403).
  The services check again: the view is not the only guard.
- The grantee picker is a server-side search (``?find=``) over active users, teams and
  organisations of *every* partnership — cross-border sharing is the point — listing
  only what a picker needs (name, team, organisation). It works without JavaScript,
  which keeps the page within a strict CSP.
- Every change goes through ``core.services.access`` (one transaction, one audit event)
  and the new grantee (or new owner team) is notified with ``notify(kind=GRANT)`` in
  the same transaction, so a refused grant notifies nobody.
"""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.views import View
from wagtail import hooks

from .. import access, services
from ..access import AccessLevel
from ..models import Case, Grant, Membership, Organisation, Profile, Team
from ..models.notifications import NotificationKind
from ..services.errors import NotAllowed
from ..services.notifications import notify
from .records_common import RecordViewMixin, audit_view

NAMESPACE = "wraparound_sharing"
#: kind in the URL -> (model, namespace of the record's own screens)
KINDS = {"profile": (Profile, "wraparound_profiles"), "case": (Case, "wraparound_cases")}
#: Rows of each kind the picker lists for one search.
PICKER_LIMIT = 10

User = get_user_model()


def record_label(obj) -> str:
    return obj.full_name if isinstance(obj, Profile) else f"{obj.reference} {obj.title}"


def grants_in_force(obj, user):
    """The grants on ``obj`` that are in force, with what the list shows, in one query."""
    now = timezone.now()
    target = {"profile": obj} if isinstance(obj, Profile) else {"case": obj}
    return list(
        access.restrict(Grant.objects.filter(**target, revoked_at__isnull=True), user)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("user", "team__organisation", "organisation", "granted_by")
        # A named person is shown with their teams: across partnerships a name alone says little.
        .prefetch_related(Prefetch("user__memberships", queryset=Membership.objects.select_related("team__organisation")))
        .order_by("-level", "granted_at", "id")
    )


def _terms(text: str) -> list[str]:
    return [t for t in (text or "").split() if t][:4]


def find_grantees(text: str) -> list[tuple[str, str, str]]:
    """``(value, label, kind)`` for the active users, teams and organisations matching
    every word of ``text``; at most :data:`PICKER_LIMIT` of each kind. Three queries
    (plus one prefetch for the users' teams)."""
    terms = _terms(text)
    if not terms or sum(len(t) for t in terms) < 2:
        return []
    users = User.objects.filter(is_active=True, memberships__isnull=False)
    teams = Team.objects.filter(is_active=True, organisation__is_active=True)
    orgs = Organisation.objects.filter(is_active=True)
    for term in terms:
        users = users.filter(
            Q(first_name__icontains=term) | Q(last_name__icontains=term) | Q(username__icontains=term)
        )
        teams = teams.filter(Q(name__icontains=term) | Q(organisation__name__icontains=term))
        orgs = orgs.filter(name__icontains=term)
    users = users.distinct().order_by("last_name", "first_name", "pk").prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("team__organisation"))
    )[:PICKER_LIMIT]
    results = []
    for u in users:
        where = ", ".join(f"{m.team.name}, {m.team.organisation.name}" for m in u.memberships.all())
        results.append((f"user:{u.pk}", f"{u.get_full_name() or u.username} — {where}", "Person"))
    for t in teams.select_related("organisation").order_by("organisation__name", "name")[:PICKER_LIMIT]:
        results.append((f"team:{t.pk}", f"{t.name} — {t.organisation.name}", "Team"))
    for o in orgs.order_by("name")[:PICKER_LIMIT]:
        results.append((f"organisation:{o.pk}", f"{o.name} (whole organisation)", "Organisation"))
    return results


def parse_grantee(value: str):
    """The active user, team or organisation named by a picker value, or ``None``."""
    kind, _, pk = (value or "").partition(":")
    if not pk.isdigit():
        return None
    if kind == "user":
        return User.objects.filter(pk=pk, is_active=True, memberships__isnull=False).first()
    if kind == "team":
        return Team.objects.filter(pk=pk, is_active=True).select_related("organisation").first()
    if kind == "organisation":
        return Organisation.objects.filter(pk=pk, is_active=True).first()
    return None


def grantee_label(grantee) -> str:
    if isinstance(grantee, Team):
        return f"{grantee.name} — {grantee.organisation.name}"
    if isinstance(grantee, Organisation):
        return f"{grantee.name} (whole organisation)"
    return grantee.get_full_name() or grantee.username


LEVEL_CHOICES = [(int(level), level.label) for level in AccessLevel]


class GrantForm(forms.Form):
    grantee = forms.CharField(
        label="Share with", widget=forms.HiddenInput,
        error_messages={"required": "Search above and choose a person, team or organisation."},
    )
    level = forms.TypedChoiceField(
        choices=LEVEL_CHOICES, coerce=int, initial=int(AccessLevel.VIEW), label="Access level",
        help_text="View: read everything they may see. Contribute: also record work. Manage: also share and transfer.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, label="Reason for sharing",
        help_text="Recorded with the grant and shown to everyone who can see the sharing list.",
    )
    expires_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), label="Access ends on",
        help_text="Leave empty for access until it is revoked. Access ends at the start of this day.",
    )

    def clean_grantee(self):
        grantee = parse_grantee(self.cleaned_data["grantee"])
        if grantee is None:
            raise ValidationError("Choose an active person, team or organisation from the search results.")
        return grantee

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day and day <= timezone.localdate():
            raise ValidationError("Choose a day after today.")
        return day

    def expires_at(self):
        day = self.cleaned_data.get("expires_on")
        return timezone.make_aware(datetime.combine(day, time.min)) if day else None


class LevelForm(forms.Form):
    grant = forms.IntegerField(widget=forms.HiddenInput)
    level = forms.TypedChoiceField(choices=LEVEL_CHOICES, coerce=int, label="New level")


class RevokeForm(forms.Form):
    grant = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(required=False, max_length=500, label="Why (optional)")


class TransferForm(forms.Form):
    to_team = forms.CharField(
        widget=forms.HiddenInput, label="New owner team",
        error_messages={"required": "Search above and choose the team that will own the record."},
    )
    previous_owner_level = forms.ChoiceField(
        choices=[(str(int(level)), f"{level.label}") for level in AccessLevel] + [("", "No access")],
        required=False, initial=str(int(AccessLevel.VIEW)), label="The current owner team keeps",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, label="Reason for the transfer")
    consent_reviewed = forms.BooleanField(
        required=False, label="I have reviewed the person's consent to share",
    )

    def clean_to_team(self):
        team = parse_grantee(self.cleaned_data["to_team"])
        if not isinstance(team, Team):
            raise ValidationError("Choose an active team from the search results.")
        return team

    def previous_level(self):
        value = self.cleaned_data.get("previous_owner_level")
        return int(value) if value else None


class SharingPanelView(RecordViewMixin, View):
    template_name = "wraparound/sharing/panel.html"
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("kind") not in KINDS:
            raise Http404("No such record.")
        self.kind = kwargs["kind"]
        self.model, self.url_namespace = KINDS[self.kind]
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Sharing: {record_label(self.object)}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{self.url_namespace}:index"), "label": self.model._meta.verbose_name_plural.capitalize()},
            {"url": self.url("detail", self.object.pk), "label": record_label(self.object)},
            {"url": "", "label": "Sharing"},
        ]

    @property
    def can_manage(self) -> bool:
        return bool(self.level and self.level >= AccessLevel.MANAGE)

    def get(self, request, *args, **kwargs):
        context = self.get_context_data()
        audit_view(request, self.object)
        return self.render_to_response(context)

    def post(self, request, *args, **kwargs):
        if not self.can_manage:
            raise PermissionDenied("Only people with manage access can change who this record is shared with.")
        handler = {
            "grant": self.post_grant, "level": self.post_level, "revoke": self.post_revoke,
            "transfer": self.post_transfer,
        }.get(request.POST.get("action"))
        if handler is None:
            messages.error(request, "Unknown action.")
            return HttpResponseRedirect(self.panel_url())
        try:
            return handler(request)
        except NotAllowed as exc:
            raise PermissionDenied(exc.messages[0]) from exc

    # --- actions --------------------------------------------------------------------

    def post_grant(self, request):
        form = GrantForm(request.POST)
        if form.is_valid():
            grantee = form.cleaned_data["grantee"]
            try:
                with transaction.atomic():
                    grant = services.grant_access(
                        self.object, grantee, form.cleaned_data["level"], by=request.user,
                        reason=form.cleaned_data["reason"], expires_at=form.expires_at(),
                    )
                    self.notify(grantee, f"{AccessLevel(grant.level).label} access to a "
                                f"{self.model._meta.verbose_name} was shared with you")
            except ValidationError as exc:
                self.add_errors(form, exc, {"expires_at": "expires_on"})
            else:
                messages.success(request, f"Shared with {grantee_label(grantee)} ({AccessLevel(grant.level).label.lower()}).")
                return HttpResponseRedirect(self.panel_url())
        messages.error(request, "Not shared: see the errors below.")
        return self.render_to_response(self.get_context_data(grant_form=form))

    def _grant(self, form) -> Grant:
        grant = next((g for g in grants_in_force(self.object, self.request.user)
                      if g.pk == form.cleaned_data["grant"]), None)
        if grant is None:
            raise Http404("No such grant on this record.")
        return grant

    def post_level(self, request):
        form = LevelForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose view, contribute or manage.")
            return HttpResponseRedirect(self.panel_url())
        grant = self._grant(form)
        new = form.cleaned_data["level"]
        if new == grant.level:
            messages.info(request, "The level is unchanged.")
            return HttpResponseRedirect(self.panel_url())
        try:
            with transaction.atomic():
                services.grant_access(
                    self.object, grant.grantee, new, by=request.user, reason=grant.reason,
                    expires_at=grant.expires_at if grant.expires_at and grant.expires_at > timezone.now() else None,
                )
                self.notify(grant.grantee, f"Your access to a {self.model._meta.verbose_name} is now "
                            f"{AccessLevel(new).label.lower()}")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{grantee_label(grant.grantee)} now has {AccessLevel(new).label.lower()} access.")
        return HttpResponseRedirect(self.panel_url())

    def post_revoke(self, request):
        form = RevokeForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose a grant to revoke.")
            return HttpResponseRedirect(self.panel_url())
        grant = self._grant(form)
        try:
            services.revoke_grant(grant, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Access of {grantee_label(grant.grantee)} revoked.")
        return HttpResponseRedirect(self.panel_url())

    def post_transfer(self, request):
        form = TransferForm(request.POST)
        if form.is_valid():
            team = form.cleaned_data["to_team"]
            try:
                with transaction.atomic():
                    services.transfer_ownership(
                        self.object, team, by=request.user, reason=form.cleaned_data["reason"],
                        previous_owner_level=form.previous_level(),
                        consent_reviewed=form.cleaned_data["consent_reviewed"],
                    )
                    self.notify(team, f"Your team now owns a {self.model._meta.verbose_name}")
            except ValidationError as exc:
                self.add_errors(form, exc, {})
            else:
                messages.success(request, f"{grantee_label(team)} now owns this record.")
                # The previous owner may have kept no access: go where the user still may.
                if access.can(request.user, self.model.objects.get(pk=self.object.pk)):
                    return HttpResponseRedirect(self.panel_url())
                return HttpResponseRedirect(reverse(f"{self.url_namespace}:index"))
        messages.error(request, "Not transferred: see the errors below.")
        return self.render_to_response(self.get_context_data(transfer_form=form))

    # --- helpers --------------------------------------------------------------------

    def notify(self, grantee, subject: str) -> None:
        notify(
            grantee, kind=NotificationKind.GRANT, actor=self.request.user,
            subject=f"{subject}: {record_label(self.object)}",
            body=f"Shared by {self.request.user.get_full_name() or self.request.user.username}.",
            url=self.url("detail", self.object.pk),
        )

    @staticmethod
    def add_errors(form, exc: ValidationError, renames: dict) -> None:
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc)
            return
        for field, errors in exc.error_dict.items():
            name = renames.get(field, field)
            if name == "grantee" and "grantee" in form.fields:
                form.add_error(None, errors)
                continue
            form.add_error(name if name in form.fields and name not in ("grantee", "to_team") else None, errors)

    def panel_url(self) -> str:
        return reverse(f"{NAMESPACE}:panel", args=[self.kind, self.object.pk])

    def get_context_data(self, grant_form=None, transfer_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        grants = grants_in_force(obj, self.request.user)
        context.update(
            kind=self.kind, record_label=record_label(obj), grants=grants, owner_team=obj.owner_team,
            detail_url=self.url("detail", obj.pk), panel_url=self.panel_url(),
            level_choices=LEVEL_CHOICES, is_profile=self.kind == "profile",
        )
        if self.can_manage:
            find = (self.request.GET.get("find") or "").strip()[:100]
            picked = self.request.POST.get("grantee") or self.request.POST.get("to_team") or ""
            context.update(
                find=find, found=find_grantees(find), picked=picked,
                grant_form=grant_form or GrantForm(),
                transfer_form=transfer_form or TransferForm(),
            )
        return context


urlpatterns = [
    path("<str:kind>/<int:pk>/", SharingPanelView.as_view(), name="panel"),
]


@hooks.register("register_admin_urls")
def register_sharing_urls():
    return [path("sharing/", (urlpatterns, "wraparound_sharing", NAMESPACE))]
