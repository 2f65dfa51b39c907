"""The admin screens for service accounts and tokens: scoped to the organisations the
user administers; the secret shown once; revoke."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from core import services
from core.models import ApiToken, ServiceAccount

from .conftest import ApiClient


@pytest.fixture
def spoc(world):
    client = Client()
    client.force_login(world.norfolk_spoc)
    return client


def test_spoc_creates_account_and_token_and_sees_the_secret_once(world, spoc):
    response = spoc.post("/admin/api/service-accounts/new/",
                         {"username": "norfolk-rms", "team": world.norfolk_iom.pk, "description": "RMS"})
    assert response.status_code == 302, response.content[:2000]
    account = ServiceAccount.objects.get(user__username="norfolk-rms")
    created = spoc.post("/admin/api/tokens/new/", {"account": account.pk, "name": "nightly", "read_only": "on"})
    assert created.status_code == 200
    secret = re.search(rb"wrp_[A-Za-z0-9_-]+", created.content).group().decode()
    assert ApiClient(secret).get("/me/").json()["token"]["read_only"] is True
    listing = spoc.get("/admin/api/tokens/")
    assert b"nightly" in listing.content and secret.encode() not in listing.content
    token = ApiToken.objects.get()
    assert spoc.post(f"/admin/api/tokens/revoke/{token.pk}/").status_code == 302
    assert ApiClient(secret).get("/me/").status_code == 401


def test_spoc_sees_and_uses_only_their_organisation(world, spoc):
    theirs = services.create_service_account(by=None, team=world.staffs_iom, username="svc-staffs")
    token, _secret = services.issue_token(theirs, by=None, name="staffs-sync")
    assert b"staffs-sync" not in spoc.get("/admin/api/tokens/").content
    assert spoc.get(f"/admin/api/tokens/revoke/{token.pk}/").status_code == 404
    assert spoc.post(f"/admin/api/tokens/revoke/{token.pk}/").status_code == 404
    refused = spoc.post("/admin/api/tokens/new/", {"account": theirs.pk, "name": "x"})
    assert refused.status_code == 200 and not ApiToken.objects.filter(name="x").exists()
    refused = spoc.post("/admin/api/service-accounts/new/", {"username": "y", "team": world.staffs_iom.pk})
    assert not ServiceAccount.objects.filter(user__username="y").exists()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_practitioners_have_no_token_screens(world):
    client = Client()
    client.force_login(world.norfolk_officer)
    assert client.get("/admin/api/tokens/").status_code in (302, 403, 404)
    assert client.get("/admin/api/service-accounts/new/").status_code in (302, 403, 404)
