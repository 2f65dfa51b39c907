"""Settings for the test suite.

SQLite in memory unless ``DATABASE_URL`` names another database (CI sets a PostgreSQL
URL). Third-party entry-point plugins are not loaded: tests register the plugins they
need themselves.
"""

import os

os.environ.setdefault("WRAPAROUND_LOAD_ENTRYPOINT_PLUGINS", "0")

from .base import *  # noqa: E402,F403

if not os.environ.get("DATABASE_URL"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Two-factor enforcement and lockout are off unless a test turns them on
# (tests/security/): other tests log in with force_login or a password.
WRAPAROUND_REQUIRE_2FA = False
AXES_ENABLED = False
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "wagtail"]}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# No collectstatic in tests: whitenoise serves from the finders.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
