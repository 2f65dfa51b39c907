"""Races that only a real database shows: concurrent updates with one ETag, and
concurrent POSTs with one Idempotency-Key (PostgreSQL, real transactions, threads)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from core.models import Profile
from tests.factories import ProfileFactory

from .conftest import ApiClient

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(n, call):
    """Start ``n`` threads that each call ``call(i)`` as close together as possible."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        try:
            barrier.wait()
            results[i] = call(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.fixture
def token(world, account_for):
    _user, api = account_for(world.staffs_iom)
    return api.headers["Authorization"].split(" ", 1)[1]


def test_twenty_concurrent_updates_with_one_etag_apply_once(world, token):
    profile = ProfileFactory(owner_team=world.staffs_iom, first_name="Start")

    def update(i):
        api = ApiClient(token)
        return api.patch(f"/profiles/{profile.pk}", {"first_name": f"Writer{i}"}, headers={"If-Match": '"1"'}).status_code

    codes = run_together(20, update)
    assert sorted(codes) == [200] + [412] * 19
    stored = Profile.objects.get(pk=profile.pk)
    assert stored.version == 2 and stored.first_name.startswith("Writer")


def test_ten_concurrent_posts_with_one_key_create_one_record(world, token):
    body = {"first_name": "Ada", "last_name": "Concurrent", "owner_team": world.staffs_iom.pk}

    def create(i):
        response = ApiClient(token).post("/profiles/", body, headers={"Idempotency-Key": "race-1"})
        return response.status_code, response.json().get("id")

    results = run_together(10, create)
    assert {code for code, _ in results} == {201}
    assert len({pk for _, pk in results}) == 1
    assert Profile.objects.filter(last_name="Concurrent").count() == 1
