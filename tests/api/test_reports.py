"""/api/v1/report-types and /api/v1/reports: the type's current schema, drafts
validated against it (a bad field named inside data), PATCH with If-Match, finalise;
restricted reports, people not shared, view-only, outsiders, read-only tokens."""

from __future__ import annotations

import pytest

from core import services
from core.models import AccessLevel, AuditEvent, Channel, Report
from core.services.reports import set_report_type_fields
from tests.core.test_reports import V1, make_type
from tests.factories import ProfileFactory

GOOD = {"attitude": "Motivated", "adjudications": 0, "release_date": "2030-03-01", "drug_test": True,
        "programmes": ["tsp"]}


@pytest.fixture
def rt(world):
    return make_type()


@pytest.fixture
def profile(world):
    return ProfileFactory(owner_team=world.staffs_iom)


def test_report_types_list_and_schema(world, staffs, rt):
    api = staffs[1]
    listed = api.get("/report-types/", applies_to="profile")
    assert listed.status_code == 200
    found = next(t for t in listed.json() if t["slug"] == "prison_history")
    assert found["version"] == 1 and [f["key"] for f in found["fields"]] == [e["key"] for e in V1]
    set_report_type_fields(rt, V1[:2])
    one = api.get(f"/report-types/{rt.pk}").json()
    assert one["version"] == 2 and [f["key"] for f in one["fields"]] == ["attitude", "adjudications"]
    assert api.get("/report-types/999999").status_code == 404
    assert api.get("/report-types/", applies_to="case").json() == [
        t for t in api.get("/report-types/").json() if t["applies_to"] == "case"]


def test_create_draft_read_and_audit(world, staffs, rt, profile):
    api = staffs[1]
    created = api.post("/reports/", {"report_type": rt.pk, "profile": profile.pk, "data": GOOD})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["type_version"] == 1 and created["ETag"] == '"1"'
    assert body["data"] == {**GOOD, "release_date": "2030-03-01"}
    assert AuditEvent.objects.get(action="create", object_type="core.report").channel == Channel.API
    read = api.get(f"/reports/{body['id']}")
    assert read.status_code == 200 and read.json()["data"]["attitude"] == "Motivated"
    assert AuditEvent.objects.get(action="view", object_type="core.report").channel == Channel.API
    assert [r["id"] for r in api.get("/reports/", profile=profile.pk).json()["items"]] == [body["id"]]
    assert api.get("/reports/", status="final").json()["count"] == 0


def test_a_bad_field_is_named_and_nothing_saved(world, staffs, rt, profile):
    api = staffs[1]
    bad = api.post("/reports/", {"report_type": rt.pk, "profile": profile.pk,
                                 "data": {**GOOD, "adjudications": "many", "programmes": ["nope"]}})
    assert bad.status_code == 422
    assert sorted(e["field"] for e in bad.json()["errors"]) == ["data.adjudications", "data.programmes"]
    missing = api.post("/reports/", {"report_type": rt.pk, "profile": profile.pk, "data": {"adjudications": 1}})
    assert [e["field"] for e in missing.json()["errors"]] == ["data.attitude"]
    unknown = api.post("/reports/", {"report_type": rt.pk, "profile": profile.pk, "data": {**GOOD, "shoe": "9"}})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "data.shoe"
    on_case = api.post("/reports/", {"report_type": rt.pk, "profile": None, "data": GOOD})
    assert on_case.status_code == 422 and on_case.json()["errors"][0]["field"] == "profile"
    assert not Report.objects.exists()


def test_patch_with_if_match_then_finalise(world, staffs, rt, profile):
    api = staffs[1]
    report = services.create_report(by=world.staffs_officer, report_type=rt, profile=profile,
                                    data={**GOOD, "drug_test": "yes", "adjudications": "0"})
    url = f"/reports/{report.pk}"
    assert api.patch(url, {"data": {"adjudications": 2}}).status_code == 428
    changed = api.patch(url, {"data": {"adjudications": 2}}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200, changed.content
    assert changed.json()["data"]["adjudications"] == 2 and changed.json()["data"]["attitude"] == "Motivated"
    assert changed["ETag"] == '"2"'
    stale = api.patch(url, {"data": {"adjudications": 3}}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    bad = api.patch(url, {"data": {"release_date": "soon"}}, headers={"If-Match": '"2"'})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "data.release_date"
    final = api.post(f"{url}/finalise", headers={"If-Match": '"2"'})
    assert final.status_code == 200 and final.json()["status"] == "final"
    assert final.json()["data"] == changed.json()["data"]
    locked = api.patch(url, {"data": {"adjudications": 5}}, headers={"If-Match": '"3"'})
    assert locked.status_code == 422 and Report.objects.get().data["adjudications"] == 2
    assert set(AuditEvent.objects.filter(object_type="core.report", action="update")
               .values_list("channel", flat=True)) == {Channel.API}


def test_view_only_cannot_write_and_restricted_reports_stay_in_the_organisation(world, rt, profile, account_for):
    report = services.create_report(by=world.staffs_officer, report_type=rt, profile=profile,
                                    data={**GOOD, "drug_test": "yes"}, restricted=True)
    open_report = services.create_report(by=world.staffs_officer, report_type=rt, profile=profile,
                                         data={**GOOD, "drug_test": "yes"})
    services.grant_access(profile, world.norfolk_iom, AccessLevel.VIEW, by=world.staffs_officer, reason="x")
    _u, viewer = account_for(world.norfolk_iom)
    assert viewer.get(f"/reports/{report.pk}").status_code == 404
    assert [r["id"] for r in viewer.get("/reports/").json()["items"]] == [open_report.pk]
    assert viewer.get(f"/reports/{open_report.pk}").status_code == 200
    assert viewer.post("/reports/", {"report_type": rt.pk, "profile": profile.pk, "data": GOOD}).status_code == 403
    assert viewer.patch(f"/reports/{open_report.pk}", {"data": {"adjudications": 9}},
                        headers={"If-Match": '"1"'}).status_code == 403
    assert viewer.post(f"/reports/{open_report.pk}/finalise", headers={"If-Match": '"1"'}).status_code == 403
    assert Report.objects.count() == 2 and not Report.objects.filter(status="final").exists()


def test_a_person_field_does_not_name_someone_the_reader_cannot_see(world, staffs, profile, account_for):
    rt = make_type(slug="contacts", name="Contacts", schema=[
        {"key": "associate", "label": "Associate", "kind": "person"}])
    associate = ProfileFactory(owner_team=world.staffs_iom)
    created = staffs[1].post("/reports/", {"report_type": rt.pk, "profile": profile.pk,
                                           "data": {"associate": associate.pk}})
    assert created.status_code == 201 and created.json()["data"] == {"associate": associate.pk}
    services.grant_access(profile, world.norfolk_iom, AccessLevel.VIEW, by=world.staffs_officer, reason="x")
    _u, viewer = account_for(world.norfolk_iom)
    assert viewer.get(f"/reports/{created.json()['id']}").json()["data"] == {"associate": None}
    assert viewer.get("/reports/").json()["items"][0]["data"] == {"associate": None}
    hidden = ProfileFactory(owner_team=world.norfolk_iom)
    refused = staffs[1].post("/reports/", {"report_type": rt.pk, "profile": profile.pk,
                                           "data": {"associate": hidden.pk}})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "data.associate"


def test_outsider_gets_404_and_writes_nothing(world, rt, profile, outsider_api):
    report = services.create_report(by=world.staffs_officer, report_type=rt, profile=profile,
                                    data={**GOOD, "attitude": "Secret attitude", "drug_test": "yes"})
    api = outsider_api[1]
    before = AuditEvent.objects.count()
    hidden = api.get(f"/reports/{report.pk}")
    assert hidden.status_code == 404 and b"Secret" not in hidden.content
    assert api.patch(f"/reports/{report.pk}", {"data": {}}, headers={"If-Match": '"1"'}).status_code == 404
    assert api.post(f"/reports/{report.pk}/finalise", headers={"If-Match": '"1"'}).status_code == 404
    assert AuditEvent.objects.count() == before
    assert api.get("/reports/").json()["count"] == 0
    refused = api.post("/reports/", {"report_type": rt.pk, "profile": profile.pk, "data": GOOD})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "profile"
    assert Report.objects.count() == 1 and Report.objects.get().version == 1


def test_read_only_token_cannot_write(world, rt, profile, account_for):
    report = services.create_report(by=world.staffs_officer, report_type=rt, profile=profile,
                                    data={**GOOD, "drug_test": "yes"})
    _u, api = account_for(world.staffs_iom, read_only=True)
    assert api.get(f"/reports/{report.pk}").status_code == 200
    assert api.post("/reports/", {"report_type": rt.pk, "profile": profile.pk, "data": GOOD}).status_code == 403
    assert api.post(f"/reports/{report.pk}/finalise", headers={"If-Match": '"1"'}).status_code == 403
    assert Report.objects.count() == 1 and Report.objects.get().status == "draft"
