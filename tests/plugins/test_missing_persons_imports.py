"""The Missing Persons plugin's episode register import (wraparound_import_resources hook):
a generated messy register, re-import without duplicates, undo, discretion."""

from __future__ import annotations

from datetime import date

import pytest

from core import services
from core.imports import jobs, pipeline
from core.models import Activity, AuditEvent, Case, ImportJob, Profile
from tests.core.imports.sheets import csv_bytes, xlsx_bytes
from tests.factories import make_world

pytestmark = pytest.mark.django_db

HEADINGS = ["Surname", "Forename", "DOB", "Sex", "Date/Time Missing", "Date/Time Found", "Where found",
            "Risk", "RHI done?"]

ROWS = [
    ["HANGLETON", " chloe ", "03/05/2011", "F", "12/03/2024 22:00", "13/03/2024 01:40", "Churchill Square", "High", "Y"],
    ["Hangleton", "Chloe", "03-May-11", "girl", "02-Apr-24 19.30", "03/04/2024 08:00", "Moulsecoomb", "medium", "no"],
    ["Dale", "Kim", "12/03/1990", "", "20/04/2024", "", "", "Low", ""],
    # bad dates, an unknown choice, a found-before-missing row, a duplicate episode, a hidden match
    ["Bloggs", "Joe", "31/02/2010", "M", "01/03/2024 10:00", "", "", "", ""],
    ["Bloggs", "Jo", "01/01/2010", "M", "yesterday", "", "", "", ""],
    ["Bloggs", "Jay", "01/01/2010", "M", "01/03/2024 10:00", "", "", "Extreme", "maybe"],
    ["Bloggs", "Jim", "01/01/2010", "M", "05/03/2024 10:00", "04/03/2024 09:00", "", "", ""],
    ["hangleton", "CHLOE", "03/05/2011", "F", "12/03/2024 22:00", "", "", "", ""],
    ["Person", "Hidden", "01/01/1980", "", "01/02/2024 12:00", "", "", "", ""],
]


def run(world, content, filename="register.csv", mode=ImportJob.Mode.VALID_ROWS, dry_run=False):
    job = jobs.create_job(by=world.norfolk_spoc, resource="missing_episode_register", filename=filename, content=content,
                          owner_team=world.norfolk_ppo)
    jobs.set_mapping(job, mapping=job.mapping, constants={}, mode=mode)
    return jobs.start(job, dry_run=dry_run)


def state():
    return (sorted(Profile.objects.values_list("pk", "first_name", "last_name", "date_of_birth")),
            sorted(Case.objects.values_list("pk", "title", "opened_on")),
            sorted(Activity.objects.values_list("pk", "case_id", "kind", "occurred_at", "summary")))


def test_register_creates_people_cases_and_episodes_once_and_undoes():
    world = make_world()
    kim = services.create_profile(by=world.norfolk_spoc, owner_team=world.norfolk_ppo, first_name="Kim",
                                  last_name="Dale", date_of_birth=date(1990, 3, 12))
    services.create_profile(by=world.staffs_officer, owner_team=world.staffs_iom, first_name="Hidden",
                            last_name="Person", date_of_birth=date(1980, 1, 1), notes="secret")
    job = jobs.create_job(by=world.norfolk_spoc, resource="missing_episode_register", filename="r.csv",
                          content=csv_bytes(ROWS, headings=HEADINGS), owner_team=world.norfolk_ppo)
    assert job.mapping == {"Surname": "last_name", "Forename": "first_name", "DOB": "date_of_birth", "Sex": "gender",
                           "Date/Time Missing": "missing_at", "Date/Time Found": "found_at",
                           "Where found": "found_location", "Risk": "risk_grading", "RHI done?": "rhi_done"}
    before = state()
    dry = run(world, csv_bytes(ROWS, headings=HEADINGS), dry_run=True)
    assert state() == before  # a dry run writes nothing
    assert dry.counts == {"create": 3, "update": 0, "skip": 0, "error": 6}
    errors = {(e["row"], e["column"]): e["reason"] for e in dry.errors}
    assert "not a real date" in errors[(5, "C (DOB)")]
    assert "not a date" in errors[(6, "E (Date/Time Missing)")]
    assert "is not one of" in errors[(7, "H (Risk)")] and "not yes or no" in errors[(7, "I (RHI done?)")]
    assert "before going missing" in errors[(8, "F (Date/Time Found)")]
    assert errors[(9, "E (Date/Time Missing)")] == "The same episode as row 2: merge the two rows."
    assert errors[(10, "")].startswith("Matches an existing record you may not change")
    assert "secret" not in str(dry.errors) and "Staffordshire" not in str(dry.errors)

    # All or nothing: errors, so nothing is written.
    failed = run(world, csv_bytes(ROWS, headings=HEADINGS), mode=ImportJob.Mode.ALL_OR_NOTHING)
    assert failed.status == ImportJob.Status.FAILED and state() == before

    job = run(world, csv_bytes(ROWS, headings=HEADINGS))
    assert job.status == ImportJob.Status.COMMITTED and job.counts["create"] == 3
    chloe = Profile.objects.get(first_name="Chloe", last_name="Hangleton")
    assert chloe.date_of_birth == date(2011, 5, 3) and chloe.gender == "female" and chloe.owner_team == world.norfolk_ppo
    case = Case.objects.get(programme="missing_persons", participants__profile=chloe)
    assert case.case_type == "repeat_missing" and case.opened_on == date(2024, 3, 12)
    entries = list(case.activities.order_by("occurred_at").values_list("kind", "summary"))
    assert [k for k, _ in entries] == ["contact", "visit", "contact"]
    assert "found 13/03/2024 01:40 at Churchill Square; risk: High; return-home interview done" in entries[0][1]
    assert "return-home interview not done" in entries[2][1]
    kim_case = Case.objects.get(programme="missing_persons", participants__profile=kim)
    assert "20/04/2024 (time not recorded)" in kim_case.activities.get().summary
    events = AuditEvent.objects.filter(object_type="core.activity", channel="import", actor_id=world.norfolk_spoc.pk)
    assert events.count() == 4
    assert job.records.filter(object_type="core.profile").count() == 1  # Kim existed already

    # Re-import: nothing new, Chloe still one profile with one case.
    after = state()
    again = run(world, xlsx_bytes(ROWS[:3], headings=HEADINGS), filename="register.xlsx")
    assert again.counts == {"create": 0, "update": 0, "skip": 3, "error": 0}
    assert state() == after

    pipeline.undo(job, by=world.norfolk_spoc)
    assert state() == before


def test_undo_is_refused_once_the_case_has_newer_entries():
    world = make_world()
    job = run(world, csv_bytes(ROWS[:1], headings=HEADINGS))
    case = Case.objects.get(programme="missing_persons")
    services.add_activity(by=world.norfolk_spoc, case=case, summary="Strategy meeting", kind="meeting")
    with pytest.raises(pipeline.UndoRefused) as refused:
        pipeline.undo(job, by=world.norfolk_spoc)
    assert any("log entries recorded after the import" in b for b in refused.value.blockers)
    assert Case.objects.filter(pk=case.pk).exists()
