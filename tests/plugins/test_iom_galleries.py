"""IOM's galleries through ``wraparound_galleries``: synced once into ``Gallery`` rows,
the cohort (filterable by category, tier and risk) and the people due for release,
with core's audience, card and audit rules; hidden when IOM is off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from core import services
from core.models import AuditEvent, Gallery
from core.services.galleries import galleries_for, gallery_profiles, sync_galleries
from plugins.iom import services as iom
from tests.factories import ProfileFactory

from .iom_helpers import cohort_case, days_ago, fresh, switch_iom, today

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    client.force_login(user)
    return client


def adopt(world, case, **kw):
    data = {"category": "ppo", "tier": 1, "risk_level": "high", "adopted_on": days_ago(100)}
    data.update(kw)
    return iom.record_membership(case, by=world.staffs_officer, **data)


def second_member(world, name="Kyle", category="fixed", tier=3, risk="medium"):
    profile = ProfileFactory(owner_team=world.staffs_iom, first_name=name, last_name="Member")
    case = services.open_case(by=world.staffs_officer, owner_team=world.staffs_iom, programme="iom",
                              case_type="cohort", title=f"IOM: {name}", participants=[(profile, "subject")])
    adopt(world, case, category=category, tier=tier, risk_level=risk)
    return profile, case


@pytest.fixture
def cohort(world):
    Gallery.objects.filter(slug__startswith="iom-").delete()
    sync_galleries()
    gallery = Gallery.objects.get(slug="iom-cohort")
    gallery.audience_partnerships.add(world.staffs_partnership)
    return gallery


def test_sync_creates_each_plugin_gallery_once_and_leaves_admin_edits(world):
    Gallery.objects.filter(slug__startswith="iom-").delete()
    made = sync_galleries()
    assert {g.slug for g in made} == {"iom-cohort", "iom-due-for-release"}
    gallery = Gallery.objects.get(slug="iom-cohort")
    assert gallery.kind == Gallery.Kind.FILTER and gallery.programme == "iom"
    assert not gallery.audience_partnerships.exists() and not gallery.audience_teams.exists()
    gallery.name = "Our PPO cohort"
    gallery.save()
    assert sync_galleries() == []
    assert Gallery.objects.get(slug="iom-cohort").name == "Our PPO cohort"
    assert Gallery.objects.filter(slug__startswith="iom-").count() == 2


def test_a_new_plugin_gallery_has_no_audience_so_nobody_sees_it(world):
    Gallery.objects.filter(slug__startswith="iom-").delete()
    sync_galleries()
    assert not galleries_for(world.staffs_officer).filter(slug__startswith="iom-").exists()


def test_cohort_gallery_lists_active_members_only(world, cohort):
    member, case = cohort_case(world)
    adopt(world, case)
    exited, exited_case = second_member(world, name="Exited")
    membership = exited_case.iom_membership
    iom.update_membership(membership, by=world.staffs_officer,
                          changes={"exited_on": today(), "exit_reason": "desisted"})
    ProfileFactory(owner_team=world.staffs_iom, first_name="Not", last_name="Cohort")
    assert list(gallery_profiles(cohort).values_list("pk", flat=True)) == [member.pk]


def test_cohort_gallery_keeps_to_the_audience_organisations(world, cohort):
    other = ProfileFactory(owner_team=world.norfolk_iom, first_name="Norfolk", last_name="Member")
    case = services.open_case(by=world.norfolk_officer, owner_team=world.norfolk_iom, programme="iom",
                              case_type="cohort", title="IOM: Norfolk", participants=[(other, "subject")])
    iom.record_membership(case, by=world.norfolk_officer, category="ppo", tier=1, adopted_on=days_ago(5))
    assert not gallery_profiles(cohort).filter(pk=other.pk).exists()


def test_cohort_grid_filters_by_category_tier_and_risk_and_audits_the_cards(world, cohort):
    ppo, case = cohort_case(world)
    adopt(world, case)
    fixed, _ = second_member(world)
    client = login(world.staffs_officer)
    url = reverse("wraparound_galleries:grid", args=[cohort.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"Liam Hadley" in page.content and b"Kyle Member" in page.content
    assert b'data-testid="gallery-facets"' in page.content
    for query, shown, hidden in (
        ({"category": "ppo"}, b"Liam Hadley", b"Kyle Member"),
        ({"tier": "3"}, b"Kyle Member", b"Liam Hadley"),
        ({"risk": "high"}, b"Liam Hadley", b"Kyle Member"),
    ):
        page = client.get(url, query)
        assert shown in page.content and hidden not in page.content, query
    # An unknown value is ignored, not an error.
    assert b"Kyle Member" in client.get(url, {"category": "nonsense"}).content
    last = AuditEvent.objects.filter(object_type="core.gallery", object_id=str(cohort.pk), action="view").last()
    assert set(last.changes["cards"]) == {ppo.pk, fixed.pk}  # the last page: the ignored filter showed both


def test_due_for_release_lists_unreleased_custody_ending_within_28_days(world):
    Gallery.objects.filter(slug__startswith="iom-").delete()
    sync_galleries()
    gallery = Gallery.objects.get(slug="iom-due-for-release")
    gallery.audience_teams.add(world.staffs_iom)
    soon, case = cohort_case(world)
    iom.record_custody(soon, by=world.staffs_officer, case=case, establishment="HMP Stafford",
                       received_on=days_ago(300), expected_release_on=today() + timedelta(days=28))
    later = ProfileFactory(owner_team=world.staffs_iom, first_name="Later", last_name="Release")
    iom.record_custody(later, by=world.staffs_officer, establishment="HMP Stafford", received_on=days_ago(30),
                       expected_release_on=today() + timedelta(days=29))
    released = ProfileFactory(owner_team=world.staffs_iom, first_name="Already", last_name="Out")
    period = iom.record_custody(released, by=world.staffs_officer, establishment="HMP Stafford",
                                received_on=days_ago(30), expected_release_on=today() + timedelta(days=3))
    iom.record_release(period, by=world.staffs_officer, released_on=today(), release_type="licence")
    assert list(gallery_profiles(gallery).values_list("pk", flat=True)) == [soon.pk]
    page = login(world.staffs_officer).get(reverse("wraparound_galleries:grid", args=[gallery.pk]))
    assert b"Liam Hadley" in page.content and b"Later" not in page.content


def test_outside_the_audience_the_cohort_gallery_answers_404(world, cohort):
    _, case = cohort_case(world)
    adopt(world, case)
    client = login(world.outsider)
    assert client.get(reverse("wraparound_galleries:grid", args=[cohort.pk])).status_code == 404
    assert b"IOM cohort" not in client.get(reverse("wraparound_galleries:index")).content


def test_iom_disabled_hides_its_galleries_and_keeps_them(world, cohort):
    _, case = cohort_case(world)
    adopt(world, case)
    switch_iom(world.staffs_police, False)
    user = fresh(world.staffs_officer)
    assert not galleries_for(user).filter(pk=cohort.pk).exists()
    assert login(user).get(reverse("wraparound_galleries:grid", args=[cohort.pk])).status_code == 404
    assert Gallery.objects.filter(pk=cohort.pk).exists()
    switch_iom(world.staffs_police, True)
    assert login(fresh(world.staffs_officer)).get(
        reverse("wraparound_galleries:grid", args=[cohort.pk])).status_code == 200


def test_admins_edit_a_plugin_gallery_but_not_its_slug(world):
    from core.admin.galleries import GalleryForm

    Gallery.objects.filter(slug__startswith="iom-").delete()
    sync_galleries()
    gallery = Gallery.objects.get(slug="iom-due-for-release")
    form_class = type("Form", (GalleryForm,), {"Meta": type("Meta", (), {
        "model": Gallery, "fields": ["name", "slug", "description", "kind", "programme", "is_active",
                                     "audience_partnerships", "audience_teams", "person_roles", "risk_levels",
                                     "warning_markers", "open_case_programme"]})})
    form = form_class(instance=gallery, data={
        "name": "Release soon", "slug": "something-else", "kind": "filter", "programme": "iom", "is_active": "on",
        "audience_teams": [world.staffs_iom.pk]})
    assert form.fields["slug"].disabled
    assert form.is_valid(), form.errors  # no core criterion needed: the plugin's filter is the criterion
    saved = form.save()
    assert (saved.slug, saved.name) == ("iom-due-for-release", "Release soon")
