"""/api/v1/galleries (audience only; cards are the minimal disclosure, each page
audited as a view of the gallery) and /api/v1/alerts (follow the profile's access;
acknowledge / action / dismiss)."""

from __future__ import annotations

import pytest

from core import services
from core.models import AccessLevel, Alert, AuditEvent, Channel, Gallery, TriggerRule
from tests.factories import ProfileFactory


@pytest.fixture
def gallery(world):
    g = Gallery.objects.create(name="Vulnerable persons", slug="vulnerable", kind=Gallery.Kind.EXPLICIT)
    g.audience_partnerships.add(world.norfolk_partnership)
    return g


@pytest.fixture
def person(world, gallery):
    p = ProfileFactory(owner_team=world.norfolk_iom, first_name="Kieran", last_name="Pellow",
                       notes="Secret safeguarding note", email="kieran@private.example")
    services.add_to_gallery(gallery, p, by=world.norfolk_officer, reason="Missing often", risk_level="high")
    return p


def test_audience_sees_minimal_cards_audited(world, gallery, person, account_for):
    _u, api = account_for(world.waveney_asb)
    assert [g["slug"] for g in api.get("/galleries/").json()] == ["vulnerable"]
    assert api.get(f"/galleries/{gallery.pk}").json()["name"] == "Vulnerable persons"
    cards = api.get(f"/galleries/{gallery.pk}/cards")
    assert cards.status_code == 200, cards.content
    body = cards.json()
    assert body["count"] == 1
    card = body["items"][0]
    assert card["profile_id"] == person.pk and card["name"] == "Kieran Pellow" and card["risk"] == "high"
    assert card["has_access"] is False and card["owner_team"] == "IOM Team"
    assert b"Secret" not in cards.content and b"kieran@private" not in cards.content
    event = AuditEvent.objects.get(action="view", object_type="core.gallery")
    assert event.channel == Channel.API and event.changes == {"cards": [person.pk]}
    # The card discloses nothing more: the profile itself stays out of reach.
    assert api.get(f"/profiles/{person.pk}").status_code == 404


def test_outside_the_audience_is_404(world, gallery, person, staffs):
    api = staffs[1]
    before = AuditEvent.objects.count()
    assert api.get("/galleries/").json() == []
    assert api.get(f"/galleries/{gallery.pk}").status_code == 404
    hidden = api.get(f"/galleries/{gallery.pk}/cards")
    assert hidden.status_code == 404 and b"Kieran" not in hidden.content
    assert AuditEvent.objects.count() == before


def test_cards_are_paginated(world, gallery, person, account_for):
    for _i in range(3):
        services.add_to_gallery(gallery, ProfileFactory(owner_team=world.norfolk_iom), by=world.norfolk_officer,
                                reason="x", risk_level="low")
    _u, api = account_for(world.norfolk_iom)
    first = api.get(f"/galleries/{gallery.pk}/cards", page_size=3).json()
    second = api.get(f"/galleries/{gallery.pk}/cards", page_size=3, page=2).json()
    assert first["count"] == 4 and len(first["items"]) == 3 and len(second["items"]) == 1
    assert first["items"][0]["has_access"] is True
    assert len({c["profile_id"] for c in first["items"] + second["items"]}) == 4


@pytest.fixture
def alert(world):
    child = ProfileFactory(owner_team=world.norfolk_iom, first_name="Chloe", last_name="Hangleton")
    rule = TriggerRule.objects.create(name="Repeat missing", kind="activity_count",
                                      params={"count": 3, "days": 60, "kinds": [], "contains": "missing"})
    return Alert.objects.create(rule=rule, profile=child, occurrence_key="k1", summary="Chloe missing 3 times")


def test_alerts_list_get_and_handle(world, alert, account_for):
    _u, api = account_for(world.norfolk_iom)
    listed = api.get("/alerts/", status="open", mine="true").json()
    assert [a["id"] for a in listed["items"]] == [alert.pk]
    assert api.get("/alerts/", mine="false").json()["count"] == 0
    one = api.get(f"/alerts/{alert.pk}")
    assert one.status_code == 200 and one.json()["rule"]["name"] == "Repeat missing"
    acked = api.post(f"/alerts/{alert.pk}/acknowledge", {})
    assert acked.status_code == 200 and acked.json()["status"] == "acknowledged"
    no_note = api.post(f"/alerts/{alert.pk}/action", {"note": ""})
    assert no_note.status_code == 422 and no_note.json()["errors"][0]["field"] == "note"
    done = api.post(f"/alerts/{alert.pk}/action", {"note": "Strategy meeting held"})
    assert done.status_code == 200 and done.json()["status"] == "actioned"
    closed = api.post(f"/alerts/{alert.pk}/dismiss", {"note": "x"})
    assert closed.status_code == 422 and closed.json()["errors"][0]["field"] == "action"
    assert set(AuditEvent.objects.filter(object_type="core.alert", action="update")
               .values_list("channel", flat=True)) == {Channel.API}
    assert AuditEvent.objects.filter(object_type="core.alert", action="view", channel=Channel.API).exists()


def test_alert_view_grant_may_acknowledge_outsider_404(world, alert, account_for, outsider_api):
    # handle_alert needs view on the profile (the screen's rule): a view grant may handle it.
    services.grant_access(alert.profile, world.norfolk_ppo, AccessLevel.VIEW, by=world.norfolk_officer, reason="x")
    _u, viewer = account_for(world.norfolk_ppo)
    assert viewer.post(f"/alerts/{alert.pk}/acknowledge", {}).status_code == 200
    api = outsider_api[1]
    before = AuditEvent.objects.count()
    hidden = api.get(f"/alerts/{alert.pk}")
    assert hidden.status_code == 404 and b"Chloe" not in hidden.content
    assert api.post(f"/alerts/{alert.pk}/dismiss", {"note": "x"}).status_code == 404
    assert AuditEvent.objects.count() == before
    assert b"Chloe" not in api.get("/alerts/").content
    assert Alert.objects.get().status == "acknowledged"


def test_read_only_token_cannot_handle_alerts(world, alert, account_for):
    _u, api = account_for(world.norfolk_iom, read_only=True)
    assert api.get(f"/alerts/{alert.pk}").status_code == 200
    assert api.post(f"/alerts/{alert.pk}/acknowledge", {}).status_code == 403
    assert Alert.objects.get().status == "open"
