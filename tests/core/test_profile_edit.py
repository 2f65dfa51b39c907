"""Editing a profile with its roles, markers, identifiers, aliases and addresses in one
save (core/services/profile_edit.py and the edit screen)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from core import services
from core.models import AuditEvent, Identifier, Profile

from ..factories import ProfileFactory


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit_data(profile, **overrides):
    data = {
        "first_name": profile.first_name, "last_name": profile.last_name, "gender": profile.gender,
        "risk_level": profile.risk_level, "consent_to_share": profile.consent_to_share,
        "lawful_basis": profile.lawful_basis, "version": profile.version, "with_details": "True",
        "addresses-TOTAL_FORMS": "1", "addresses-INITIAL_FORMS": "0", "addresses-MIN_NUM_FORMS": "0",
        "addresses-MAX_NUM_FORMS": "1000", "addresses-0-kind": "home",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_edit_screen_saves_roles_markers_identifiers_aliases_and_address_in_one_event(world):
    profile = ProfileFactory(owner_team=world.staffs_iom, first_name="Liam", last_name="Hadley")
    client = login(world.staffs_officer)
    page = client.get(reverse("wraparound_profiles:edit", args=[profile.pk])).content.decode()
    assert 'data-testid="addresses-formset"' in page and 'name="person_roles"' in page
    before = AuditEvent.objects.filter(action="update").count()
    response = client.post(reverse("wraparound_profiles:edit", args=[profile.pk]), edit_data(
        profile, person_roles=["offender", "victim"], warning_markers=["violence"],
        identifier_pnc="2004/0123456x", aliases="Hadders\nSmudge (nickname)",
        **{"addresses-0-kind": "home", "addresses-0-line1": "12 Bethel Street", "addresses-0-town": "Norwich",
           "addresses-0-postcode": "NR2 1NR", "addresses-0-current": "on"},
    ))
    assert response.status_code == 302, response.content.decode()[:2000]
    profile.refresh_from_db()
    assert sorted(profile.person_roles.values_list("role", flat=True)) == ["offender", "victim"]
    assert list(profile.warning_markers.values_list("marker", flat=True)) == ["violence"]
    assert list(profile.identifiers.values_list("value", flat=True)) == ["2004/0123456X"]
    assert sorted(profile.aliases.values_list("name", "kind")) == [("Hadders", "alias"), ("Smudge", "nickname")]
    assert profile.addresses.get().town == "Norwich"
    assert AuditEvent.objects.filter(action="update").count() == before + 1
    event = AuditEvent.objects.for_object(profile).filter(action="update").latest("id")
    assert set(event.changes) >= {"person_roles", "warning_markers", "identifiers", "aliases", "addresses"}
    assert "2004/0123456X" not in str(event.changes)  # which kinds changed, not the numbers


@pytest.mark.django_db
def test_bad_input_shows_errors_and_changes_nothing(world):
    other = ProfileFactory(owner_team=world.waveney_asb)
    Identifier.objects.create(profile=other, kind="pnc", value="2004/0123456X")
    profile = ProfileFactory(owner_team=world.staffs_iom, last_name="Hadley")
    client = login(world.staffs_officer)
    url = reverse("wraparound_profiles:edit", args=[profile.pk])
    response = client.post(url, edit_data(profile, last_name="Changed", identifier_pnc="not a pnc"))
    assert "is not a valid" in response.content.decode()
    response = client.post(url, edit_data(profile, last_name="Changed", identifier_pnc="2004/0123456X",
                                          warning_markers=["violence"]))
    assert "already recorded on a profile" in response.content.decode()
    response = client.post(url, edit_data(
        profile, last_name="Changed", **{"addresses-0-kind": "home", "addresses-0-town": "Norwich"}))
    assert "This field is required" in response.content.decode()
    response = client.post(url, edit_data(
        profile, last_name="Changed", **{"addresses-0-kind": "home", "addresses-0-line1": "1 High St",
                                         "addresses-0-valid_from": "01/03/2025", "addresses-0-valid_to": "01/01/2025"}))
    assert "The address cannot end before it starts." in response.content.decode()
    profile.refresh_from_db()
    assert profile.last_name == "Hadley" and not profile.warning_markers.exists() and not profile.addresses.exists()


@pytest.mark.django_db
def test_stale_version_saves_nothing(world):
    profile = ProfileFactory(owner_team=world.staffs_iom, last_name="Hadley")
    stale = profile.version
    services.edit_profile(profile, by=world.staffs_officer, changes={"notes": "first"}, expected_version=stale)
    fresh = Profile.objects.get(pk=profile.pk)
    response = login(world.staffs_officer).post(
        reverse("wraparound_profiles:edit", args=[profile.pk]),
        edit_data(fresh, version=stale, warning_markers=["violence"]),
    )
    assert response.status_code == 409
    assert not fresh.warning_markers.exists()


@pytest.mark.django_db
def test_edit_is_404_without_access_and_403_with_view_only(world):
    profile = ProfileFactory(owner_team=world.staffs_iom, last_name="Hadley")
    url = reverse("wraparound_profiles:edit", args=[profile.pk])
    assert login(world.outsider).post(url, edit_data(profile, warning_markers=["violence"])).status_code == 404
    assert not profile.warning_markers.exists()


@pytest.mark.django_db
def test_a_post_without_the_detail_fields_leaves_them_alone(world):
    profile = ProfileFactory(owner_team=world.staffs_iom, last_name="Hadley")
    services.add_warning_marker(profile, "violence", by=world.staffs_officer)
    profile.refresh_from_db()
    data = {k: v for k, v in edit_data(profile, last_name="Hadleigh").items()
            if not k.startswith("addresses-") and k != "with_details"}
    response = login(world.staffs_officer).post(reverse("wraparound_profiles:edit", args=[profile.pk]), data)
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.last_name == "Hadleigh" and profile.warning_markers.exists()


@pytest.mark.django_db
def test_an_alias_error_names_its_place_in_the_list_sent(world):
    """Blank aliases are dropped, but an error still names the item as it was sent."""
    from django.core.exceptions import ValidationError

    profile = ProfileFactory(owner_team=world.staffs_iom)
    with pytest.raises(ValidationError) as info:
        services.edit_profile(profile, by=world.staffs_officer, changes={}, expected_version=profile.version,
                              aliases=[("", "alias"), ("Smudge", "nickname"), ("x" * 201, "alias")])
    assert list(info.value.message_dict) == ["aliases.2.name"]
    assert not profile.aliases.exists()
