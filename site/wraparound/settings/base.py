"""Base settings shared by every environment.

Environment variables:
- ``DATABASE_URL``: any dj-database-url URL (default: SQLite file ``wraparound.sqlite3``
  in the ``WRAPAROUND_DATA_DIR``).
- ``WRAPAROUND_DATA_DIR``: where the SQLite database and uploaded media live
  (default ``var/`` in the checkout).
- ``WRAPAROUND_LOAD_ENTRYPOINT_PLUGINS``: ``0`` to ignore third-party plugins.
- ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``, ``DJANGO_DEBUG``.
- ``WRAPAROUND_API_RATE``: API requests allowed per token, e.g. ``600/min`` (default).
- ``WRAPAROUND_REQUIRE_2FA``, ``WRAPAROUND_LOCKOUT_FAILURES``, ``WRAPAROUND_LOCKOUT_MINUTES``,
  ``WRAPAROUND_SESSION_IDLE_MINUTES``, ``WRAPAROUND_SESSION_MAX_HOURS``: see docs/security.md.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

from core.plugins.discovery import plugin_apps

from .cache_url import cache_from_url

REPO_ROOT = Path(__file__).resolve().parents[3]
DATA_DIR = Path(os.environ.get("WRAPAROUND_DATA_DIR", REPO_ROOT / "var"))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]

# REST API requests per token (or session user); the counters live in the default cache.
WRAPAROUND_API_RATE = os.environ.get("WRAPAROUND_API_RATE", "600/min")
# How long an API Idempotency-Key is remembered (manage.py purge_idempotency_keys).
WRAPAROUND_IDEMPOTENCY_RETENTION_HOURS = float(os.environ.get("WRAPAROUND_IDEMPOTENCY_RETENTION_HOURS", "24"))
# The cache (and so the API's rate-limit counters): WRAPAROUND_CACHE_URL or REDIS_URL
# (see cache_url.py); per-process memory when neither is set (production: the database).
CACHE_URL = os.environ.get("WRAPAROUND_CACHE_URL") or os.environ.get("REDIS_URL") or ""
CACHES = {"default": cache_from_url(CACHE_URL or "locmem://")}

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
    # Security (issue 9): one-time passwords (TOTP + recovery codes), login lockout, CSP.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.security.middleware.SessionLifetimeMiddleware",
    "core.security.middleware.RequireTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.audit.AuditContextMiddleware",
    "core.admin.shell.HiddenAdminItemsMiddleware",
    # Last, as django-axes asks: turns a lockout found during authentication into the
    # lockout page.
    "axes.middleware.AxesMiddleware",
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
    # First: refuses a locked-out username or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
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
# Argon2id first: new and re-saved passwords use it; older hashes still verify and are
# upgraded at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# --- Two-factor authentication (django-otp). With WRAPAROUND_REQUIRE_2FA every
# interactive user must enrol a TOTP device before reaching any screen; a user who has
# enrolled is always asked for a code, whatever the setting. Off by default so the demo
# logins (username + password) work; production turns it on.
WRAPAROUND_REQUIRE_2FA = os.environ.get("WRAPAROUND_REQUIRE_2FA", "0") == "1"
OTP_TOTP_ISSUER = "Wraparound"
OTP_TOTP_THROTTLE_FACTOR = 1

# --- Brute-force lockout (django-axes): a username and, separately, a source address are
# refused after WRAPAROUND_LOCKOUT_FAILURES failures, for WRAPAROUND_LOCKOUT_MINUTES after
# the last failure. Failures are audited by core.signals (LOGIN_FAILED); lockouts by
# core.security.signals.
AXES_ENABLED = True
AXES_FAILURE_LIMIT = int(os.environ.get("WRAPAROUND_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("WRAPAROUND_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.audit.client_address"
AXES_LOCKOUT_TEMPLATE = "wraparound/security/lockout.html"
AXES_VERBOSE = False

# --- Sessions: an idle timeout and an absolute lifetime (core.security.middleware), the
# cookie lives no longer than the absolute lifetime and is not readable from scripts.
WRAPAROUND_SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("WRAPAROUND_SESSION_IDLE_MINUTES", "30")))
WRAPAROUND_SESSION_MAX_AGE = timedelta(hours=int(os.environ.get("WRAPAROUND_SESSION_MAX_HOURS", "10")))
SESSION_COOKIE_AGE = int(WRAPAROUND_SESSION_MAX_AGE.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Response headers. Scripts only from this site: Wagtail 8's admin loads its code from
# static files and passes data in non-executable JSON blocks, so no 'unsafe-inline' and
# no nonce is needed for scripts. Styles keep 'unsafe-inline' because Wagtail's admin
# sets style attributes from its own code. See docs/security.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Retention (core.security.retention): years after the last activity before a record
# is due for retention review. Each programme declares its own period
# (Programme.retention_years); "default" is core's for programmes that declare none, and
# a programme slug here overrides the programme's declaration for this deployment.
WRAPAROUND_RETENTION_YEARS = {"default": 6}

# --- Uploads (core.uploads): limits for every uploaded file.
WRAPAROUND_UPLOAD_MAX_BYTES = int(os.environ.get("WRAPAROUND_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
WRAPAROUND_IMAGE_MAX_BYTES = int(os.environ.get("WRAPAROUND_IMAGE_MAX_BYTES", str(5 * 1024 * 1024)))
WRAPAROUND_IMAGE_MAX_PIXELS = 25_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_PERMISSIONS = 0o640

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
