"""The profile hub (core/admin/records_profiles.py + profile_hub.py): tabs read through
the access engine, the chronology hides what the viewer may not see and filters and
pages, "who has viewed" is for managers and partnership admins only, and the page's
query count does not grow with the number of activities."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import services
from core.access import AccessLevel
from core.models import Activity, CaseParticipant, Relationship

from ..factories import CaseFactory, ProfileFactory, UserFactory, member


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def hub(profile, query=""):
    return reverse("wraparound_profiles:detail", args=[profile.pk]) + query


@pytest.fixture
def liam(world):
    return ProfileFactory(owner_team=world.staffs_iom, first_name="Liam", last_name="Hadley")


@pytest.fixture
def shared_case(world, liam):
    case = CaseFactory(owner_team=world.staffs_iom, title="PPO: Liam Hadley")
    CaseParticipant.objects.create(case=case, profile=liam, role="subject")
    return case


@pytest.fixture
def secret_case(world, liam):
    """A Waveney case Liam takes part in, which Norfolk may not see."""
    case = CaseFactory(owner_team=world.waveney_asb, title="Waveney housing matter")
    CaseParticipant.objects.create(case=case, profile=liam, role="witness")
    Activity.objects.create(case=case, summary="Waveney secret visit", occurred_at=timezone.now(),
                            organisation=world.waveney, kind="visit")
    return case


def share_with_norfolk(world, liam, case):
    for target in (liam, case):
        services.grant_access(target, world.norfolk_iom, AccessLevel.CONTRIBUTE, by=world.staffs_officer,
                              reason="Moving to Norwich")


@pytest.mark.django_db
def test_hub_has_tabs_and_the_summary(world, liam, shared_case):
    services.add_warning_marker(liam, "violence", by=world.staffs_officer, note="Assaulted staff")
    html = login(world.staffs_officer).get(hub(liam)).content.decode()
    for tab in ("summary", "cases", "chronology", "relationships", "sharing", "viewers"):
        assert f'id="tab-{tab}"' in html
    assert 'data-controller="w-tabs"' in html
    assert "Assaulted staff" in html and shared_case.reference in html
    assert reverse("wraparound_sharing:panel", args=["profile", liam.pk]) in html


@pytest.mark.django_db
def test_chronology_spans_visible_cases_and_hides_the_rest(world, liam, shared_case, secret_case):
    share_with_norfolk(world, liam, shared_case)
    services.add_activity(by=world.staffs_officer, case=shared_case, summary="Staffs home visit", kind="visit")
    services.add_activity(by=world.staffs_officer, case=shared_case, summary="Staffs police-only note",
                          kind="note", restricted=True)
    services.add_activity(by=world.norfolk_officer, profile=liam, summary="Norfolk contact at Bethel Street")
    html = login(world.norfolk_officer).get(hub(liam)).content.decode()
    assert "Staffs home visit" in html and "Norfolk contact at Bethel Street" in html
    # Not the other county's restricted entry, nor anything of the case Norfolk may not see.
    assert "Staffs police-only note" not in html
    assert "Waveney secret visit" not in html and secret_case.reference not in html
    assert "Waveney District Council" not in html  # not even as a filter choice
    # The owner sees its own restricted entry; the Waveney case stays hidden from Staffordshire too.
    html = login(world.staffs_officer).get(hub(liam)).content.decode()
    assert "Staffs police-only note" in html and "Waveney secret visit" not in html


@pytest.mark.django_db
def test_chronology_filters_by_kind_organisation_and_date(world, liam, shared_case):
    share_with_norfolk(world, liam, shared_case)
    old = timezone.now() - timedelta(days=30)
    services.add_activity(by=world.staffs_officer, case=shared_case, summary="Old staffs visit", kind="visit",
                          occurred_at=old)
    services.add_activity(by=world.staffs_officer, case=shared_case, summary="Recent staffs call", kind="call")
    services.add_activity(by=world.norfolk_officer, case=shared_case, summary="Norfolk visit", kind="visit")
    client = login(world.norfolk_officer)
    html = client.get(hub(liam, "?kind=visit")).content.decode()
    assert "Old staffs visit" in html and "Norfolk visit" in html and "Recent staffs call" not in html
    html = client.get(hub(liam, f"?organisation={world.norfolk_police.pk}")).content.decode()
    assert "Norfolk visit" in html and "Old staffs visit" not in html
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    html = client.get(hub(liam, f"?date_from={since}")).content.decode()
    assert "Old staffs visit" not in html and "Recent staffs call" in html
    # An organisation the viewer may not pick is refused, not applied.
    html = client.get(hub(liam, f"?organisation={world.waveney.pk}")).content.decode()
    assert "Select a valid choice" in html


@pytest.mark.django_db
def test_hub_query_count_does_not_grow_with_activities(world, liam, shared_case, secret_case,
                                                       django_assert_max_num_queries):
    share_with_norfolk(world, liam, shared_case)
    client = login(world.norfolk_officer)

    def count():
        client.get(hub(liam))  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(hub(liam)).status_code == 200
        return len(ctx)

    Activity.objects.bulk_create([
        Activity(case=shared_case, summary=f"Entry {i}", occurred_at=timezone.now(), organisation=world.staffs_police,
                 recorded_by=world.staffs_officer)
        for i in range(3)
    ])
    few = count()
    Activity.objects.bulk_create([
        Activity(case=shared_case if i % 2 else None, profile=None if i % 2 else liam, summary=f"More {i}",
                 occurred_at=timezone.now(), organisation=world.norfolk_police if i % 3 else world.staffs_police,
                 recorded_by=world.norfolk_officer)
        for i in range(120)
    ])
    many = count()
    assert many == few
    # 33 measured on SQLite after the workspace merge: about a dozen are the admin's own
    # (session, user, permissions, Wagtail's user profile, the shell's programme menu, the
    # unread count) and two the audit write's savepoint; the tabs (now with alerts, tasks
    # and reports) take the rest, a fixed number. Issue 8's target is 20: not met yet.
    # +1 for the programme plugins' panels: IOM's asks once which records it holds.
    with django_assert_max_num_queries(34, info="hub queries"):
        client.get(hub(liam))


@pytest.mark.django_db
def test_who_has_viewed_is_for_managers_and_partnership_admins_only(world, liam, shared_case):
    share_with_norfolk(world, liam, shared_case)
    login(world.norfolk_officer).get(hub(liam))
    # The owner (manage) sees who opened it.
    html = login(world.staffs_officer).get(hub(liam)).content.decode()
    assert 'id="tab-viewers"' in html and world.norfolk_officer.get_full_name() in html
    # A contributor does not: no tab, no names, no counts.
    html = login(world.norfolk_officer).get(hub(liam)).content.decode()
    assert 'id="tab-viewers"' not in html and 'data-testid="viewers"' not in html
    # A partnership admin of the owner organisation's partnership does, if they may open it.
    from core.models import PartnershipMembership

    admin_team_org = world.staffs_police
    PartnershipMembership.objects.get_or_create(partnership=world.staffs_partnership, organisation=admin_team_org)
    admin = UserFactory(username="staffs_pa", role="Partnership admin")
    member(admin, world.staffs_iom)
    html = login(admin).get(hub(liam)).content.decode()
    assert 'data-testid="viewers"' in html


@pytest.mark.django_db
def test_partnership_admin_of_another_partnership_gets_no_viewers(world, liam):
    services.grant_access(liam, world.waveney_asb, AccessLevel.VIEW, by=world.staffs_officer, reason="x")
    admin = UserFactory(username="norfolk_pa", role="Partnership admin")
    member(admin, world.waveney_asb)
    html = login(admin).get(hub(liam)).content.decode()
    assert 'id="tab-viewers"' not in html


@pytest.mark.django_db
def test_hub_is_404_without_access_and_shows_nothing(world, liam, shared_case):
    services.add_activity(by=world.staffs_officer, case=shared_case, summary="Staffs home visit")
    for query in ("", "?kind=visit", "?page=2", f"?organisation={world.staffs_police.pk}"):
        response = login(world.outsider).get(hub(liam, query))
        assert response.status_code == 404
        assert b"Hadley" not in response.content and b"Staffs home visit" not in response.content


@pytest.mark.django_db
def test_relationships_and_household_show_only_visible_people(world, liam):
    brother = ProfileFactory(owner_team=world.staffs_iom, first_name="Ryan", last_name="Hadley")
    hidden = ProfileFactory(owner_team=world.waveney_asb, first_name="Secret", last_name="Associate")
    services.add_relationship(liam, brother, "sibling", by=world.staffs_officer)
    Relationship.objects.create(from_profile=liam, to_profile=hidden, kind="associate")
    household = services.create_household(by=world.staffs_officer, owner_team=world.staffs_iom, name="Hadley family",
                                          members=[(liam, "son"), (brother, "son")])
    from core.models import HouseholdMember

    HouseholdMember.objects.create(household=household, profile=hidden, role="lodger")
    html = login(world.staffs_officer).get(hub(liam)).content.decode()
    assert "Ryan Hadley" in html and "Hadley family" in html
    assert "Secret" not in html and "Associate" not in html.replace("Associate of", "")


@pytest.mark.django_db
def test_subject_access_export_is_offered_to_managers_only(world, liam, shared_case):
    share_with_norfolk(world, liam, shared_case)
    assert 'data-testid="subject-access"' in login(world.staffs_officer).get(hub(liam)).content.decode()
    assert 'data-testid="subject-access"' not in login(world.norfolk_officer).get(hub(liam)).content.decode()
