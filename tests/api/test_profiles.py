"""/api/v1/profiles: access levels, outsiders, filters, audit, ETag/If-Match, query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import services
from core.models import AccessLevel, AuditEvent, Channel, PersonRole, Profile
from tests.factories import CaseFactory, ProfileFactory


def test_list_shows_only_what_the_caller_may_see(world, staffs):
    mine = ProfileFactory(owner_team=world.staffs_iom)
    ProfileFactory(owner_team=world.norfolk_iom)
    body = staffs[1].get("/profiles/").json()
    assert body["count"] == 1 and [p["id"] for p in body["items"]] == [mine.pk]


def test_outsider_gets_404_and_no_data(world, staffs, outsider_api):
    profile = ProfileFactory(owner_team=world.staffs_iom, last_name="Hidden")
    _user, api = outsider_api
    response = api.get(f"/profiles/{profile.pk}")
    assert response.status_code == 404 and b"Hidden" not in response.content
    assert api.get("/profiles/").json() == {"items": [], "count": 0}
    assert api.get("/statistics/").json()["profiles"] == 0
    assert api.get(f"/profiles/{profile.pk}/grants").status_code == 404
    assert not AuditEvent.objects.filter(action="view", object_id=str(profile.pk)).exists()


def test_outsider_cannot_write_and_nothing_is_written(world, outsider_api):
    profile = ProfileFactory(owner_team=world.staffs_iom, first_name="Kept")
    _user, api = outsider_api
    before = AuditEvent.objects.count()
    response = api.patch(f"/profiles/{profile.pk}", {"first_name": "Changed"}, headers={"If-Match": '"1"'})
    assert response.status_code == 404
    assert api.post(f"/profiles/{profile.pk}/grants", {"team": world.waveney_housing.pk, "level": "view",
                                                       "reason": "x"}).status_code == 404
    assert Profile.objects.get(pk=profile.pk).first_name == "Kept"
    assert AuditEvent.objects.count() == before


def test_detail_read_is_audited_on_the_api_channel(world, staffs):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    user, api = staffs
    response = api.get(f"/profiles/{profile.pk}")
    assert response.status_code == 200 and response["ETag"] == '"1"'
    event = AuditEvent.objects.get(action="view", object_id=str(profile.pk))
    assert event.channel == Channel.API and event.actor_id == user.pk


def test_list_read_is_one_search_event_with_filters_and_ids(world, staffs):
    a = ProfileFactory(owner_team=world.staffs_iom, risk_level="high")
    ProfileFactory(owner_team=world.staffs_iom, risk_level="low")
    staffs[1].get("/profiles/", risk="high")
    event = AuditEvent.objects.get(action="search", object_type="core.profile")
    assert event.channel == Channel.API
    assert event.changes["filters"]["risk"] == "high"
    assert event.changes["returned"] == [a.pk]


def test_filters(world, staffs):
    old = ProfileFactory(owner_team=world.staffs_iom, risk_level="high", last_name="Old")
    Profile.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=10))
    offender = ProfileFactory(owner_team=world.staffs_iom, risk_level="low", last_name="Offender")
    PersonRole.objects.create(profile=offender, role="offender")
    in_case = ProfileFactory(owner_team=world.staffs_iom, last_name="InCase")
    case = CaseFactory(owner_team=world.staffs_iom, programme="iom", case_type="cohort", stage="referred")
    case.participants.create(profile=in_case, role="subject")
    api = staffs[1]

    def names(**params):
        return sorted(p["last_name"] for p in api.get("/profiles/", **params).json()["items"])

    assert names(risk="high") == ["Old"]
    assert names(person_role="offender") == ["Offender"]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert names(updated_since=since) == ["InCase", "Offender"]
    assert names(programme="iom") == ["InCase"]
    assert names(owner_team=world.norfolk_iom.pk) == []
    # Dates need a time zone: a naive one is refused, naming the parameter.
    naive = api.get("/profiles/", updated_since="2026-01-01T00:00:00")
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "updated_since"


def test_programme_filter_ignores_cases_the_caller_cannot_see(world, staffs):
    shared = ProfileFactory(owner_team=world.staffs_iom)
    hidden_case = CaseFactory(owner_team=world.norfolk_iom, programme="iom", case_type="cohort", stage="referred")
    hidden_case.participants.create(profile=shared, role="subject")
    assert staffs[1].get("/profiles/", programme="iom").json()["count"] == 0


def test_pagination_is_stable_and_bounded(world, staffs):
    for _ in range(5):
        ProfileFactory(owner_team=world.staffs_iom, last_name="Same", first_name="Same")
    api = staffs[1]
    first = api.get("/profiles/", page_size=2).json()
    second = api.get("/profiles/", page_size=2, page=2).json()
    third = api.get("/profiles/", page_size=2, page=3).json()
    ids = [p["id"] for page in (first, second, third) for p in page["items"]]
    assert first["count"] == 5 and ids == sorted(ids) and len(set(ids)) == 5
    assert api.get("/profiles/", page_size=0).status_code == 422


def test_query_count_does_not_grow_with_page_size(world, staffs):
    for _ in range(30):
        profile = ProfileFactory(owner_team=world.staffs_iom)
        PersonRole.objects.create(profile=profile, role="offender")
    api = staffs[1]
    api.get("/me/")  # warm the token's last-used stamp

    def queries(size):
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/profiles/", page_size=size).status_code == 200
        return len(ctx)

    assert queries(2) == queries(30)


@pytest.mark.postgres
def test_the_unfiltered_list_by_name_pages_from_the_access_index_and_agrees_with_restrict(world, staffs, monkeypatch):
    from core import access
    from core.access import listing

    user, api = staffs
    for i in range(23):
        ProfileFactory(owner_team=world.staffs_iom, last_name=f"Name{i % 5}", first_name=f"F{i % 3}")
    shared = ProfileFactory(owner_team=world.norfolk_iom, last_name="Name2")
    services.grant_access(shared, world.staffs_iom, AccessLevel.VIEW, by=world.norfolk_officer, reason="joint")
    services.grant_access(shared, user, AccessLevel.VIEW, by=world.norfolk_officer, reason="twice")
    ProfileFactory.create_batch(3, owner_team=world.norfolk_iom, last_name="Name1")  # not shared
    expected = list(access.restrict(Profile.objects.all(), user).order_by("last_name", "first_name", "id")
                    .values_list("pk", flat=True))
    pages = []
    monkeypatch.setattr(listing.VisibleProfileList, "__getitem__",
                        lambda self, key, real=listing.VisibleProfileList.__getitem__: pages.append(key) or real(self, key))
    first = api.get("/profiles/", page_size=20).json()
    second = api.get("/profiles/", page_size=20, page=2).json()
    assert pages == [slice(0, 20), slice(20, 40)]  # the index path
    assert first["count"] == second["count"] == len(expected) == 24  # the twice-shared profile once
    assert [p["id"] for p in first["items"] + second["items"]] == expected
    filtered = api.get("/profiles/", risk="unknown", page_size=100).json()  # a filter: the generic path
    assert len(pages) == 2 and [p["id"] for p in filtered["items"]] == expected


def test_create_profile(world, staffs):
    user, api = staffs
    response = api.post("/profiles/", {
        "first_name": "Ada", "last_name": "Lovelace", "owner_team": world.staffs_iom.pk,
        "person_roles": ["offender"], "risk_level": "high", "identifiers": [{"kind": "nhs", "value": "1234567890"}],
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["person_roles"] == ["offender"] and body["identifiers"] == [{"kind": "nhs", "value": "1234567890"}]
    assert response["ETag"] == '"1"'
    event = AuditEvent.objects.get(action="create", object_type="core.profile")
    assert event.channel == Channel.API and event.actor_id == user.pk


def test_create_profile_errors_name_the_field(world, staffs):
    api = staffs[1]
    other_team = api.post("/profiles/", {"first_name": "A", "last_name": "B", "owner_team": world.norfolk_iom.pk})
    assert other_team.status_code == 422
    assert other_team["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in other_team.json()["errors"]] == ["owner_team"]
    bad_nhs = api.post("/profiles/", {"first_name": "A", "last_name": "B", "owner_team": world.staffs_iom.pk,
                                      "identifiers": [{"kind": "nhs", "value": "12"}]})
    assert [e["field"] for e in bad_nhs.json()["errors"]] == ["identifiers"]
    missing = api.post("/profiles/", {"first_name": "A", "owner_team": world.staffs_iom.pk})
    assert [e["field"] for e in missing.json()["errors"]] == ["last_name"]
    assert not Profile.objects.exists()


def test_update_needs_if_match_and_refuses_stale_versions(world, staffs):
    profile = ProfileFactory(owner_team=world.staffs_iom, first_name="Old")
    api = staffs[1]
    assert api.patch(f"/profiles/{profile.pk}", {"first_name": "New"}).status_code == 428
    ok = api.patch(f"/profiles/{profile.pk}", {"first_name": "New"}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok["ETag"] == '"2"' and ok.json()["first_name"] == "New"
    stale = api.patch(f"/profiles/{profile.pk}", {"first_name": "Lost"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and stale["Content-Type"] == "application/problem+json"
    assert api.patch(f"/profiles/{profile.pk}", {"first_name": "Lost"}, headers={"If-Match": "*"}).status_code == 412
    assert Profile.objects.get(pk=profile.pk).first_name == "New"
    event = AuditEvent.objects.get(action="update", object_id=str(profile.pk))
    assert event.channel == Channel.API and event.changes == {"first_name": ["Old", "New"]}


def test_view_grant_reads_but_cannot_update(world, account_for):
    profile = ProfileFactory(owner_team=world.staffs_iom, first_name="Kept")
    services.grant_access(profile, world.norfolk_iom, AccessLevel.VIEW, by=world.staffs_officer, reason="MAPPA")
    _user, api = account_for(world.norfolk_iom)
    assert api.get(f"/profiles/{profile.pk}").status_code == 200
    refused = api.patch(f"/profiles/{profile.pk}", {"first_name": "X"}, headers={"If-Match": '"1"'})
    assert refused.status_code == 403
    assert Profile.objects.get(pk=profile.pk).first_name == "Kept"


def test_contribute_grant_may_update(world, account_for):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    services.grant_access(profile, world.norfolk_iom, AccessLevel.CONTRIBUTE, by=world.staffs_officer, reason="IOM")
    _user, api = account_for(world.norfolk_iom)
    response = api.patch(f"/profiles/{profile.pk}", {"risk_level": "high"}, headers={"If-Match": '"1"'})
    assert response.status_code == 200 and response.json()["risk_level"] == "high"


def test_patch_changes_roles_markers_identifiers_and_addresses_together(world, staffs):
    """The admin's profile edit through the API: one transaction, one event, one version."""
    profile = ProfileFactory(owner_team=world.staffs_iom)
    PersonRole.objects.create(profile=profile, role="victim")
    api = staffs[1]
    address = {"line1": "1 High Street", "town": "Stafford", "postcode": "ST16 2AA", "current": True}
    changed = api.patch(f"/profiles/{profile.pk}", {
        "risk_level": "high", "person_roles": ["offender"], "warning_markers": ["weapons"],
        "identifiers": [{"kind": "pnc", "value": "12/345678A"}], "aliases": [{"name": "Shorty", "kind": "nickname"}],
        "addresses": [address],
    }, headers={"If-Match": '"1"'})
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["person_roles"] == ["offender"] and body["warning_markers"] == ["weapons"]
    assert body["identifiers"] == [{"kind": "pnc", "value": "12/345678A"}]
    assert body["aliases"] == [{"name": "Shorty", "kind": "nickname"}]
    assert body["addresses"][0]["postcode"] == "ST16 2AA" and body["addresses"][0]["kind"] == "home"
    assert changed["ETag"] == '"2"' and body["risk_level"] == "high"
    event = AuditEvent.objects.get(action="update", object_id=str(profile.pk))
    assert event.channel == Channel.API
    assert {"risk_level", "person_roles", "warning_markers", "identifiers", "aliases", "addresses"} <= set(event.changes)
    # Sets not sent are kept; an empty list empties one.
    emptied = api.patch(f"/profiles/{profile.pk}", {"warning_markers": []}, headers={"If-Match": '"2"'})
    assert emptied.json()["warning_markers"] == [] and emptied.json()["person_roles"] == ["offender"]
    assert emptied.json()["addresses"] == body["addresses"]


def test_patch_of_sets_refuses_bad_codes_and_stale_versions_and_writes_nothing(world, staffs):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    PersonRole.objects.create(profile=profile, role="victim")
    api = staffs[1]
    bad = api.patch(f"/profiles/{profile.pk}", {"person_roles": ["astronaut"]}, headers={"If-Match": '"1"'})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "person_roles"
    two_current = api.patch(f"/profiles/{profile.pk}", {"addresses": [{"line1": "A"}, {"line1": "B"}]},
                            headers={"If-Match": '"1"'})
    assert two_current.status_code == 422 and two_current.json()["errors"][0]["field"] == "addresses"
    assert api.patch(f"/profiles/{profile.pk}", {"risk_level": "low"}, headers={"If-Match": '"1"'}).status_code == 200
    stale = api.patch(f"/profiles/{profile.pk}", {"person_roles": ["offender"]}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert list(PersonRole.objects.filter(profile=profile).values_list("role", flat=True)) == ["victim"]
    assert not profile.addresses.exists()


def test_an_address_or_alias_error_names_the_item_and_writes_nothing(world, staffs):
    """A list item the model refuses is named by its position (``addresses.1.valid_to``),
    on create and on change, and nothing of the request is written."""
    profile = ProfileFactory(owner_team=world.staffs_iom)
    api = staffs[1]
    addresses = [{"line1": "1 High St", "current": False},
                 {"line1": "2 Low St", "valid_from": "2025-03-01", "valid_to": "2025-01-01"}]
    changed = api.patch(f"/profiles/{profile.pk}", {"risk_level": "high", "addresses": addresses},
                        headers={"If-Match": '"1"'})
    assert changed.status_code == 422
    assert [e["field"] for e in changed.json()["errors"]] == ["addresses.1.valid_to"]
    profile.refresh_from_db()
    assert profile.version == 1 and profile.risk_level != "high" and not profile.addresses.exists()
    before = Profile.objects.count()
    created = api.post("/profiles/", {"first_name": "Ann", "last_name": "Other", "owner_team": world.staffs_iom.pk,
                                      "addresses": addresses})
    assert created.status_code == 422
    assert [e["field"] for e in created.json()["errors"]] == ["addresses.1.valid_to"]
    assert Profile.objects.count() == before


def test_a_stale_if_match_answers_412_even_when_nothing_would_change(world, staffs):
    """HTTP checks If-Match before the method runs: a PATCH that changes nothing, sent
    with an out-of-date ETag, is refused like any other, and a current one is fine."""
    profile = ProfileFactory(owner_team=world.staffs_iom)
    api = staffs[1]
    assert api.patch(f"/profiles/{profile.pk}", {"risk_level": "high"}, headers={"If-Match": '"1"'}).status_code == 200
    stale = api.patch(f"/profiles/{profile.pk}", {}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412 and "changed since you read it" in stale.json()["detail"]
    same = api.patch(f"/profiles/{profile.pk}", {"risk_level": "high"}, headers={"If-Match": '"1"'})
    assert same.status_code == 412
    current = api.patch(f"/profiles/{profile.pk}", {}, headers={"If-Match": '"2"'})
    assert current.status_code == 200 and current["ETag"] == '"2"'
