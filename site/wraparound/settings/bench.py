"""Settings for the benchmark harness (``bench/``): PostgreSQL, debug off.

``DATABASE_URL`` names the database (default ``wraparound_bench`` on the local server)."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wraparound_bench")
os.environ.setdefault("WRAPAROUND_LOAD_ENTRYPOINT_PLUGINS", "0")

from .base import *  # noqa: E402,F403

DEBUG = False
ALLOWED_HOSTS = ["*"]
# The harness logs its users in with force_login; hashing strength is not measured here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
