"""Who may call the API: tokens (hashed, expiring, revocable, read-only), the admin's
session with CSRF, and the per-token rate limit."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from core import services
from core.models import ApiToken, AuditEvent, Profile
from tests.factories import ProfileFactory

from .conftest import ApiClient

NEW_PROFILE = {"first_name": "Ada", "last_name": "Lovelace"}


def test_no_token_is_401_problem(db):
    response = ApiClient(None).get("/profiles/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_unknown_token_is_401(db):
    assert ApiClient("wrp_not-a-real-token").get("/me/").status_code == 401


def test_token_is_stored_hashed_and_shown_once(world):
    account = services.create_service_account(by=None, team=world.staffs_iom, username="svc")
    token, secret = services.issue_token(account, by=None, name="sync")
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in {stored.secret_hash, stored.prefix, stored.name}
    assert stored.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(stored.prefix) and len(secret) > 40
    assert ApiClient(secret).get("/me/").json()["username"] == "svc"


def test_expired_token_is_refused(world, account_for):
    _user, api = account_for(world.staffs_iom, expires_at=timezone.now() + timedelta(seconds=60))
    assert api.get("/me/").status_code == 200
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get("/me/").status_code == 401


def test_revoked_token_is_refused(world, account_for):
    _user, api = account_for(world.staffs_iom)
    services.revoke_token(ApiToken.objects.get(), by=None)
    assert api.get("/me/").status_code == 401


def test_deactivated_service_account_is_refused(world, account_for):
    user, api = account_for(world.staffs_iom)
    user.is_active = False
    user.save()
    assert api.get("/me/").status_code == 401


def test_read_only_token_reads_but_cannot_write(world, account_for):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    _user, api = account_for(world.staffs_iom, read_only=True)
    assert api.get(f"/profiles/{profile.pk}").status_code == 200
    before = AuditEvent.objects.exclude(action="view").count()
    response = api.post("/profiles/", {**NEW_PROFILE, "owner_team": world.staffs_iom.pk})
    assert response.status_code == 403 and "read-only" in response.json()["detail"]
    response = api.patch(f"/profiles/{profile.pk}", {"first_name": "X"}, headers={"If-Match": '"1"'})
    assert response.status_code == 403
    assert not Profile.objects.filter(last_name="Lovelace").exists()
    assert Profile.objects.get(pk=profile.pk).first_name != "X"
    assert AuditEvent.objects.exclude(action__in=["view", "search"]).count() == before


def test_me_names_the_token_and_organisation(world, staffs):
    body = staffs[1].get("/me/").json()
    assert body["service_account"] is True
    assert body["organisation"]["name"] == "Staffordshire Police"
    assert [t["name"] for t in body["teams"]] == ["IOM Team"]
    assert body["token"]["name"] == "test" and body["token"]["read_only"] is False


def test_session_auth_reads_and_enforces_csrf_on_writes(world):
    ProfileFactory(owner_team=world.staffs_iom, last_name="Seen")
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.staffs_officer)
    assert [p["last_name"] for p in client.get("/api/v1/profiles/").json()["items"]] == ["Seen"]
    body = {**NEW_PROFILE, "owner_team": world.staffs_iom.pk}
    refused = client.post("/api/v1/profiles/", body, content_type="application/json")
    assert refused.status_code == 403
    assert not Profile.objects.filter(last_name="Lovelace").exists()
    client.get("/admin/")  # sets the CSRF cookie, as the admin's pages do
    token = client.cookies["csrftoken"].value
    created = client.post("/api/v1/profiles/", body, content_type="application/json", headers={"X-CSRFToken": token})
    assert created.status_code == 201


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@override_settings(WRAPAROUND_API_RATE="3/min")
def test_rate_limit_is_per_token(world, account_for, fresh_cache):
    _user, first = account_for(world.staffs_iom)
    _user, second = account_for(world.norfolk_iom)
    assert [first.get("/me/").status_code for _ in range(4)] == [200, 200, 200, 429]
    limited = first.get("/me/")
    assert limited["Content-Type"] == "application/problem+json" and int(limited["Retry-After"]) > 0
    assert second.get("/me/").status_code == 200
