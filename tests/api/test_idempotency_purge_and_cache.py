"""Operations of the API: purging old Idempotency-Key records (command and task), and
the rate-limit counters in a shared cache chosen by URL."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from core.models import IdempotencyRecord, Profile
from core.tasks import purge_idempotency_keys_task
from wraparound.settings.cache_url import cache_from_url


def record(key: str, age: datetime.timedelta) -> IdempotencyRecord:
    row = IdempotencyRecord.objects.create(owner="token:1", key=key, fingerprint="f", status_code=201, response={})
    IdempotencyRecord.objects.filter(pk=row.pk).update(created_at=timezone.now() - age)
    return row


def test_purge_command_keeps_records_within_the_retention(db, settings):
    settings.WRAPAROUND_IDEMPOTENCY_RETENTION_HOURS = 24
    old, recent = record("old", datetime.timedelta(hours=25)), record("recent", datetime.timedelta(hours=23))
    out = StringIO()
    call_command("purge_idempotency_keys", stdout=out)
    assert "Deleted 1 idempotency record(s)" in out.getvalue()
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]
    call_command("purge_idempotency_keys", "--hours", "1", stdout=StringIO())
    assert not IdempotencyRecord.objects.exists()
    assert old.pk != recent.pk


def test_purge_task_uses_the_setting(db, settings):
    settings.WRAPAROUND_IDEMPOTENCY_RETENTION_HOURS = 2
    record("a", datetime.timedelta(hours=3))
    record("b", datetime.timedelta(hours=1))
    assert purge_idempotency_keys_task.call() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["b"]
    out = StringIO()
    call_command("purge_idempotency_keys", "--enqueue", stdout=out)  # the test backend runs it at once
    assert "Queued" in out.getvalue()


def test_a_purged_key_creates_again(world, staffs, settings):
    api = staffs[1]
    body = {"first_name": "Ada", "last_name": "Lovelace", "owner_team": world.staffs_iom.pk}
    key = {"Idempotency-Key": "k-1"}
    assert api.post("/profiles/", body, headers=key).status_code == 201
    IdempotencyRecord.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
    call_command("purge_idempotency_keys", stdout=StringIO())
    again = api.post("/profiles/", body, headers=key)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Profile.objects.count() == 2


@pytest.mark.parametrize(("url", "backend", "location"), [
    ("db://", "django.core.cache.backends.db.DatabaseCache", "wraparound_cache"),
    ("db://api_cache", "django.core.cache.backends.db.DatabaseCache", "api_cache"),
    ("locmem://", "django.core.cache.backends.locmem.LocMemCache", "wraparound"),
])
def test_cache_from_url(url, backend, location):
    assert cache_from_url(url) == {"BACKEND": backend, "LOCATION": location}


def test_cache_url_errors_are_clear():
    with pytest.raises(ImproperlyConfigured, match="Unknown cache URL"):
        cache_from_url("memcached://x")
    try:
        import redis  # noqa: F401
    except ImportError:
        with pytest.raises(ImproperlyConfigured, match="pip install redis"):
            cache_from_url("redis://127.0.0.1:6379/0")
    else:
        assert cache_from_url("redis://127.0.0.1:6379/0")["BACKEND"].endswith("RedisCache")


SHARED = {"default": cache_from_url("db://api_throttle_test")}


@override_settings(CACHES=SHARED, WRAPAROUND_API_RATE="3/min")
def test_rate_limit_counters_live_in_the_shared_database_cache(world, account_for):
    """With the database cache every process reads and writes the same counters: the
    count is in the table, not in this process's memory."""
    call_command("createcachetable", stdout=StringIO())
    _user, api = account_for(world.staffs_iom)
    assert [api.get("/me/").status_code for _ in range(4)] == [200, 200, 200, 429]
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM api_throttle_test")
        keys = [row[0] for row in cursor.fetchall()]
    assert any("throttle_api_token:" in k for k in keys), keys
    # A new cache handler (what another process would open) reads the same counter.
    del caches["default"]
    assert api.get("/me/").status_code == 429
