"""Production settings: PostgreSQL from ``DATABASE_URL``, secure cookies, whitenoise
with hashed static files, and a secret key that must come from the environment."""

import os

from .base import *  # noqa: F403
from .base import CACHE_URL
from .cache_url import cache_from_url

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Every interactive user must use two-factor authentication (issue 9).
WRAPAROUND_REQUIRE_2FA = os.environ.get("WRAPAROUND_REQUIRE_2FA", "1") == "1"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# Several web processes share one cache, so the API's per-token rate limit is global:
# the database cache unless WRAPAROUND_CACHE_URL / REDIS_URL names another
# (run `manage.py createcachetable` once after `migrate`).
CACHES = {"default": cache_from_url(CACHE_URL or "db://")}
