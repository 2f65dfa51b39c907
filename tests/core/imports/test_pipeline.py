"""The import pipeline end to end on generated messy sheets."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from core import services
from core.imports import jobs, pipeline
from core.models import (
    Address,
    AuditAction,
    AuditEvent,
    Channel,
    Identifier,
    ImportJob,
    PersonRole,
    Profile,
    ProfileAlias,
)

from .sheets import GOOD_ROWS, csv_bytes, ods_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


def upload(world, content, filename="cohort.csv", mode=ImportJob.Mode.ALL_OR_NOTHING, **mapping_kw):
    job = jobs.create_job(by=world.norfolk_spoc, resource="profiles", filename=filename, content=content,
                          owner_team=world.norfolk_ppo)
    return jobs.set_mapping(job, mapping=job.mapping, constants=mapping_kw.pop("constants", {}), mode=mode,
                            **mapping_kw)


def profile_state():
    """Everything an import can touch, comparable before and after."""
    return {
        "profiles": sorted(Profile.objects.values_list(
            "pk", "first_name", "last_name", "date_of_birth", "gender", "risk_level", "owner_team_id")),
        "identifiers": sorted(Identifier.objects.values_list("profile_id", "kind", "value")),
        "aliases": sorted(ProfileAlias.objects.values_list("profile_id", "name")),
        "roles": sorted(PersonRole.objects.values_list("profile_id", "role")),
        "addresses": sorted(Address.objects.values_list("pk", "profile_id", "line1", "postcode", "current")),
    }


def test_headings_are_suggested_from_synonyms(world):
    job = jobs.create_job(by=world.norfolk_spoc, resource="profiles", filename="c.csv",
                          content=csv_bytes(GOOD_ROWS), owner_team=world.norfolk_ppo)
    assert job.mapping == {
        "Surname": "last_name", "Forename": "first_name", "D.O.B.": "date_of_birth", "Sex": "gender",
        "PNC No": "identifier:pnc", "Post Code": "address_postcode", "Address": "address_line1",
        "AKA": "aliases", "Roles": "person_roles", "Risk": "risk_level",
    }


def test_clean_sheet_imports_normalised_values(world):
    job = upload(world, csv_bytes(GOOD_ROWS))
    job = jobs.start(job, dry_run=False)
    assert job.status == ImportJob.Status.COMMITTED, job.errors
    assert job.counts == {"create": 4, "update": 0, "skip": 0, "error": 0}
    smith = Profile.objects.get(last_name="Smith")
    assert (smith.first_name, smith.date_of_birth, smith.gender, smith.risk_level) == (
        "John", date(1990, 3, 12), "male", "high")
    assert smith.owner_team == world.norfolk_ppo
    assert smith.identifiers.get().value == "2004/0123456X"
    assert smith.addresses.get().postcode == "NR2 1AA"
    assert list(smith.aliases.values_list("name", flat=True)) == ["Jonno"]
    mary = Profile.objects.get(first_name="Mary")
    assert mary.last_name == "O'Neil-Jones" and mary.date_of_birth == date(1985, 3, 12)
    assert set(mary.person_roles.values_list("role", flat=True)) == {"victim", "vulnerable"}
    assert Profile.objects.get(last_name="Patel").date_of_birth == date(1979, 3, 12)
    assert Profile.objects.get(last_name="Brown").date_of_birth == date(1990, 3, 12)  # Excel serial


def test_every_imported_record_is_audited_as_collection_by_import(world):
    job = jobs.start(upload(world, csv_bytes(GOOD_ROWS)), dry_run=False)
    events = AuditEvent.objects.filter(object_type="core.profile", action=AuditAction.IMPORT)
    assert events.count() == 4
    assert {(e.channel, e.category, e.actor_username, e.changes["import"]) for e in events} == {
        (Channel.IMPORT, "collection", "norfolk_spoc", job.pk)}


def test_dry_run_writes_nothing_and_reports_each_bad_cell(world):
    rows = [
        ["Smith", "John", "31/02/1990", "M", "", "", "", "", "", ""],       # row 2: no such date
        ["Jones", "Ann", "03/25/1990", "F", "", "", "", "", "", ""],        # row 3: US order
        ["Khan", "Ali", "12/03/1990", "Martian", "", "", "", "", "", ""],  # row 4: unknown choice
        ["Lee", "Bo", "12/03/1990", "M", "12345", "", "", "", "", ""],      # row 5: bad PNC
        ["Ng", "Al", "12/03/1990", "M", "", "ZZ", "1 Road", "", "", ""],    # row 6: postcode
        ["X" * 120, "Al", "12/03/1990", "M", "", "", "", "", "", ""],       # row 7: too long
        ["", "Al", "12/03/1990", "M", "", "", "", "", "", ""],              # row 8: no surname
        ["Good", "Row", "1990", "M", "", "", "", "", "", "purple"],         # row 9: year only + risk
    ]
    before = profile_state()
    job = jobs.start(upload(world, csv_bytes(rows)), dry_run=True)
    assert profile_state() == before
    assert job.status == ImportJob.Status.PREVIEWED
    got = {(e["row"], e["column"].split(" ")[0]) for e in job.errors}
    assert got == {(2, "C"), (3, "C"), (4, "D"), (5, "E"), (6, "F"), (7, "A"), (8, "A"), (9, "C"), (9, "J")}
    reasons = {(e["row"], e["column"].split(" ")[0]): e["reason"] for e in job.errors}
    assert "not a real date" in reasons[(2, "C")]
    assert "is not one of" in reasons[(4, "D")]
    assert "120 characters" in reasons[(7, "A")]
    assert "only a year" in reasons[(9, "C")]
    assert job.counts["error"] == 8


def test_all_or_nothing_writes_nothing_when_one_row_is_bad(world):
    rows = [*GOOD_ROWS, ["Bad", "Date", "99/99/1990", "", "", "", "", "", "", ""]]
    before = profile_state()
    job = jobs.start(upload(world, csv_bytes(rows)), dry_run=False)
    assert job.status == ImportJob.Status.FAILED
    assert profile_state() == before
    assert job.errors == [{"row": 6, "column": "C (D.O.B.)", "reason": "'99/99/1990' is not a real date (day/month/year)."}]


@pytest.mark.parametrize("kept", [True, False])
def test_all_or_nothing_cleans_each_cell_once_and_writes_what_it_checked(world, monkeypatch, kept):
    """The check pass keeps the cleaned cells for the write pass (a sheet longer than
    KEEP_CLEANED_ROWS is cleaned twice instead); either way the same rows are written."""
    from core.imports.profiles import ProfileResource

    if not kept:
        monkeypatch.setattr(pipeline, "KEEP_CLEANED_ROWS", 0)
    cleaned = []
    real_clean = ProfileResource.clean
    monkeypatch.setattr(ProfileResource, "clean", lambda self, raw: cleaned.append(1) or real_clean(self, raw))
    job = jobs.start(upload(world, csv_bytes(GOOD_ROWS)), dry_run=False)
    assert job.status == ImportJob.Status.COMMITTED and job.counts["create"] == len(GOOD_ROWS)
    assert len(cleaned) == len(GOOD_ROWS) * (1 if kept else 2)
    assert Profile.objects.count() == len(GOOD_ROWS) and Profile.objects.filter(last_name="Smith").exists()


def test_valid_rows_mode_writes_the_good_rows_and_lists_the_bad(world):
    rows = [*GOOD_ROWS, ["Bad", "Date", "99/99/1990", "", "", "", "", "", "", ""]]
    job = jobs.start(upload(world, csv_bytes(rows), mode=ImportJob.Mode.VALID_ROWS), dry_run=False)
    assert job.status == ImportJob.Status.COMMITTED
    assert job.counts == {"create": 4, "update": 0, "skip": 0, "error": 1}
    assert not Profile.objects.filter(last_name="Bad").exists()
    assert job.records.count() == 4


def test_reimport_updates_instead_of_duplicating(world):
    jobs.start(upload(world, csv_bytes(GOOD_ROWS)), dry_run=False)
    changed = [list(r) for r in GOOD_ROWS]
    changed[0][9] = "Very high"
    changed[2][7] = "Rav"
    job = jobs.start(upload(world, csv_bytes(changed)), dry_run=False)
    assert job.counts == {"create": 0, "update": 2, "skip": 2, "error": 0}
    assert Profile.objects.count() == 4
    assert Profile.objects.get(last_name="Smith").risk_level == "very_high"
    assert list(Profile.objects.get(last_name="Patel").aliases.values_list("name", flat=True)) == ["Rav"]


def test_duplicates_within_the_file_are_errors_naming_the_first_row(world):
    rows = [GOOD_ROWS[0], GOOD_ROWS[1], ["Smith", "Johnny", "01/01/1991", "M", "2004/0123456X", "", "", "", "", ""]]
    job = jobs.start(upload(world, csv_bytes(rows)), dry_run=True)
    assert job.errors == [{"row": 4, "column": "E (PNC No)", "reason": "The same person as row 2: merge the two rows."}]


def test_row_matching_a_profile_the_importer_cannot_see_is_reported_without_disclosure(world):
    hidden = services.create_profile(by=world.staffs_officer, owner_team=world.staffs_iom, first_name="Secret",
                                     last_name="Person", date_of_birth=date(1990, 3, 12),
                                     identifiers=[("pnc", "2004/0123456X")])
    job = jobs.start(upload(world, csv_bytes(GOOD_ROWS[:1])), dry_run=True)
    assert job.counts["error"] == 1
    text = str(job.errors) + str(job.preview)
    assert "may not change" in text
    assert "Secret" not in text and "Staffordshire" not in text and str(hidden.pk) not in text


def test_name_matches_the_importer_cannot_see_are_not_counted(world):
    """Same name and date of birth as one profile the importer owns and two of another
    organisation: the row is an error saying it matches a record they may not change —
    no count ("Matches 3 …", "Matches 1 …"), no name, team or id of the others."""
    mine = services.create_profile(by=world.norfolk_spoc, owner_team=world.norfolk_ppo, first_name="Mary",
                                   last_name="O'Neil-Jones", date_of_birth=date(1985, 3, 12))
    others = [services.create_profile(by=world.staffs_officer, owner_team=world.staffs_iom, first_name="Mary",
                                      last_name="O'Neil-Jones", date_of_birth=date(1985, 3, 12), notes=f"secret {i}")
              for i in range(2)]
    # Two profiles of another organisation only, for a second row (Patel).
    for i in range(2):
        services.create_profile(by=world.staffs_officer, owner_team=world.staffs_iom, first_name="Ravi",
                                last_name="Patel", date_of_birth=date(1979, 3, 12), notes=f"hidden {i}")
    job = jobs.start(upload(world, csv_bytes(GOOD_ROWS[1:3])), dry_run=True)
    assert job.counts == {"create": 0, "update": 0, "skip": 0, "error": 2}
    assert [e["row"] for e in job.errors] == [2, 3]
    for error in job.errors:
        assert error["reason"].startswith("Matches an existing record you may not change")
    text = str(job.errors) + str(job.preview)
    assert not any(ch.isdigit() for ch in " ".join(e["reason"] for e in job.errors))
    assert "Staffordshire" not in text and "secret" not in text and "hidden" not in text
    assert not any(str(p.pk) in " ".join(e["reason"] for e in job.errors) for p in [mine, *others])
    # Once the other organisation's records are gone, the same row is an update of the importer's own.
    Profile.objects.filter(pk__in=[p.pk for p in others]).delete()
    job = jobs.start(upload(world, csv_bytes(GOOD_ROWS[1:2])), dry_run=True)
    assert job.counts["update"] == 1 and job.errors == []


def test_identifiers_on_profiles_the_importer_cannot_see_are_not_described(world):
    """A row whose identifier sits on another organisation's profile and whose second
    identifier on one of the importer's: not "recorded on different existing profiles"
    (that tells there is another), but the one message."""
    services.create_profile(by=world.norfolk_spoc, owner_team=world.norfolk_ppo, first_name="John",
                            last_name="Smith", identifiers=[("pnc", "2004/0123456X")])
    services.create_profile(by=world.staffs_officer, owner_team=world.staffs_iom, first_name="Secret",
                            last_name="Person", identifiers=[("nhs", "9434765919")])
    headings = ["Surname", "Forename", "PNC No", "NHS number"]
    job = jobs.start(upload(world, csv_bytes([["Smith", "John", "2004/0123456X", "9434765919"]], headings=headings)),
                     dry_run=True)
    assert len(job.errors) == 1
    assert job.errors[0]["reason"].startswith("Matches an existing record you may not change")
    assert "different existing profiles" not in str(job.errors)


def test_xlsx_with_title_row_blank_row_and_formula_cell(world):
    content = xlsx_bytes([*GOOD_ROWS[:2], ["Formula", "Fred", "01/01/1980", "M", "", "", "", "", "", ""]],
                         formula_at=(6, 1))
    job = upload(world, content, filename="cohort.xlsx")
    assert job.header_row == 3
    job = jobs.start(job, dry_run=True)
    assert job.errors == [{"row": 6, "column": "A (Surname)",
                           "reason": "holds a formula (=A1&B1); save the sheet with values instead of formulas."}]
    assert job.counts["create"] == 2


def test_ods_sheet(world):
    job = jobs.start(upload(world, ods_bytes(GOOD_ROWS[:3]), filename="list.ods"), dry_run=True)
    assert job.counts == {"create": 3, "update": 0, "skip": 0, "error": 0}


@pytest.mark.parametrize(("encoding", "delimiter", "bom"), [
    ("utf-8", ",", True), ("cp1252", ";", False), ("utf-16", "\t", False), ("latin-1", "|", False)])
def test_csv_encodings_and_delimiters(world, encoding, delimiter, bom):
    rows = [["Müller", "Zoë", "01/02/1970", "F", "", "", "", "", "", ""], *GOOD_ROWS[2:]]
    job = jobs.start(upload(world, csv_bytes(rows, encoding=encoding, delimiter=delimiter, bom=bom)), dry_run=False)
    assert job.counts["create"] == 3, job.errors
    assert Profile.objects.filter(last_name="Müller", first_name="Zoë").exists()


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "not a spreadsheet"),
    (b"PK\x03\x04garbage", "damaged"),
    (xlsx_bytes([], headings=[], title=None), "empty"),
    (csv_bytes([]), "no rows"),
])
def test_files_that_cannot_be_imported_are_refused_with_a_reason(world, content, reason):
    with pytest.raises(ValidationError) as exc:
        jobs.create_job(by=world.norfolk_spoc, resource="profiles", filename="x", content=content,
                        owner_team=world.norfolk_ppo)
    assert reason in str(exc.value).lower()


def test_constant_fills_a_missing_column(world):
    job = upload(world, csv_bytes(GOOD_ROWS[2:]), constants={"warning_markers": "Violence"})
    jobs.start(job, dry_run=False)
    assert set(Profile.objects.values_list("warning_markers__marker", flat=True)) == {"violence"}


def test_owner_team_must_be_one_of_the_importers_teams(world):
    with pytest.raises(ValidationError):
        jobs.create_job(by=world.norfolk_spoc, resource="profiles", filename="c.csv",
                        content=csv_bytes(GOOD_ROWS), owner_team=world.norfolk_iom)


def test_practitioners_may_not_import(world):
    with pytest.raises(ValidationError):
        jobs.create_job(by=world.norfolk_ppo_officer, resource="profiles", filename="c.csv",
                        content=csv_bytes(GOOD_ROWS), owner_team=world.norfolk_ppo)


def test_saved_mapping_is_suggested_next_time(world):
    headings = ["Nom", "Prenom", "Born"]
    content = csv_bytes([["Smith", "Jo", "01/01/1990"]], headings=headings)
    job = jobs.create_job(by=world.norfolk_spoc, resource="profiles", filename="a.csv", content=content,
                          owner_team=world.norfolk_ppo)
    assert job.mapping == {"Nom": "", "Prenom": "", "Born": "date_of_birth"}
    jobs.set_mapping(job, mapping={"Nom": "last_name", "Prenom": "first_name", "Born": "date_of_birth"},
                     constants={}, mode="all_or_nothing", save_as="French list", by=world.norfolk_spoc)
    again = jobs.create_job(by=world.norfolk_spoc, resource="profiles", filename="b.csv", content=content,
                            owner_team=world.norfolk_ppo)
    assert again.mapping == {"Nom": "last_name", "Prenom": "first_name", "Born": "date_of_birth"}


def test_undo_restores_the_previous_state_exactly(world):
    jobs.start(upload(world, csv_bytes(GOOD_ROWS)), dry_run=False)
    before = profile_state()
    changed = [list(r) for r in GOOD_ROWS] + [["New", "Person", "01/01/2000", "", "", "", "", "", "", ""]]
    changed[0][9] = "Very high"
    changed[0][6] = "9 New Street"
    changed[0][5] = "NR3 3CC"
    changed[1][4] = "1999/1234567Z"
    job = jobs.start(upload(world, csv_bytes(changed)), dry_run=False)
    assert job.counts == {"create": 1, "update": 2, "skip": 2, "error": 0}
    assert profile_state() != before
    assert pipeline.undo(job, by=world.norfolk_spoc) == 3
    assert profile_state() == before
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UNDONE
    assert AuditEvent.objects.filter(object_type="core.importjob", action=AuditAction.DELETE).count() == 1


def test_undo_is_refused_when_a_record_was_edited_after_the_import(world):
    job = jobs.start(upload(world, csv_bytes(GOOD_ROWS)), dry_run=False)
    smith = Profile.objects.get(last_name="Smith")
    services.update_profile(smith, by=world.norfolk_ppo_officer, changes={"phone": "01603 000000"})
    with pytest.raises(pipeline.UndoRefused) as exc:
        pipeline.undo(job, by=world.norfolk_spoc)
    assert "‘John Smith’ (row 2) was changed after the import (update by norfolk_ppo_officer" in str(exc.value)
    assert Profile.objects.count() == 4


def test_undo_is_refused_when_a_case_was_opened_on_an_imported_profile(world):
    job = jobs.start(upload(world, csv_bytes(GOOD_ROWS)), dry_run=False)
    services.open_case(by=world.norfolk_ppo_officer, owner_team=world.norfolk_ppo, programme="iom",
                       case_type="cohort", title="IOM", participants=[(Profile.objects.get(last_name="Patel"), "subject")])
    with pytest.raises(pipeline.UndoRefused) as exc:
        pipeline.undo(job, by=world.norfolk_spoc)
    assert "‘Ravi Patel’ (row 4) is a participant in a case" in str(exc.value)


def test_large_file_runs_as_a_background_task(world, monkeypatch):
    monkeypatch.setattr(jobs, "BACKGROUND_ROWS", 2)
    monkeypatch.setattr(pipeline, "BATCH_SIZE", 2)
    job = upload(world, csv_bytes(GOOD_ROWS), mode=ImportJob.Mode.VALID_ROWS)
    job = jobs.start(job, dry_run=False)  # ImmediateBackend in tests: runs at enqueue
    assert job.task_id
    assert job.status == ImportJob.Status.COMMITTED
    assert (job.processed_rows, job.total_rows, job.percent) == (4, 4, 100)
    assert Profile.objects.count() == 4


def test_committed_rows_are_in_the_access_index_and_audited_like_any_insert(world):
    """The write path (COPY on PostgreSQL, bulk_create elsewhere) leaves what the ORM
    would: every created profile reachable by the owner team (on PostgreSQL through the
    access index, filled once per INSERT statement since migration 0012, equal to its
    derivation), not by others; each with one import audit event naming the job."""
    from django.db import connection

    from core import access
    from core.access import index_sql
    from core.models import ImportedRecord, ProfileAccessEntry

    job = jobs.start(upload(world, csv_bytes(GOOD_ROWS), mode=ImportJob.Mode.VALID_ROWS), dry_run=False)
    created = set(job.records.filter(action="created").values_list("object_id", flat=True))
    assert len(created) == 4
    assert set(access.restrict(Profile.objects.all(), world.norfolk_spoc).values_list("pk", flat=True)) >= created
    assert not set(access.restrict(Profile.objects.all(), world.staffs_officer).values_list("pk", flat=True)) & created
    events = AuditEvent.objects.filter(object_type="core.profile", object_id__in=[str(pk) for pk in created])
    assert sorted((e.action, e.channel, e.changes["import"], e.actor_id) for e in events) == [
        (AuditAction.IMPORT, Channel.IMPORT, job.pk, world.norfolk_spoc.pk)] * 4
    assert set(ImportedRecord.objects.filter(job=job).values_list("audit_event_id", flat=True)) == {e.pk for e in events}
    smith = Profile.objects.get(last_name="Smith")
    assert (smith.gender, smith.version, smith.created_by_id, smith.consent_to_share) == (
        "male", 1, world.norfolk_spoc.pk, "not_sought")
    assert smith.created_at is not None and smith.addresses.get().current
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(index_sql.DERIVE)
            expected = sorted(cursor.fetchall(), key=repr)
        fields = ("principal", "profile_id", "level", "expires_at", "last_name", "first_name", "source", "source_id")
        assert sorted(ProfileAccessEntry.objects.values_list(*fields), key=repr) == expected
