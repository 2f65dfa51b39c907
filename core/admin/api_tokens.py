"""Admin: service accounts and their API tokens, for those who administer an
organisation (its organisation admins, its partnerships' admins, system admins).

Rows are narrowed to the organisations the user administers (the same scope as the
structure screens). Creating a token goes through ``core.services.issue_token`` and
shows the secret once, on the page that answers the form; it is never stored or shown
again. Tokens are revoked, never deleted, so the audit trail keeps what they did."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.ui.menus import MenuItem as ListingMenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy

from .. import services
from ..models import ApiToken, ServiceAccount, Team
from ..services.api_tokens import administered_organisations


def _scoped(model, user):
    orgs = administered_organisations(user).values("pk")
    if model is ApiToken:
        return ApiToken.objects.filter(account__organisation_id__in=orgs)
    return ServiceAccount.objects.filter(organisation_id__in=orgs)


class TokenAdminPolicy(ModelPermissionPolicy):
    """Anyone who administers an organisation may see and manage its service accounts
    and tokens; nobody else. Only the listed actions exist."""

    def __init__(self, model, actions):
        super().__init__(model)
        self.actions = frozenset(actions)

    def user_has_permission(self, user, action):
        return (
            action in self.actions and user.is_authenticated and user.is_active
            and administered_organisations(user).exists()
        )

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and _scoped(self.model, user).filter(pk=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return _scoped(self.model, user)


POLICIES = {
    ServiceAccount: TokenAdminPolicy(ServiceAccount, ("add", "view")),
    ApiToken: TokenAdminPolicy(ApiToken, ("add", "view")),
}


def _register_policies() -> None:
    # Registered when Wagtail imports its hooks, before the viewsets ask for a policy.
    from wagtail.permissions import policy_registry, register_permission_policy

    for model, policy in POLICIES.items():
        if policy_registry.get_by_type(model, fallback=False) is None:
            register_permission_policy(model, policy)


_register_policies()


class ScopedIndex(generic.IndexView):
    def get_base_queryset(self):
        return _scoped(self.model, self.request.user).select_related(*self.related)


# Service accounts ------------------------------------------------------------------

class ServiceAccountForm(WagtailAdminModelForm):
    username = forms.CharField(max_length=150, help_text="A name for the system, e.g. norfolk-rms.")
    team = forms.ModelChoiceField(queryset=Team.objects.none(),
                                  help_text="It sees what this team sees (ownership and grants).")

    field_order = ["username", "team", "description"]

    class Meta:
        model = ServiceAccount
        fields = ["description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = administered_organisations(self.for_user).values("pk")
        self.fields["team"].queryset = Team.objects.filter(organisation_id__in=orgs, is_active=True).select_related(
            "organisation")


class ServiceAccountCreate(generic.CreateView):
    def form_valid(self, form):
        try:
            account = services.create_service_account(
                by=self.request.user, team=form.cleaned_data["team"], username=form.cleaned_data["username"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, f"Service account {account.user.username} created. Now issue it a token.")
        return redirect(f"{reverse('wraparound_api_tokens:add')}?account={account.pk}")


class ServiceAccountIndex(ScopedIndex):
    related = ("user", "organisation")


class ServiceAccountViewSet(ModelViewSet):
    model = ServiceAccount
    icon = "cogs"
    url_prefix = "api/service-accounts"
    name = "wraparound_service_accounts"
    menu_label = "Service accounts"
    index_view_class = ServiceAccountIndex
    add_view_class = ServiceAccountCreate
    list_display = ["user", "organisation", "description", "created_at"]
    inspect_view_enabled = False
    copy_view_enabled = False
    menu_order = 1

    def get_form_class(self, for_update=False):
        return ServiceAccountForm


# Tokens ----------------------------------------------------------------------------

class TokenForm(WagtailAdminModelForm):
    class Meta:
        model = ApiToken
        fields = ["account", "name", "read_only", "expires_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = _scoped(ServiceAccount, self.for_user).select_related("user", "organisation")


class TokenCreate(generic.CreateView):
    def get_initial(self):
        # Arriving from a new service account: it is the one the token is for.
        return {**super().get_initial(), "account": self.request.GET.get("account")}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            token, secret = services.issue_token(
                data["account"], by=self.request.user, name=data["name"], read_only=data["read_only"],
                expires_at=data["expires_at"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        # The secret is in this response only: never stored, never shown again.
        response = TemplateResponse(self.request, "wraparound/api/token_created.html", {
            **self.get_context_data(form=form), "token": token, "secret": secret,
            "page_title": "Token created", "index_url": reverse("wraparound_api_tokens:index"),
        })
        response["Cache-Control"] = "no-store"
        return response


class TokenIndex(ScopedIndex):
    related = ("account__user", "account__organisation")

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if instance.revoked_at is None:
            buttons.append(ListingMenuItem("Revoke", url=reverse("wraparound_api_tokens:revoke", args=[instance.pk]),
                                           icon_name="bin", priority=30))
        return buttons


class TokenRevoke(WagtailAdminTemplateMixin, TemplateView):
    template_name = "wraparound/api/token_revoke.html"
    page_title = "Revoke token"

    def dispatch(self, request, pk):
        self.token = get_object_or_404(_scoped(ApiToken, request.user).select_related("account__user"), pk=pk)
        return super().dispatch(request, pk)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "token": self.token,
                "index_url": reverse("wraparound_api_tokens:index")}

    def post(self, request, pk):
        try:
            services.revoke_token(self.token, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Token {self.token} revoked: it no longer works.")
        return redirect("wraparound_api_tokens:index")


class TokenViewSet(ModelViewSet):
    model = ApiToken
    icon = "key"
    url_prefix = "api/tokens"
    name = "wraparound_api_tokens"
    menu_label = "API tokens"
    index_view_class = TokenIndex
    add_view_class = TokenCreate
    list_display = ["name", Column("prefix", label="Starts with"), "account", Column("status"),
                    BooleanColumn("read_only", label="Read-only"), "expires_at", "last_used_at"]
    list_filter = ["read_only"]
    inspect_view_enabled = False
    copy_view_enabled = False
    menu_order = 2

    def get_form_class(self, for_update=False):
        return TokenForm

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("revoke/<int:pk>/", TokenRevoke.as_view(), name="revoke")]


class ApiGroup(ModelViewSetGroup):
    menu_label = "API access"
    menu_icon = "key"
    menu_name = "api_access"
    menu_order = 8100
    items = (ServiceAccountViewSet, TokenViewSet)


@hooks.register("register_admin_viewset")
def register_api_viewsets():
    return ApiGroup()
