"""Two-factor authentication with django-otp: a TOTP authenticator app plus single-use
recovery codes (a django-otp static device).

Screens, all under the admin:

- ``/admin/account/two-factor/`` (``wraparound_2fa``): the user's status; set up, replace
  or remove the authenticator; new recovery codes.
- ``.../enrol/`` (``wraparound_2fa_enrol``): scan a QR code (or type the key), prove it
  with a code; the device is confirmed and ten recovery codes are shown once.
- ``.../verify/`` (``wraparound_2fa_verify``): after the password, a code from the app or
  a recovery code. Devices throttle wrong codes (django-otp's ThrottlingMixin); each
  wrong code is audited as ``LOGIN_FAILED``.

Why django-otp rather than wagtail-2fa or django-two-factor-auth: wagtail-2fa has not
followed Wagtail's releases, and django-two-factor-auth brings its own login wizard
(with phone/SMS flows) that would replace Wagtail's login; django-otp gives the devices,
the throttling and ``is_verified()``, and the screens stay Wagtail's own.
"""

from __future__ import annotations

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import audit
from ..admin.records_common import safe_next

RECOVERY_CODE_COUNT = 10
DEVICE_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Code", max_length=16, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text="The 6-digit code from your authenticator app.",
    )

    def clean_token(self):
        return self.cleaned_data["token"].replace(" ", "").replace("-", "").lower()


def _audit(request, what: str, **changes) -> None:
    audit.record(audit.AuditAction.TWO_FACTOR, request.user, actor=request.user,
                 object_repr=request.user.get_username(), changes={"event": what, **changes})


def _new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with fresh ones; returns them (shown once)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def _qr_data_uri(device: TOTPDevice) -> str:
    # A data: URI image, not inline SVG markup: the CSP allows img-src data:.
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def _pretty_key(device: TOTPDevice) -> str:
    import base64

    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


class TwoFactorStatusView(WagtailAdminTemplateMixin, TemplateView):
    """The user's own two-factor settings (account menu → Two-factor authentication)."""

    page_title = "Two-factor authentication"
    header_icon = "key"
    template_name = "wraparound/security/twofactor.html"

    def get_breadcrumbs_items(self):
        return []

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx.update(
            enrolled=user_has_device(user, confirmed=True),
            required=settings.WRAPAROUND_REQUIRE_2FA,
            recovery_left=StaticToken.objects.filter(device__user=user, device__confirmed=True).count(),
            verified=user.is_verified(),
        )
        return ctx

    def post(self, request):
        action = request.POST.get("action")
        user = request.user
        if user_has_device(user, confirmed=True) and not user.is_verified():
            return redirect("wraparound_2fa_verify")
        if action == "recovery" and user_has_device(user, confirmed=True):
            with transaction.atomic():
                codes = _new_recovery_codes(user)
                _audit(request, "recovery_codes_replaced")
            return render(request, "wraparound/security/recovery_codes.html",
                          {"codes": codes, "next": reverse("wraparound_2fa")})
        if action == "remove":
            if settings.WRAPAROUND_REQUIRE_2FA:
                messages.error(request, "Two-factor authentication is required here; set up a new app instead.")
                return redirect("wraparound_2fa")
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user).delete()
                StaticDevice.objects.filter(user=user).delete()
                _audit(request, "removed")
            messages.success(request, "Two-factor authentication removed.")
            return redirect("wraparound_2fa")
        return redirect("wraparound_2fa")


@require_http_methods(["GET", "POST"])
def enrol(request):
    """Set up (or replace) the authenticator app. A user who already has a device must
    have verified with it in this session before replacing it."""
    user = request.user
    if user_has_device(user, confirmed=True) and not user.is_verified():
        return redirect(f"{reverse('wraparound_2fa_verify')}?next={reverse('wraparound_2fa_enrol')}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user, confirmed=True).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = _new_recovery_codes(user)
                _audit(request, "enrolled")
            otp_login(request, device)
            return render(request, "wraparound/security/recovery_codes.html",
                          {"codes": codes, "next": safe_next(request, reverse("wagtailadmin_home")),
                           "login_layout": True})
        form.add_error("token", "That code is not right. Check the clock on your phone, wait a few seconds and try the newest code.")
    return render(request, "wraparound/security/enrol.html", {
        "form": form, "qr": _qr_data_uri(device), "key": _pretty_key(device),
        "required": settings.WRAPAROUND_REQUIRE_2FA,
        "next": safe_next(request, reverse("wagtailadmin_home")),
    })


@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of signing in."""
    user = request.user
    next_url = safe_next(request, reverse("wagtailadmin_home"))
    if user.is_verified():
        return redirect(next_url)
    if not user_has_device(user, confirmed=True):
        return redirect(f"{reverse('wraparound_2fa_enrol')}?next={next_url}")
    form = TokenForm(request.POST or None)
    form.fields["token"].help_text = "The 6-digit code from your authenticator app, or one of your recovery codes."
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                _audit(request, "recovery_code_used", left=device.token_set.count())
                messages.warning(request, "You signed in with a recovery code; it cannot be used again.")
            return redirect(next_url)
        audit.record_auth(audit.AuditAction.LOGIN_FAILED, user=user, request=request,
                          username=f"{user.get_username()} (second factor)")
        form.add_error("token", "That code is not right, or too many wrong codes were tried: wait a little and try the newest code.")
    return render(request, "wraparound/security/verify.html", {"form": form, "next": next_url})


def urlpatterns():
    return [
        path("account/two-factor/", TwoFactorStatusView.as_view(), name="wraparound_2fa"),
        path("account/two-factor/enrol/", enrol, name="wraparound_2fa_enrol"),
        path("account/two-factor/verify/", verify, name="wraparound_2fa_verify"),
    ]
