"""IOM's cohort sheet import through ``wraparound_import_resources``: a generated messy
sheet (bad dates, an unknown category, duplicate rows, yes/no variants), dry run,
re-import, undo, and the resource hidden where IOM is off."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from core import services
from core.imports import jobs, pipeline
from core.imports.registry import resource_choices
from core.models import Activity, AuditEvent, Case, ImportJob, Profile
from plugins.iom.models import CohortMembership, CustodyPeriod, PathwayNeed
from tests.core.imports.sheets import csv_bytes

from .iom_helpers import fresh, switch_iom, today

pytestmark = pytest.mark.django_db

HEADINGS = ["Surname ", "Forename", "D.O.B.", "PNC No", "Cohort", "Tier", "OM", "Prison", "Date received",
            "ERD", "Accommodation", "ETE", "Drugs & alcohol", "Finance"]


def uk(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def sheet(world):
    received, release = today() - timedelta(days=200), today() + timedelta(days=20)
    return csv_bytes([
        ["  HADLEY ", "liam", "12/03/1990", "2004/0123456X", "PPO", "1", "norfolk_officer", "HMP Norwich",
         uk(received), uk(release), "Y", "no", "yes", ""],
        ["Riley", "Dean", "12-Mar-85", "2010/0456789B", "fixed cohort", "T2", "", "", "", "", "N", "TRUE", "", "x"],
        ["Smith", "John", "31/02/1990", "", "Flex", "3", "", "", "", "", "", "", "", ""],           # bad date
        ["Jones", "Amy", "01/01/1980", "", "gangs", "2", "", "", "", "", "", "", "", ""],         # unknown category
        ["Hadley", "Liam", "12/03/1990", "2004/0123456X", "PPO", "1", "", "", "", "", "", "", "", ""],  # duplicate
        ["Moss", "Kai", "02/02/1992", "", "Free", "2", "", "", "", "", "maybe", "", "", ""],     # not yes or no
        ["Ward", "Eve", "03/03/1993", "", "Flex", "2", "Nobody Here", "", "", "", "", "", "", ""],  # unknown OM
        ["Lee", "Bo", "04/04/1994", "", "Flex", "2", "", "HMP Leeds", uk(today() - timedelta(days=5)),
         uk(today() - timedelta(days=50)), "", "", "", ""],                                     # release before reception
    ], headings=HEADINGS)


def run(world, content, *, dry_run=False):
    job = jobs.create_job(by=world.norfolk_spoc, resource="iom_cohort", filename="cohort.csv", content=content,
                          owner_team=world.norfolk_ppo)
    jobs.set_mapping(job, mapping=job.mapping, constants={}, mode=ImportJob.Mode.VALID_ROWS)
    return jobs.start(job, dry_run=dry_run, background=False)


def counts():
    return (Profile.objects.count(), Case.objects.filter(programme="iom").count(), CohortMembership.objects.count(),
            CustodyPeriod.objects.count(), PathwayNeed.objects.count(), Activity.objects.count())


def test_headings_are_mapped_to_the_iom_fields(world):
    job = jobs.create_job(by=world.norfolk_spoc, resource="iom_cohort", filename="cohort.csv",
                          content=sheet(world), owner_team=world.norfolk_ppo)
    assert {job.mapping[h] for h in ("Cohort", "Tier", "OM", "Prison", "Date received", "ERD", "Accommodation",
                                     "ETE", "Drugs & alcohol", "Finance", "PNC No")} == {
        "iom_category", "iom_tier", "offender_manager", "establishment", "received_on", "expected_release_on",
        "pathway:accommodation", "pathway:education_training_employment", "pathway:drugs_alcohol",
        "pathway:finance_debt", "identifier:pnc"}


def test_dry_run_writes_nothing_and_reports_each_bad_cell(world):
    before = counts()
    job = run(world, sheet(world), dry_run=True)
    assert counts() == before
    assert job.counts == {"create": 2, "update": 0, "skip": 0, "error": 6}
    reasons = {e["row"]: e["reason"] for e in job.errors}
    columns = {e["row"]: e["column"] for e in job.errors}
    assert "not a real date" in reasons[4] and columns[4] == "C (D.O.B.)"
    assert "gangs" in reasons[5] and columns[5] == "E (Cohort)"
    assert "same person as row 2" in reasons[6]
    assert "maybe" in reasons[7] and columns[7] == "K (Accommodation)"
    assert "Nobody Here" in reasons[8] and columns[8] == "G (OM)"
    assert "before the date received" in reasons[9] and columns[9] == "J (ERD)"


def test_import_creates_people_cases_memberships_custody_and_pathways_once_and_undoes(world):
    job = run(world, sheet(world))
    assert job.counts == {"create": 2, "update": 0, "skip": 0, "error": 6}
    liam = Profile.objects.get(identifiers__value="2004/0123456X")
    assert (liam.first_name, liam.last_name, liam.owner_team) == ("Liam", "Hadley", world.norfolk_ppo)
    membership = CohortMembership.objects.get(profile=liam)
    assert (membership.category, membership.tier, membership.offender_manager) == ("ppo", 1, world.norfolk_officer)
    assert membership.case.stage == "in_custody" and membership.case.owner_team == world.norfolk_ppo
    custody = CustodyPeriod.objects.get(profile=liam)
    assert custody.establishment == "HMP Norwich" and custody.expected_release_on == today() + timedelta(days=20)
    assert set(PathwayNeed.objects.filter(case=membership.case).values_list("pathway", "status")) == {
        ("accommodation", "identified"), ("drugs_alcohol", "identified")}
    dean = CohortMembership.objects.get(profile__last_name="Riley")
    assert (dean.category, dean.tier, dean.case.stage) == ("fixed", 2, "active")
    assert set(PathwayNeed.objects.filter(case=dean.case).values_list("pathway", flat=True)) == {
        "education_training_employment", "finance_debt"}
    assert AuditEvent.objects.filter(object_type="iom.custodyperiod", action="create").count() == 1

    after = counts()
    again = run(world, sheet(world))
    assert again.counts == {"create": 0, "update": 0, "skip": 2, "error": 6}
    assert counts() == after

    pipeline.undo(job, by=world.norfolk_spoc)
    assert not Profile.objects.filter(last_name__in=["Hadley", "Riley"]).exists()
    assert not CohortMembership.objects.exists() and not CustodyPeriod.objects.exists()
    assert not PathwayNeed.objects.exists() and not Case.objects.filter(programme="iom").exists()


def test_an_existing_person_is_adopted_and_undo_keeps_them(world):
    dean = services.create_profile(by=world.norfolk_spoc, owner_team=world.norfolk_ppo, first_name="Dean",
                                   last_name="Riley", date_of_birth=date(1985, 3, 12),
                                   identifiers=[("pnc", "2010/0456789B")])
    job = run(world, sheet(world))
    assert job.counts["update"] == 1 and job.counts["create"] == 1
    assert CohortMembership.objects.get(profile=dean).category == "fixed"
    pipeline.undo(job, by=world.norfolk_spoc)
    assert Profile.objects.filter(pk=dean.pk).exists()
    assert not CohortMembership.objects.filter(profile=dean).exists()
    assert not Case.objects.filter(programme="iom").exists()


def test_undo_is_refused_once_someone_has_worked_on_the_imported_case(world):
    job = run(world, sheet(world))
    case = CohortMembership.objects.get(profile__last_name="Riley").case
    services.add_activity(by=world.norfolk_spoc, case=case, summary="First visit")
    with pytest.raises(pipeline.UndoRefused) as exc:
        pipeline.undo(job, by=world.norfolk_spoc)
    assert "log entries" in " ".join(exc.value.messages)
    assert CohortMembership.objects.count() == 2


def test_the_resource_is_hidden_and_refused_where_iom_is_off(world):
    job = run(world, sheet(world))
    assert "iom_cohort" in dict(resource_choices(fresh(world.norfolk_spoc)))
    switch_iom(world.norfolk_police, False)
    spoc = fresh(world.norfolk_spoc)
    assert "iom_cohort" not in dict(resource_choices(spoc))
    assert "profiles" in dict(resource_choices(spoc))
    with pytest.raises(ValidationError) as exc:
        jobs.create_job(by=spoc, resource="iom_cohort", filename="c.csv", content=sheet(world),
                        owner_team=world.norfolk_ppo)
    assert "resource" in exc.value.message_dict
    assert not jobs.visible_jobs(spoc).filter(pk=job.pk).exists()
    assert CohortMembership.objects.count() == 2  # kept
    switch_iom(world.norfolk_police, True)
    assert jobs.visible_jobs(fresh(world.norfolk_spoc)).filter(pk=job.pk).exists()
