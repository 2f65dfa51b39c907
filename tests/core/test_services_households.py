"""Households: a family worked with together (S10)."""

import pytest
from django.core.exceptions import ValidationError

from core import access, services
from core.models import AuditEvent, Household, HouseholdMember

from ..factories import ProfileFactory


@pytest.mark.django_db
def test_owner_team_creates_household_of_visible_profiles(world):
    mum, child = ProfileFactory(owner_team=world.waveney_asb), ProfileFactory(owner_team=world.waveney_asb)
    household = services.create_household(by=world.waveney_officer, owner_team=world.waveney_asb,
                                          name="The Smith family", members=[(mum, "parent"), (child, "child")])
    assert set(household.members.all()) == {mum, child}
    assert AuditEvent.objects.filter(action="create", object_type="core.household").count() == 1
    # Membership rows follow their profile's access.
    assert access.restrict(HouseholdMember.objects.all(), world.outsider).count() == 0
    assert access.restrict(HouseholdMember.objects.all(), world.waveney_officer).count() == 2


@pytest.mark.django_db
def test_household_refuses_a_profile_the_user_cannot_see_and_writes_nothing(world):
    hidden = ProfileFactory(owner_team=world.staffs_iom)
    with pytest.raises(ValidationError):
        services.create_household(by=world.waveney_officer, owner_team=world.waveney_asb,
                                  name="Family", members=[(hidden, "child")])
    assert not Household.objects.exists()
    assert not AuditEvent.objects.filter(object_type="core.household").exists()


@pytest.mark.django_db
def test_only_owner_team_adds_members(world):
    household = services.create_household(by=world.waveney_officer, owner_team=world.waveney_asb, name="Family")
    other = ProfileFactory(owner_team=world.staffs_iom)
    with pytest.raises(ValidationError):
        services.add_household_member(household, other, by=world.staffs_officer)
    services.add_household_member(household, ProfileFactory(owner_team=world.waveney_asb),
                                  by=world.waveney_officer, role="child")
    assert household.memberships.count() == 1
