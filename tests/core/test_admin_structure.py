"""Structure screens: partnerships, organisations, teams, memberships, programme switches —
scoped per administrator, writes through services and audited."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from core.admin.structure_scope import POLICIES, scope
from core.models import AuditEvent, Membership, Organisation, Partnership, ProgrammeModule, Team

from ..factories import member

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def norfolk_partnership_admin(world):
    """The partnership admin, placed in a Norfolk team so that their partnership is
    Norfolk and Suffolk (which Waveney is in, and Staffordshire Police is not)."""
    member(world.partnership_admin, world.norfolk_ppo)
    return User.objects.get(pk=world.partnership_admin.pk)


def listed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# Who can reach the screens -----------------------------------------------------------------

@pytest.mark.parametrize("url", [
    "/admin/structure/partnerships/", "/admin/structure/organisations/", "/admin/structure/agreements/",
    "/admin/structure/teams/", "/admin/structure/memberships/", "/admin/structure/programme-modules/",
    "/admin/structure/teams/new/",
])
def test_practitioner_cannot_reach_structure_screens(client, world, url):
    client.force_login(world.norfolk_officer)
    response = client.get(url)
    assert response.status_code in (302, 403, 404)
    assert response.status_code != 200


def test_practitioner_does_not_see_the_partnership_menu(client, world):
    client.force_login(world.norfolk_officer)
    assert '"partnership"' not in client.get("/admin/").content.decode()
    client.force_login(world.norfolk_spoc)
    assert '"partnership"' in client.get("/admin/").content.decode()


def test_practitioner_cannot_open_the_programme_switches(client, world):
    client.force_login(world.norfolk_officer)
    response = client.post(f"/admin/structure/organisations/programmes/{world.norfolk_police.pk}/", {})
    assert response.status_code == 404
    assert ProgrammeModule.objects.filter(enabled=False).count() == 0


# Organisation admin: own organisation's teams and memberships only -----------------------------

def test_org_admin_lists_only_own_organisations_teams(client, world):
    client.force_login(world.norfolk_spoc)
    html = listed(client, "/admin/structure/teams/")
    assert f"/admin/structure/teams/edit/{world.norfolk_iom.pk}/" in html
    assert f"/admin/structure/teams/edit/{world.norfolk_ppo.pk}/" in html
    assert f"/admin/structure/teams/edit/{world.waveney_asb.pk}/" not in html
    assert f"/admin/structure/teams/edit/{world.staffs_iom.pk}/" not in html


def test_org_admin_cannot_open_or_edit_another_organisations_team(client, world):
    client.force_login(world.norfolk_spoc)
    team = world.waveney_asb
    for url in (f"/admin/structure/teams/edit/{team.pk}/", f"/admin/structure/teams/delete/{team.pk}/",
                f"/admin/structure/teams/history/{team.pk}/", f"/admin/structure/teams/usage/{team.pk}/"):
        assert client.get(url).status_code == 404, url
    events = AuditEvent.objects.count()
    response = client.post(f"/admin/structure/teams/edit/{team.pk}/",
                           {"organisation": world.norfolk_police.pk, "name": "Taken over", "is_active": "on"})
    assert response.status_code == 404
    team.refresh_from_db()
    assert team.name == "ASB Unit" and team.organisation == world.waveney
    assert client.post(f"/admin/structure/teams/delete/{team.pk}/").status_code == 404
    assert Team.objects.filter(pk=team.pk).exists()
    assert AuditEvent.objects.count() == events


def test_org_admin_can_edit_own_team_and_it_is_audited(client, world):
    client.force_login(world.norfolk_spoc)
    team = world.norfolk_iom
    response = client.post(f"/admin/structure/teams/edit/{team.pk}/",
                           {"organisation": world.norfolk_police.pk, "name": "IOM Team",
                            "email": "iom@norfolk.example", "is_active": "on"})
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.email == "iom@norfolk.example"
    event = AuditEvent.objects.filter(object_type="core.team", object_id=str(team.pk), action="update").get()
    assert event.actor_username == "norfolk_spoc"


def test_org_admin_cannot_create_a_team_in_another_organisation(client, world):
    client.force_login(world.norfolk_spoc)
    form_html = listed(client, "/admin/structure/teams/new/")
    assert "Waveney District Council" not in form_html
    assert "Norfolk Constabulary" in form_html
    response = client.post("/admin/structure/teams/new/",
                           {"organisation": world.waveney.pk, "name": "Planted team", "is_active": "on"})
    assert response.status_code == 200  # the form again, with an error
    assert not Team.objects.filter(name="Planted team").exists()


def test_org_admin_cannot_see_partnerships_or_switch_programmes(client, world):
    client.force_login(world.norfolk_spoc)
    assert client.get("/admin/structure/partnerships/").status_code != 200
    url = f"/admin/structure/organisations/programmes/{world.norfolk_police.pk}/"
    assert client.get(url).status_code == 404


def test_org_admin_lists_only_own_organisations_memberships(client, world):
    client.force_login(world.norfolk_spoc)
    html = listed(client, "/admin/structure/memberships/")
    assert "norfolk_officer" in html
    assert "waveney_officer" not in html and "staffs_officer" not in html
    other = Membership.objects.get(user=world.waveney_officer)
    assert client.get(f"/admin/structure/memberships/edit/{other.pk}/").status_code == 404
    assert client.post(f"/admin/structure/memberships/delete/{other.pk}/").status_code == 404
    assert Membership.objects.filter(pk=other.pk).exists()


def test_adding_a_member_goes_through_the_service(client, world):
    newcomer = User.objects.create_user("newcomer", password="x" * 16)
    client.force_login(world.norfolk_spoc)
    response = client.post("/admin/structure/memberships/new/",
                           {"user": newcomer.pk, "team": world.norfolk_iom.pk, "role": "member"})
    assert response.status_code == 302
    assert Membership.objects.filter(user=newcomer, team=world.norfolk_iom).exists()
    assert newcomer.groups.filter(pk=world.norfolk_iom.group_id).exists()
    assert newcomer.groups.filter(pk=world.norfolk_police.group_id).exists()
    assert AuditEvent.objects.filter(object_type="core.team", changes__member_added="newcomer").count() == 1


def test_adding_a_member_to_another_organisations_team_is_refused(client, world):
    newcomer = User.objects.create_user("newcomer", password="x" * 16)
    client.force_login(world.norfolk_spoc)
    client.post("/admin/structure/memberships/new/",
                {"user": newcomer.pk, "team": world.waveney_asb.pk, "role": "member"})
    assert not Membership.objects.filter(user=newcomer).exists()


def test_removing_a_member_goes_through_the_service(client, world):
    membership = Membership.objects.get(user=world.norfolk_officer, team=world.norfolk_iom)
    client.force_login(world.norfolk_spoc)
    response = client.post(f"/admin/structure/memberships/delete/{membership.pk}/")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert not world.norfolk_officer.groups.filter(pk=world.norfolk_iom.group_id).exists()
    assert AuditEvent.objects.filter(object_type="core.team", changes__member_removed="norfolk_officer").count() == 1


# Partnership admin: their partnerships and its organisations -----------------------------------

def test_partnership_admin_sees_their_partnership_and_its_organisations(client, norfolk_partnership_admin, world):
    client.force_login(norfolk_partnership_admin)
    html = listed(client, "/admin/structure/partnerships/")
    assert "Norfolk and Suffolk Partnership" in html and "Staffordshire Community Safety" not in html
    html = listed(client, "/admin/structure/organisations/")
    assert "Waveney District Council" in html and "Norfolk Constabulary" in html
    assert "Staffordshire Police" not in html
    assert client.get(f"/admin/structure/organisations/edit/{world.staffs_police.pk}/").status_code == 404
    assert client.get(f"/admin/structure/partnerships/edit/{world.staffs_partnership.pk}/").status_code == 404


def test_partnership_admin_without_a_team_administers_nothing(client, world):
    client.force_login(world.partnership_admin)
    html = listed(client, "/admin/structure/organisations/")
    assert "Norfolk Constabulary" not in html and "Staffordshire Police" not in html


def test_switching_a_programme_off_through_the_screen_is_audited(client, norfolk_partnership_admin, world):
    url = f"/admin/structure/organisations/programmes/{world.waveney.pk}/"
    client.force_login(norfolk_partnership_admin)
    html = listed(client, url)
    assert "Anti-Social Behaviour" in html
    keep_on = {slug: "on" for slug in ("iom", "rj", "missing_persons", "troubled_families")}
    before = AuditEvent.objects.filter(object_type="core.organisation").count()
    response = client.post(url, keep_on)
    assert response.status_code == 302
    assert ProgrammeModule.objects.get(organisation=world.waveney, programme="asb").enabled is False
    assert ProgrammeModule.objects.get(organisation=world.waveney, programme="iom").enabled is True
    events = AuditEvent.objects.filter(object_type="core.organisation", object_id=str(world.waveney.pk))
    assert events.count() == before + 1
    event = events.first()
    assert event.changes == {"programme": "asb", "enabled": False}
    assert event.actor_username == "partnership_admin"
    # The menu follows.
    client.force_login(world.waveney_officer)
    assert '"programme-asb"' not in client.get("/admin/").content.decode()
    assert client.get("/admin/programmes/asb/").status_code == 404


def test_switching_a_programme_on_through_the_screen(client, norfolk_partnership_admin, world):
    ProgrammeModule.objects.filter(organisation=world.waveney, programme="rj").delete()
    url = f"/admin/structure/organisations/programmes/{world.waveney.pk}/"
    client.force_login(norfolk_partnership_admin)
    all_on = {slug: "on" for slug in ("iom", "rj", "asb", "missing_persons", "troubled_families")}
    client.post(url, all_on)
    assert ProgrammeModule.objects.get(organisation=world.waveney, programme="rj").enabled is True
    assert AuditEvent.objects.filter(object_type="core.organisation", changes__programme="rj").count() == 1


def test_programme_module_edit_goes_through_the_service(client, norfolk_partnership_admin, world):
    module = ProgrammeModule.objects.get(organisation=world.norfolk_police, programme="iom")
    client.force_login(norfolk_partnership_admin)
    response = client.post(f"/admin/structure/programme-modules/edit/{module.pk}/", {})
    assert response.status_code == 302
    module.refresh_from_db()
    assert module.enabled is False and module.changed_by == world.partnership_admin
    assert AuditEvent.objects.filter(changes__programme="iom", changes__enabled=False).count() == 1


def test_partnership_admin_cannot_switch_programmes_outside_their_partnership(client, norfolk_partnership_admin, world):
    client.force_login(norfolk_partnership_admin)
    url = f"/admin/structure/organisations/programmes/{world.staffs_police.pk}/"
    assert client.post(url, {}).status_code == 404
    assert not ProgrammeModule.objects.filter(organisation=world.staffs_police, enabled=False).exists()
    other = ProgrammeModule.objects.get(organisation=world.staffs_police, programme="iom")
    assert client.post(f"/admin/structure/programme-modules/edit/{other.pk}/", {}).status_code == 404
    other.refresh_from_db()
    assert other.enabled is True


def test_partnership_admin_creates_an_organisation_inside_their_partnership(client, norfolk_partnership_admin, world):
    client.force_login(norfolk_partnership_admin)
    response = client.post("/admin/structure/organisations/new/", {
        "name": "Norfolk Housing Trust", "kind": "housing", "area": "Norfolk", "is_active": "on",
        "partnership": world.norfolk_partnership.pk, "agreement_reference": "ISA-42",
    })
    assert response.status_code == 302
    org = Organisation.objects.get(name="Norfolk Housing Trust")
    assert org.partnerships.get() == world.norfolk_partnership
    assert AuditEvent.objects.filter(object_type="core.organisation", object_id=str(org.pk), action="create").exists()
    # …and may not put one into a partnership they are not in.
    client.post("/admin/structure/organisations/new/", {
        "name": "Planted", "kind": "other", "is_active": "on", "partnership": world.staffs_partnership.pk,
    })
    assert not Organisation.objects.filter(name="Planted").exists()


# Policies -------------------------------------------------------------------------------------

def test_policies_refuse_unknown_actions_even_for_superusers(world):
    root = User.objects.create_superuser("root", "root@example.org", "x" * 16)
    for policy in POLICIES.values():
        assert not policy.user_has_permission(root, "publish")
        assert not policy.user_has_permission(root, "lock")
    assert POLICIES[Team].user_has_permission(root, "change")
    assert not POLICIES[Organisation].user_has_permission(root, "delete")


def test_policy_instance_checks_follow_the_scope(world):
    policy = POLICIES[Team]
    spoc = User.objects.get(pk=world.norfolk_spoc.pk)
    assert policy.user_has_permission_for_instance(spoc, "change", world.norfolk_iom)
    assert not policy.user_has_permission_for_instance(spoc, "change", world.waveney_asb)
    assert set(policy.instances_user_has_permission_for(spoc, "change")) == {world.norfolk_iom, world.norfolk_ppo}


def test_system_admin_scope_is_everything(world):
    root = User.objects.create_superuser("root", "root@example.org", "x" * 16)
    assert scope(Partnership.objects.all(), root).count() == Partnership.objects.count()
    assert scope(Team.objects.all(), world.outsider).count() == 0


def test_deleting_a_team_that_owns_records_is_refused_clearly_and_deletes_nothing(client, world):
    from core import roles, services
    from tests.factories import UserFactory

    admin = UserFactory(username="sysadmin", role=roles.SYSTEM_ADMIN)
    member(admin, world.norfolk_ppo)
    services.create_profile(by=world.norfolk_officer, owner_team=world.norfolk_iom, first_name="A", last_name="B")
    client.force_login(admin)
    events = AuditEvent.objects.count()
    response = client.post(f"/admin/structure/teams/delete/{world.norfolk_iom.pk}/")
    assert response.status_code == 409
    assert "cannot be deleted: it still has 1 profile" in response.content.decode()
    assert Team.objects.filter(pk=world.norfolk_iom.pk).exists()
    assert AuditEvent.objects.count() == events  # the DELETE event was rolled back with it


@pytest.mark.parametrize("view", ["history", "usage"])
def test_structure_history_and_usage_pages_open_within_scope(client, world, view):
    client.force_login(world.norfolk_spoc)
    assert client.get(f"/admin/structure/teams/{view}/{world.norfolk_iom.pk}/").status_code == 200
    assert client.get(f"/admin/structure/teams/{view}/{world.staffs_iom.pk}/").status_code == 404
