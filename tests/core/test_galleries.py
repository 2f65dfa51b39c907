"""Galleries (core/services/galleries.py, core/admin/galleries.py): the audience sees
the minimal card and nothing more, asks for access, the owner decides; everyone else
gets 404; the grid's query count does not grow with cards."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import access, services
from core.access import AccessLevel
from core.models import (
    AccessRequest,
    AuditAction,
    AuditEvent,
    Gallery,
    Notification,
    NotificationKind,
)

from ..factories import ProfileFactory


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def gallery(world):
    g = Gallery.objects.create(name="Vulnerable persons", slug="vulnerable", kind=Gallery.Kind.EXPLICIT)
    g.audience_partnerships.add(world.norfolk_partnership)
    return g


@pytest.fixture
def juvenile(world, gallery, settings, tmp_path):
    """A Norfolk profile full of data, on the gallery; the Waveney officer (same
    partnership, other organisation) has no access to it."""
    settings.MEDIA_ROOT = tmp_path
    world.norfolk_iom.email, world.norfolk_iom.phone = "iom@norfolk.example", "01603 000111"
    world.norfolk_iom.save()
    p = ProfileFactory(
        owner_team=world.norfolk_iom, first_name="Kieran", last_name="Pellow",
        date_of_birth=datetime.date.today().replace(year=datetime.date.today().year - 15) - datetime.timedelta(days=3),
        phone="07700 900123", email="kieran@private.example", notes="Secret safeguarding note", risk_level="medium",
        preferred_name="Kez",
    )
    p.photo.save("k.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 64), save=True)
    services.add_alias(p, by=world.norfolk_officer, name="Kezza the Alias")
    services.add_identifier(p, by=world.norfolk_officer, kind="nhs", value="9434765919")
    services.add_warning_marker(p, by=world.norfolk_officer, marker="weapons", note="Carries a blade")
    services.add_address(p, by=world.norfolk_officer, line1="12 Hidden Lane", town="Lowestoft", postcode="NR32 1AA")
    services.add_to_gallery(gallery, p, by=world.norfolk_officer, reason="Exploited by a county line gang",
                            risk_level="high")
    return p


def test_audience_member_without_access_sees_the_minimal_card_and_nothing_more(world, gallery, juvenile):
    assert not access.can(world.waveney_officer, juvenile)
    response = login(world.waveney_officer).get(reverse("wraparound_galleries:grid", args=[gallery.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    cards = re.findall(r'<article class="wa-ws-card".*?</article>', html, re.S)
    assert len(cards) == 1
    card = cards[0]
    for shown in ("Kieran Pellow", "Age 15", "Risk: High", "IOM Team", "Norfolk Constabulary",
                  "iom@norfolk.example", "01603 000111", "Request access"):
        assert shown in card, shown
    for hidden in ("07700 900123", "kieran@private.example", "Secret safeguarding", "Kez", "9434765919",
                   "Carries a blade", "Weapons", "Hidden Lane", "NR32", "county line", "Medium",
                   juvenile.date_of_birth.strftime("%d %b %Y"), juvenile.date_of_birth.isoformat()):
        assert hidden not in html, hidden
    # The only links on the card: its photo and the request.
    links = re.findall(r'(?:href|src)="([^"]+)"', card)
    assert sorted(links) == sorted([
        reverse("wraparound_galleries:photo", args=[gallery.pk, juvenile.pk]),
        "mailto:iom@norfolk.example",
        reverse("wraparound_galleries:request", args=[gallery.pk, juvenile.pk]),
    ])


def test_card_photo_is_served_to_the_audience_only(world, gallery, juvenile):
    url = reverse("wraparound_galleries:photo", args=[gallery.pk, juvenile.pk])
    assert login(world.waveney_officer).get(url).status_code == 200
    assert login(world.staffs_officer).get(url).status_code == 404  # not in the audience
    other = ProfileFactory(owner_team=world.norfolk_iom)
    other.photo.save("o.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
    # In the audience, but this profile is not on the gallery.
    assert login(world.waveney_officer).get(
        reverse("wraparound_galleries:photo", args=[gallery.pk, other.pk])).status_code == 404


def test_gallery_urls_answer_404_outside_the_audience(world, gallery, juvenile):
    client = login(world.staffs_officer)
    for url in (
        reverse("wraparound_galleries:grid", args=[gallery.pk]),
        reverse("wraparound_galleries:photo", args=[gallery.pk, juvenile.pk]),
        reverse("wraparound_galleries:request", args=[gallery.pk, juvenile.pk]),
        reverse("wraparound_galleries:add", args=[gallery.pk]),
        reverse("wraparound_galleries:remove", args=[gallery.pk, juvenile.gallery_entries.get().pk]),
    ):
        for method in (client.get, client.post):
            response = method(url, {"reason": "let me in", "level": "10"})
            assert response.status_code in (404, 405), url
            assert b"Pellow" not in response.content
    assert b"Vulnerable persons" not in client.get(reverse("wraparound_galleries:index")).content
    assert AccessRequest.objects.count() == 0


def test_access_requested_from_a_card_is_decided_by_the_owner_and_both_are_told(world, gallery, juvenile):
    requester = login(world.waveney_officer)
    url = reverse("wraparound_galleries:request", args=[gallery.pk, juvenile.pk])
    assert requester.post(url, {"level": "10", "reason": ""}).status_code == 400
    assert requester.post(url, {"level": "20", "reason": "We work with his family"}).status_code == 302
    req = AccessRequest.objects.get()
    assert req.profile == juvenile and req.level == AccessLevel.CONTRIBUTE
    assert Notification.objects.filter(recipient=world.norfolk_officer, kind=NotificationKind.ACCESS_REQUEST).exists()
    assert AuditEvent.objects.filter(action=AuditAction.REQUEST_ACCESS, object_id=str(juvenile.pk)).exists()
    # The card now says so.
    assert "Access requested" in requester.get(reverse("wraparound_galleries:grid", args=[gallery.pk])).content.decode()
    # Someone who does not manage the profile cannot decide (404).
    decide = reverse("wraparound_access_requests:decide", args=[req.pk])
    assert login(world.staffs_officer).post(decide, {"level": "30", "approve": "1"}).status_code == 404
    owner = login(world.norfolk_officer)
    inbox = owner.get(reverse("wraparound_access_requests:index")).content.decode()
    assert "We work with his family" in inbox
    assert owner.post(decide, {"level": "10", "note": "View is enough", "approve": "1"}).status_code == 302
    req.refresh_from_db()
    assert req.status == AccessRequest.Status.APPROVED and req.grant.level == AccessLevel.VIEW
    assert access.level_for(world.waveney_officer, juvenile) == AccessLevel.VIEW
    assert Notification.objects.filter(recipient=world.waveney_officer, subject__startswith="Access granted").exists()
    assert AuditEvent.objects.filter(action=AuditAction.DECIDE_ACCESS, object_id=str(juvenile.pk)).exists()
    assert "Open profile" in requester.get(reverse("wraparound_galleries:grid", args=[gallery.pk])).content.decode()


def test_refusal_notifies_the_requester(world, gallery, juvenile):
    req = services.request_access_from_card(gallery, juvenile, by=world.waveney_officer, reason="Curious")
    services.decide_and_notify(req, by=world.norfolk_officer, approve=False, note="No need")
    assert Notification.objects.filter(recipient=world.waveney_officer, subject="Access request refused").exists()
    assert not access.can(world.waveney_officer, juvenile)


def test_opening_a_gallery_is_audited_with_the_cards_disclosed(world, gallery, juvenile):
    login(world.waveney_officer).get(reverse("wraparound_galleries:grid", args=[gallery.pk]))
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="core.gallery").latest("pk")
    assert event.changes == {"cards": [juvenile.pk]} and event.actor_username == "waveney_officer"


def test_saved_filter_gallery_lists_matching_profiles_of_the_audience(world):
    g = Gallery.objects.create(name="High risk", slug="high", kind=Gallery.Kind.FILTER, risk_levels=["high"],
                               person_roles=["vulnerable"])
    g.audience_partnerships.add(world.norfolk_partnership)
    match = ProfileFactory(owner_team=world.waveney_asb, risk_level="high")
    services.set_person_roles(match, ["vulnerable"], by=world.waveney_officer)
    ProfileFactory(owner_team=world.waveney_asb, risk_level="low")
    outside = ProfileFactory(owner_team=world.staffs_iom, risk_level="high")  # not the audience's
    services.set_person_roles(outside, ["vulnerable"], by=world.staffs_officer)
    html = login(world.norfolk_officer).get(reverse("wraparound_galleries:grid", args=[g.pk])).content.decode()
    assert match.full_name in html and outside.full_name not in html
    assert html.count('data-testid="gallery-card"') == 1


def test_saved_filter_gallery_scope_is_the_organisations_of_its_audience_partnerships_and_teams(world):
    from core.services.galleries import gallery_profiles
    from tests.factories import TeamFactory

    g = Gallery.objects.create(name="High risk", slug="high", kind=Gallery.Kind.FILTER, risk_levels=["high"])
    g.audience_teams.add(TeamFactory(organisation=world.staffs_police, name="Neighbourhood Team"))
    staffs = ProfileFactory(owner_team=world.staffs_iom, risk_level="high")
    norfolk = ProfileFactory(owner_team=world.norfolk_iom, risk_level="high")
    waveney = ProfileFactory(owner_team=world.waveney_housing, risk_level="high")
    ProfileFactory(owner_team=world.norfolk_iom, risk_level="low")
    assert set(gallery_profiles(g)) == {staffs}  # a team brings its organisation
    g.audience_partnerships.add(world.norfolk_partnership)  # Norfolk Police and Waveney
    assert set(gallery_profiles(g)) == {staffs, norfolk, waveney}
    g.audience_teams.clear()
    assert staffs not in set(gallery_profiles(g)) and norfolk in set(gallery_profiles(g))


def test_grid_query_count_does_not_grow_with_cards(world, gallery):
    client = login(world.waveney_officer)
    url = reverse("wraparound_galleries:grid", args=[gallery.pk])

    def add(n):
        for _ in range(n):
            p = ProfileFactory(owner_team=world.norfolk_iom)
            services.add_to_gallery(gallery, p, by=world.norfolk_officer, reason="r", risk_level="high")

    add(1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add(10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count('data-testid="gallery-card"') == 11
    assert len(many) == len(few)


def test_adding_needs_contribute_and_removing_is_kept(world, gallery, juvenile):
    other = ProfileFactory(owner_team=world.norfolk_iom)
    with pytest.raises(services.errors.NotAllowed):
        services.add_to_gallery(gallery, other, by=world.waveney_officer, reason="x", risk_level="high")
    entry = juvenile.gallery_entries.get()
    response = login(world.norfolk_officer).post(reverse("wraparound_galleries:remove", args=[gallery.pk, entry.pk]))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.removed_at is not None and entry.removed_by == world.norfolk_officer
    html = login(world.waveney_officer).get(reverse("wraparound_galleries:grid", args=[gallery.pk])).content.decode()
    assert "Pellow" not in html


def test_gallery_definitions_are_for_partnership_admins(world):
    url = reverse("wraparound_gallery_definitions:add")
    assert login(world.partnership_admin).get(url).status_code == 200
    assert login(world.norfolk_officer).get(url).status_code in (302, 403)


def test_access_request_inbox_lists_only_requests_the_user_may_decide_or_made(world, gallery, juvenile):
    services.request_access_from_card(gallery, juvenile, by=world.waveney_officer, reason="Family known to us")
    url = reverse("wraparound_access_requests:index")
    assert "Family known to us" in login(world.norfolk_officer).get(url).content.decode()
    mine = login(world.waveney_officer).get(url).content.decode()
    # The requester sees the state of their request, not the record's name before a grant.
    assert "Pending" in mine and "Pellow" not in mine
    other = login(world.staffs_officer).get(url).content.decode()
    assert "Family known to us" not in other and "Pellow" not in other
