"""Session lifetime and two-factor enforcement, applied to every request.

Both act only on users authenticated by a session cookie. API clients authenticate
with tokens that belong to service accounts and never carry a session."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

#: Session keys: when the user logged in, and when they were last seen (epoch seconds).
STARTED_KEY = "_wraparound_started"
LAST_SEEN_KEY = "_wraparound_last_seen"
#: The last-seen time is written at most this often (seconds), not on every request, so a
#: page with many requests does not rewrite the session each time.
LAST_SEEN_RESOLUTION = 60

#: URL names a user who still owes a second factor may reach: signing in and out, the
#: two-factor screens themselves, password reset (which works without a session), and
#: the admin's icon sprite and translations, which those screens load (without them the
#: sprite request would be answered with the enrolment page, pasted into the page).
TWO_FACTOR_EXEMPT_URL_NAMES = frozenset({
    "wagtailadmin_login", "wagtailadmin_logout",
    "wraparound_2fa_verify", "wraparound_2fa_enrol",
    "wagtailadmin_password_reset", "wagtailadmin_password_reset_done",
    "wagtailadmin_password_reset_confirm", "wagtailadmin_password_reset_complete",
    "wagtailadmin_javascript_catalog", "wagtailadmin_sprite",
})


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


class SessionLifetimeMiddleware:
    """Logs a user out after ``WRAPAROUND_SESSION_IDLE_TIMEOUT`` without a request, or
    ``WRAPAROUND_SESSION_MAX_AGE`` after they logged in, whichever comes first.

    Django's own expiry (``SESSION_COOKIE_AGE``) is renewed whenever the session is
    saved, so it cannot give an absolute lifetime; these checks use times kept in the
    session itself, which the client cannot change."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            session = request.session
            started = session.get(STARTED_KEY)
            last_seen = session.get(LAST_SEEN_KEY)
            if started is None:
                session[STARTED_KEY] = started = now
            idle = settings.WRAPAROUND_SESSION_IDLE_TIMEOUT.total_seconds()
            lifetime = settings.WRAPAROUND_SESSION_MAX_AGE.total_seconds()
            if (last_seen is not None and now - last_seen > idle) or now - started > lifetime:
                return self._expired(request)
            if last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION:
                session[LAST_SEEN_KEY] = now
        return self.get_response(request)

    def _expired(self, request):
        logout(request)
        if _is_api(request):
            return JsonResponse({"detail": "Session expired."}, status=401)
        messages.info(request, "Your session has expired. Please sign in again.")
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)


class RequireTwoFactorMiddleware:
    """Sends a user who signed in with a password but not yet with a second factor to
    the verification screen (if they have a device) or, when two-factor authentication
    is required (``WRAPAROUND_REQUIRE_2FA``), to enrolment. Nothing else answers them.

    A user who has enrolled is always asked for a code, even where enforcement is off:
    a device someone set up is never silently ignored."""

    #: Seconds for which "this user has no device" is remembered in the session, to save
    #: two queries a request where enforcement is off.
    NO_DEVICE_RECHECK = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.url_name in TWO_FACTOR_EXEMPT_URL_NAMES:
            return None
        has_device = self._has_device(request, user)
        if not has_device and not settings.WRAPAROUND_REQUIRE_2FA:
            return None
        if _is_api(request):
            return JsonResponse({"detail": "Two-factor authentication required."}, status=403)
        target = reverse("wraparound_2fa_verify" if has_device else "wraparound_2fa_enrol")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")

    def _has_device(self, request, user) -> bool:
        from django_otp import user_has_device

        key = "_wraparound_no_otp_device_checked"
        checked = request.session.get(key)
        if checked is not None and time.time() - checked < self.NO_DEVICE_RECHECK:
            return False
        has = user_has_device(user, confirmed=True)
        if has:
            request.session.pop(key, None)
        else:
            request.session[key] = time.time()
        return has
