"""The profile access index (PostgreSQL): its triggers keep it equal to what it derives
from — profiles, teams and django-guardian's permission rows — through every kind of
write, and listings read from it agree with ``restrict()``."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core import access, services
from core.access import AccessLevel, index_sql
from core.access.listing import VisibleProfileList
from core.models import Grant, Profile, ProfileAccessEntry, ProfileUserObjectPermission
from tests.factories import ProfileFactory, make_world

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

FIELDS = ("principal", "profile_id", "level", "expires_at", "last_name", "first_name", "source", "source_id")


def assert_index_consistent():
    with connection.cursor() as cursor:
        cursor.execute(index_sql.DERIVE)
        expected = sorted(cursor.fetchall(), key=repr)
    actual = sorted(ProfileAccessEntry.objects.values_list(*FIELDS), key=repr)
    assert actual == expected


def names(user):
    return set(access.restrict(Profile.objects.all(), user).values_list("last_name", flat=True))


def test_every_kind_of_write_keeps_the_index_equal_to_its_derivation():
    w = make_world()
    p = ProfileFactory(owner_team=w.norfolk_iom, last_name="Quilter")
    q = ProfileFactory(owner_team=w.norfolk_iom, last_name="Rowe")
    assert_index_consistent()
    g_team = services.grant_access(p, w.waveney_asb, AccessLevel.CONTRIBUTE, by=w.norfolk_officer, reason="joint")
    g_user = services.grant_access(p, w.staffs_officer, AccessLevel.VIEW, by=w.norfolk_officer, reason="named",
                                   expires_at=timezone.now() + timedelta(days=3))
    g_org = services.grant_access(q, w.waveney, AccessLevel.VIEW, by=w.norfolk_officer, reason="org")
    assert_index_consistent()
    assert "Quilter" in names(w.waveney_officer) and "Quilter" in names(w.staffs_officer)
    assert names(w.outsider) == {"Rowe"}  # through the organisation grant only

    services.grant_access(p, w.waveney_asb, AccessLevel.MANAGE, by=w.norfolk_officer, reason="more")  # level change
    services.update_profile(p, by=w.norfolk_officer, changes={"last_name": "Quilter-Smith"})
    assert_index_consistent()
    assert "Quilter-Smith" in names(w.waveney_officer)

    services.revoke_grant(Grant.objects.get(pk=g_org.pk), by=w.norfolk_officer, reason="done")
    services.revoke_grant(Grant.objects.get(pk=g_user.pk), by=w.norfolk_officer, reason="done")
    assert_index_consistent()
    assert names(w.outsider) == set() and "Quilter-Smith" not in names(w.staffs_officer)

    services.transfer_ownership(p, w.staffs_iom, by=w.norfolk_officer, reason="moved", consent_reviewed=True)
    assert_index_consistent()
    assert "Quilter-Smith" in names(w.staffs_officer) and "Quilter-Smith" in names(w.norfolk_officer)

    housing = ProfileFactory(owner_team=w.waveney_housing)
    w.waveney_housing.organisation = w.norfolk_police  # a team moving organisation re-derives its rows
    w.waveney_housing.save()
    assert_index_consistent()
    assert access.visible_profile_page(w.norfolk_spoc, 0, 50).count(housing.pk) == 1
    Profile.objects.filter(pk=q.pk).delete()
    assert_index_consistent()
    assert not ProfileAccessEntry.objects.filter(profile_id=q.pk).exists()
    assert g_team.pk


def test_expired_rows_stop_counting_before_the_sweep_removes_them():
    w = make_world()
    p = ProfileFactory(owner_team=w.norfolk_iom)
    grant = services.grant_access(p, w.staffs_officer, AccessLevel.VIEW, by=w.norfolk_officer, reason="brief",
                                  expires_at=timezone.now() + timedelta(hours=1))
    assert access.visible_profile_count(w.staffs_officer) == 1
    # As if the hour had passed: the guardian rows carry the expiry, the trigger copies it.
    for model in (ProfileUserObjectPermission,):
        model.objects.filter(grant=grant).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert access.visible_profile_count(w.staffs_officer) == 0
    assert access.visible_profile_page(w.staffs_officer, 0, 50) == []


def test_page_and_count_agree_with_restrict_in_both_directions():
    w = make_world()
    mine = [ProfileFactory(owner_team=w.norfolk_iom, last_name=n, first_name="A") for n in "Dcbaed"]
    shared = ProfileFactory(owner_team=w.waveney_asb, last_name="Bee")
    services.grant_access(shared, w.norfolk_iom, AccessLevel.VIEW, by=w.waveney_officer, reason="joint")
    services.grant_access(shared, w.norfolk_officer, AccessLevel.VIEW, by=w.waveney_officer, reason="twice")
    ProfileFactory(owner_team=w.waveney_asb, last_name="Hidden")
    user = w.norfolk_officer
    expected = list(
        access.restrict(Profile.objects.all(), user).order_by("last_name", "first_name", "id").values_list("pk", flat=True)
    )
    assert len(expected) == len(mine) + 1
    assert access.visible_profile_count(user) == len(expected)  # the twice-shared profile counts once
    assert access.visible_profile_page(user, 0, 50) == expected
    assert access.visible_profile_page(user, 2, 4) == expected[2:4]
    assert access.visible_profile_page(user, 0, 50, descending=True) == expected[::-1]


def test_organisation_admin_reaches_what_their_organisation_owns():
    w = make_world()
    p = ProfileFactory(owner_team=w.norfolk_iom)  # the SPOC is in norfolk_ppo, same force
    ProfileFactory(owner_team=w.waveney_asb)
    assert access.visible_profile_page(w.norfolk_spoc, 0, 50) == [p.pk]
    assert access.level_for(w.norfolk_spoc, p) == AccessLevel.MANAGE


def test_profile_listing_pages_from_the_index_agree_with_restrict(client):
    from django.urls import reverse

    w = make_world()
    for i in range(57):
        ProfileFactory(owner_team=w.norfolk_iom, last_name=f"Name{i % 9}", first_name=f"F{i % 4}")
    shared = ProfileFactory(owner_team=w.waveney_asb, last_name="Name3")
    services.grant_access(shared, w.norfolk_iom, AccessLevel.VIEW, by=w.waveney_officer, reason="joint")
    services.grant_access(shared, w.norfolk_officer, AccessLevel.VIEW, by=w.waveney_officer, reason="twice")
    ProfileFactory.create_batch(5, owner_team=w.waveney_asb, last_name="Name4")
    expected = list(access.restrict(Profile.objects.all(), w.norfolk_officer).order_by("last_name", "first_name", "id"))
    client.force_login(w.norfolk_officer)
    url = reverse("wraparound_profiles:index")
    first = client.get(url)
    second = client.get(url, {"p": 2})
    assert isinstance(first.context["paginator"].object_list, VisibleProfileList)  # the index path
    assert first.context["paginator"].count == len(expected) == 58
    assert list(first.context["object_list"]) + list(second.context["object_list"]) == expected
    backwards = client.get(url, {"ordering": "-name"})
    assert list(backwards.context["object_list"]) == expected[::-1][:50]


def test_the_text_restriction_selects_what_the_queryset_selects():
    """``visible_root_pks`` writes the access-index restriction as SQL text; it must pick
    the same profiles as ``profile_access_entries`` for every user and level, expired
    rows and organisation admins included, in listings and point look-ups."""
    from core.access.engine import _profile_index_sql, profile_access_entries

    w = make_world()
    a = ProfileFactory(owner_team=w.norfolk_iom)
    b = ProfileFactory(owner_team=w.waveney_asb)
    c = ProfileFactory(owner_team=w.staffs_iom)
    services.grant_access(b, w.norfolk_iom, AccessLevel.CONTRIBUTE, by=w.waveney_officer, reason="joint")
    services.grant_access(c, w.norfolk_officer, AccessLevel.VIEW, by=w.staffs_officer, reason="named")
    expired = services.grant_access(a, w.staffs_officer, AccessLevel.MANAGE, by=w.norfolk_officer, reason="brief",
                                    expires_at=timezone.now() + timedelta(hours=1))
    ProfileUserObjectPermission.objects.filter(grant=expired).update(expires_at=timezone.now() - timedelta(seconds=1))
    everyone = [a.pk, b.pk, c.pk]
    checked = 0
    for user in (w.norfolk_officer, w.waveney_officer, w.staffs_officer, w.norfolk_spoc, w.outsider):
        for level in AccessLevel:
            sql, params = _profile_index_sql(user, level)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                by_text = {row[0] for row in cursor.fetchall()}
            by_orm = set(profile_access_entries(user, level).values_list("profile_id", flat=True))
            assert by_text == by_orm
            listed = set(access.restrict(Profile.objects.all(), user, level).values_list("pk", flat=True))
            assert listed == by_orm
            assert access.visible_pks(user, Profile, everyone, level) == by_orm & set(everyone)
            checked += len(by_orm)
    assert checked  # the world is not empty
