"""/api/v1/activities and the sharing endpoints (grants, revoke, transfer)."""

from __future__ import annotations

from core import services
from core.models import AccessLevel, Activity, AuditEvent, Channel, Grant, Profile
from tests.factories import CaseFactory, ProfileFactory


def test_record_and_read_activities(world, staffs):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    user, api = staffs
    created = api.post("/activities/", {"profile": profile.pk, "kind": "visit", "summary": "Home visit",
                                        "occurred_at": "2026-01-05T10:00:00+00:00"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["profile_id"] == profile.pk and body["organisation"]["name"] == "Staffordshire Police"
    assert body["occurred_at"].startswith("2026-01-05T10:00:00")
    assert AuditEvent.objects.get(action="create", object_type="core.activity").channel == Channel.API
    listed = api.get("/activities/", profile=profile.pk).json()
    assert [a["id"] for a in listed["items"]] == [body["id"]]
    assert api.get(f"/activities/{body['id']}").status_code == 200


def test_activity_outsider_and_restricted(world, staffs, outsider_api, account_for):
    case = CaseFactory(owner_team=world.staffs_iom, programme="iom", case_type="cohort", stage="referred")
    restricted = Activity.objects.create(case=case, summary="Police only", occurred_at="2026-01-05T10:00:00Z",
                                         organisation=world.staffs_police, restricted=True)
    services.grant_access(case, world.norfolk_iom, AccessLevel.VIEW, by=world.staffs_officer, reason="x")
    _u, norfolk = account_for(world.norfolk_iom)
    assert norfolk.get(f"/activities/{restricted.pk}").status_code == 404
    assert norfolk.get("/activities/").json()["count"] == 0
    for params in ({"kind": "contact"}, {"since": "2026-01-01T00:00:00Z"}):  # filtered inside the index's union
        assert norfolk.get("/activities/", **params).json()["count"] == 0
        assert outsider_api[1].get("/activities/", **params).json()["count"] == 0
        assert staffs[1].get("/activities/", **params).json()["count"] == 1
    assert outsider_api[1].get(f"/activities/{restricted.pk}").status_code == 404
    refused = outsider_api[1].post("/activities/", {"case": case.pk, "summary": "Sneaky"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "case"
    assert staffs[1].get(f"/activities/{restricted.pk}").status_code == 200
    assert not Activity.objects.filter(summary="Sneaky").exists()


def test_view_only_cannot_record_activity(world, account_for):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    services.grant_access(profile, world.norfolk_iom, AccessLevel.VIEW, by=world.staffs_officer, reason="x")
    _u, api = account_for(world.norfolk_iom)
    assert api.post("/activities/", {"profile": profile.pk, "summary": "x"}).status_code == 403
    assert not Activity.objects.exists()


def test_share_list_and_revoke(world, staffs, account_for):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    api = staffs[1]
    shared = api.post(f"/profiles/{profile.pk}/grants",
                      {"team": world.norfolk_iom.pk, "level": "contribute", "reason": "MAPPA meeting"})
    assert shared.status_code == 201, shared.content
    grant = shared.json()
    assert grant["level"] == "contribute" and grant["in_force"] is True
    assert AuditEvent.objects.get(action="grant").channel == Channel.API
    _u, norfolk = account_for(world.norfolk_iom)
    assert norfolk.get(f"/profiles/{profile.pk}").status_code == 200
    assert [g["id"] for g in api.get(f"/profiles/{profile.pk}/grants").json()] == [grant["id"]]
    assert api.post(f"/grants/{grant['id']}/revoke", {"reason": "done"}).status_code == 428
    revoked = api.post(f"/grants/{grant['id']}/revoke", {"reason": "done"}, headers={"If-Match": '"1"'})
    assert revoked.status_code == 200 and revoked.json()["in_force"] is False
    assert norfolk.get(f"/profiles/{profile.pk}").status_code == 404


def test_share_errors_name_the_field_and_need_manage(world, staffs, account_for):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    api = staffs[1]
    two = api.post(f"/profiles/{profile.pk}/grants", {"team": 1, "user": 1, "level": "view", "reason": "x"})
    assert two.status_code == 422 and two.json()["errors"][0]["field"] == "grantee"
    no_reason = api.post(f"/profiles/{profile.pk}/grants", {"team": world.norfolk_iom.pk, "level": "view", "reason": ""})
    assert no_reason.json()["errors"][0]["field"] == "reason"
    services.grant_access(profile, world.norfolk_iom, AccessLevel.CONTRIBUTE, by=world.staffs_officer, reason="x")
    _u, contributor = account_for(world.norfolk_iom)
    refused = contributor.post(f"/profiles/{profile.pk}/grants",
                               {"team": world.waveney_asb.pk, "level": "view", "reason": "pass it on"})
    assert refused.status_code == 403
    assert not Grant.objects.filter(team=world.waveney_asb).exists()


def test_transfer_ownership(world, staffs):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    api = staffs[1]
    body = {"to_team": world.norfolk_iom.pk, "reason": "Moved to Norfolk", "previous_owner_level": "view"}
    unreviewed = api.post(f"/profiles/{profile.pk}/transfer", body, headers={"If-Match": '"1"'})
    assert unreviewed.status_code == 422 and unreviewed.json()["errors"][0]["field"] == "consent_reviewed"
    moved = api.post(f"/profiles/{profile.pk}/transfer", {**body, "consent_reviewed": True}, headers={"If-Match": '"1"'})
    assert moved.status_code == 200, moved.content
    assert moved.json()["owner_team"] == world.norfolk_iom.pk and moved["ETag"] == '"2"'
    assert Profile.objects.get(pk=profile.pk).owner_team == world.norfolk_iom
    assert AuditEvent.objects.get(action="transfer").channel == Channel.API
    # The previous owner keeps view: still readable, no longer transferable.
    assert api.get(f"/profiles/{profile.pk}").status_code == 200
    again = api.post(f"/profiles/{profile.pk}/transfer", {**body, "consent_reviewed": True}, headers={"If-Match": '"2"'})
    assert again.status_code == 403


def test_unfiltered_activity_list_is_every_visible_activity_newest_first(world, staffs):
    """The list pages through core.access.listing.VisibleActivityList, filtered by kind or
    time inside its arms; to a case or a profile it takes the generic path. All give
    restrict()'s rows, newest first, audited."""
    from core import access

    user, api = staffs
    case = CaseFactory(owner_team=world.staffs_iom)
    profile = ProfileFactory(owner_team=world.staffs_iom)
    for day in (3, 1, 4, 1, 5):
        Activity.objects.create(case=case, summary=f"Day {day}", occurred_at=f"2026-01-0{day}T10:00:00Z",
                                organisation=world.staffs_police)
    Activity.objects.create(profile=profile, kind="visit", summary="Visit", occurred_at="2026-01-02T10:00:00Z",
                            organisation=world.staffs_police)
    Activity.objects.create(profile=ProfileFactory(owner_team=world.norfolk_iom), summary="Not ours",
                            occurred_at="2026-01-09T10:00:00Z", organisation=world.norfolk_police)
    expected = list(access.restrict(Activity.objects.all(), user).order_by("-occurred_at", "-id")
                    .values_list("pk", flat=True))
    first = api.get("/activities/", page_size=4).json()
    second = api.get("/activities/", page_size=4, page=2).json()
    assert first["count"] == second["count"] == len(expected) == 6
    assert [a["id"] for a in first["items"] + second["items"]] == expected
    visits = api.get("/activities/", kind="visit").json()
    assert visits["count"] == 1 and visits["items"][0]["summary"] == "Visit"
    since = api.get("/activities/", since="2026-01-03T00:00:00Z", page_size=2).json()
    assert since["count"] == 3 and [a["summary"] for a in since["items"]] == ["Day 5", "Day 4"]
    notes_since = api.get("/activities/", kind="contact", since="2026-01-04T00:00:00Z").json()
    assert [a["summary"] for a in notes_since["items"]] == ["Day 5", "Day 4"] and notes_since["count"] == 2
    assert api.get("/activities/", kind="visit", since="2026-01-03T00:00:00Z").json()["count"] == 0
    assert [a["summary"] for a in api.get("/activities/", case=case.pk, since="2026-01-04T00:00:00Z")
            .json()["items"]] == ["Day 5", "Day 4"]
    event = AuditEvent.objects.filter(action="search", object_type="core.activity").order_by("pk").first()
    assert event.changes["returned"] == expected[:4]
