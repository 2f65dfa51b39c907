"""Idempotency-Key on POST: one record per key, the same answer replayed, a different
request with the same key refused, keys scoped per token."""

from __future__ import annotations

from core.models import AuditEvent, IdempotencyRecord, Profile


def body(world, **extra):
    return {"first_name": "Ada", "last_name": "Lovelace", "owner_team": world.staffs_iom.pk, **extra}


def test_same_key_and_body_creates_one_record_and_replays_the_response(world, staffs):
    api = staffs[1]
    key = {"Idempotency-Key": "abc-123"}
    first = api.post("/profiles/", body(world), headers=key)
    again = api.post("/profiles/", body(world), headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Profile.objects.count() == 1
    assert AuditEvent.objects.filter(action="create", object_type="core.profile").count() == 1


def test_same_key_with_another_body_is_refused(world, staffs):
    api = staffs[1]
    key = {"Idempotency-Key": "abc-123"}
    assert api.post("/profiles/", body(world), headers=key).status_code == 201
    other = api.post("/profiles/", body(world, last_name="Byron"), headers=key)
    assert other.status_code == 422 and "Idempotency-Key" in other.json()["detail"]
    assert list(Profile.objects.values_list("last_name", flat=True)) == ["Lovelace"]


def test_keys_are_scoped_per_token(world, account_for):
    _u, first = account_for(world.staffs_iom)
    _u, second = account_for(world.staffs_iom, read_only=False, name="svc-second")
    key = {"Idempotency-Key": "shared"}
    assert first.post("/profiles/", body(world), headers=key).status_code == 201
    assert second.post("/profiles/", body(world), headers=key).status_code == 201
    assert Profile.objects.count() == 2


def test_a_failed_request_stores_nothing_and_can_be_retried(world, staffs):
    api = staffs[1]
    key = {"Idempotency-Key": "retry-me"}
    failed = api.post("/profiles/", body(world, owner_team=world.norfolk_iom.pk), headers=key)
    assert failed.status_code == 422
    assert not IdempotencyRecord.objects.exists()
    # The same key with the corrected body now creates the profile.
    assert api.post("/profiles/", body(world), headers=key).status_code == 201


def test_without_a_key_each_post_creates(world, staffs):
    api = staffs[1]
    api.post("/profiles/", body(world))
    api.post("/profiles/", body(world))
    assert Profile.objects.count() == 2
