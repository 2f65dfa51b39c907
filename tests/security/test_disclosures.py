"""Small disclosures closed: what a user learns about records they may not see through
referral lists, case titles, identifier errors and alert counts."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import alerts, services
from core.access import AccessLevel
from core.forms.referrals import GenericReferralForm
from core.models import Alert, Identifier, Profile, TriggerRule

from ..factories import ProfileFactory

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def accepted(world):
    """Staffordshire refers Harvey to Waveney's ASB unit, keeping no access to the case;
    Waveney accepts."""
    profile = ProfileFactory(owner_team=world.staffs_iom, first_name="Harvey", last_name="Cooper")
    form = GenericReferralForm({"answers-reason": "Repeated damage to the shop", "answers-urgency": "soon",
                                "answers-consent_obtained": "on"}, prefix="answers")
    referral = services.make_referral(by=world.staffs_officer, profile=profile, to_team=world.waveney_asb,
                                      form_slug="generic", form=form, programme="asb", case_type="asb_case",
                                      referrer_case_level=None)
    case = services.accept_referral(referral, by=world.waveney_officer)
    referral.refresh_from_db()
    return profile, referral, case


def test_a_referrer_without_access_to_the_case_does_not_see_its_reference(world, accepted):
    _, referral, case = accepted
    client = login(world.staffs_officer)
    listing = client.get(reverse("wraparound_referrals:index") + "?box=out&status=all").content.decode()
    assert f"#{referral.pk}" in listing
    assert "case started" in listing and case.reference not in listing
    detail = client.get(reverse("wraparound_referrals:detail", args=[referral.pk])).content.decode()
    assert case.reference not in detail and "not shared with you" in detail
    # The receiving team, who own the case, see it.
    assert case.reference in login(world.waveney_officer).get(
        reverse("wraparound_referrals:index") + "?status=all").content.decode()


def test_a_referred_case_title_does_not_carry_the_persons_name(world, accepted):
    profile, referral, case = accepted
    assert profile.first_name not in case.title and profile.last_name not in case.title
    assert f"referral #{referral.pk}" in case.title
    # Someone later given the case but not the profile does not learn the name from it.
    services.grant_access(case, world.norfolk_iom, AccessLevel.VIEW, by=world.waveney_officer, reason="Joint work")
    page = login(world.norfolk_officer).get(reverse("wraparound_cases:detail", args=[case.pk])).content.decode()
    assert "Cooper" not in page


def test_an_identifier_recorded_on_a_profile_the_user_cannot_see_reveals_nothing_of_it(world):
    hidden = ProfileFactory(owner_team=world.waveney_asb, first_name="Secret", last_name="Holder")
    Identifier.objects.create(profile=hidden, kind="pnc", value="2004/0123456X")
    client = login(world.staffs_officer)
    data = {"first_name": "New", "last_name": "Person", "owner_team": world.staffs_iom.pk, "gender": "unknown",
            "risk_level": "unknown", "consent_to_share": "not_sought", "identifier_pnc": "2004/0123456X",
            "create_anyway": "1"}
    response = client.post(reverse("wraparound_profiles:add"), data)
    page = response.content.decode()
    assert "already recorded on a profile" in page
    assert "Secret" not in page and "Holder" not in page and f"/{hidden.pk}/" not in page
    assert "Request access" in page  # the way to it is an access request, by signed token
    assert not Profile.objects.filter(first_name="New").exists()
    # The service says the same to every caller (API, import), whatever they may see.
    with pytest.raises(Exception) as exc:
        services.create_profile(by=world.staffs_officer, owner_team=world.staffs_iom, first_name="New",
                                last_name="Person", identifiers=[("pnc", "2004/0123456X")])
    message = " ".join(exc.value.message_dict["identifiers"])
    assert "already recorded on a profile" in message and "1" not in message.replace("2004/0123456X", "")


def test_activity_count_alerts_do_not_count_restricted_entries(world):
    child = ProfileFactory(owner_team=world.norfolk_iom, first_name="Chloe", last_name="Hangleton")
    services.grant_access(child, world.waveney_asb, AccessLevel.CONTRIBUTE, by=world.norfolk_officer,
                          reason="Partners")
    TriggerRule.objects.create(name="3 episodes in 60 days", kind="activity_count",
                               params={"count": 3, "days": 60, "kinds": [], "contains": "missing episode"})
    now = timezone.now()
    for days_ago in (20, 10):
        services.add_activity(by=world.norfolk_officer, profile=child, kind="call", summary="Missing episode",
                              occurred_at=now - datetime.timedelta(days=days_ago))
    # Waveney's third episode is restricted to Waveney: Norfolk may not know it exists.
    services.add_activity(by=world.waveney_officer, profile=child, kind="call", summary="Missing episode",
                          occurred_at=now - datetime.timedelta(days=5), restricted=True)
    alerts.sweep()
    assert not Alert.objects.exists()
    services.add_activity(by=world.waveney_officer, profile=child, kind="call", summary="Missing episode",
                          occurred_at=now - datetime.timedelta(days=4))
    alerts.sweep()
    alert = Alert.objects.get()
    assert alert.summary.startswith("3 matching entries")
