"""Concurrent edits: a stale version is refused with a conflict (never a silent
overwrite), and, on PostgreSQL, real concurrent writers get exactly one winner and
distinct sequential case references. Also the profile list's query count on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from core import access, services
from core.access import AccessLevel
from core.models import AuditEvent, Case, Grant, Profile, ProfileGroupObjectPermission
from core.services import ConflictError

from ..factories import CaseFactory, ProfileFactory

# --- two sessions, one stale ------------------------------------------------------------------


@pytest.mark.django_db
def test_second_profile_edit_from_stale_version_is_refused(world):
    p = ProfileFactory(owner_team=world.staffs_iom, first_name="Kerry")
    services.grant_access(p, world.norfolk_iom, AccessLevel.CONTRIBUTE, by=world.staffs_officer, reason="Joint")
    first = Profile.objects.get(pk=p.pk)  # session 1 opens the edit form
    second = Profile.objects.get(pk=p.pk)  # session 2 opens it too
    services.update_profile(first, by=world.staffs_officer, changes={"first_name": "Carrie"},
                            expected_version=first.version)
    events = AuditEvent.objects.count()
    with pytest.raises(ConflictError) as conflict:
        services.update_profile(second, by=world.norfolk_officer, changes={"first_name": "Kez", "phone": "01603"},
                                expected_version=second.version)
    assert "changed by someone else" in conflict.value.messages[0]
    assert conflict.value.code == "conflict"
    fresh = Profile.objects.get(pk=p.pk)
    assert (fresh.first_name, fresh.phone, fresh.version) == ("Carrie", "", 2)
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_stale_instance_without_explicit_version_is_refused_too(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    stale = Profile.objects.get(pk=p.pk)
    services.update_profile(p, by=world.staffs_officer, changes={"notes": "first"})
    with pytest.raises(ConflictError):
        services.update_profile(stale, by=world.staffs_officer, changes={"notes": "second"})
    assert Profile.objects.get(pk=p.pk).notes == "first"


@pytest.mark.django_db
def test_reloaded_profile_can_be_saved_after_a_conflict(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    stale = Profile.objects.get(pk=p.pk)
    services.update_profile(p, by=world.staffs_officer, changes={"notes": "first"})
    with pytest.raises(ConflictError):
        services.update_profile(stale, by=world.staffs_officer, changes={"notes": "second"})
    services.update_profile(Profile.objects.get(pk=p.pk), by=world.staffs_officer, changes={"notes": "second"})
    assert Profile.objects.get(pk=p.pk).notes == "second"


@pytest.mark.django_db
def test_second_case_edit_from_stale_version_is_refused(world):
    c = CaseFactory(owner_team=world.waveney_asb, title="Noise")
    first, second = Case.objects.get(pk=c.pk), Case.objects.get(pk=c.pk)
    services.update_case(first, by=world.waveney_officer, changes={"title": "Noise at night"},
                         expected_version=first.version)
    with pytest.raises(ConflictError):
        services.update_case(second, by=world.waveney_officer, changes={"title": "Noise by day"},
                             expected_version=second.version)
    fresh = Case.objects.get(pk=c.pk)
    assert (fresh.title, fresh.version) == ("Noise at night", 2)


@pytest.mark.django_db
def test_stage_change_from_stale_case_version_is_refused(world):
    c = CaseFactory(owner_team=world.waveney_asb)
    stale_version = c.version
    services.update_case(c, by=world.waveney_officer, changes={"title": "Renamed"})
    with pytest.raises(ConflictError):
        services.change_stage(Case.objects.get(pk=c.pk), "investigation", by=world.waveney_officer,
                              expected_version=stale_version)
    assert Case.objects.get(pk=c.pk).stage == "reported"


@pytest.mark.django_db
def test_revoke_of_grant_changed_since_it_was_read_is_refused(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    g = services.grant_access(p, world.waveney_asb, AccessLevel.VIEW, by=world.staffs_officer, reason="ASB")
    Grant.objects.filter(pk=g.pk).update(version=g.version + 1)  # someone else changed it
    with pytest.raises(ConflictError):
        services.revoke_grant(g, by=world.staffs_officer, expected_version=g.version)
    g.refresh_from_db()
    assert g.revoked_at is None
    assert ProfileGroupObjectPermission.objects.filter(grant=g).exists()
    assert access.level_for(world.waveney_officer, p) == AccessLevel.VIEW


@pytest.mark.django_db
def test_revoke_with_current_version_succeeds(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    g = services.grant_access(p, world.waveney_asb, AccessLevel.VIEW, by=world.staffs_officer, reason="ASB")
    services.revoke_grant(g, by=world.staffs_officer, expected_version=g.version)
    g.refresh_from_db()
    assert g.revoked_at is not None and g.version == 2


@pytest.mark.django_db
def test_transfer_from_stale_profile_version_is_refused(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    stale_version = p.version
    services.update_profile(p, by=world.staffs_officer, changes={"notes": "moved house"})
    with pytest.raises(ConflictError):
        services.transfer_ownership(p, world.norfolk_iom, by=world.staffs_officer, reason="Moved",
                                    consent_reviewed=True, expected_version=stale_version)
    p.refresh_from_db()
    assert p.owner_team == world.staffs_iom and not Grant.objects.exists()


# --- real concurrency (PostgreSQL) --------------------------------------------------------------


def run_in_threads(n: int, work) -> list:
    """Run ``work(i)`` in ``n`` threads released together; each closes its connection."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def target(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 (the outcome is what the test inspects)
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_profile_edits_from_same_version_have_one_winner(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    version = p.version
    officer = world.staffs_officer

    def edit(i):
        mine = Profile.objects.get(pk=p.pk)
        services.update_profile(mine, by=officer, changes={"notes": f"edit {i}"}, expected_version=version)
        return i

    results = run_in_threads(8, edit)
    winners = [r for r in results if isinstance(r, int)]
    assert len(winners) == 1, results
    assert all(isinstance(r, ConflictError) for r in results if not isinstance(r, int)), results
    fresh = Profile.objects.get(pk=p.pk)
    assert (fresh.notes, fresh.version) == (f"edit {winners[0]}", version + 1)
    assert AuditEvent.objects.filter(action="update", object_id=str(p.pk)).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_open_case_calls_get_distinct_sequential_references(world):
    officer, team = world.waveney_officer, world.waveney_asb

    def open_one(i):
        return services.open_case(by=officer, owner_team=team, programme="asb", case_type="asb_case",
                                  title=f"Case {i}", opened_on=date(2026, 5, 1)).reference

    results = run_in_threads(8, open_one)
    assert all(isinstance(r, str) for r in results), results
    assert sorted(results) == [f"ASB-2026-{n:06d}" for n in range(1, 9)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_grants_to_same_grantee_leave_one_in_force(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    officer, team = world.staffs_officer, world.waveney_asb

    def share(i):
        services.grant_access(Profile.objects.get(pk=p.pk), team, AccessLevel.VIEW, by=officer, reason=f"r{i}")
        return i

    results = run_in_threads(4, share)
    assert results == [0, 1, 2, 3]  # each supersedes the one before it, none collides
    open_grants = Grant.objects.filter(profile=p, team=team, revoked_at__isnull=True)
    assert open_grants.count() == 1, results
    assert ProfileGroupObjectPermission.objects.filter(content_object=p).count() == 1


# --- query counts on PostgreSQL ------------------------------------------------------------------


def profile_list_queries(user) -> tuple[int, int]:
    """The first page of the profile list (50 rows, with owner teams) plus its count."""
    with CaptureQueriesContext(connection) as ctx:
        rows = access.restrict(Profile.objects.select_related("owner_team__organisation"), user)
        total = rows.count()
        page = list(rows.order_by("last_name", "first_name", "id")[:50])
        assert len(page) == min(total, 50)
    return len(ctx), total


@pytest.mark.postgres
@pytest.mark.django_db
def test_profile_list_query_count_does_not_depend_on_rows(world):
    user = type(world.norfolk_officer).objects.get(pk=world.norfolk_officer.pk)

    def add_visible(n):
        # A mix of owned, team-granted, user-granted and organisation-granted profiles.
        for i in range(n):
            kind = i % 4
            if kind == 0:
                ProfileFactory(owner_team=world.norfolk_iom)
                continue
            p = ProfileFactory(owner_team=world.staffs_iom)
            grantee = (world.norfolk_iom, world.norfolk_officer, world.norfolk_police)[kind - 1]
            services.grant_access(p, grantee, AccessLevel.VIEW, by=world.staffs_officer, reason="Cross-border")
        ProfileFactory.create_batch(n, owner_team=world.waveney_asb)  # invisible noise

    add_visible(10)
    few, total_few = profile_list_queries(type(user).objects.get(pk=user.pk))
    add_visible(50)
    many, total_many = profile_list_queries(type(user).objects.get(pk=user.pk))
    assert (total_few, total_many) == (10, 60)
    assert many == few
    assert few <= 3  # roles once, count, page
