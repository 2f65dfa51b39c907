"""Typed reports (core/services/reports.py, core/admin/reports.py): schema versions,
server-side validation with a message per field, drafts and finals with every version
kept, restriction to the author's organisation, and access on every URL."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from core import access, services
from core.access import AccessLevel
from core.models import AuditEvent, Report, ReportType, ReportVersion
from core.services.reports import _stream_data, schema_of

from ..factories import ProfileFactory

V1 = [
    {"key": "attitude", "label": "Attitude to rehabilitation", "kind": "long_text", "required": True},
    {"key": "adjudications", "label": "Adjudications", "kind": "number", "required": True},
    {"key": "release_date", "label": "Release date", "kind": "date"},
    {"key": "drug_test", "label": "Drug test negative", "kind": "yes_no"},
    {"key": "programmes", "label": "Programmes", "kind": "choice", "multiple": True,
     "choices": [["tsp", "Thinking Skills"], ["education", "Education"]]},
]


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_type(by=None, schema=V1, **kwargs) -> ReportType:
    rt = ReportType(slug=kwargs.pop("slug", "prison_history"), name=kwargs.pop("name", "Prison History"),
                    fields=_stream_data(schema), **kwargs)
    return services.save_report_type(rt, by=by)


def change_type(rt: ReportType, schema, by=None) -> ReportType:
    rt = ReportType.objects.get(pk=rt.pk)
    rt.fields = _stream_data(schema)
    return services.save_report_type(rt, by=by)


GOOD = {"attitude": "Motivated", "adjudications": "0", "release_date": "2030-03-01", "drug_test": "yes",
        "programmes": ["tsp"]}


@pytest.fixture
def profile(world):
    return ProfileFactory(owner_team=world.staffs_iom)


def test_saving_a_type_freezes_its_schema_as_version_1(world):
    rt = make_type(by=world.partnership_admin)
    assert rt.current_version == 1
    assert rt.versions.get().schema == schema_of(rt)
    assert [e["key"] for e in rt.versions.get().schema] == [e["key"] for e in V1]


def test_saving_unchanged_fields_makes_no_new_version(world):
    rt = make_type()
    rt.name = "Prison history (HMP)"
    assert services.save_report_type(rt).current_version == 1


def test_duplicate_field_keys_are_refused(world):
    with pytest.raises(ValidationError) as exc:
        make_type(schema=[*V1, {"key": "attitude", "label": "Again", "kind": "text"}])
    assert "attitude" in str(exc.value.message_dict["fields"])


def test_report_is_stored_with_typed_values_and_one_version(world, profile):
    rt = make_type()
    report = services.create_report(by=world.staffs_officer, report_type=rt, profile=profile, data=GOOD)
    assert report.data == {"attitude": "Motivated", "adjudications": 0, "release_date": "2030-03-01",
                           "drug_test": True, "programmes": ["tsp"]}
    assert report.status == Report.Status.DRAFT
    assert list(report.versions.values_list("number", flat=True)) == [1]


def test_invalid_report_is_refused_with_a_message_per_field_and_nothing_saved(world, profile):
    rt = make_type()
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.create_report(by=world.staffs_officer, report_type=rt, profile=profile,
                               data={"adjudications": "many", "release_date": "31/31/2030", "programmes": ["nope"]})
    errors = exc.value.message_dict
    assert set(errors) == {"attitude", "adjudications", "release_date", "programmes"}
    assert Report.objects.count() == 0 and ReportVersion.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_report_written_against_v1_still_renders_and_validates_after_the_type_changes(world, profile):
    rt = make_type()
    report = services.create_report(by=world.staffs_officer, report_type=rt, profile=profile, data=GOOD)
    # The admin drops "adjudications", renames a label and adds a new required field.
    v2 = [e for e in V1 if e["key"] != "adjudications"]
    v2[0] = {**v2[0], "label": "Attitude (revised)"}
    v2.append({"key": "anxieties", "label": "Anxieties", "kind": "text", "required": True})
    rt = change_type(rt, v2)
    assert rt.current_version == 2
    report.refresh_from_db()
    assert report.type_version.number == 1
    # Renders with v1's labels and the field v2 dropped.
    page = login(world.staffs_officer).get(reverse("wraparound_reports:detail", args=[report.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Attitude to rehabilitation" in html and "Adjudications" in html and "Anxieties" not in html
    # Validates against v1: v2's new required field is not asked for; v1's required one is.
    saved = services.update_report(report, by=world.staffs_officer, data={**GOOD, "adjudications": "2"})
    assert saved.data["adjudications"] == 2 and saved.version == 2
    with pytest.raises(ValidationError) as exc:
        services.update_report(saved, by=world.staffs_officer, data={**GOOD, "adjudications": ""})
    assert set(exc.value.message_dict) == {"adjudications"}
    # A new report uses v2.
    new = services.create_report(by=world.staffs_officer, report_type=rt, profile=profile,
                                 data={**GOOD, "anxieties": "Housing"})
    assert new.type_version.number == 2


def test_final_report_is_locked_and_every_version_is_kept(world, profile):
    rt = make_type()
    report = services.create_report(by=world.staffs_officer, report_type=rt, profile=profile, data=GOOD)
    report = services.update_report(report, by=world.staffs_officer, data={**GOOD, "attitude": "Better"}, final=True)
    assert [v.status for v in report.versions.order_by("number")] == ["draft", "final"]
    assert report.versions.get(number=1).data["attitude"] == "Motivated"
    with pytest.raises(ValidationError):
        services.update_report(report, by=world.staffs_officer, data=GOOD)
    page = login(world.staffs_officer).get(reverse("wraparound_reports:version", args=[report.pk, 1]))
    assert page.status_code == 200 and "Motivated" in page.content.decode()


def test_restricted_report_is_seen_only_by_the_authors_organisation(world, profile):
    services.grant_access(profile, world.norfolk_iom, AccessLevel.VIEW, by=world.staffs_officer, reason="Joint work")
    rt = make_type()
    report = services.create_report(by=world.staffs_officer, report_type=rt, profile=profile, data=GOOD,
                                    restricted=True)
    assert access.can(world.staffs_officer, report)
    assert not access.can(world.norfolk_officer, report)
    assert login(world.norfolk_officer).get(reverse("wraparound_reports:detail", args=[report.pk])).status_code == 404


def test_report_page_names_a_person_field_only_to_readers_who_may_see_that_person(world, profile):
    rt = make_type(slug="contacts", name="Contacts", schema=[
        {"key": "associate", "label": "Associate", "kind": "person"}])
    associate = ProfileFactory(owner_team=world.staffs_iom, first_name="Rhys", last_name="Vantage")
    report = services.create_report(by=world.staffs_officer, report_type=rt, profile=profile,
                                     data={"associate": associate.pk})
    services.grant_access(profile, world.norfolk_iom, AccessLevel.VIEW, by=world.staffs_officer, reason="Joint work")
    url = reverse("wraparound_reports:detail", args=[report.pk])
    assert "Rhys Vantage" in login(world.staffs_officer).get(url).content.decode()
    seen_by_norfolk = login(world.norfolk_officer).get(url).content.decode()
    assert "Rhys Vantage" not in seen_by_norfolk and "A person you do not have access to" in seen_by_norfolk


def test_viewer_without_contribute_cannot_write_a_report(world, profile):
    services.grant_access(profile, world.norfolk_iom, AccessLevel.VIEW, by=world.staffs_officer, reason="Joint work")
    rt = make_type()
    with pytest.raises(ValidationError):
        services.create_report(by=world.norfolk_officer, report_type=rt, profile=profile, data=GOOD)
    url = reverse("wraparound_reports:add", args=["profile", profile.pk, rt.slug])
    assert login(world.norfolk_officer).post(url, {}).status_code == 403
    assert Report.objects.count() == 0


def test_report_form_screen_shows_a_message_per_field_and_saves_nothing(world, profile):
    rt = make_type()
    url = reverse("wraparound_reports:add", args=["profile", profile.pk, rt.slug])
    client = login(world.staffs_officer)
    assert client.get(url).status_code == 200
    response = client.post(url, {"report-adjudications": "lots", "report-release_date": "not a date"})
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("error-message") >= 3 or html.count("w-field__errors") >= 3
    assert "This field is required." in html and "Enter a number." in html and "Enter a valid date." in html
    assert Report.objects.count() == 0


def test_report_form_screen_saves_a_draft_then_final(world, profile):
    rt = make_type()
    client = login(world.staffs_officer)
    url = reverse("wraparound_reports:add", args=["profile", profile.pk, rt.slug])
    data = {"report-attitude": "Good", "report-adjudications": "1", "report-programmes": ["tsp", "education"]}
    response = client.post(url, {**data, "draft": "1"})
    report = Report.objects.get()
    assert response.status_code == 302 and report.status == "draft"
    edit = reverse("wraparound_reports:edit", args=[report.pk])
    assert client.post(edit, {**data, "report-attitude": "Better", "version": "1", "final": "1"}).status_code == 302
    report.refresh_from_db()
    assert report.status == "final" and report.version == 2
    assert client.get(edit).status_code == 403


def test_file_field_is_stored_and_served_only_to_those_who_see_the_report(world, profile, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rt = make_type(schema=[{"key": "scan", "label": "Scan", "kind": "file", "required": True}], slug="scan")
    upload = SimpleUploadedFile("licence.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    report = services.create_report(by=world.staffs_officer, report_type=rt, profile=profile, data={},
                                    files={"scan": upload})
    assert report.data["scan"]["name"] == "licence.pdf"
    url = reverse("wraparound_reports:file", args=[report.pk, "scan"])
    response = login(world.staffs_officer).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 demo"
    assert login(world.outsider).get(url).status_code == 404
    bad = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as exc:
        services.create_report(by=world.staffs_officer, report_type=rt, profile=profile, data={}, files={"scan": bad})
    assert "scan" in exc.value.message_dict


def test_every_report_url_answers_404_to_an_outsider_and_shows_nothing(world, profile):
    rt = make_type()
    report = services.create_report(by=world.staffs_officer, report_type=rt, profile=profile, data=GOOD)
    client = login(world.outsider)
    urls = [
        reverse("wraparound_reports:list", args=["profile", profile.pk]),
        reverse("wraparound_reports:add", args=["profile", profile.pk, rt.slug]),
        reverse("wraparound_reports:detail", args=[report.pk]),
        reverse("wraparound_reports:edit", args=[report.pk]),
        reverse("wraparound_reports:version", args=[report.pk, 1]),
        reverse("wraparound_reports:file", args=[report.pk, "attitude"]),
        reverse("wraparound_reports:version_file", args=[report.pk, 1, "attitude"]),
    ]
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            # 405: a read-only screen refuses POST before looking anything up (same for any pk).
            assert response.status_code == 404 or (method == client.post and response.status_code == 405), url
            assert b"Motivated" not in response.content and profile.last_name.encode() not in response.content
    assert Report.objects.get().version == 1


def test_partnership_admin_builds_a_report_type_in_the_admin(world):
    client = login(world.partnership_admin)
    add = reverse("wraparound_report_types:add")
    assert client.get(add).status_code == 200
    assert login(world.staffs_officer).get(add).status_code in (302, 403)


def test_report_list_query_count_does_not_grow(world, profile, django_assert_max_num_queries):
    rt = make_type()
    client = login(world.staffs_officer)
    url = reverse("wraparound_reports:list", args=["profile", profile.pk])
    services.create_report(by=world.staffs_officer, report_type=rt, profile=profile, data=GOOD)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(5):
        services.create_report(by=world.staffs_officer, report_type=rt, profile=profile, data=GOOD)
    with CaptureQueriesContext(connection) as six:
        client.get(url)
    assert len(six) == len(one)


def test_record_reports_panel_lists_visible_reports_and_types_to_write(world, profile, rf):
    from django.template import Context, Template

    rt = make_type(programme="iom")
    services.create_report(by=world.staffs_officer, report_type=rt, profile=profile, data=GOOD, restricted=True)
    services.grant_access(profile, world.norfolk_iom, AccessLevel.VIEW, by=world.staffs_officer, reason="Joint")
    template = Template("{% load wraparound_workspace %}{% record_reports profile %}")
    rendered = {}
    for user in (world.staffs_officer, world.norfolk_officer):
        request = rf.get("/")
        request.user = user
        rendered[user.username] = template.render(Context({"request": request, "profile": profile}))
    assert "Prison History" in rendered["staffs_officer"] and "write one" in rendered["staffs_officer"]
    # The restricted report is not shown to another organisation, which may only view.
    assert "Prison History" not in rendered["norfolk_officer"] and "write one" not in rendered["norfolk_officer"]


def test_a_post_that_is_not_the_builders_form_is_a_bad_request_not_a_server_error(world):
    rt = make_type(by=world.partnership_admin)
    client = login(world.partnership_admin)
    version = ReportType.objects.get(pk=rt.pk).current_version
    response = client.post(f"/admin/report-types/edit/{rt.pk}/", {"name": "Renamed"})
    assert response.status_code == 400
    assert ReportType.objects.get(pk=rt.pk).current_version == version
    assert client.post(reverse("wraparound_report_types:add"), {"name": "New"}).status_code == 400
