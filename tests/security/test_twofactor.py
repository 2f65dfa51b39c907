"""Two-factor authentication (django-otp): enforced by WRAPAROUND_REQUIRE_2FA, always
asked of users who enrolled, recovery codes single-use, wrong codes audited."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import AuditEvent
from core.models.audit import AuditAction

PASSWORD = "correct horse battery staple"
pytestmark = pytest.mark.django_db


def _password_login(client, user):
    response = client.post(reverse("wagtailadmin_login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]


def _code(device, steps_ahead: int = 0) -> str:
    """The device's code now, or ``steps_ahead`` time steps later: a code is accepted
    once (django-otp refuses a replay of the step it last accepted) and one step of
    clock drift is tolerated."""
    t0 = device.t0 - steps_ahead * device.step
    return f"{totp(device.bin_key, step=device.step, t0=t0, digits=device.digits):06d}"


def _enrol(client, user) -> list[str]:
    client.get(reverse("wraparound_2fa_enrol"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("wraparound_2fa_enrol"), {"token": _code(device)})
    assert response.status_code == 200
    return response.context["codes"]


@override_settings(WRAPAROUND_REQUIRE_2FA=True)
def test_when_required_a_password_alone_reaches_nothing_but_enrolment(client, world):
    _password_login(client, world.norfolk_officer)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("wraparound_2fa_enrol"))
    # Record screens too, not just the dashboard.
    assert client.get("/admin/records/profiles/").status_code == 302
    page = client.get(response.url)
    assert page.status_code == 200
    assert b"Set up two-factor authentication" in page.content
    assert b"data:image/svg+xml" in page.content


@override_settings(WRAPAROUND_REQUIRE_2FA=True)
def test_enrolment_with_a_wrong_code_is_refused_and_a_right_code_turns_it_on(client, world):
    user = world.norfolk_officer
    _password_login(client, user)
    client.get(reverse("wraparound_2fa_enrol"))
    response = client.post(reverse("wraparound_2fa_enrol"), {"token": "000000"})
    assert b"That code is not right" in response.content
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    # A wrong code throttles the device (django-otp); the next try must wait.
    TOTPDevice.objects.filter(user=user).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    codes = _enrol(client, user)
    assert len(codes) == 10
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR, actor_id=user.pk).exists()


@override_settings(WRAPAROUND_REQUIRE_2FA=True)
def test_totp_is_required_at_the_next_sign_in(world):
    user = world.norfolk_officer
    first = Client()
    _password_login(first, user)
    _enrol(first, user)
    device = TOTPDevice.objects.get(user=user)

    second = Client()
    _password_login(second, user)
    response = second.get(reverse("wagtailadmin_home"))
    assert response.url.startswith(reverse("wraparound_2fa_verify"))
    # Enrolling again is not a way round the code.
    assert second.get(reverse("wraparound_2fa_enrol")).url.startswith(reverse("wraparound_2fa_verify"))
    wrong = second.post(reverse("wraparound_2fa_verify"), {"token": "123456"})
    assert b"That code is not right" in wrong.content
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED, object_repr__contains="second factor").exists()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    ok = second.post(reverse("wraparound_2fa_verify"), {"token": _code(device, 1), "next": "/admin/"})
    assert ok.status_code == 302 and ok.url == "/admin/"
    assert second.get(reverse("wagtailadmin_home")).status_code == 200


def test_a_user_who_enrolled_is_asked_for_a_code_even_when_not_required(world):
    user = world.norfolk_officer
    first = Client()
    _password_login(first, user)
    assert first.get(reverse("wagtailadmin_home")).status_code == 200  # not required, no device
    _enrol(first, user)
    second = Client()
    _password_login(second, user)
    assert second.get(reverse("wagtailadmin_home")).url.startswith(reverse("wraparound_2fa_verify"))


def test_a_recovery_code_works_once(world):
    user = world.norfolk_officer
    first = Client()
    _password_login(first, user)
    codes = _enrol(first, user)
    second = Client()
    _password_login(second, user)
    assert second.post(reverse("wraparound_2fa_verify"), {"token": codes[0]}).status_code == 302
    assert second.get(reverse("wagtailadmin_home")).status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 9
    third = Client()
    _password_login(third, user)
    again = third.post(reverse("wraparound_2fa_verify"), {"token": codes[0]})
    assert again.status_code == 200
    assert third.get(reverse("wagtailadmin_home")).status_code == 302


def test_the_status_page_and_new_recovery_codes(client, world):
    user = world.norfolk_officer
    _password_login(client, user)
    page = client.get(reverse("wraparound_2fa"))
    assert b"Two-factor authentication is off" in page.content
    old = _enrol(client, user)
    response = client.post(reverse("wraparound_2fa"), {"action": "recovery"})
    new = response.context["codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(new)


@override_settings(WRAPAROUND_REQUIRE_2FA=True)
def test_an_unverified_session_gets_no_data_from_the_photo_view(client, world):
    _password_login(client, world.norfolk_officer)
    response = client.get(reverse("wraparound_profile_photo", args=[1]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("wraparound_2fa_enrol"))


@override_settings(WRAPAROUND_REQUIRE_2FA=True)
def test_the_icon_sprite_loads_on_the_enrolment_screen(client, world):
    # The enrolment page loads the admin's sprite; redirecting it would paste the
    # enrolment page into itself (seen in the browser test).
    _password_login(client, world.norfolk_officer)
    response = client.get(reverse("wagtailadmin_sprite"))
    assert response.status_code == 200 and b"<svg" in response.content
