"""The import screens: the whole flow through the admin, and who sees what."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import ImportJob, Profile

from .sheets import GOOD_ROWS, csv_bytes

pytestmark = pytest.mark.django_db


def u(name, *args):
    return reverse(f"wraparound_imports:{name}", args=args)


def upload(client, world, rows=GOOD_ROWS):
    response = client.post(u("add"), {
        "resource": "profiles", "owner_team": world.norfolk_ppo.pk,
        "file": SimpleUploadedFile("cohort.csv", csv_bytes(rows), content_type="text/csv"),
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("id")


def map_post(job, **extra):
    data = {f"col_{i}": job.mapping.get(h, "") for i, h in enumerate(job.headers)}
    data |= {"mode": "all_or_nothing", "header_row": job.header_row, "save_as": ""}
    return data | extra


def test_upload_map_dry_run_commit_and_undo(client, world):
    client.force_login(world.norfolk_spoc)
    bad = [*GOOD_ROWS, ["Wrong", "Date", "31/02/1990", "", "", "", "", "", "", ""]]
    job = upload(client, world, bad)
    page = client.get(u("map", job.pk))
    assert page.status_code == 200
    assert "Column “D.O.B.”" in page.content.decode()
    response = client.post(u("map", job.pk), map_post(job))
    assert response.status_code == 302
    detail = client.get(u("detail", job.pk)).content.decode()
    assert "31/02/1990" in detail and "C (D.O.B.)" in detail
    assert not Profile.objects.exists()
    client.post(u("commit", job.pk))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and not Profile.objects.exists()

    job = upload(client, world, GOOD_ROWS)
    client.post(u("map", job.pk), map_post(job))
    client.post(u("commit", job.pk))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMMITTED
    assert Profile.objects.count() == 4
    history = client.get(u("index")).content.decode()
    assert "cohort.csv" in history and "Imported" in history
    assert "John Smith" in client.get(u("detail", job.pk)).content.decode()
    assert "cannot be undone" not in client.get(u("undo", job.pk)).content.decode()
    client.post(u("undo", job.pk))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UNDONE and not Profile.objects.exists()


def test_outsider_gets_404_on_every_screen_of_another_organisations_import(client, world):
    client.force_login(world.norfolk_spoc)
    job = upload(client, world)
    client.post(u("map", job.pk), map_post(job))
    for user in (world.outsider, world.staffs_officer, world.partnership_admin):
        client.force_login(user)
        for name in ("detail", "map", "undo"):
            assert client.get(u(name, job.pk)).status_code == 404, (user, name)
        assert client.post(u("commit", job.pk)).status_code == 404
        assert "cohort.csv" not in client.get(u("index")).content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED


def test_practitioner_may_not_upload(client, world):
    client.force_login(world.norfolk_ppo_officer)
    assert client.get(u("add")).status_code == 403
    assert client.get(u("index")).status_code == 403


def test_history_query_count_does_not_grow_with_imports(client, world):
    client.force_login(world.norfolk_spoc)
    upload(client, world)
    with CaptureQueriesContext(connection) as few:
        client.get(u("index"))
    for _ in range(5):
        upload(client, world)
    with CaptureQueriesContext(connection) as many:
        client.get(u("index"))
    assert len(many) == len(few) < 30


def test_not_a_spreadsheet_is_refused_on_the_upload_form(client, world):
    client.force_login(world.norfolk_spoc)
    response = client.post(u("add"), {
        "resource": "profiles", "owner_team": world.norfolk_ppo.pk,
        "file": SimpleUploadedFile("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00" + bytes(range(200))),
    })
    assert response.status_code == 200
    assert "not a spreadsheet" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_demo_sample_sheet_downloads_and_dry_runs_with_its_mess_reported(client, world):
    from core.admin.imports import SAMPLE

    client.force_login(world.norfolk_spoc)
    response = client.get(u("sample"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == SAMPLE.read_bytes()
    from core.imports import jobs

    job = jobs.create_job(by=world.norfolk_spoc, resource="profiles", filename=SAMPLE.name,
                          content=SAMPLE.read_bytes(), owner_team=world.norfolk_ppo)
    assert job.header_row == 3
    jobs.set_mapping(job, mapping=job.mapping, constants={}, mode="valid_rows")
    job = jobs.start(job, dry_run=True)
    assert job.counts == {"create": 5, "update": 0, "skip": 0, "error": 6}
    assert {e["row"] for e in job.errors} == {8, 9, 10, 11, 12, 13}
    assert not Profile.objects.exists()


def test_running_import_page_shows_progress_and_refreshes_itself(client, world):
    client.force_login(world.norfolk_spoc)
    job = upload(client, world)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, total_rows=1000, processed_rows=500)
    page = client.get(u("detail", job.pk)).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert '<progress max="100" value="50">' in page and "500 of 1000 rows" in page
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.PREVIEWED)
    assert "http-equiv" not in client.get(u("detail", job.pk)).content.decode()


def test_undo_screen_names_what_blocks_it(client, world):
    from core import services

    client.force_login(world.norfolk_spoc)
    job = upload(client, world)
    client.post(u("map", job.pk), map_post(job))
    client.post(u("commit", job.pk))
    services.update_profile(Profile.objects.get(last_name="Smith"), by=world.norfolk_ppo_officer,
                            changes={"phone": "01603 000000"})
    response = client.post(u("undo", job.pk))
    assert response.status_code == 200
    assert "‘John Smith’ (row 2) was changed after the import" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMMITTED and Profile.objects.count() == 4
