"""The access engine's rules, one behaviour per test (``core.access``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import access, services
from core.access import AccessLevel
from core.models import (
    AccessRequest,
    Activity,
    Case,
    CaseParticipant,
    Grant,
    Identifier,
    Organisation,
    Profile,
    ProfileGroupObjectPermission,
    ProfileUserObjectPermission,
    Referral,
    Relationship,
    Task,
    Team,
)
from core.roles import ORGANISATION_ADMIN, SYSTEM_ADMIN, has_role

from ..factories import CaseFactory, ProfileFactory, UserFactory, member

pytestmark = pytest.mark.django_db

VIEW, CONTRIBUTE, MANAGE = AccessLevel.VIEW, AccessLevel.CONTRIBUTE, AccessLevel.MANAGE


def visible(model, user, level=VIEW) -> set:
    return set(access.restrict(model.objects.all(), user, level).values_list("pk", flat=True))


def share(target, grantee, level, by, **kwargs):
    return services.grant_access(target, grantee, level, by=by, reason="Joint work", **kwargs)


def backdate(grant: Grant, when) -> None:
    """Make a grant (and its guardian rows) expire at ``when`` without going through the
    service, which refuses an expiry in the past."""
    Grant.objects.filter(pk=grant.pk).update(expires_at=when)
    for table in (ProfileUserObjectPermission, ProfileGroupObjectPermission):
        table.objects.filter(grant=grant).update(expires_at=when)


def activity(by_org, *, case=None, profile=None, restricted=False, by=None) -> Activity:
    return Activity.objects.create(
        case=case, profile=profile, occurred_at=timezone.now(), summary="Visit",
        organisation=by_org, restricted=restricted, recorded_by=by,
    )


# --- deny by default --------------------------------------------------------------


def test_anonymous_user_sees_no_profiles(world):
    ProfileFactory(owner_team=world.staffs_iom)
    assert visible(Profile, AnonymousUser()) == set()


def test_anonymous_user_has_no_level(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    assert access.level_for(AnonymousUser(), p) is None
    assert not access.can(AnonymousUser(), p, VIEW)


def test_inactive_member_of_owner_team_sees_nothing(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    world.staffs_officer.is_active = False
    world.staffs_officer.save()
    assert visible(Profile, world.staffs_officer) == set()
    assert access.level_for(world.staffs_officer, p) is None
    assert not access.can(world.staffs_officer, p)


def test_profile_listing_pages_are_restricts_pages_and_empty_for_an_inactive_user(world):
    """``VisibleProfileList`` (the profile list screen and API): the access index's pages
    on PostgreSQL, ``restrict``'s elsewhere — the same rows in the same order."""
    from core.access.listing import VisibleProfileList

    for name in ("Moss", "Abel", "Moss", "Zane", "Birch"):
        ProfileFactory(owner_team=world.staffs_iom, last_name=name)
    shared = ProfileFactory(owner_team=world.norfolk_iom, last_name="Lane")
    share(shared, world.staffs_iom, VIEW, by=world.norfolk_officer)
    ProfileFactory(owner_team=world.norfolk_iom, last_name="Hidden")
    user = world.staffs_officer
    expected = list(access.restrict(Profile.objects.all(), user).order_by("last_name", "first_name", "id"))
    listing = VisibleProfileList(user, Profile.objects.all())
    assert len(listing) == 6 and listing[0:50] == expected and listing[2:4] == expected[2:4]
    assert listing[5] == expected[5] and listing[4:4] == []
    assert VisibleProfileList(user, Profile.objects.all(), descending=True)[0:3] == expected[::-1][:3]
    user.is_active = False
    user.save()
    gone = VisibleProfileList(user, Profile.objects.all())
    assert len(gone) == 0 and gone[0:50] == []


def test_superuser_without_teams_sees_nothing(world):
    ProfileFactory(owner_team=world.staffs_iom)
    CaseFactory(owner_team=world.staffs_iom)
    root = UserFactory(role=SYSTEM_ADMIN, is_superuser=True, is_staff=True)
    assert visible(Profile, root) == set()
    assert visible(Case, root) == set()


def test_superuser_has_no_level_on_records(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    root = UserFactory(role=SYSTEM_ADMIN, is_superuser=True, is_staff=True)
    assert access.level_for(root, p) is None


def test_partnership_admin_sees_no_records(world):
    ProfileFactory(owner_team=world.staffs_iom)
    assert visible(Profile, world.partnership_admin) == set()


def test_restrict_refuses_unprotected_model(world):
    with pytest.raises(TypeError):
        access.restrict(Team.objects.all(), world.staffs_officer)


def test_level_for_refuses_child_model(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    ident = Identifier.objects.create(profile=p, kind="other", value="X1")
    with pytest.raises(TypeError):
        access.level_for(world.staffs_officer, ident)


def test_outsider_sees_no_profile_of_another_team(world):
    ProfileFactory(owner_team=world.staffs_iom)
    assert visible(Profile, world.outsider) == set()


# --- ownership and organisation admins ----------------------------------------------


def test_owner_team_member_has_manage_on_profile(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    assert access.level_for(world.staffs_officer, p) == MANAGE
    assert visible(Profile, world.staffs_officer, MANAGE) == {p.pk}


def test_owner_team_member_has_manage_on_case(world):
    c = CaseFactory(owner_team=world.norfolk_iom)
    assert access.level_for(world.norfolk_officer, c) == MANAGE
    assert visible(Case, world.norfolk_officer, MANAGE) == {c.pk}


def test_colleague_in_another_team_of_same_organisation_has_no_access(world):
    p = ProfileFactory(owner_team=world.norfolk_iom)
    assert access.level_for(world.norfolk_ppo_officer, p) is None


def test_organisation_admin_manages_records_of_own_organisation(world):
    p = ProfileFactory(owner_team=world.norfolk_iom)  # the SPOC is in norfolk_ppo, not norfolk_iom
    c = CaseFactory(owner_team=world.norfolk_iom)
    assert access.level_for(world.norfolk_spoc, p) == MANAGE
    assert visible(Profile, world.norfolk_spoc, MANAGE) == {p.pk}
    assert visible(Case, world.norfolk_spoc, MANAGE) == {c.pk}


def test_organisation_admin_has_no_access_to_other_organisations_records(world):
    p = ProfileFactory(owner_team=world.waveney_asb)
    assert access.level_for(world.norfolk_spoc, p) is None
    assert visible(Profile, world.norfolk_spoc) == set()


def test_organisation_admin_role_without_team_gives_nothing(world):
    ProfileFactory(owner_team=world.norfolk_iom)
    spoc = UserFactory(role=ORGANISATION_ADMIN)
    assert visible(Profile, spoc) == set()


# --- grants -------------------------------------------------------------------------


@pytest.mark.parametrize("level", [VIEW, CONTRIBUTE, MANAGE])
def test_grant_to_user_gives_exactly_that_level(world, level):
    p = ProfileFactory(owner_team=world.staffs_iom)
    share(p, world.waveney_officer, level, world.staffs_officer)
    assert access.level_for(world.waveney_officer, p) == level
    for asked in (VIEW, CONTRIBUTE, MANAGE):
        assert access.can(world.waveney_officer, p, asked) == (asked <= level)
        assert visible(Profile, world.waveney_officer, asked) == ({p.pk} if asked <= level else set())


def test_grant_to_user_does_not_reach_their_teammates(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    colleague = UserFactory()
    member(colleague, world.waveney_asb)
    share(p, world.waveney_officer, VIEW, world.staffs_officer)
    assert access.level_for(colleague, p) is None


def test_grant_to_team_reaches_its_members_only(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    share(p, world.waveney_asb, CONTRIBUTE, world.staffs_officer)
    assert access.level_for(world.waveney_officer, p) == CONTRIBUTE
    assert access.level_for(world.outsider, p) is None  # waveney_housing, same organisation


def test_grant_to_organisation_reaches_every_team_of_it(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    share(p, world.waveney, VIEW, world.staffs_officer)
    assert access.level_for(world.waveney_officer, p) == VIEW
    assert access.level_for(world.outsider, p) == VIEW
    assert access.level_for(world.norfolk_officer, p) is None


def test_grant_on_case_gives_access_to_case_not_to_its_participants(world):
    c = CaseFactory(owner_team=world.staffs_iom)
    p = ProfileFactory(owner_team=world.staffs_iom)
    CaseParticipant.objects.create(case=c, profile=p)
    share(c, world.norfolk_iom, VIEW, world.staffs_officer)
    assert visible(Case, world.norfolk_officer) == {c.pk}
    assert visible(Profile, world.norfolk_officer) == set()


def test_highest_of_several_grants_wins(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    share(p, world.waveney_officer, VIEW, world.staffs_officer)
    share(p, world.waveney_asb, MANAGE, world.staffs_officer)
    share(p, world.waveney, CONTRIBUTE, world.staffs_officer)
    assert access.level_for(world.waveney_officer, p) == MANAGE
    assert access.level_for(world.outsider, p) == CONTRIBUTE


def test_user_in_two_teams_gets_access_through_either(world):
    p = ProfileFactory(owner_team=world.norfolk_iom)
    member(world.waveney_officer, world.norfolk_ppo)
    share(p, world.norfolk_ppo, CONTRIBUTE, world.norfolk_officer)
    assert access.level_for(world.waveney_officer, p) == CONTRIBUTE


def test_leaving_a_team_removes_access_through_it(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    share(p, world.waveney_asb, VIEW, world.staffs_officer)
    services.remove_member(world.waveney_asb, world.waveney_officer)
    assert access.level_for(world.waveney_officer, p) is None
    assert visible(Profile, world.waveney_officer) == set()


def test_leaving_last_team_of_organisation_removes_organisation_grant(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    share(p, world.waveney, VIEW, world.staffs_officer)
    services.remove_member(world.waveney_housing, world.outsider)
    assert visible(Profile, world.outsider) == set()


def test_joining_a_team_gives_access_through_its_grants(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    share(p, world.norfolk_iom, VIEW, world.staffs_officer)
    services.add_member(world.norfolk_iom, world.outsider)
    assert visible(Profile, world.outsider) == {p.pk}


def test_expired_grant_gives_no_access_before_the_sweep(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    g = share(p, world.waveney_officer, CONTRIBUTE, world.staffs_officer)
    backdate(g, timezone.now() - timedelta(seconds=1))
    assert Grant.objects.get(pk=g.pk).revoked_at is None  # the sweep has not run
    assert visible(Profile, world.waveney_officer) == set()
    assert access.level_for(world.waveney_officer, p) is None
    assert not access.can(world.waveney_officer, p)


def test_expired_team_grant_gives_no_access_before_the_sweep(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    g = share(p, world.waveney, VIEW, world.staffs_officer)
    backdate(g, timezone.now() - timedelta(seconds=1))
    assert visible(Profile, world.waveney_officer) == set()
    assert access.level_for(world.waveney_officer, p) is None


def test_grant_with_future_expiry_gives_access(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    share(p, world.waveney_officer, VIEW, world.staffs_officer, expires_at=timezone.now() + timedelta(days=1))
    assert visible(Profile, world.waveney_officer) == {p.pk}


def test_revoke_removes_access(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    g = share(p, world.waveney_asb, MANAGE, world.staffs_officer)
    services.revoke_grant(g, by=world.staffs_officer, reason="Work finished")
    assert access.level_for(world.waveney_officer, p) is None
    assert visible(Profile, world.waveney_officer) == set()


def test_revoking_one_grant_keeps_access_from_another(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    g = share(p, world.waveney_asb, MANAGE, world.staffs_officer)
    share(p, world.waveney, VIEW, world.staffs_officer)
    services.revoke_grant(g, by=world.staffs_officer)
    assert access.level_for(world.waveney_officer, p) == VIEW


def test_expire_grants_sweep_closes_expired_grants(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    g = share(p, world.waveney_officer, VIEW, world.staffs_officer)
    backdate(g, timezone.now() - timedelta(minutes=1))
    assert services.expire_grants() == 1
    g.refresh_from_db()
    assert g.revoked_at is not None
    assert not ProfileUserObjectPermission.objects.filter(grant=g).exists()


# --- transfer -------------------------------------------------------------------------


@pytest.mark.parametrize("kept", [VIEW, CONTRIBUTE, MANAGE])
def test_transfer_leaves_previous_owner_a_grant_at_chosen_level(world, kept):
    p = ProfileFactory(owner_team=world.staffs_iom)
    services.transfer_ownership(p, world.norfolk_iom, by=world.staffs_officer, reason="Moved",
                                previous_owner_level=kept, consent_reviewed=True)
    p.refresh_from_db()
    assert access.level_for(world.norfolk_officer, p) == MANAGE
    assert access.level_for(world.staffs_officer, p) == kept


def test_transfer_with_no_previous_level_removes_previous_owner_access(world):
    c = CaseFactory(owner_team=world.staffs_iom)
    services.transfer_ownership(c, world.norfolk_iom, by=world.staffs_officer, reason="Moved",
                                previous_owner_level=None)
    c.refresh_from_db()
    assert access.level_for(world.staffs_officer, c) is None
    assert visible(Case, world.staffs_officer) == set()
    assert access.level_for(world.norfolk_officer, c) == MANAGE


def test_transfer_gives_new_organisation_admin_manage(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    services.transfer_ownership(p, world.norfolk_iom, by=world.staffs_officer, reason="Moved",
                                previous_owner_level=None, consent_reviewed=True)
    p.refresh_from_db()
    assert access.level_for(world.norfolk_spoc, p) == MANAGE


# --- children follow their parent --------------------------------------------------------


def test_activity_on_case_follows_case_not_profile(world):
    c = CaseFactory(owner_team=world.staffs_iom)
    p = ProfileFactory(owner_team=world.norfolk_iom)
    a = activity(world.staffs_police, case=c, profile=p)
    # Access to the profile alone does not open an activity recorded on the case.
    assert visible(Activity, world.norfolk_officer) == set()
    share(c, world.norfolk_iom, VIEW, world.staffs_officer)
    assert visible(Activity, world.norfolk_officer) == {a.pk}


def test_activity_on_profile_follows_profile(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    a = activity(world.staffs_police, profile=p)
    assert visible(Activity, world.waveney_officer) == set()
    share(p, world.waveney_asb, VIEW, world.staffs_officer)
    assert visible(Activity, world.waveney_officer) == {a.pk}


def test_activity_level_follows_parent_level(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    a = activity(world.staffs_police, profile=p)
    share(p, world.waveney_asb, VIEW, world.staffs_officer)
    assert access.can(world.waveney_officer, a, VIEW)
    assert not access.can(world.waveney_officer, a, CONTRIBUTE)


def test_restricted_activity_hidden_from_grantee_of_another_organisation(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    share(p, world.waveney_asb, MANAGE, world.staffs_officer)
    open_entry = activity(world.staffs_police, profile=p)
    activity(world.staffs_police, profile=p, restricted=True)
    assert visible(Activity, world.waveney_officer) == {open_entry.pk}


def test_restricted_activity_visible_to_recording_organisation(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    share(p, world.waveney_asb, CONTRIBUTE, world.staffs_officer)
    mine = activity(world.waveney, profile=p, restricted=True)
    assert visible(Activity, world.waveney_officer) == {mine.pk}
    assert visible(Activity, world.staffs_officer) == set()


def test_restricted_activity_needs_access_to_parent_too(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    activity(world.waveney, profile=p, restricted=True)
    assert visible(Activity, world.waveney_officer) == set()


def staffs_records_shared_with_waveney(world, profile_level, case_level):
    """A Staffordshire case and profile shared with Waveney's ASB unit at the levels given,
    and a Norfolk case and profile nobody shares: (seen case, hidden case, profile, hidden
    profile)."""
    seen_case, hidden_case = CaseFactory(owner_team=world.staffs_iom), CaseFactory(owner_team=world.norfolk_iom)
    p, hidden = ProfileFactory(owner_team=world.staffs_iom), ProfileFactory(owner_team=world.norfolk_iom)
    share(p, world.waveney_asb, profile_level, world.staffs_officer)
    share(seen_case, world.waveney_asb, case_level, world.staffs_officer)
    return seen_case, hidden_case, p, hidden


def test_visible_entry_pks_lists_what_restrict_lets_through(world):
    """The union the API's unfiltered activity list reads: the same entries as
    ``restrict()``'s OR, for every user and level, restricted entries included."""
    seen_case, hidden_case, p, hidden_profile = staffs_records_shared_with_waveney(world, CONTRIBUTE, VIEW)
    entries = [
        activity(world.staffs_police, case=seen_case),
        activity(world.staffs_police, case=seen_case, profile=hidden_profile),  # follows the case
        activity(world.staffs_police, case=hidden_case, profile=p),  # follows the hidden case
        activity(world.staffs_police, profile=p),
        activity(world.staffs_police, profile=p, restricted=True),
        activity(world.waveney, profile=p, restricted=True),
        activity(world.norfolk_police, profile=hidden_profile),
    ]
    for user in (world.staffs_officer, world.waveney_officer, world.norfolk_officer, world.outsider):
        for level in (VIEW, CONTRIBUTE, MANAGE):
            listed = set(Activity.objects.filter(pk__in=access.visible_entry_pks(Activity, user, level))
                         .values_list("pk", flat=True))
            assert listed == visible(Activity, user, level), (user.username, level)
    assert visible(Activity, world.waveney_officer) == {entries[0].pk, entries[1].pk, entries[3].pk, entries[5].pk}
    with pytest.raises(TypeError):
        access.visible_entry_pks(Profile, world.staffs_officer)
    world.staffs_officer.is_active = False
    world.staffs_officer.save()
    assert not Activity.objects.filter(pk__in=access.visible_entry_pks(Activity, world.staffs_officer)).exists()


def test_visible_activity_list_pages_and_counts_what_restrict_lets_through(world):
    """``VisibleActivityList`` (the API's activity list): the covering indexes' union on
    PostgreSQL, ``restrict()`` elsewhere — the same rows, newest first, filtered by kind or
    time or not."""
    from datetime import timedelta as td

    from core.access.listing import VisibleActivityList

    seen_case = CaseFactory(owner_team=world.staffs_iom)
    p = ProfileFactory(owner_team=world.staffs_iom)
    hidden = ProfileFactory(owner_team=world.norfolk_iom)
    share(p, world.waveney_asb, VIEW, world.staffs_officer)
    made = [activity(world.staffs_police, case=seen_case), activity(world.staffs_police, profile=p),
            activity(world.staffs_police, profile=p, restricted=True), activity(world.waveney, profile=p),
            activity(world.norfolk_police, profile=hidden), activity(world.staffs_police, case=seen_case)]
    for i, entry in enumerate(made):  # distinct times, one tie broken by id
        Activity.objects.filter(pk=entry.pk).update(occurred_at=timezone.now() - td(hours=min(i, 4)),
                                                    kind="visit" if i in (1, 2, 4) else "contact")
    for user in (world.staffs_officer, world.waveney_officer, world.outsider):
        expected = list(access.restrict(Activity.objects.all(), user).order_by("-occurred_at", "-id"))
        listing = VisibleActivityList(user, Activity.objects.all())
        assert len(listing) == len(expected) and listing[0:50] == expected, user.username
        assert listing[1:3] == expected[1:3] and listing[2:2] == []
        for where in (Q(kind="visit"), Q(occurred_at__gte=timezone.now() - td(hours=2, minutes=30)),
                      Q(kind="contact", occurred_at__gte=timezone.now() - td(hours=3, minutes=30))):
            expected = list(access.restrict(Activity.objects.filter(where), user).order_by("-occurred_at", "-id"))
            listing = VisibleActivityList(user, Activity.objects.all(), where=where)
            assert len(listing) == len(expected) and listing[0:50] == expected, (user.username, where)
    assert len(VisibleActivityList(world.waveney_officer, Activity.objects.all())) == 2  # not the restricted one
    world.staffs_officer.is_active = False
    world.staffs_officer.save()
    gone = VisibleActivityList(world.staffs_officer, Activity.objects.all())
    assert len(gone) == 0 and gone[0:50] == []


def test_listing_tasks_and_referrals_reads_what_restrict_lets_through(world):
    """``restrict(listing=True)`` (the API's unfiltered task and referral lists): on
    PostgreSQL the union of the filter's arms, elsewhere its ``OR`` — the same rows for
    every user and level: on a visible case, on no case with a visible profile, assigned
    to the user or one of their teams; the two teams, the referrer, the profile's readers."""
    seen_case, hidden_case, p, hidden = staffs_records_shared_with_waveney(world, VIEW, CONTRIBUTE)

    def task(team=None, user=None, **parent):
        return Task.objects.create(title="Call", assigned_team=team, assigned_user=user, **parent)

    task(world.staffs_iom, case=seen_case)
    task(world.norfolk_iom, case=hidden_case, profile=p)  # follows the hidden case
    task(world.norfolk_iom, profile=p)
    task(world.norfolk_iom, profile=hidden)
    task(world.waveney_asb, profile=hidden)  # the assignee team sees it
    task(user=world.norfolk_ppo_officer, case=seen_case)  # the assignee and the case's readers
    task(world.waveney_asb, user=world.outsider, case=hidden_case)

    def referral(from_team, to_team, profile, by=None):
        return Referral.objects.create(from_team=from_team, to_team=to_team, profile=profile, made_by=by,
                                       programme="asb", case_type="asb_case", form="generic")

    referral(world.staffs_iom, world.waveney_asb, p)
    referral(world.norfolk_iom, world.norfolk_ppo, hidden, by=world.staffs_officer)  # the referrer
    referral(world.norfolk_iom, world.norfolk_ppo, p)  # the profile's readers
    referral(world.norfolk_ppo, world.waveney_housing, hidden)

    for model in (Task, Referral):
        for user in (world.staffs_officer, world.waveney_officer, world.norfolk_officer, world.norfolk_ppo_officer,
                     world.outsider):
            for level in (VIEW, CONTRIBUTE, MANAGE):
                listed = access.restrict(model.objects.all(), user, level, listing=True)
                if connection.vendor == "postgresql":
                    assert "UNION ALL" in str(listed.query)
                assert set(listed.values_list("pk", flat=True)) == visible(model, user, level), (user.username, level)
    assert len(visible(Task, world.waveney_officer)) == 5 and len(visible(Referral, world.staffs_officer)) == 3
    world.staffs_officer.is_active = False
    world.staffs_officer.save()
    assert not access.restrict(Referral.objects.all(), world.staffs_officer, listing=True).exists()


def test_participants_follow_their_case(world):
    c = CaseFactory(owner_team=world.staffs_iom)
    part = CaseParticipant.objects.create(case=c, profile=ProfileFactory(owner_team=world.staffs_iom))
    assert visible(CaseParticipant, world.norfolk_officer) == set()
    share(c, world.norfolk_iom, VIEW, world.staffs_officer)
    assert visible(CaseParticipant, world.norfolk_officer) == {part.pk}


def test_identifiers_follow_their_profile(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    ident = Identifier.objects.create(profile=p, kind="nhs", value="1234567890")
    assert visible(Identifier, world.norfolk_officer) == set()
    share(p, world.norfolk_officer, VIEW, world.staffs_officer)
    assert visible(Identifier, world.norfolk_officer) == {ident.pk}
    assert visible(Identifier, world.norfolk_officer, CONTRIBUTE) == set()


def test_relationship_hidden_unless_both_ends_visible(world):
    mine = ProfileFactory(owner_team=world.norfolk_iom)
    theirs = ProfileFactory(owner_team=world.staffs_iom)
    rel = Relationship.objects.create(from_profile=mine, to_profile=theirs, kind="associate")
    back = Relationship.objects.create(from_profile=theirs, to_profile=mine, kind="associate")
    assert visible(Relationship, world.norfolk_officer) == set()
    share(theirs, world.norfolk_officer, VIEW, world.staffs_officer)
    assert visible(Relationship, world.norfolk_officer) == {rel.pk, back.pk}


def test_grants_visible_to_those_who_see_the_record(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    g = share(p, world.waveney_asb, VIEW, world.staffs_officer)
    assert visible(Grant, world.waveney_officer) == {g.pk}
    assert visible(Grant, world.norfolk_officer) == set()
    assert visible(Grant, world.waveney_officer, MANAGE) == set()


def test_requester_sees_own_access_request(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    req = services.request_access(p, by=world.outsider, reason="Tenancy")
    assert visible(AccessRequest, world.outsider) == {req.pk}
    assert visible(AccessRequest, world.outsider, CONTRIBUTE) == set()


def test_manager_of_record_sees_access_requests_on_it(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    req = services.request_access(p, by=world.outsider, reason="Tenancy")
    assert visible(AccessRequest, world.staffs_officer, MANAGE) == {req.pk}


def test_viewer_of_record_does_not_see_access_requests_on_it(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    share(p, world.norfolk_iom, CONTRIBUTE, world.staffs_officer)
    services.request_access(p, by=world.outsider, reason="Tenancy")
    assert visible(AccessRequest, world.norfolk_officer) == set()


# --- single object ---------------------------------------------------------------------


def test_outsider_gets_404_on_profile(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    with pytest.raises(Http404):
        access.get_object_or_404(Profile, world.outsider, pk=p.pk)


def test_outsider_gets_404_on_case_even_when_asking_for_manage(world):
    c = CaseFactory(owner_team=world.staffs_iom)
    with pytest.raises(Http404):
        access.get_object_or_404(Case, world.outsider, MANAGE, pk=c.pk)


def test_missing_object_is_404(world):
    with pytest.raises(Http404):
        access.get_object_or_404(Profile, world.staffs_officer, pk=999_999)


def test_malformed_lookup_is_404(world):
    with pytest.raises(Http404):
        access.get_object_or_404(Profile, world.staffs_officer, pk="not-a-number")


def test_viewer_gets_permission_denied_when_contribute_needed(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    share(p, world.waveney_officer, VIEW, world.staffs_officer)
    with pytest.raises(PermissionDenied):
        access.get_object_or_404(Profile, world.waveney_officer, CONTRIBUTE, pk=p.pk)


def test_get_object_or_404_returns_object_at_sufficient_level(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    share(p, world.waveney_officer, CONTRIBUTE, world.staffs_officer)
    assert access.get_object_or_404(Profile.objects.all(), world.waveney_officer, CONTRIBUTE, pk=p.pk) == p


def test_get_object_or_404_respects_the_given_queryset(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    with pytest.raises(Http404):
        access.get_object_or_404(Profile.objects.exclude(pk=p.pk), world.staffs_officer, pk=p.pk)


# --- queries ---------------------------------------------------------------------------


def test_visible_pks_for_fifty_profiles_is_one_query(world, django_assert_num_queries):
    profiles = ProfileFactory.create_batch(25, owner_team=world.staffs_iom)
    others = ProfileFactory.create_batch(25, owner_team=world.norfolk_iom)
    share(others[0], world.staffs_officer, VIEW, world.norfolk_officer)
    share(others[1], world.staffs_iom, VIEW, world.norfolk_officer)
    user = type(world.staffs_officer).objects.get(pk=world.staffs_officer.pk)
    has_role(user, ORGANISATION_ADMIN)  # roles are read once per user (per request), not per check
    with django_assert_num_queries(1):
        seen = access.visible_pks(user, Profile, [p.pk for p in profiles + others])
    assert seen == {p.pk for p in profiles} | {others[0].pk, others[1].pk}


def test_restricted_count_is_one_query(world, django_assert_num_queries):
    ProfileFactory.create_batch(5, owner_team=world.norfolk_iom)
    spoc = type(world.norfolk_spoc).objects.get(pk=world.norfolk_spoc.pk)
    has_role(spoc, ORGANISATION_ADMIN)  # roles are read once per user (per request)
    with django_assert_num_queries(1):
        assert access.restrict(Profile.objects.all(), spoc).count() == 5


def test_restrict_query_count_does_not_grow_with_grants(world):
    user = world.waveney_officer
    for _ in range(3):
        share(ProfileFactory(owner_team=world.staffs_iom), user, VIEW, world.staffs_officer)
    has_role(user, ORGANISATION_ADMIN)
    with CaptureQueriesContext(connection) as few:
        list(access.restrict(Profile.objects.all(), user))
    for _ in range(20):
        share(ProfileFactory(owner_team=world.staffs_iom), world.waveney_asb, VIEW, world.staffs_officer)
    with CaptureQueriesContext(connection) as many:
        assert len(list(access.restrict(Profile.objects.all(), user))) == 23
    assert len(many) == len(few)


def test_restrict_filters_with_a_union_subquery_not_an_id_list(world):
    ProfileFactory.create_batch(3, owner_team=world.staffs_iom)
    sql = str(access.restrict(Profile.objects.all(), world.staffs_officer).query).upper()
    assert "UNION ALL" in sql
    assert sql.count("SELECT") > 1


def test_can_on_object_of_unknown_type_raises(world):
    org = Organisation.objects.first()
    with pytest.raises(TypeError):
        access.can(world.staffs_officer, org)
