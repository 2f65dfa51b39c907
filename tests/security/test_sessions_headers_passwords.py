"""Sessions (idle timeout, absolute lifetime, logout everywhere on password change),
response headers (CSP and friends, `check --deploy`) and password rules."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from core.security.middleware import LAST_SEEN_KEY, STARTED_KEY

PASSWORD = "correct horse battery staple"
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _login(client, user):
    assert client.post(reverse("wagtailadmin_login"), {"username": user.username, "password": PASSWORD}).status_code == 302


def _age_session(client, **seconds_ago):
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_an_idle_session_is_sent_back_to_sign_in(client, world):
    _login(client, world.norfolk_officer)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    _age_session(client, **{LAST_SEEN_KEY: 31 * 60})
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailadmin_login"))
    assert "_auth_user_id" not in client.session


def test_a_session_used_within_the_idle_timeout_stays(client, world):
    _login(client, world.norfolk_officer)
    _age_session(client, **{LAST_SEEN_KEY: 29 * 60})
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_a_busy_session_still_ends_at_the_absolute_lifetime(client, world):
    _login(client, world.norfolk_officer)
    _age_session(client, **{STARTED_KEY: 11 * 3600, LAST_SEEN_KEY: 10})
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302 and response.url.startswith(reverse("wagtailadmin_login"))


def test_a_password_change_signs_out_every_session_that_used_the_old_one(world):
    """Django keeps a hash of the password in the session and drops sessions whose hash
    no longer matches; Wagtail's password screen re-signs the session it was used from
    (update_session_auth_hash), so only the *other* browsers are signed out."""
    user = world.norfolk_officer
    elsewhere = Client()
    _login(elsewhere, user)
    assert elsewhere.get(reverse("wagtailadmin_home")).status_code == 200
    user.set_password("a much longer new passphrase 42")
    user.save()
    response = elsewhere.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302 and response.url.startswith(reverse("wagtailadmin_login"))


def test_admin_pages_carry_a_csp_without_inline_scripts_and_the_other_headers(client, world):
    client.force_login(world.norfolk_officer)
    response = client.get(reverse("wagtailadmin_home"))
    csp = response["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    # No executable inline script on the page (JSON data blocks are not executed).
    body = response.content.decode()
    import re

    for tag in re.findall(r"<script\b[^>]*>", body):
        assert "src=" in tag or "application/json" in tag, tag
    login = Client().get(reverse("wagtailadmin_login"))
    assert "script-src 'self'" in login["Content-Security-Policy"]


def test_csrf_is_enforced_on_sign_in_and_admin_forms(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("wagtailadmin_login"), {"username": "norfolk_officer", "password": PASSWORD})
    assert response.status_code == 403
    client.force_login(world.norfolk_spoc)
    assert client.post(reverse("wraparound_lockouts"), {"kind": "username", "value": "x"}).status_code == 403


def test_passwords_need_twelve_characters_and_not_a_common_or_similar_one(world):
    user = world.norfolk_officer
    for weak in ("short-pass1", "password1234", "norfolk_officer1", "123456789012"):
        with pytest.raises(ValidationError):
            validate_password(weak, user=user)
    validate_password("wraparound-demo-2026", user=user)  # the demo password still passes


def test_argon2_is_the_first_hasher_outside_tests():
    from wraparound.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    from django.contrib.auth.hashers import Argon2PasswordHasher

    encoded = Argon2PasswordHasher().encode("wraparound-demo-2026", "saltsaltsalt")
    assert encoded.startswith("argon2$argon2id$")


def test_production_settings_pass_check_deploy(tmp_path):
    # The browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE in this process; a real
    # deployment must not have it (async.E001), so the child does not inherit it.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {**inherited,
           "DJANGO_SECRET_KEY": "x" * 20 + "-production-secret-for-the-check-" + "y" * 20,
           "DJANGO_ALLOWED_HOSTS": "wraparound.example.org",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
           "WRAPAROUND_DATA_DIR": str(tmp_path),
           "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'site'}"}
    result = subprocess.run(
        [sys.executable, str(ROOT / "site" / "manage.py"), "check", "--deploy", "--fail-level", "DEBUG",
         "--settings=wraparound.settings.production"],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
    values = subprocess.run(
        [sys.executable, "-c", "from wraparound.settings import production as p; print(p.WRAPAROUND_REQUIRE_2FA, "
         "p.SESSION_COOKIE_SECURE, p.SESSION_COOKIE_HTTPONLY, p.CSRF_COOKIE_SECURE, p.SECURE_HSTS_SECONDS > 0, "
         "p.PASSWORD_HASHERS[0].endswith('Argon2PasswordHasher'))"],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert values.stdout.split() == ["True"] * 6, values.stdout + values.stderr
