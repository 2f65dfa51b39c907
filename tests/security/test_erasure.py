"""Retention review and justified erasure (core.security.retention, core.security.erasure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from core import services
from core.access import AccessLevel
from core.models import (
    Activity,
    Address,
    AuditEvent,
    Case,
    CaseParticipant,
    Identifier,
    Notification,
    Profile,
    ProfileAlias,
    Task,
    TaskAttachment,
)
from core.models.audit import AuditAction
from core.security import erasure, retention
from core.services.work import task_url

pytestmark = pytest.mark.django_db

LONG_AGO = datetime(2015, 1, 5, 10, 0, tzinfo=UTC)
JUSTIFICATION = "Retention review RR-2026-07: no contact for over six years, nothing pending."


def _age(profile=None, cases=(), when=LONG_AGO):
    """Move every timestamp of the record back to ``when`` (update() skips auto_now)."""
    for case in cases:
        Case.objects.filter(pk=case.pk).update(updated_at=when, opened_on=when.date(), closed_on=when.date(),
                                               status="closed", outcome="completed")
        Activity.objects.filter(case=case).update(occurred_at=when)
    if profile is not None:
        Profile.objects.filter(pk=profile.pk).update(updated_at=when)
        Activity.objects.filter(profile=profile).update(occurred_at=when)


@pytest.fixture
def old_person(world):
    """A Norfolk Police profile, with its own closed ASB case, all last touched in 2015."""
    profile = services.create_profile(
        by=world.norfolk_officer, owner_team=world.norfolk_iom, first_name="Gideon", last_name="Oldrecord",
        aliases=["Giddy"], identifiers=[("pnc", "15/123456X")],
        addresses=[{"line1": "1 Old Lane", "town": "Norwich", "postcode": "NR1 1AA"}],
    )
    case = services.open_case(by=world.norfolk_officer, owner_team=world.norfolk_iom, programme="asb",
                              case_type="asb_case", title="Noise at 1 Old Lane", participants=[(profile, "offender")])
    services.add_activity(by=world.norfolk_officer, case=case, summary="Home visit")
    services.add_activity(by=world.norfolk_officer, profile=profile, summary="Phone call")
    task = services.create_task(by=world.norfolk_officer, title="Check tenancy", profile=profile,
                                assigned_user=world.norfolk_officer)
    services.add_task_attachment(task, SimpleUploadedFile("note.txt", b"tenancy notes\n", "text/plain"),
                                 by=world.norfolk_officer)
    _age(profile, [case])
    return profile, case


def test_retention_periods_come_from_the_programmes_with_a_core_default(settings):
    assert retention.retention_years("missing_persons") == 10  # declared by the plugin
    assert retention.retention_years("asb") == 6  # core default
    settings.WRAPAROUND_RETENTION_YEARS = {"default": 6, "asb": 3}
    assert retention.retention_years("asb") == 3  # deployment override


def test_the_review_lists_own_records_past_retention_only(client, world, old_person):
    profile, case = old_person
    recent = services.create_profile(by=world.norfolk_officer, owner_team=world.norfolk_iom,
                                     first_name="Recent", last_name="Person")
    assert [d.record for d in retention.profiles_due(retention.reviewing_organisations(world.norfolk_spoc))] == [profile]
    assert [d.record for d in retention.cases_due(retention.reviewing_organisations(world.norfolk_spoc))] == [case]
    client.force_login(world.norfolk_spoc)
    page = client.get(reverse("wraparound_retention_review")).content.decode()
    assert f"PROFILE-{profile.pk}" in page and case.reference in page
    assert f"PROFILE-{recent.pk}" not in page
    assert "Oldrecord" in page  # the SPOC administers the owner organisation: manage on its records


def test_outsiders_get_404_on_the_review_and_the_erasure(client, world, old_person):
    profile, case = old_person
    url = reverse("wraparound_erase_record", args=["profile", profile.pk])
    for user in (world.norfolk_officer, world.staffs_officer, world.outsider):  # no admin role / other org
        client.force_login(user)
        assert client.get(reverse("wraparound_retention_review")).status_code == 404
        assert client.get(url).status_code == 404
        assert client.post(url, {"justification": JUSTIFICATION, "confirm": f"PROFILE-{profile.pk}"}).status_code == 404
    # An admin of another organisation.
    from core import roles
    from core.models import Membership
    from tests.factories import UserFactory
    staffs_spoc = UserFactory(username="staffs_spoc", role=roles.ORGANISATION_ADMIN)
    Membership.objects.create(user=staffs_spoc, team=world.staffs_iom)
    client.force_login(staffs_spoc)
    assert f"PROFILE-{profile.pk}" not in client.get(reverse("wraparound_retention_review")).content.decode()
    assert client.post(url, {"justification": JUSTIFICATION, "confirm": f"PROFILE-{profile.pk}"}).status_code == 404
    assert Profile.objects.filter(pk=profile.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.ERASE).exists()


def test_a_record_not_past_retention_is_refused(world):
    profile = services.create_profile(by=world.norfolk_officer, owner_team=world.norfolk_iom,
                                      first_name="Still", last_name="Active")
    with pytest.raises(ValidationError) as exc:
        erasure.erase_profile(profile, by=world.norfolk_spoc, justification=JUSTIFICATION,
                              confirm=f"PROFILE-{profile.pk}")
    assert "not past its retention period" in " ".join(exc.value.message_dict["__all__"])
    assert Profile.objects.filter(pk=profile.pk).exists()


def test_an_open_case_keeps_its_people(world, old_person):
    profile, case = old_person
    Case.objects.filter(pk=case.pk).update(status="open", closed_on=None)
    assert retention.profile_status(profile) is None
    with pytest.raises(ValidationError):
        erasure.erase_profile(profile, by=world.norfolk_spoc, justification=JUSTIFICATION,
                              confirm=f"PROFILE-{profile.pk}")


def test_a_justification_and_the_typed_reference_are_required(client, world, old_person):
    profile, _ = old_person
    url = reverse("wraparound_erase_record", args=["profile", profile.pk])
    client.force_login(world.norfolk_spoc)
    response = client.post(url, {"justification": "old", "confirm": f"PROFILE-{profile.pk}"})
    assert response.status_code == 400 and b"Say why" in response.content
    response = client.post(url, {"justification": JUSTIFICATION, "confirm": "yes"})
    assert response.status_code == 400 and b"Type the record&#x27;s reference" in response.content
    response = client.post(url, {"justification": "Gideon Oldrecord asked for it, no contact since 2015",
                                 "confirm": f"PROFILE-{profile.pk}"})
    assert response.status_code == 400 and b"name or identifiers" in response.content
    assert Profile.objects.filter(pk=profile.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.ERASE).exists()


def test_erasure_removes_the_person_and_leaves_a_trace_without_the_name(client, world, old_person):
    profile, case = old_person
    pk, reference = profile.pk, case.reference
    attachment = TaskAttachment.objects.get(task__profile=profile)
    storage, stored = attachment.file.storage, attachment.file.name
    assert storage.exists(stored)
    Notification.objects.create(recipient=world.norfolk_officer, kind="task", subject="Task about Gideon Oldrecord",
                                url=task_url(attachment.task))
    client.force_login(world.norfolk_spoc)
    url = reverse("wraparound_erase_record", args=["profile", pk])
    page = client.get(url).content.decode()
    assert "Erase PROFILE-" in page
    with pytest.MonkeyPatch.context() as mp:
        # on_commit runs at once in the test client's transaction-less request? Capture it.
        from django.db import transaction
        mp.setattr(transaction, "on_commit", lambda fn, using=None, robust=False: fn())
        response = client.post(url, {"justification": JUSTIFICATION, "confirm": f"profile-{pk}"})
    assert response.status_code == 302
    assert not Profile.objects.filter(pk=pk).exists()
    for model in (Identifier, Address, ProfileAlias, Task, TaskAttachment):
        assert not model.objects.exists(), model
    assert not Case.objects.filter(reference=reference).exists()  # only this person took part
    assert not Activity.objects.exists()
    assert not Notification.objects.filter(subject__contains="Oldrecord").exists()
    assert not storage.exists(stored)
    event = AuditEvent.objects.get(action=AuditAction.ERASE)
    assert (event.object_type, event.object_id, event.actor_username) == ("core.profile", str(pk), "norfolk_spoc")
    assert event.justification == JUSTIFICATION
    assert event.changes["reference"] == f"PROFILE-{pk}" and event.changes["cases_erased"] == [reference]
    assert event.changes["counts"]["profile"] == 1 and event.changes["counts"]["identifier"] == 1
    assert event.changes["counts"]["files"] == 1
    text = f"{event.object_repr} {event.changes} {event.justification}"
    for secret in ("Gideon", "Oldrecord", "Giddy", "15/123456X", "Old Lane"):
        assert secret not in text


def test_a_case_with_other_participants_stays_and_loses_only_the_person(world, old_person):
    profile, case = old_person
    other = services.create_profile(by=world.norfolk_officer, owner_team=world.norfolk_iom,
                                    first_name="Neighbour", last_name="Next")
    services.add_participant(case, other, "victim", by=world.norfolk_officer)
    _age(other, [case])
    erasure.erase_profile(profile, by=world.norfolk_spoc, justification=JUSTIFICATION,
                          confirm=f"PROFILE-{profile.pk}")
    assert Case.objects.filter(pk=case.pk).exists()
    assert list(CaseParticipant.objects.filter(case=case).values_list("profile_id", flat=True)) == [other.pk]


def test_another_organisations_part_blocks_the_erasure(world, old_person):
    profile, case = old_person
    theirs = services.open_case(by=world.waveney_officer, owner_team=world.waveney_asb, programme="asb",
                                case_type="asb_case", title="Their case")
    services.grant_access(profile, world.waveney_asb, AccessLevel.CONTRIBUTE, by=world.norfolk_officer, reason="Joint work")
    services.add_participant(theirs, profile, "offender", by=world.waveney_officer)
    _age(profile, [case, theirs])
    with pytest.raises(ValidationError) as exc:
        erasure.erase_profile(profile, by=world.norfolk_spoc, justification=JUSTIFICATION,
                              confirm=f"PROFILE-{profile.pk}")
    message = " ".join(exc.value.message_dict["__all__"])
    assert "1 case owned by other organisations" in message and "Their case" not in message
    assert Profile.objects.filter(pk=profile.pk).exists() and Case.objects.filter(pk=theirs.pk).exists()


def test_nothing_is_half_done_when_the_erasure_fails(world, old_person, monkeypatch):
    profile, case = old_person
    from core import audit

    def fail(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(audit, "record", fail)
    with pytest.raises(RuntimeError):
        erasure.erase_profile(profile, by=world.norfolk_spoc, justification=JUSTIFICATION,
                              confirm=f"PROFILE-{profile.pk}")
    assert Profile.objects.filter(pk=profile.pk).exists()
    assert Identifier.objects.filter(profile=profile).exists() and Case.objects.filter(pk=case.pk).exists()
    attachment = TaskAttachment.objects.get(task__profile=profile)
    assert attachment.file.storage.exists(attachment.file.name)


def test_a_closed_case_past_retention_is_erased_alone(world, old_person):
    profile, case = old_person
    reference = case.reference
    erasure.erase_case(case, by=world.norfolk_spoc, justification=JUSTIFICATION, confirm=reference.lower())
    assert not Case.objects.filter(pk=case.pk).exists()
    assert Profile.objects.filter(pk=profile.pk).exists()
    event = AuditEvent.objects.get(action=AuditAction.ERASE)
    assert event.object_type == "core.case" and event.changes["reference"] == reference
    assert "Old Lane" not in str(event.changes)


def test_the_commands_list_and_erase(world, old_person, capsys):
    profile, case = old_person
    call_command("retention_review")
    out = capsys.readouterr().out
    assert f"PROFILE-{profile.pk}" in out and case.reference in out and "Oldrecord" not in out
    with pytest.raises(CommandError, match="not past|justification"):
        call_command("erase_record", "profile", str(profile.pk), by="norfolk_spoc", justification="short",
                     confirm=f"PROFILE-{profile.pk}")
    with pytest.raises(CommandError, match="No profile"):
        call_command("erase_record", "profile", str(profile.pk), by="staffs_officer", justification=JUSTIFICATION,
                     confirm=f"PROFILE-{profile.pk}")
    call_command("erase_record", "profile", str(profile.pk), by="norfolk_spoc", justification=JUSTIFICATION,
                 confirm=f"PROFILE-{profile.pk}")
    assert not Profile.objects.filter(pk=profile.pk).exists()
    assert AuditEvent.objects.get(action=AuditAction.ERASE).channel == "cli"


def test_review_dates_follow_the_last_activity(world, old_person):
    profile, case = old_person
    services.add_activity(by=world.norfolk_officer, profile=profile, summary="Seen again",
                          occurred_at=datetime.now(UTC) - timedelta(days=1))
    assert retention.profile_status(profile) is None
    case.refresh_from_db()
    assert retention.case_status(case).review_on == date(2021, 1, 5)


def test_a_partnership_admin_without_record_access_sees_references_not_names(client, world, old_person):
    from core.models import Membership

    profile, case = old_person
    Membership.objects.create(user=world.partnership_admin, team=world.norfolk_ppo)
    client.force_login(world.partnership_admin)
    page = client.get(reverse("wraparound_retention_review")).content.decode()
    assert f"PROFILE-{profile.pk}" in page and case.reference in page
    assert "Oldrecord" not in page and "Noise at 1 Old Lane" not in page and "not shared with you" in page
    erase_page = client.get(reverse("wraparound_erase_record", args=["profile", profile.pk])).content.decode()
    assert "Oldrecord" not in erase_page
