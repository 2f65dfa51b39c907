"""Operators' commands: create an organisation and a user."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from core import roles
from core.models import AuditEvent, Membership, Organisation


@pytest.mark.django_db
def test_create_organisation_then_user_in_its_team():
    call_command("create_organisation", "Kettering Borough Council", kind="council",
                 partnership="Restorative Northamptonshire", team="ASB Team", agreement="ISA-2026-07")
    org = Organisation.objects.get(name="Kettering Borough Council")
    assert org.partnership_memberships.get().agreement_reference == "ISA-2026-07"
    call_command("create_user", "kbc_officer", role=roles.PRACTITIONER,
                 team=["kettering-borough-council/asb-team"], password="a long enough passphrase 2026")
    user = get_user_model().objects.get(username="kbc_officer")
    assert Membership.objects.filter(user=user, team__organisation=org).exists()
    assert user.groups.filter(name=roles.PRACTITIONER).exists()
    assert user.groups.filter(pk=org.group_id).exists()  # organisation-wide grants reach them
    assert AuditEvent.objects.filter(channel="cli", action="create", object_type="auth.user").count() == 1


@pytest.mark.django_db
def test_create_user_refuses_unknown_team_and_writes_nothing():
    with pytest.raises(CommandError, match="No team"):
        call_command("create_user", "someone", role=roles.PRACTITIONER, team=["nowhere/none"])
    assert not get_user_model().objects.filter(username="someone").exists()


@pytest.mark.django_db
def test_create_user_refuses_weak_password():
    with pytest.raises(CommandError):
        call_command("create_user", "weak", role=roles.PRACTITIONER, password="short")
    assert not get_user_model().objects.filter(username="weak").exists()
