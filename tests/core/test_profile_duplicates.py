"""Duplicate warning before a profile is created (S5): visible matches are listed with
links, matches the user may not see are disclosed only as "a record exists, owned
by …" with an access request, and "create anyway" is audited."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from core.models import AccessRequest, AuditEvent, Identifier, Notification, Profile
from core.services.duplicates import find_possible_duplicates, normalise

from ..factories import ProfileFactory

ADD = "wraparound_profiles:add"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(world, **overrides):
    data = {
        "owner_team": world.waveney_asb.pk, "first_name": "Ethan", "last_name": "Marsh",
        "date_of_birth": "2011-03-04", "gender": "male", "risk_level": "high", "consent_to_share": "not_sought",
    }
    data.update(overrides)
    return data


@pytest.fixture
def hidden_ethan(world):
    """Owned by Staffordshire: Waveney may not see it."""
    p = ProfileFactory(owner_team=world.staffs_iom, first_name="Ethan", last_name="Marsh",
                       date_of_birth=date(2011, 3, 4), notes="Secret notes about Ethan")
    Identifier.objects.create(profile=p, kind="pnc", value="2019/0000001A")
    return p


def test_normalise_and_name_variants(db):
    assert normalise("  O'Brien-Smith ") == "o brien smith"
    assert normalise("Zoë") == "zoe"
    twin = ProfileFactory(first_name="William", last_name="O'Neill", date_of_birth=date(1990, 1, 1))
    found = find_possible_duplicates(first_name="Bill", last_name="ONeill", date_of_birth=date(1990, 1, 1))
    assert [m.profile for m in found] == [twin]
    assert not find_possible_duplicates(first_name="Bill", last_name="ONeill", date_of_birth=date(1991, 1, 1))
    assert not find_possible_duplicates(first_name="Sarah", last_name="Jones", date_of_birth=date(1990, 1, 1))


@pytest.mark.django_db
def test_hidden_match_is_disclosed_only_as_owner_with_an_access_request(world, hidden_ethan):
    client = login(world.waveney_officer)
    response = client.post(reverse(ADD), form(world, first_name="ethan ", last_name="MARSH"))
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="duplicate-warning"' in html
    assert "A matching record exists, owned by IOM Team (Staffordshire Police)" in html
    assert "Secret notes" not in html and "2019/0000001A" not in html
    assert reverse("wraparound_profiles:detail", args=[hidden_ethan.pk]) not in html
    assert Profile.objects.count() == 1  # nothing saved yet
    token = html.split('name="token" value="')[1].split('"')[0]
    response = client.post(reverse("wraparound_profiles:request_access"), {"token": token, "reason": "Same boy, new referral"})
    assert response.status_code == 302
    req = AccessRequest.objects.get()
    assert req.profile == hidden_ethan and req.requested_by == world.waveney_officer
    assert Notification.objects.filter(recipient=world.staffs_officer, kind="access_request").exists()


@pytest.mark.django_db
def test_access_request_token_is_bound_to_user_and_record(world, hidden_ethan):
    html = login(world.waveney_officer).post(reverse(ADD), form(world)).content.decode()
    token = html.split('name="token" value="')[1].split('"')[0]
    # Another user cannot replay it, and a forged token is refused.
    for user, tok in ((world.outsider, token), (world.waveney_officer, "forged")):
        response = login(user).post(reverse("wraparound_profiles:request_access"), {"token": tok, "reason": "x"})
        assert response.status_code == 200 and b"not valid" in response.content
        assert b"Staffordshire" not in response.content
    assert not AccessRequest.objects.exists()


@pytest.mark.django_db
def test_identifier_match_warns_even_with_another_name(world, hidden_ethan):
    html = login(world.waveney_officer).post(
        reverse(ADD), form(world, first_name="Tyler", last_name="Brooks", date_of_birth="", identifier_pnc="2019/0000001A")
    ).content.decode()
    assert 'data-testid="duplicate-hidden"' in html


@pytest.mark.django_db
def test_visible_match_is_listed_with_a_link_and_create_anyway_is_audited(world):
    mine = ProfileFactory(owner_team=world.waveney_asb, first_name="Ethan", last_name="Marsh",
                          date_of_birth=date(2011, 3, 4))
    client = login(world.waveney_officer)
    html = client.post(reverse(ADD), form(world, first_name="Ethen")).content.decode()
    assert reverse("wraparound_profiles:detail", args=[mine.pk]) in html
    assert 'data-testid="duplicate-hidden"' not in html
    response = client.post(reverse(ADD), form(world, first_name="Ethen", create_anyway="1"))
    assert response.status_code == 302
    created = Profile.objects.exclude(pk=mine.pk).get()
    event = AuditEvent.objects.for_object(created).get(action="create")
    assert event.changes["created_despite_possible_duplicates"] == [mine.pk]


@pytest.mark.django_db
def test_no_match_creates_straight_away(world):
    ProfileFactory(owner_team=world.waveney_asb, first_name="Ethan", last_name="Marsh", date_of_birth=date(2000, 1, 1))
    response = login(world.waveney_officer).post(reverse(ADD), form(world))
    assert response.status_code == 302
    assert Profile.objects.count() == 2
