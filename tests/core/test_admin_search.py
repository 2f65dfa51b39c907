"""The admin's search screen (core.admin.search)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditAction, AuditEvent, Identifier, WarningMarker
from core.roles import PRACTITIONER

from ..factories import CaseFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/admin/search/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def records(world):
    mine = ProfileFactory(first_name="Darren", last_name="Johnson", date_of_birth=date(1990, 3, 12),
                          owner_team=world.norfolk_iom)
    hidden = ProfileFactory(first_name="Darren", last_name="Johnsen", date_of_birth=date(1990, 3, 12),
                            owner_team=world.staffs_iom)
    Identifier.objects.create(profile=hidden, kind="pnc", value="77/1234567H")
    case = CaseFactory(reference="ASB-2026-000321", title="Johnson family support", owner_team=world.norfolk_iom)
    return {"mine": mine, "hidden": hidden, "case": case}


def test_the_search_area_is_the_sidebars_search(world):
    from wagtail.admin.search import admin_search_areas

    client = login(world.norfolk_officer)
    response = client.get(reverse("wagtailadmin_home"))
    request = response.wsgi_request
    assert admin_search_areas.search_items_for_request(request)[0].url == URL
    assert URL.encode() in response.content  # the sidebar's props carry the URL


def test_misspelt_name_finds_only_visible_profiles_and_cases(world, records):
    response = login(world.norfolk_officer).get(URL, {"q": "darren jonson"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Darren Johnson" in body and "Similar name" in body
    assert reverse("wraparound_profiles:detail", args=[records["mine"].pk]) in body
    assert "Johnsen" not in body
    assert reverse("wraparound_profiles:detail", args=[records["hidden"].pk]) not in body


def test_what_a_profile_matched_on_is_said(world, records):
    client = login(world.norfolk_officer)
    assert "Date of birth" in client.get(URL, {"q": "12 March 1990"}).content.decode()
    assert "Exact name and date of birth" in client.get(URL, {"q": "johnson 12/03/90"}).content.decode()


def test_hidden_identifier_finds_nothing_at_all(world, records):
    body = login(world.norfolk_officer).get(URL, {"q": "77/1234567H"}).content.decode()
    assert "No profiles you can see match" in body
    assert "Johnsen" not in body and "Only the best" not in body


def test_case_reference_and_title(world, records):
    client = login(world.norfolk_officer)
    body = client.get(URL, {"q": "ASB-2026-000321"}).content.decode()
    assert reverse("wraparound_cases:detail", args=[records["case"].pk]) in body
    assert "Johnson family support" in client.get(URL, {"q": "jonson famly"}).content.decode()


def test_results_partial_for_the_header_box(world, records):
    response = login(world.norfolk_officer).get(reverse("wraparound_search_results"), {"q": "Jonson"})
    assert response.status_code == 200
    assert b"Darren Johnson" in response.content
    assert b"<html" not in response.content


def test_each_new_query_is_audited_once(world, records):
    client = login(world.norfolk_officer)
    searches = AuditEvent.objects.filter(action=AuditAction.SEARCH, actor_id=world.norfolk_officer.pk)
    client.get(URL, {"q": "Jonson"})
    client.get(reverse("wraparound_search_results"), {"q": "Jonson"})  # the same search refreshed
    assert searches.count() == 1
    client.get(URL, {"q": "12/03/1990"})
    assert searches.count() == 2
    assert searches.first().changes["query"] == "12/03/1990"
    assert searches.first().channel == "screen"


def test_an_empty_search_shows_help_and_audits_nothing(world):
    response = login(world.norfolk_officer).get(URL)
    assert response.status_code == 200
    assert b"Misspelt names are found too" in response.content
    assert not AuditEvent.objects.filter(action=AuditAction.SEARCH).exists()


def test_anonymous_users_are_sent_to_log_in():
    response = Client().get(URL, {"q": "Johnson"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_user_in_no_team_finds_nothing(world, records):
    loner = UserFactory(role=PRACTITIONER)
    body = login(loner).get(URL, {"q": "Johnson"}).content.decode()
    assert "Darren" not in body


def test_queries_do_not_grow_with_results(world):
    client = login(world.norfolk_officer)

    def count(q):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL, {"q": q}).status_code == 200
        return len(ctx.captured_queries)

    client.get(URL)  # the session's first request does one-off work (its lifetime stamps)
    for _ in range(2):
        p = ProfileFactory(first_name="Ann", last_name="Smith", owner_team=world.norfolk_iom)
        WarningMarker.objects.create(profile=p, marker="violence")
    few = count("Smith")
    for i in range(12):
        p = ProfileFactory(first_name="Bob", last_name="Smyth", owner_team=world.norfolk_iom)
        WarningMarker.objects.create(profile=p, marker="violence")
        CaseFactory(title=f"Smith family {i}", owner_team=world.norfolk_iom)
    many = count("Smyth")
    assert many == few
