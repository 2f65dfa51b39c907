"""The Troubled Families plugin's families list import (wraparound_import_resources
hook): a generated messy list, re-import without duplicates, undo, discretion."""

from __future__ import annotations

from datetime import date

import pytest

from core import services
from core.imports import jobs, pipeline
from core.models import Case, CaseParticipant, Household, HouseholdMember, ImportJob, Profile
from tests.core.imports.sheets import csv_bytes, ods_bytes
from tests.factories import make_world

pytestmark = pytest.mark.django_db

HEADINGS = ["Family", "Forename", "Surname", "DOB", "Relationship", "Address", "Post Code", "Crime/ASB", "School",
            "DV", "Out of work"]

ROWS = [
    ["The Pakefield family", "Donna", "PAKEFIELD", "14/02/1988", "Mum", "3 Lowestoft Rd", "nr32 1aa", "Y", "Y", "Y", ""],
    ["The Pakefield family", "tyler", "Pakefield", "02-Jun-09", "son", "", "", "", "", "", ""],
    ["The Pakefield  family", "Amber", "Pakefield", "10 October 2015", "daughter", "", "", "", "", "", ""],
    ["The Oulton family", "Sam", "Oulton", "01/01/1980", "Dad", "7 Marsh Lane", "NR33 9ZZ", "no", "no", "no", "yes"],
    # an unknown choice, a bad date, a duplicate member, criteria that contradict row 2, a hidden match
    ["The Oulton family", "Lee", "Oulton", "01/01/2012", "cousin", "", "", "", "", "", ""],
    ["The Oulton family", "Kai", "Oulton", "32/01/2013", "child", "", "", "", "", "", ""],
    ["The Pakefield family", "Donna", "Pakefield", "14/02/1988", "parent", "", "", "", "", "", ""],
    ["The Pakefield family", "Ryan", "Pakefield", "01/01/2010", "child", "", "", "no", "", "", ""],
    ["The Secret family", "Hidden", "Person", "01/01/1980", "parent", "", "", "", "", "", ""],
]


def run(world, content, filename="families.csv", mode=ImportJob.Mode.VALID_ROWS, dry_run=False):
    job = jobs.create_job(by=world.norfolk_spoc, resource="families_list", filename=filename, content=content,
                          owner_team=world.norfolk_ppo)
    jobs.set_mapping(job, mapping=job.mapping, constants={}, mode=mode)
    return jobs.start(job, dry_run=dry_run)


def state():
    return (sorted(Profile.objects.values_list("pk", "first_name", "last_name", "date_of_birth")),
            sorted(Household.objects.values_list("pk", "name")),
            sorted(HouseholdMember.objects.values_list("household_id", "profile_id", "role")),
            sorted(Case.objects.values_list("pk", "title", "summary")),
            sorted(CaseParticipant.objects.values_list("case_id", "profile_id", "role")))


def test_families_list_makes_households_and_cases_once_and_undoes():
    world = make_world()
    services.create_profile(by=world.staffs_officer, owner_team=world.staffs_iom, first_name="Hidden",
                            last_name="Person", date_of_birth=date(1980, 1, 1), notes="secret")
    before = state()
    dry = run(world, csv_bytes(ROWS, headings=HEADINGS), dry_run=True)
    assert state() == before
    assert dry.counts == {"create": 4, "update": 0, "skip": 0, "error": 5}
    errors = {(e["row"], e["column"]): e["reason"] for e in dry.errors}
    assert "is not one of" in errors[(6, "E (Relationship)")]
    assert "not a real date" in errors[(7, "D (DOB)")]
    assert errors[(8, "C (Surname)")] == "The same person as row 2: merge the two rows."
    assert errors[(9, "H (Crime/ASB)")].startswith("Row 2 gives the crime or anti-social behaviour")
    assert errors[(10, "")].startswith("Matches an existing record you may not change")
    assert "secret" not in str(dry.errors) and "Staffordshire" not in str(dry.errors)

    job = run(world, csv_bytes(ROWS, headings=HEADINGS))
    assert job.counts["create"] == 4
    pakefield = Household.objects.get(name="The Pakefield family", owner_team=world.norfolk_ppo)
    assert sorted(pakefield.memberships.values_list("profile__first_name", "role")) == [
        ("Amber", "child"), ("Donna", "parent"), ("Tyler", "child")]
    case = Case.objects.get(programme="troubled_families", title="The Pakefield family")
    assert case.summary == ("Headline criteria: Crime or anti-social behaviour; School attendance or exclusion; "
                            "Domestic abuse.")
    assert case.participants.count() == 3
    donna = Profile.objects.get(first_name="Donna")
    assert donna.addresses.get().postcode == "NR32 1AA" and donna.owner_team == world.norfolk_ppo
    tyler = Profile.objects.get(first_name="Tyler")
    assert tyler.addresses.get().line1 == "3 Lowestoft Rd"  # the family's address, from its first row
    assert Case.objects.get(title="The Oulton family").summary == "Headline criteria: Worklessness or financial exclusion."

    # Re-import (as ODS): nothing new.
    after = state()
    again = run(world, ods_bytes(ROWS[:4], headings=HEADINGS), filename="families.ods")
    assert again.counts == {"create": 0, "update": 0, "skip": 4, "error": 0}
    assert state() == after

    # A corrected list adds the member who was in error, to the same household and case.
    fixed = run(world, csv_bytes([ROWS[3], ["The Oulton family", "Lee", "Oulton", "01/01/2012", "child"]],
                                 headings=HEADINGS[:5]), filename="fixed.csv")
    assert fixed.counts == {"create": 1, "update": 0, "skip": 1, "error": 0}
    oulton = Household.objects.get(name="The Oulton family")
    assert oulton.memberships.count() == 2 and Case.objects.get(title="The Oulton family").participants.count() == 2

    # The first import cannot be undone while the later one added to its household…
    with pytest.raises(pipeline.UndoRefused) as refused:
        pipeline.undo(job, by=world.norfolk_spoc)
    assert any("The Oulton family" in b and "changed after the import" in b for b in refused.value.blockers)
    # …undo the later one first, then the first: back to before.
    pipeline.undo(fixed, by=world.norfolk_spoc)
    assert oulton.memberships.count() == 1
    pipeline.undo(job, by=world.norfolk_spoc)
    assert state() == before


def test_history_links_each_record_to_its_own_kind_of_page(client):
    """The import's page lists households, cases and profiles; a case links to the case
    page (not to the profile page with a case's id), a household to nothing."""
    from django.urls import reverse

    world = make_world()
    job = run(world, csv_bytes(ROWS[:1], headings=HEADINGS))
    case = Case.objects.get(title="The Pakefield family")
    donna = Profile.objects.get(first_name="Donna")
    client.force_login(world.norfolk_spoc)
    page = client.get(reverse("wraparound_imports:detail", args=[job.pk])).content.decode()
    case_url = reverse("wraparound_cases:detail", args=[case.pk])
    assert f'<a href="{case_url}">{case.reference} The Pakefield family</a>' in page
    donna_url = reverse("wraparound_profiles:detail", args=[donna.pk])
    assert f'<a href="{donna_url}">Donna Pakefield</a>' in page
    assert "<td>The Pakefield family</td>" in page  # the household: no link
    client.force_login(world.outsider)
    assert client.get(reverse("wraparound_imports:detail", args=[job.pk])).status_code == 404
