"""core.uploads: size and type limits from the content, polyglots refused, images
re-encoded without EXIF, files served only through permission-checked views."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from core import services, uploads
from core.models import Profile

from ..factories import ProfileFactory


def _jpeg_with_exif() -> bytes:
    img = Image.new("RGB", (16, 16), "teal")
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc"  # Make
    exif[0x013B] = "Jane at 52 Elm Road"  # Artist
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buf, "PNG")
    return buf.getvalue()


def _file(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_an_image_is_reencoded_without_exif_and_renamed():
    data = _jpeg_with_exif()
    assert b"SpyCam" in data
    cleaned = uploads.clean_image(_file("../../etc/me.JPG", data, "image/jpeg"))
    stored = cleaned.content.read()
    assert b"SpyCam" not in stored
    with Image.open(io.BytesIO(stored)) as img:
        assert img.format == "JPEG" and not img.getexif()
    assert cleaned.name.endswith(".jpg") and "/" not in cleaned.name and "me" not in cleaned.name
    assert cleaned.original_name == "me.JPG"


def test_a_polyglot_image_with_a_hidden_zip_is_refused():
    payload = io.BytesIO()
    with zipfile.ZipFile(payload, "w") as zf:
        zf.writestr("evil.jar", b"x" * 100)
    with pytest.raises(ValidationError) as exc:
        uploads.clean_image(_file("face.png", _png() + payload.getvalue(), "image/png"))
    assert exc.value.code == "polyglot"


def test_an_image_carrying_script_is_refused():
    with pytest.raises(ValidationError) as exc:
        uploads.clean_image(_file("face.png", _png() + b"<script>alert(1)</script>", "image/png"))
    assert exc.value.code == "active_content"


def test_a_mislabelled_file_is_refused_whatever_the_browser_says():
    jpeg = _jpeg_with_exif()
    with pytest.raises(ValidationError) as exc:
        uploads.clean_image(_file("face.png", jpeg, "image/png"))
    assert exc.value.code == "mislabelled"
    with pytest.raises(ValidationError) as exc:
        uploads.clean_image(_file("face.png", b"%PDF-1.4\n%%EOF\n", "image/png"))
    assert exc.value.code == "type"
    # An HTML page named as a text file.
    with pytest.raises(ValidationError):
        uploads.clean_upload(_file("notes.txt", b"<html><script>x()</script></html>", "text/plain"))


@override_settings(WRAPAROUND_IMAGE_MAX_BYTES=1000)
def test_an_oversized_upload_is_refused_before_it_is_parsed():
    with pytest.raises(ValidationError) as exc:
        uploads.clean_image(_file("big.png", _png() + b"\0" * 2000, "image/png"))
    assert exc.value.code == "too_large"
    assert "too large" in exc.value.messages[0]


@override_settings(WRAPAROUND_IMAGE_MAX_PIXELS=100)
def test_a_decompression_bomb_is_refused():
    buf = io.BytesIO()
    Image.new("L", (200, 200)).save(buf, "PNG")
    with pytest.raises(ValidationError):
        uploads.clean_image(_file("bomb.png", buf.getvalue(), "image/png"))


def test_documents_pdf_with_javascript_refused_plain_pdf_and_csv_accepted():
    with pytest.raises(ValidationError):
        uploads.clean_upload(_file("a.pdf", b"%PDF-1.4\n1 0 obj << /OpenAction << /JS (app.alert(1)) >> >>\n%%EOF"))
    ok = uploads.clean_upload(_file("a.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n%%EOF"))
    assert ok.content_type == "application/pdf" and ok.name.endswith(".pdf")
    csv = uploads.clean_upload(_file("list.csv", b"name,town\nAmy,Lowestoft\n"))
    assert csv.content_type == "text/csv"
    with pytest.raises(ValidationError):
        uploads.clean_upload(_file("x.exe", b"MZ\x90\x00" + b"\0" * 100))


@pytest.mark.django_db
def test_profile_photo_through_the_service_is_cleaned_and_served_by_content_type(client, world):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    services.update_profile(profile, by=world.staffs_officer,
                            changes={"photo": _file("me.jpeg", _jpeg_with_exif(), "image/png")})
    profile = Profile.objects.get(pk=profile.pk)
    assert profile.photo.name.endswith(".jpg")
    client.force_login(world.staffs_officer)
    response = client.get(reverse("wraparound_profile_photo", args=[profile.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"SpyCam" not in b"".join(response.streaming_content)
    client.force_login(world.outsider)
    assert client.get(reverse("wraparound_profile_photo", args=[profile.pk])).status_code == 404


@pytest.mark.django_db
def test_a_bad_photo_is_refused_with_a_field_message_and_nothing_is_stored(world):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    with pytest.raises(ValidationError) as exc:
        services.update_profile(profile, by=world.staffs_officer,
                                changes={"photo": _file("me.png", b"GIF89a" + b"\0" * 50, "image/png")})
    assert "photo" in exc.value.message_dict
    assert not Profile.objects.get(pk=profile.pk).photo


@pytest.mark.django_db
def test_media_files_are_not_served_by_url(client, world):
    client.force_login(world.staffs_officer)
    assert client.get("/media/profiles/photos/anything.jpg").status_code == 404


@pytest.mark.django_db
def test_a_photo_given_when_creating_a_profile_is_cleaned_too(world):
    profile = services.create_profile(by=world.staffs_officer, owner_team=world.staffs_iom, first_name="A",
                                      last_name="B", photo=_file("me.jpg", _jpeg_with_exif(), "image/jpeg"))
    with profile.photo.open("rb") as fh:
        assert b"SpyCam" not in fh.read()
    with pytest.raises(ValidationError) as exc:
        services.create_profile(by=world.staffs_officer, owner_team=world.staffs_iom, first_name="C",
                                last_name="D", photo=_file("me.png", _png() + b"<script>x</script>", "image/png"))
    assert "photo" in exc.value.message_dict


# --- task attachments and report files go through core.uploads too ----------------------

_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _bad_uploads():
    hidden = io.BytesIO()
    with zipfile.ZipFile(hidden, "w") as zf:
        zf.writestr("evil.jar", b"x" * 100)
    return {
        "polyglot": _file("face.png", _png() + hidden.getvalue(), "image/png"),
        "oversized": _file("big.pdf", _PDF + b"0" * (2 * 1024 * 1024), "application/pdf"),
        "mislabelled": _file("letter.pdf", _png(), "application/pdf"),
        "active": _file("notes.txt", b"hello <script>alert(1)</script>", "text/plain"),
    }


@pytest.fixture
def task(world):
    from ..factories import ProfileFactory as _PF

    profile = _PF(owner_team=world.staffs_iom)
    return services.create_task(by=world.staffs_officer, profile=profile, title="Visit",
                                assigned_user=world.staffs_officer)


@pytest.fixture
def file_report_type(world):
    from core.models import ReportType
    from core.services.reports import _stream_data

    rt = ReportType(slug="scan", name="Scan", fields=_stream_data([{"key": "scan", "label": "Scan", "kind": "file"}]))
    return services.save_report_type(rt, by=None)


@override_settings(WRAPAROUND_ATTACHMENT_MAX_BYTES=1024 * 1024)
@pytest.mark.parametrize("kind", ["polyglot", "oversized", "mislabelled", "active"])
def test_a_bad_task_attachment_is_refused(world, task, kind):
    from core.models import TaskAttachment

    with pytest.raises(ValidationError) as exc:
        services.add_task_attachment(task, _bad_uploads()[kind], by=world.staffs_officer)
    assert "file" in exc.value.message_dict
    assert not TaskAttachment.objects.exists()


@pytest.mark.parametrize("kind", ["polyglot", "oversized", "mislabelled", "active"])
def test_a_bad_report_file_is_refused(world, task, file_report_type, kind, monkeypatch):
    from core.forms import reports as report_forms
    from core.models import Report

    monkeypatch.setattr(report_forms, "MAX_FILE_BYTES", 1024 * 1024)
    with pytest.raises(ValidationError) as exc:
        services.create_report(by=world.staffs_officer, report_type=file_report_type, profile=task.profile,
                               data={}, files={"scan": _bad_uploads()[kind]})
    assert "scan" in exc.value.message_dict
    assert not Report.objects.exists()


def test_task_attachments_are_reencoded_renamed_and_served_only_to_those_with_access(client, world, task):
    data = _jpeg_with_exif()
    attachment = services.add_task_attachment(task, _file("../me at home.jpg", data, "image/jpeg"),
                                              by=world.staffs_officer)
    assert "me at home" not in attachment.file.name and attachment.original_name == "me at home.jpg"
    assert b"SpyCam" not in attachment.file.open("rb").read()
    url = reverse("wraparound_tasks:attachment", args=[task.pk, attachment.pk])
    client.force_login(world.staffs_officer)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("attachment") and response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    for outsider in (world.norfolk_officer, world.outsider):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


def test_report_files_are_stored_under_a_random_name_and_served_only_to_those_with_access(
        client, world, task, file_report_type):
    report = services.create_report(by=world.staffs_officer, report_type=file_report_type, profile=task.profile,
                                    data={}, files={"scan": _file("licence (1).pdf", _PDF, "application/pdf")})
    stored = report.data["scan"]
    assert stored["name"] == "licence (1).pdf" and "licence" not in stored["path"]
    assert stored["content_type"] == "application/pdf"
    url = reverse("wraparound_reports:file", args=[report.pk, "scan"])
    client.force_login(world.staffs_officer)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="licence (1).pdf"' in response["Content-Disposition"]
    assert "sandbox" in response["Content-Security-Policy"]
    for outsider in (world.norfolk_officer, world.outsider):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
