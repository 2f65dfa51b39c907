"""Sharing services (``core.services.access``): what they refuse, with which field, and
that a refused call writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core import access, services
from core.access import AccessLevel
from core.models import (
    AccessRequest,
    AuditEvent,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Grant,
    Profile,
    ProfileGroupObjectPermission,
    ProfileUserObjectPermission,
    Team,
)
from core.services.errors import NotAllowed

from ..factories import CaseFactory, ProfileFactory, TeamFactory, UserFactory, member

pytestmark = pytest.mark.django_db

VIEW, CONTRIBUTE, MANAGE = AccessLevel.VIEW, AccessLevel.CONTRIBUTE, AccessLevel.MANAGE
PERMISSION_TABLES = (ProfileUserObjectPermission, ProfileGroupObjectPermission,
                     CaseUserObjectPermission, CaseGroupObjectPermission)


def snapshot() -> dict:
    """Counts of everything a sharing service may write."""
    counts = {t.__name__: t.objects.count() for t in PERMISSION_TABLES}
    counts["grants"] = Grant.objects.count()
    counts["open_grants"] = Grant.objects.filter(revoked_at__isnull=True).count()
    counts["audit"] = AuditEvent.objects.count()
    counts["requests"] = AccessRequest.objects.count()
    counts["profile_owners"] = sorted(Profile.objects.values_list("pk", "owner_team_id", "version"))
    return counts


def refused(call, field: str | None = None, exc=ValidationError) -> ValidationError:
    """Run ``call``; it must raise ``exc`` (naming ``field`` if given) and write nothing."""
    before = snapshot()
    with pytest.raises(exc) as info:
        call()
    if field is not None:
        assert field in info.value.message_dict, info.value
        assert all(info.value.message_dict[field]), "the field error says something"
    assert snapshot() == before
    return info.value


@pytest.fixture
def profile(world):
    return ProfileFactory(owner_team=world.staffs_iom)


def grant(target, grantee, level, by, **kwargs):
    kwargs.setdefault("reason", "Joint work")
    return services.grant_access(target, grantee, level, by=by, **kwargs)


# --- grant_access refusals ------------------------------------------------------------------


def test_grant_to_inactive_user_is_refused(world, profile):
    world.waveney_officer.is_active = False
    world.waveney_officer.save()
    refused(lambda: grant(profile, world.waveney_officer, VIEW, world.staffs_officer), "grantee")


def test_grant_to_inactive_team_is_refused(world, profile):
    world.waveney_asb.is_active = False
    world.waveney_asb.save()
    refused(lambda: grant(profile, world.waveney_asb, VIEW, world.staffs_officer), "grantee")


def test_grant_to_team_of_inactive_organisation_is_refused(world, profile):
    world.waveney.is_active = False
    world.waveney.save()
    refused(lambda: grant(profile, world.waveney_asb, VIEW, world.staffs_officer), "grantee")


def test_grant_to_inactive_organisation_is_refused(world, profile):
    world.waveney.is_active = False
    world.waveney.save()
    refused(lambda: grant(profile, world.waveney, VIEW, world.staffs_officer), "grantee")


def test_grant_to_user_deleted_since_the_form_was_loaded_is_refused(world, profile):
    gone = UserFactory()
    type(gone).objects.filter(pk=gone.pk).delete()
    refused(lambda: grant(profile, gone, VIEW, world.staffs_officer), "grantee")


def test_grant_to_team_deleted_since_the_form_was_loaded_is_refused(world, profile):
    team = TeamFactory(organisation=world.waveney)
    Team.objects.filter(pk=team.pk).delete()
    refused(lambda: grant(profile, team, VIEW, world.staffs_officer), "grantee")


def test_grant_to_unsaved_user_is_refused(world, profile):
    refused(lambda: grant(profile, UserFactory.build(), VIEW, world.staffs_officer), "grantee")


def test_grant_to_user_deactivated_since_the_form_was_loaded_is_refused(world, profile):
    stale = type(world.waveney_officer).objects.get(pk=world.waveney_officer.pk)
    type(stale).objects.filter(pk=stale.pk).update(is_active=False)
    refused(lambda: grant(profile, stale, VIEW, world.staffs_officer), "grantee")


def test_grant_to_something_that_is_not_a_grantee_is_refused(world, profile):
    refused(lambda: grant(profile, world.staffs_partnership, VIEW, world.staffs_officer), "grantee")


def test_grant_by_someone_without_manage_is_refused(world, profile):
    grant(profile, world.waveney_officer, CONTRIBUTE, world.staffs_officer)
    refused(lambda: grant(profile, world.outsider, VIEW, world.waveney_officer), exc=NotAllowed)


def test_grant_by_outsider_is_refused(world, profile):
    refused(lambda: grant(profile, world.outsider, VIEW, world.outsider), exc=NotAllowed)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_grant_without_reason_is_refused(world, profile, reason):
    refused(lambda: grant(profile, world.waveney_asb, VIEW, world.staffs_officer, reason=reason), "reason")


def test_grant_with_expiry_in_the_past_is_refused(world, profile):
    past = timezone.now() - timedelta(minutes=1)
    refused(lambda: grant(profile, world.waveney_asb, VIEW, world.staffs_officer, expires_at=past), "expires_at")


def test_grant_with_unknown_level_is_refused(world, profile):
    refused(lambda: grant(profile, world.waveney_asb, 99, world.staffs_officer), "level")


def test_grant_to_owner_team_itself_is_refused(world, profile):
    refused(lambda: grant(profile, world.staffs_iom, VIEW, world.staffs_officer), "grantee")


def test_grant_on_case_to_owner_team_is_refused(world):
    case = CaseFactory(owner_team=world.staffs_iom)
    refused(lambda: grant(case, world.staffs_iom, VIEW, world.staffs_officer), "grantee")


# --- grant_access success ------------------------------------------------------------------


def test_grant_writes_one_permission_row_per_implied_level(world, profile):
    g = grant(profile, world.waveney_officer, CONTRIBUTE, world.staffs_officer)
    codenames = set(ProfileUserObjectPermission.objects.filter(grant=g).values_list("permission__codename", flat=True))
    assert codenames == {"view_profile", "contribute_profile"}


def test_grant_to_team_is_stored_on_the_team_group(world, profile):
    g = grant(profile, world.waveney_asb, MANAGE, world.staffs_officer)
    rows = ProfileGroupObjectPermission.objects.filter(grant=g)
    assert {r.group_id for r in rows} == {world.waveney_asb.group_id}
    assert rows.count() == 3


def test_grant_rows_carry_the_expiry(world, profile):
    when = timezone.now() + timedelta(days=7)
    g = grant(profile, world.waveney, VIEW, world.staffs_officer, expires_at=when)
    assert list(ProfileGroupObjectPermission.objects.filter(grant=g).values_list("expires_at", flat=True)) == [when]


def test_regrant_to_same_grantee_supersedes_previous_grant(world, profile):
    first = grant(profile, world.waveney_asb, MANAGE, world.staffs_officer)
    second = grant(profile, world.waveney_asb, VIEW, world.staffs_officer)
    open_grants = Grant.objects.filter(profile=profile, revoked_at__isnull=True)
    assert list(open_grants) == [second]
    first.refresh_from_db()
    assert first.revoked_at is not None
    codenames = list(ProfileGroupObjectPermission.objects.filter(content_object=profile)
                     .values_list("permission__codename", flat=True))
    assert codenames == ["view_profile"]
    assert access.level_for(world.waveney_officer, profile) == VIEW


def test_regrant_to_other_grantee_keeps_both(world, profile):
    grant(profile, world.waveney_asb, VIEW, world.staffs_officer)
    grant(profile, world.waveney, VIEW, world.staffs_officer)
    assert Grant.objects.filter(profile=profile, revoked_at__isnull=True).count() == 2


def test_contributor_cannot_share(world, profile):
    grant(profile, world.norfolk_iom, CONTRIBUTE, world.staffs_officer)
    refused(lambda: grant(profile, world.waveney, VIEW, world.norfolk_officer), exc=NotAllowed)


def test_manage_grantee_can_share_onwards(world, profile):
    grant(profile, world.norfolk_iom, MANAGE, world.staffs_officer)
    grant(profile, world.waveney_asb, VIEW, world.norfolk_officer)
    assert access.level_for(world.waveney_officer, profile) == VIEW


# --- revoke -------------------------------------------------------------------------------


def test_revoke_deletes_permission_rows_and_keeps_the_grant(world, profile):
    g = grant(profile, world.waveney_asb, CONTRIBUTE, world.staffs_officer)
    services.revoke_grant(g, by=world.staffs_officer, reason="Finished")
    g.refresh_from_db()
    assert g.revoked_at is not None and g.revoked_by == world.staffs_officer and g.revoke_reason == "Finished"
    assert not ProfileGroupObjectPermission.objects.filter(grant=g).exists()


def test_revoke_by_someone_without_manage_is_refused(world, profile):
    g = grant(profile, world.waveney_asb, CONTRIBUTE, world.staffs_officer)
    refused(lambda: services.revoke_grant(g, by=world.waveney_officer), exc=NotAllowed)


def test_revoke_twice_is_refused(world, profile):
    g = grant(profile, world.waveney_asb, VIEW, world.staffs_officer)
    services.revoke_grant(g, by=world.staffs_officer)
    refused(lambda: services.revoke_grant(g, by=world.staffs_officer))


# --- transfer ------------------------------------------------------------------------------


def test_transfer_by_someone_without_manage_is_refused(world, profile):
    grant(profile, world.norfolk_iom, CONTRIBUTE, world.staffs_officer)
    refused(
        lambda: services.transfer_ownership(profile, world.norfolk_iom, by=world.norfolk_officer, reason="Mine now",
                                            consent_reviewed=True),
        exc=NotAllowed,
    )


def test_transfer_by_outsider_is_refused(world):
    case = CaseFactory(owner_team=world.staffs_iom)
    refused(lambda: services.transfer_ownership(case, world.waveney_asb, by=world.outsider, reason="x"),
            exc=NotAllowed)


def test_transfer_to_current_owner_is_refused(world, profile):
    refused(
        lambda: services.transfer_ownership(profile, world.staffs_iom, by=world.staffs_officer, reason="Same",
                                            consent_reviewed=True),
        "to_team",
    )


def test_transfer_of_profile_without_consent_review_is_refused(world, profile):
    refused(
        lambda: services.transfer_ownership(profile, world.norfolk_iom, by=world.staffs_officer, reason="Moved"),
        "consent_reviewed",
    )


def test_transfer_without_reason_is_refused(world, profile):
    refused(
        lambda: services.transfer_ownership(profile, world.norfolk_iom, by=world.staffs_officer, reason=" ",
                                            consent_reviewed=True),
        "reason",
    )


def test_transfer_to_inactive_team_is_refused(world, profile):
    world.norfolk_iom.is_active = False
    world.norfolk_iom.save()
    refused(
        lambda: services.transfer_ownership(profile, world.norfolk_iom, by=world.staffs_officer, reason="Moved",
                                            consent_reviewed=True),
        "to_team",
    )


def test_transfer_to_team_deleted_since_the_form_was_loaded_is_refused(world, profile):
    team = TeamFactory(organisation=world.norfolk_police)
    Team.objects.filter(pk=team.pk).delete()
    refused(
        lambda: services.transfer_ownership(profile, team, by=world.staffs_officer, reason="Moved",
                                            consent_reviewed=True),
        "to_team",
    )


def test_transfer_to_team_deactivated_since_the_form_was_loaded_is_refused(world, profile):
    stale = Team.objects.get(pk=world.norfolk_iom.pk)
    Team.objects.filter(pk=stale.pk).update(is_active=False)
    refused(
        lambda: services.transfer_ownership(profile, stale, by=world.staffs_officer, reason="Moved",
                                            consent_reviewed=True),
        "to_team",
    )


def test_transfer_of_case_needs_no_consent_review(world):
    case = CaseFactory(owner_team=world.staffs_iom)
    services.transfer_ownership(case, world.norfolk_iom, by=world.staffs_officer, reason="Moved")
    case.refresh_from_db()
    assert case.owner_team == world.norfolk_iom


def test_transfer_closes_the_new_owners_own_grant(world, profile):
    g = grant(profile, world.norfolk_iom, VIEW, world.staffs_officer)
    services.transfer_ownership(profile, world.norfolk_iom, by=world.staffs_officer, reason="Moved",
                                consent_reviewed=True, previous_owner_level=None)
    g.refresh_from_db()
    assert g.revoked_at is not None
    assert not ProfileGroupObjectPermission.objects.filter(grant=g).exists()


def test_transfer_returns_the_previous_owners_grant(world, profile):
    kept = services.transfer_ownership(profile, world.norfolk_iom, by=world.staffs_officer, reason="Moved",
                                       consent_reviewed=True, previous_owner_level=CONTRIBUTE)
    assert kept.team == world.staffs_iom and kept.level == CONTRIBUTE and kept.revoked_at is None
    assert kept.granted_by == world.staffs_officer


def test_transfer_bumps_the_version(world, profile):
    services.transfer_ownership(profile, world.norfolk_iom, by=world.staffs_officer, reason="Moved",
                                consent_reviewed=True)
    profile.refresh_from_db()
    assert profile.version == 2


# --- expiry sweep and access requests --------------------------------------------------------


def test_expire_grants_leaves_grants_in_force_alone(world, profile):
    g = grant(profile, world.waveney_asb, VIEW, world.staffs_officer, expires_at=timezone.now() + timedelta(days=1))
    assert services.expire_grants() == 0
    g.refresh_from_db()
    assert g.revoked_at is None


def test_expire_grants_closes_grant_once_its_time_has_come(world, profile):
    g = grant(profile, world.waveney_asb, VIEW, world.staffs_officer, expires_at=timezone.now() + timedelta(days=1))
    assert services.expire_grants(now=timezone.now() + timedelta(days=2)) == 1
    g.refresh_from_db()
    assert g.revoked_at is not None and g.revoke_reason == "Expired."
    assert not ProfileGroupObjectPermission.objects.filter(grant=g).exists()


def test_request_access_without_reason_is_refused(world, profile):
    refused(lambda: services.request_access(profile, by=world.outsider, reason=""), "reason")


def test_second_pending_request_is_refused(world, profile):
    services.request_access(profile, by=world.outsider, reason="Neighbour dispute")
    refused(lambda: services.request_access(profile, by=world.outsider, reason="Again"))


def test_approved_request_grants_the_requester(world, profile):
    req = services.request_access(profile, by=world.outsider, reason="Neighbour dispute", level=CONTRIBUTE)
    services.decide_access_request(req, by=world.staffs_officer, approve=True)
    assert access.level_for(world.outsider, profile) == CONTRIBUTE


def test_refused_request_grants_nothing(world, profile):
    req = services.request_access(profile, by=world.outsider, reason="Neighbour dispute")
    services.decide_access_request(req, by=world.staffs_officer, approve=False, note="Not needed")
    assert access.level_for(world.outsider, profile) is None
    assert Grant.objects.count() == 0


def test_request_decided_by_someone_without_manage_is_refused(world, profile):
    req = services.request_access(profile, by=world.outsider, reason="Neighbour dispute")
    refused(lambda: services.decide_access_request(req, by=world.waveney_officer, approve=True), exc=NotAllowed)


def test_request_decided_twice_is_refused(world, profile):
    req = services.request_access(profile, by=world.outsider, reason="Neighbour dispute")
    services.decide_access_request(req, by=world.staffs_officer, approve=False)
    refused(lambda: services.decide_access_request(req, by=world.staffs_officer, approve=True))


def test_approving_request_of_deactivated_user_is_refused(world, profile):
    user = UserFactory()
    member(user, world.waveney_asb)
    req = services.request_access(profile, by=user, reason="Neighbour dispute")
    user.is_active = False
    user.save()
    refused(lambda: services.decide_access_request(req, by=world.staffs_officer, approve=True), "grantee")
