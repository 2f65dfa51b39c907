"""Fixtures for the API tests: service accounts with tokens in the ``make_world`` teams,
and a client that sends the token."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from core import services


class ApiClient:
    """A Django test client that sends a bearer token and JSON bodies."""

    def __init__(self, secret: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def _call(self, method, path, body=None, headers=None):
        kwargs = {"headers": {**self.headers, **(headers or {})}}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(self.client, method)(f"/api/v1{path}", **kwargs)

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path, body=None, headers=None):
        return self._call("post", path, body if body is not None else {}, headers)

    def patch(self, path, body=None, headers=None):
        return self._call("patch", path, body if body is not None else {}, headers)


@pytest.fixture
def account_for(world):
    """``account_for(team, read_only=False)`` → (service account user, ApiClient)."""
    made = {}

    def make(team, *, read_only=False, expires_at=None, name=None):
        key = (team.pk, read_only)
        if key not in made:
            made[key] = services.create_service_account(
                by=None, team=team, username=name or f"svc-{team.organisation.slug}-{team.slug}-{int(read_only)}"
            )
        account = made[key]
        _token, secret = services.issue_token(account, by=None, name="test", read_only=read_only, expires_at=expires_at)
        return account.user, ApiClient(secret)

    return make


@pytest.fixture
def staffs(world, account_for):
    """A service account of Staffordshire's IOM team (owner of staffs profiles)."""
    return account_for(world.staffs_iom)


@pytest.fixture
def outsider_api(world, account_for):
    """A service account in Waveney's housing team, which has no access to anything."""
    return account_for(world.waveney_housing)
