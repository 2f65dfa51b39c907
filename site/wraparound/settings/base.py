"""Base settings shared by every environment.

Environment variables:
- ``DATABASE_URL``: any dj-database-url URL (default: SQLite file ``wraparound.sqlite3``
  in the ``WRAPAROUND_DATA_DIR``).
- ``WRAPAROUND_DATA_DIR``: where the SQLite database and uploaded media live
  (default ``var/`` in the checkout).
- ``WRAPAROUND_LOAD_ENTRYPOINT_PLUGINS``: ``0`` to ignore third-party plugins.
- ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``, ``DJANGO_DEBUG``.
- ``WRAPAROUND_API_RATE``: API requests allowed per token, e.g. ``600/min`` (default).
"""

import os
from pathlib import Path

import dj_database_url

from core.plugins.discovery import plugin_apps

REPO_ROOT = Path(__file__).resolve().parents[3]
DATA_DIR = Path(os.environ.get("WRAPAROUND_DATA_DIR", REPO_ROOT / "var"))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]

# REST API requests per token (or session user); the counters live in the default cache.
WRAPAROUND_API_RATE = os.environ.get("WRAPAROUND_API_RATE", "600/min")

LOAD_ENTRYPOINT_PLUGINS = os.environ.get("WRAPAROUND_LOAD_ENTRYPOINT_PLUGINS", "1") == "1"
WRAPAROUND_PLUGIN_APPS = plugin_apps(load_entrypoints=LOAD_ENTRYPOINT_PLUGINS)

INSTALLED_APPS = [
    "core",
    *WRAPAROUND_PLUGIN_APPS,
    "wagtail.users",
    "wagtail.images",
    "wagtail.documents",
    "wagtail.snippets",
    "wagtail.sites",
    "wagtail.admin",
    "wagtail",
    "taggit",
    "modelcluster",
    "django_filters",
    "ninja",  # serves the API docs' Swagger UI from its own static files, no CDN
    "guardian",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.audit.AuditContextMiddleware",
]

ROOT_URLCONF = "wraparound.urls"
WSGI_APPLICATION = "wraparound.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'wraparound.sqlite3'}", conn_max_age=60
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Grants live in guardian's direct foreign-key tables (core.models.access); the generic
# tables stay empty. Anonymous users get nothing.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGIN_URL = "wagtailadmin_login"
LOGIN_REDIRECT_URL = "wagtailadmin_home"

WAGTAIL_SITE_NAME = "Wraparound"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILADMIN_COMMENTS_ENABLED = False
WAGTAIL_WORKFLOW_ENABLED = False
# No third-party avatar service: the network may be closed, and users' e-mail hashes
# should not leave the deployment.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "wagtail"],
    }
}

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "wraparound@localhost"
# Prefix for links in e-mails (notifications carry a path inside the site).
WRAPAROUND_BASE_URL = os.environ.get("WRAPAROUND_BASE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
