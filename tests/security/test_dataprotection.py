"""Subject access export and retention review."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
from django.urls import reverse

from core import services
from core.models import AuditEvent
from core.models.audit import AuditAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(world):
    profile = services.create_profile(by=world.norfolk_officer, owner_team=world.norfolk_iom,
                                      first_name="Amy", last_name="Subject", aliases=["Ames"])
    case = services.open_case(by=world.norfolk_officer, owner_team=world.norfolk_iom, programme="asb",
                              case_type="asb_case", title="Noise complaint", opened_on=date(2018, 1, 1))
    services.add_participant(case, profile, "victim", by=world.norfolk_officer)
    services.add_activity(by=world.norfolk_officer, case=case, summary="=HYPERLINK(\"x\") home visit")
    return profile, case


def test_the_owner_team_exports_everything_about_a_person_and_it_is_audited(client, world, person):
    profile, case = person
    client.force_login(world.norfolk_officer)
    url = reverse("wraparound_subject_access", args=[profile.pk])
    assert b"Download export" in client.get(url).content
    refused = client.post(url, {"reason": "x"})
    assert b"Say why" in refused.content
    response = client.post(url, {"reason": "SAR-2026-0042 from the subject"})
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment")
    zf = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(zf.namelist()) == {"profile.json", "cases.json", "activities.csv", "access_log.csv"}
    data = json.loads(zf.read("profile.json"))
    assert data["profile"]["last_name"] == "Subject"
    assert any(r.get("name") == "Ames" for rows in data["related"].values() for r in rows)
    cases = json.loads(zf.read("cases.json"))
    assert cases[0]["title"] == "Noise complaint" and cases[0]["role_in_case"] == "victim"
    assert "'=HYPERLINK" in zf.read("activities.csv").decode()  # formula neutralised
    assert "norfolk_officer" in zf.read("access_log.csv").decode()
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(profile.pk)).get()
    assert event.justification == "SAR-2026-0042 from the subject"


def test_others_cannot_export(client, world, person):
    profile, _ = person
    url = reverse("wraparound_subject_access", args=[profile.pk])
    client.force_login(world.staffs_officer)
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "SAR-2026-0042 fishing"}).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_export_holds_only_what_the_exporter_may_see(world, person):
    """Another agency's case the person is on, and that agency's restricted entries on a
    shared case, are not the exporter's to disclose."""
    from core.access import AccessLevel
    from core.security.dataprotection import subject_access_export

    profile, case = person
    services.grant_access(case, world.staffs_iom, AccessLevel.CONTRIBUTE, by=world.norfolk_officer, reason="Joint")
    services.add_activity(by=world.staffs_officer, case=case, summary="Staffs restricted note", restricted=True)
    staffs_case = services.open_case(by=world.staffs_officer, owner_team=world.staffs_iom, programme="asb",
                                     case_type="asb_case", title="Staffs only case", opened_on=date(2019, 1, 1))
    services.grant_access(profile, world.staffs_iom, AccessLevel.CONTRIBUTE, by=world.norfolk_officer, reason="Joint")
    services.add_participant(staffs_case, profile, "witness", by=world.staffs_officer)
    zf = zipfile.ZipFile(io.BytesIO(subject_access_export(profile, by=world.norfolk_officer, reason="SAR-2026-0043 x")))
    everything = b"".join(zf.read(name) for name in zf.namelist())
    assert b"Staffs only case" not in everything and b"Staffs restricted note" not in everything
    assert b"Noise complaint" in everything


def test_a_system_admin_role_is_not_access_to_export(client, world, person):
    from core import roles
    from tests.factories import UserFactory

    profile, _ = person
    admin = UserFactory(username="sysadmin_x", role=roles.SYSTEM_ADMIN)
    client.force_login(admin)
    url = reverse("wraparound_subject_access", args=[profile.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "SAR-2026-0044 from the subject"}).status_code == 404
