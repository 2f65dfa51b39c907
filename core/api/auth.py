"""Who is calling: a service-account token, or the admin's own session.

- :class:`TokenAuth` reads ``Authorization: Bearer wrp_…``; the request then acts as the
  token's service account (``request.user``), whose teams decide what it sees.
- :class:`SessionAuth` is ninja's session authentication (so the admin's own JavaScript
  can call the API); ninja enforces CSRF on it for unsafe methods.
- :func:`require_write` refuses writes with a read-only token.
- :class:`PerCallerThrottle` limits requests per token (or per session user); the rate
  is ``settings.WRAPAROUND_API_RATE`` (default ``"600/min"``), read per request so that
  operators (and tests) can change it. The counters live in Django's cache: with
  several worker processes, configure a shared cache so the limit is global.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.throttling import SimpleRateThrottle

from ..models import ApiToken
from ..services.api_tokens import authenticate_token

DEFAULT_RATE = "600/min"


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        api_token = authenticate_token(token)
        if api_token is None:
            return None
        request.user = api_token.account.user
        request.api_token = api_token
        now = timezone.now()
        # Record use at most once a minute: a write per request would cost a query each.
        if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        return api_token


class SessionAuth(NinjaSessionAuth):
    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        if user is None or not user.is_active:
            return None
        request.api_token = None
        return user


def caller_key(request: HttpRequest) -> str:
    """``token:<id>`` or ``user:<id>``: the scope of rate limits and idempotency keys."""
    token = getattr(request, "api_token", None)
    return f"token:{token.pk}" if token is not None else f"user:{request.user.pk}"


def require_write(request: HttpRequest) -> None:
    token = getattr(request, "api_token", None)
    if token is not None and token.read_only:
        raise HttpError(403, "This token is read-only.")


class PerCallerThrottle(SimpleRateThrottle):
    scope = "api"

    def __init__(self):
        super().__init__(rate=DEFAULT_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = getattr(settings, "WRAPAROUND_API_RATE", DEFAULT_RATE)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if getattr(request, "auth", None) is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": caller_key(request)}
