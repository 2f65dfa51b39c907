"""The sharing panel (core/admin/sharing.py): 404 and no data without view, read-only
without manage, and grant / change level / revoke / transfer through the services with
the grantee notified."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core import services
from core.access import AccessLevel, can, level_for
from core.models import AuditEvent, Grant, Notification, Profile

from ..factories import CaseFactory, ProfileFactory


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def panel(kind, pk):
    return reverse("wraparound_sharing:panel", args=[kind, pk])


@pytest.fixture
def liam(world):
    return ProfileFactory(owner_team=world.staffs_iom, first_name="Liam", last_name="Hadley")


@pytest.fixture
def case(world, liam):
    return CaseFactory(owner_team=world.staffs_iom, title="PPO: Liam Hadley")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["profile", "case"])
def test_a_user_without_access_gets_404_and_no_data(world, liam, case, kind):
    obj = liam if kind == "profile" else case
    client = login(world.outsider)
    for response in (client.get(panel(kind, obj.pk)), client.get(panel(kind, obj.pk) + "?find=norfolk"),
                     client.post(panel(kind, obj.pk), {"action": "grant", "grantee": f"user:{world.outsider.pk}",
                                                        "level": "30", "reason": "let me in"})):
        assert response.status_code == 404
        assert b"Hadley" not in response.content
    assert not Grant.objects.exists()
    assert not can(world.outsider, obj)


@pytest.mark.django_db
def test_unknown_kind_is_404(world, liam):
    response = login(world.staffs_officer).get(f"/admin/sharing/household/{liam.pk}/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_viewer_sees_the_list_read_only_and_cannot_post(world, liam):
    services.grant_access(liam, world.norfolk_iom, AccessLevel.VIEW, by=world.staffs_officer, reason="Moving to Norwich")
    client = login(world.norfolk_officer)
    response = client.get(panel("profile", liam.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Moving to Norwich" in html and "IOM Team" in html
    assert 'data-testid="read-only"' in html
    assert 'data-testid="grant-form"' not in html and 'value="revoke"' not in html
    response = client.post(panel("profile", liam.pk), {"action": "grant", "grantee": f"user:{world.norfolk_officer.pk}",
                                                       "level": "30", "reason": "promote myself"})
    assert response.status_code == 403
    assert level_for(world.norfolk_officer, liam) == AccessLevel.VIEW


@pytest.mark.django_db
def test_picker_finds_users_teams_and_organisations_across_partnerships(world, liam):
    response = login(world.staffs_officer).get(panel("profile", liam.pk) + "?find=norfolk")
    html = response.content.decode()
    assert f'value="team:{world.norfolk_iom.pk}"' in html
    assert f'value="team:{world.norfolk_ppo.pk}"' in html
    assert f'value="organisation:{world.norfolk_police.pk}"' in html
    response = login(world.staffs_officer).get(panel("profile", liam.pk) + "?find=norfolk_ppo")
    assert f'value="user:{world.norfolk_ppo_officer.pk}"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["profile", "case"])
def test_grant_to_a_team_in_another_partnership_notifies_its_members(world, liam, case, kind):
    obj = liam if kind == "profile" else case
    client = login(world.staffs_officer)
    before = AuditEvent.objects.count()
    response = client.post(panel(kind, obj.pk), {
        "action": "grant", "grantee": f"team:{world.norfolk_iom.pk}", "level": str(int(AccessLevel.CONTRIBUTE)),
        "reason": "Moving to Norwich: joint management",
    })
    assert response.status_code == 302
    grant = Grant.objects.get()
    assert grant.team == world.norfolk_iom and grant.level == AccessLevel.CONTRIBUTE
    assert grant.granted_by == world.staffs_officer
    assert level_for(world.norfolk_officer, obj) == AccessLevel.CONTRIBUTE
    assert AuditEvent.objects.count() == before + 1
    note = Notification.objects.get(recipient=world.norfolk_officer)
    assert note.kind == "grant" and note.url == reverse(f"wraparound_{kind}s:detail", args=[obj.pk])
    assert not Notification.objects.filter(recipient=world.norfolk_ppo_officer).exists()


@pytest.mark.django_db
def test_grant_to_named_officers(world, liam):
    client = login(world.staffs_officer)
    for officer in (world.norfolk_ppo_officer, world.norfolk_spoc):
        client.post(panel("profile", liam.pk), {"action": "grant", "grantee": f"user:{officer.pk}",
                                                "level": "20", "reason": "Release risk assessment"})
    assert level_for(world.norfolk_ppo_officer, liam) == AccessLevel.CONTRIBUTE
    assert level_for(world.norfolk_officer, liam) is None
    assert Notification.objects.filter(recipient=world.norfolk_ppo_officer, kind="grant").count() == 1
    html = client.get(panel("profile", liam.pk)).content.decode()
    assert "Named person · PPO Team, Norfolk Constabulary" in html


@pytest.mark.django_db
def test_grant_errors_are_shown_and_nothing_is_written(world, liam):
    client = login(world.staffs_officer)
    response = client.post(panel("profile", liam.pk) + "?find=norfolk", {
        "action": "grant", "grantee": "", "level": "20", "reason": "", "expires_on": "2001-01-01",
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert "Search above and choose a person, team or organisation." in html
    assert "This field is required." in html and "Choose a day after today." in html
    # The owner team cannot be granted its own record.
    response = client.post(panel("profile", liam.pk), {
        "action": "grant", "grantee": f"team:{world.staffs_iom.pk}", "level": "20", "reason": "why not",
    })
    assert "owns this record already" in response.content.decode()
    assert not Grant.objects.exists() and not Notification.objects.exists()


@pytest.mark.django_db
def test_change_level_and_revoke(world, liam):
    grant = services.grant_access(liam, world.norfolk_iom, AccessLevel.VIEW, by=world.staffs_officer, reason="Moving")
    client = login(world.staffs_officer)
    client.post(panel("profile", liam.pk), {"action": "level", "grant": grant.pk, "level": "30"})
    assert level_for(world.norfolk_officer, liam) == AccessLevel.MANAGE
    current = Grant.objects.get(revoked_at__isnull=True)
    assert current.reason == "Moving"
    client.post(panel("profile", liam.pk), {"action": "revoke", "grant": current.pk, "reason": "Moved back"})
    assert level_for(world.norfolk_officer, liam) is None
    assert not Grant.objects.filter(revoked_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_grant_on_another_record_cannot_be_revoked_through_this_one(world, liam):
    other = ProfileFactory(owner_team=world.waveney_asb)
    grant = services.grant_access(other, world.norfolk_iom, AccessLevel.VIEW, by=world.waveney_officer, reason="x")
    response = login(world.staffs_officer).post(panel("profile", liam.pk), {"action": "revoke", "grant": grant.pk})
    assert response.status_code == 404
    assert Grant.objects.get(pk=grant.pk).revoked_at is None


@pytest.mark.django_db
def test_transfer_keeps_a_grant_for_the_previous_owner(world, liam):
    client = login(world.staffs_officer)
    response = client.post(panel("profile", liam.pk), {
        "action": "transfer", "to_team": f"team:{world.norfolk_iom.pk}", "previous_owner_level": "10",
        "reason": "Settled in Norfolk",
    })
    assert "Review the consent to share" in response.content.decode()
    assert Profile.objects.get(pk=liam.pk).owner_team == world.staffs_iom
    response = client.post(panel("profile", liam.pk), {
        "action": "transfer", "to_team": f"team:{world.norfolk_iom.pk}", "previous_owner_level": "10",
        "reason": "Settled in Norfolk", "consent_reviewed": "on",
    })
    assert response.status_code == 302
    liam.refresh_from_db()
    assert liam.owner_team == world.norfolk_iom
    assert level_for(world.staffs_officer, liam) == AccessLevel.VIEW
    assert level_for(world.norfolk_officer, liam) == AccessLevel.MANAGE
    assert Notification.objects.filter(recipient=world.norfolk_officer, kind="grant").exists()
    # The former owner now reads the panel without controls.
    html = client.get(panel("profile", liam.pk)).content.decode()
    assert 'data-testid="read-only"' in html


@pytest.mark.django_db
def test_transfer_with_no_access_left_sends_the_user_to_the_list(world, case):
    response = login(world.staffs_officer).post(panel("case", case.pk), {
        "action": "transfer", "to_team": f"team:{world.norfolk_iom.pk}", "previous_owner_level": "",
        "reason": "Handed over",
    })
    assert response.status_code == 302 and response.url == reverse("wraparound_cases:index")
    assert not can(world.staffs_officer, case)


@pytest.mark.django_db
def test_access_list_shows_a_grant_whose_granter_has_gone(world):
    """granted_by is SET_NULL when the granter's account is deleted; the list must still render."""
    from django.contrib.auth import get_user_model

    from core import services
    from core.access import AccessLevel
    from tests.factories import ProfileFactory, UserFactory, member

    granter = UserFactory(username="leaver")
    member(granter, world.staffs_iom)
    profile = ProfileFactory(owner_team=world.staffs_iom)
    services.grant_access(profile, world.norfolk_iom, AccessLevel.VIEW, by=granter, reason="Joint work")
    get_user_model().objects.filter(pk=granter.pk).delete()
    client = Client()
    client.force_login(world.staffs_officer)
    response = client.get(reverse("wraparound_sharing:panel", args=["profile", profile.pk]))
    assert response.status_code == 200
    assert "Joint work" in response.content.decode()
