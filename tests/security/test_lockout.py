"""Brute-force lockout (django-axes): per account and per source address, audited, and
lifted from the admin screen by the right administrators."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from core.models import AuditEvent
from core.models.audit import AuditAction

PASSWORD = "correct horse battery staple"
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("axes_on")]


@pytest.fixture
def axes_on():
    with override_settings(AXES_ENABLED=True):
        yield


def _login(client, username, password, ip="10.0.0.1"):
    return client.post(reverse("wagtailadmin_login"), {"username": username, "password": password},
                       REMOTE_ADDR=ip)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_sixth_attempt_with_the_right_password_is_refused_after_five_failures(client, world):
    for _ in range(5):
        response = _login(client, "norfolk_officer", "wrong password")
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 5
    assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT).exists()
    response = _login(client, "norfolk_officer", PASSWORD)
    assert response.status_code == 429
    assert b"Sign-in temporarily locked" in response.content
    assert not _signed_in(client)
    # The same user from another address is still locked (per-account lockout).
    assert _login(client, "norfolk_officer", PASSWORD, ip="10.9.9.9").status_code == 429
    assert not _signed_in(client)


def test_four_failures_then_the_right_password_signs_in(client, world):
    for _ in range(4):
        _login(client, "norfolk_officer", "wrong password")
    response = _login(client, "norfolk_officer", PASSWORD)
    assert response.status_code == 302
    assert _signed_in(client)


def test_a_source_address_is_locked_after_failures_across_usernames(client, world):
    for name in ("a1", "a2", "a3", "a4", "a5"):
        _login(client, name, "guess", ip="192.0.2.7")
    assert _login(client, "norfolk_officer", PASSWORD, ip="192.0.2.7").status_code == 429
    assert not _signed_in(client)
    # Another address is not affected.
    assert _login(client, "norfolk_officer", PASSWORD, ip="192.0.2.8").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_limit_is_configurable(client, world):
    for _ in range(3):
        _login(client, "norfolk_officer", "wrong password")
    assert _login(client, "norfolk_officer", PASSWORD).status_code == 429


def test_organisation_admin_lifts_a_lockout_of_their_user_and_it_is_audited(client, world):
    for _ in range(5):
        _login(client, "norfolk_officer", "wrong password", ip="10.1.1.1")
    admin = client.__class__()
    admin.force_login(world.norfolk_spoc)
    page = admin.get(reverse("wraparound_lockouts"))
    assert page.status_code == 200
    assert b"norfolk_officer" in page.content
    assert b"10.1.1.1" not in page.content  # addresses are for system admins
    response = admin.post(reverse("wraparound_lockouts"), {"kind": "username", "value": "norfolk_officer"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.UNLOCK, actor_id=world.norfolk_spoc.pk).exists()
    assert _login(client, "norfolk_officer", PASSWORD, ip="10.2.2.2").status_code == 302


def test_an_admin_cannot_see_or_lift_lockouts_outside_their_organisations(client, world):
    for _ in range(5):
        _login(client, "staffs_officer", "wrong password")
    admin = client.__class__()
    admin.force_login(world.norfolk_spoc)
    assert b"staffs_officer" not in admin.get(reverse("wraparound_lockouts")).content
    admin.post(reverse("wraparound_lockouts"), {"kind": "username", "value": "staffs_officer"})
    assert not AuditEvent.objects.filter(action=AuditAction.UNLOCK).exists()
    assert _login(client, "staffs_officer", PASSWORD, ip="10.3.3.3").status_code == 429


def test_a_practitioner_cannot_open_the_lockout_screen(client, world):
    client.force_login(world.norfolk_officer)
    response = client.get(reverse("wraparound_lockouts"))
    assert response.status_code in (302, 403)
    assert b"Locked-out sign-ins" not in response.content
