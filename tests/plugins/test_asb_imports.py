"""The ASB plugin's case-log import, added through the wraparound_import_resources hook."""

from __future__ import annotations

from datetime import date

import pytest

from core import services
from core.imports import jobs, pipeline
from core.models import Case, ImportJob
from tests.core.imports.sheets import csv_bytes
from tests.factories import make_world

pytestmark = pytest.mark.django_db

HEADINGS = ["Date reported", "Incident", "Type", "Stage", "PNC", "Surname", "Forename", "DOB"]


def test_case_log_opens_cases_on_visible_subjects_once_and_undoes(tmp_path):
    world = make_world()
    services.create_profile(by=world.norfolk_spoc, owner_team=world.norfolk_ppo, first_name="Kim", last_name="Dale",
                            date_of_birth=date(1990, 3, 12), identifiers=[("pnc", "2004/0123456X")])
    services.create_profile(by=world.staffs_officer, owner_team=world.staffs_iom, first_name="Hidden",
                            last_name="Person", date_of_birth=date(1980, 1, 1))
    rows = [
        ["12/03/2024", "Noise from flat 3", "ASB", "Warning issued", "2004/0123456X", "", "", ""],
        ["14-Mar-24", "Graffiti on garages", "", "", "", "dale", "KIM", "12/03/1990"],
        ["15/03/2024", "Shouting", "Neighbour dispute", "Civil injunction / order", "2004/0123456X", "", "", ""],
        ["16/03/2024", "Unknown", "", "", "", "Person", "Hidden", "01/01/1980"],
    ]
    content = csv_bytes(rows, headings=HEADINGS)

    def run():
        job = jobs.create_job(by=world.norfolk_spoc, resource="asb_case_log", filename="asb.csv", content=content,
                              owner_team=world.norfolk_ppo)
        jobs.set_mapping(job, mapping=job.mapping, constants={}, mode=ImportJob.Mode.VALID_ROWS)
        return jobs.start(job, dry_run=False)

    job = run()
    assert job.counts == {"create": 2, "update": 0, "skip": 0, "error": 2}
    assert [e["row"] for e in job.errors] == [4, 5]
    assert "no stage" in job.errors[0]["reason"]
    assert "No profile you can see" in job.errors[1]["reason"] and "Hidden" not in job.errors[1]["reason"]
    cases = Case.objects.filter(programme="asb")
    assert set(cases.values_list("title", "stage")) == {("Noise from flat 3", "warning"),
                                                        ("Graffiti on garages", "reported")}
    again = run()
    assert again.counts["create"] == 0 and again.counts["skip"] == 2
    assert cases.count() == 2
    pipeline.undo(job, by=world.norfolk_spoc)
    assert not Case.objects.filter(programme="asb").exists()
