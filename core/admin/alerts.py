"""Admin: trigger rules (for partnership admins) and alerts (for practitioners).

- ``/admin/trigger-rules/`` (``wraparound_trigger_rules``): the rules with their alert
  counts; ``add/`` first asks for the kind of rule (``?kind=``), then shows that kind's
  parameters, scope and recipients; ``<pk>/`` edits one. Model permissions
  ``core.add_triggerrule`` / ``core.change_triggerrule``; counts are of alerts *the
  admin may see* (through ``core.access``), so a count discloses nothing new.
- ``/admin/alerts/`` (``wraparound_alerts``): the alerts on profiles the user may see
  (``?status=open|acknowledged|actioned|dismissed|all``), and ``<pk>/``, one alert with
  the form to acknowledge, action or dismiss it with a note. 404 for an alert on a
  profile the user may not see.
- A dashboard panel (open alerts and alerts per rule) and the profile panel
  ``wraparound/alerts/profile_panel.html`` (through the ``{% profile_alerts %}`` tag).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404 as plain_get_object_or_404
from django.urls import path, reverse
from django.views import View
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from .. import services
from ..models import Alert, Organisation, Team, TriggerRule
from ..plugins.registry import registry
from ..plugins.screens import forbidden_as_403
from ..services.errors import NotAllowed

NAMESPACE = "wraparound_alerts"
RULES_NAMESPACE = "wraparound_trigger_rules"
PARAM_PREFIX = "param_"


def visible_alerts(user):
    from ..services.alerts import alerts_visible_to

    return alerts_visible_to(user)


def alerts_per_rule(user) -> list[dict]:
    """``[{rule name, open, total}]`` over the alerts the user may see."""
    from django.db.models import Q

    rows = (
        visible_alerts(user).values("rule_id", "rule__name")
        .annotate(total=Count("pk"), open=Count("pk", filter=Q(status=Alert.Status.OPEN)))
        .order_by("-open", "rule__name")
    )
    rows = list(rows)
    biggest = max((r["total"] for r in rows), default=0) or 1
    for r in rows:
        r["width"] = round(100 * r["total"] / biggest)
    return rows


# Rules -------------------------------------------------------------------------------

class TriggerRuleForm(forms.Form):
    name = forms.CharField(max_length=200)
    programme = forms.ChoiceField(required=False, help_text="Only profiles with a case in this programme.")
    organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.filter(is_active=True).order_by("name"), required=False,
        widget=forms.CheckboxSelectMultiple, help_text="Only profiles these organisations own; none: every organisation.",
    )
    recipient_teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.filter(is_active=True).select_related("organisation").order_by("organisation__name", "name"),
        required=False, widget=forms.CheckboxSelectMultiple, help_text="Teams told when the rule fires.",
    )
    notify_owner_team = forms.BooleanField(required=False, initial=True, label="Also tell the profile's owner team")
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["programme"].choices = [("", "Any programme"), *registry.programme_choices()]
        self.fields["recipient_teams"].label_from_instance = lambda t: f"{t.organisation.name} — {t.name}"
        for param in kind.params:
            self.fields[PARAM_PREFIX + param.key] = self.param_field(param)

    @staticmethod
    def param_field(param):
        common = {"label": param.label, "help_text": param.help_text, "initial": param.default}
        if param.kind == "int":
            return forms.IntegerField(min_value=1, max_value=10000, **common)
        if param.kind == "choices":
            return forms.MultipleChoiceField(choices=[(c.code, c.label) for c in param.choices], required=False,
                                             widget=forms.CheckboxSelectMultiple, **common)
        if param.kind == "choice":
            return forms.ChoiceField(choices=[(c.code, c.label) for c in param.choices], **common)
        return forms.CharField(max_length=200, required=False, **common)

    def params(self) -> dict:
        return {p.key: self.cleaned_data.get(PARAM_PREFIX + p.key) for p in self.kind.params}

    def param_fields(self):
        return [self[PARAM_PREFIX + p.key] for p in self.kind.params]

    def scope_fields(self):
        return [self[n] for n in ("name", "programme", "organisations", "recipient_teams", "notify_owner_team",
                                  "is_active")]


class _Screen(WagtailAdminTemplateMixin, View):
    header_icon = "warning"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]


class RuleIndexView(_Screen):
    template_name = "wraparound/alerts/rules.html"
    page_title = "Trigger rules"

    @forbidden_as_403
    def get(self, request):
        if not request.user.has_perm("core.view_triggerrule"):
            raise PermissionDenied("Trigger rules are set by partnership admins.")
        counts = {r["rule_id"]: r for r in alerts_per_rule(request.user)}
        rules = list(TriggerRule.objects.prefetch_related("organisations", "recipient_teams"))
        for rule in rules:
            rule.kind_name = getattr(registry.rule_kinds.get(rule.kind), "name", rule.kind)
            rule.counts = counts.get(rule.pk, {"open": 0, "total": 0})
        return self.render_to_response(self.get_context_data(
            rules=rules, kinds=list(registry.rule_kinds.values()),
            can_add=request.user.has_perm("core.add_triggerrule"),
        ))


class RuleFormView(_Screen):
    template_name = "wraparound/alerts/rule_form.html"

    @forbidden_as_403
    def dispatch(self, request, pk=None):
        self.rule = plain_get_object_or_404(TriggerRule, pk=pk) if pk else TriggerRule()
        perm = "core.change_triggerrule" if pk else "core.add_triggerrule"
        if not request.user.has_perm(perm):
            raise PermissionDenied("Trigger rules are set by partnership admins.")
        code = self.rule.kind or request.GET.get("kind", "")
        self.kind = registry.rule_kinds.get(code)
        if self.kind is None:
            if pk:
                raise Http404("This rule's kind is no longer provided by any plugin.")
            return self.render_to_response(self.get_context_data(choose_kind=True,
                                                                 kinds=list(registry.rule_kinds.values())))
        return super().dispatch(request)

    def get_page_title(self):
        return f"Edit {self.rule.name}" if self.rule.pk else "New trigger rule"

    def initial(self):
        if not self.rule.pk:
            return {}
        return {
            "name": self.rule.name, "programme": self.rule.programme,
            "organisations": list(self.rule.organisations.all()), "recipient_teams": list(self.rule.recipient_teams.all()),
            "notify_owner_team": self.rule.notify_owner_team, "is_active": self.rule.is_active,
            **{PARAM_PREFIX + k: v for k, v in (self.rule.params or {}).items()},
        }

    def render(self, form, status=200):
        response = self.render_to_response(self.get_context_data(form=form, kind=self.kind, rule=self.rule))
        response.status_code = status
        return response

    def get(self, request):
        return self.render(TriggerRuleForm(kind=self.kind, initial=self.initial()))

    def post(self, request):
        form = TriggerRuleForm(request.POST, kind=self.kind)
        if form.is_valid():
            rule = self.rule
            rule.name, rule.kind, rule.params = form.cleaned_data["name"], self.kind.code, form.params()
            rule.programme = form.cleaned_data["programme"]
            rule.notify_owner_team = form.cleaned_data["notify_owner_team"]
            rule.is_active = form.cleaned_data["is_active"]
            try:
                services.save_trigger_rule(rule, by=request.user, organisations=form.cleaned_data["organisations"],
                                           recipient_teams=form.cleaned_data["recipient_teams"])
            except ValidationError as exc:
                from ..plugins.screens import add_service_errors

                add_service_errors(form, exc)
            else:
                messages.success(request, f"Rule “{rule.name}” saved. It is evaluated on the next data change "
                                          "and by the periodic sweep.")
                return HttpResponseRedirect(reverse(f"{RULES_NAMESPACE}:index"))
        return self.render(form, status=400)


class TriggerRuleViewSet(ViewSet):
    name = "trigger_rules"
    url_prefix = "trigger-rules"
    url_namespace = RULES_NAMESPACE
    icon = "warning"
    menu_label = "Trigger rules"
    menu_name = "trigger_rules"
    add_to_settings_menu = True

    def get_urlpatterns(self):
        return [
            path("", RuleIndexView.as_view(), name="index"),
            path("add/", RuleFormView.as_view(), name="add"),
            path("<int:pk>/", RuleFormView.as_view(), name="edit"),
        ]

    def get_menu_item(self, order=None):
        from wagtail.admin.menu import MenuItem

        class RulesMenuItem(MenuItem):
            def is_shown(self, request):
                return request.user.has_perm("core.view_triggerrule")

        return RulesMenuItem(self.menu_label, reverse(f"{RULES_NAMESPACE}:index"), name=self.menu_name,
                             icon_name=self.icon, order=order or 900)


# Alerts ------------------------------------------------------------------------------

STATUSES = ["open", "acknowledged", "actioned", "dismissed", "all"]


class AlertIndexView(_Screen):
    template_name = "wraparound/alerts/index.html"
    page_title = "Alerts"

    def get(self, request):
        status = request.GET.get("status", "open")
        if status not in STATUSES:
            status = "open"
        alerts = visible_alerts(request.user).select_related("rule", "profile__owner_team", "handled_by")
        if status != "all":
            alerts = alerts.filter(status=status)
        return self.render_to_response(self.get_context_data(
            alerts=list(alerts[:200]), status=status, statuses=STATUSES, per_rule=alerts_per_rule(request.user),
        ))


class HandleAlertForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000,
                           help_text="What was done, or why the alert is dismissed.")


class AlertDetailView(_Screen):
    template_name = "wraparound/alerts/detail.html"

    def dispatch(self, request, pk):
        self.alert = plain_get_object_or_404(
            visible_alerts(request.user).select_related("rule", "profile__owner_team", "handled_by"), pk=pk
        )
        return super().dispatch(request)

    def get_page_title(self):
        return f"Alert: {self.alert.rule.name}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{NAMESPACE}:index"), "label": "Alerts"}, {"url": "", "label": self.alert.rule.name},
        ]

    def render(self, form, status=200):
        response = self.render_to_response(self.get_context_data(alert=self.alert, form=form))
        response.status_code = status
        return response

    def get(self, request):
        return self.render(HandleAlertForm())

    @forbidden_as_403
    def post(self, request):
        form = HandleAlertForm(request.POST)
        action = next((a for a in ("acknowledge", "action", "dismiss") if a in request.POST), "")
        if form.is_valid():
            try:
                services.handle_alert(self.alert, by=request.user, action=action, note=form.cleaned_data["note"])
            except NotAllowed as exc:
                raise PermissionDenied(exc.messages[0]) from exc
            except ValidationError as exc:
                from ..plugins.screens import add_service_errors

                add_service_errors(form, exc)
            else:
                messages.success(request, "Alert updated.")
                return HttpResponseRedirect(reverse(f"{NAMESPACE}:index"))
        return self.render(form, status=400)


class AlertViewSet(ViewSet):
    name = "alerts"
    url_prefix = "alerts"
    url_namespace = NAMESPACE
    icon = "warning"
    menu_label = "Alerts"
    menu_name = "alerts"
    menu_order = 225
    add_to_admin_menu = True

    def get_urlpatterns(self):
        return [
            path("", AlertIndexView.as_view(), name="index"),
            path("<int:pk>/", AlertDetailView.as_view(), name="detail"),
        ]


class AlertsPanel(Component):
    """Dashboard: the newest open alerts the user may see, and alerts per rule."""

    name = "wraparound_alerts"
    order = 40
    template_name = "wraparound/alerts/dashboard_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        open_alerts = visible_alerts(self.user).filter(status=Alert.Status.OPEN).select_related("rule", "profile")
        return {"alerts": list(open_alerts[:8]), "per_rule": alerts_per_rule(self.user)}


@hooks.register("construct_homepage_panels")
def add_alerts_panel(request, panels):
    panels.append(AlertsPanel(request.user))


@hooks.register("register_admin_viewset")
def register_alert_viewsets():
    return [TriggerRuleViewSet(), AlertViewSet()]
