"""Tasks and referrals (core.services.work): each transition, refusals in the wrong
state or by the wrong person, nothing written on error, audit and notifications."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core import access, services
from core.access import AccessLevel
from core.forms.referrals import GenericReferralForm
from core.models import (
    Activity,
    AuditEvent,
    Case,
    Notification,
    Referral,
    ReferralStep,
    Task,
    TaskAttachment,
)
from core.services.errors import NotAllowed
from core.services.work import check_attachment

from ..factories import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(world):
    return ProfileFactory(owner_team=world.staffs_iom, first_name="Harvey", last_name="Cooper")


def answers(**overrides):
    data = {"answers-reason": "Repeated damage to the shop", "answers-urgency": "soon",
            "answers-consent_obtained": "on", **overrides}
    return GenericReferralForm(data, prefix="answers")


def refer(world, profile, **kwargs):
    params = dict(by=world.staffs_officer, profile=profile, to_team=world.waveney_asb, form_slug="generic",
                  form=answers(), programme="asb", case_type="asb_case")
    params.update(kwargs)
    return services.make_referral(**params)


# Tasks -------------------------------------------------------------------------------

def test_create_task_notifies_the_assignee_and_audits(world, profile, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        task = services.create_task(by=world.staffs_officer, profile=profile, title="Home visit",
                                    assigned_user=world.staffs_officer, due_on=timezone.localdate())
    assert AuditEvent.objects.for_object(task).filter(action="create").count() == 1
    # The actor is not notified of their own task.
    assert not Notification.objects.filter(recipient=world.staffs_officer).exists()
    team_task = services.create_task(by=world.staffs_officer, profile=profile, title="Check housing",
                                     assigned_team=world.staffs_iom)
    assert team_task.assigned_team == world.staffs_iom


def test_task_to_someone_who_cannot_see_the_record_is_refused_and_nothing_written(world, profile):
    with pytest.raises(ValidationError) as exc:
        services.create_task(by=world.staffs_officer, profile=profile, title="Visit",
                             assigned_user=world.waveney_officer)
    assert "assigned_user" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.create_task(by=world.staffs_officer, profile=profile, title="", assigned_team=world.waveney_asb)
    assert set(exc.value.message_dict) == {"title", "assigned_team"}
    assert not Task.objects.exists() and not AuditEvent.objects.filter(object_type="core.task").exists()


def test_task_needs_contribute_on_the_record(world, profile):
    with pytest.raises(NotAllowed):
        services.create_task(by=world.waveney_officer, profile=profile, title="Visit",
                             assigned_user=world.waveney_officer)


def test_assignee_with_a_grant_gets_the_task_and_a_notification(world, profile):
    services.grant_access(profile, world.waveney_asb, AccessLevel.VIEW, by=world.staffs_officer, reason="joint work")
    task = services.create_task(by=world.staffs_officer, profile=profile, title="Joint visit",
                                assigned_team=world.waveney_asb)
    note = Notification.objects.get(recipient=world.waveney_officer)
    assert note.kind == "task" and note.url.endswith(f"/tasks/{task.pk}/")
    assert "Harvey" not in note.subject  # no personal data in notifications


def test_completing_a_task_records_an_activity_and_tells_the_creator(world, profile):
    services.grant_access(profile, world.waveney_asb, AccessLevel.VIEW, by=world.staffs_officer, reason="joint work")
    task = services.create_task(by=world.staffs_officer, profile=profile, title="Joint visit",
                                assigned_user=world.waveney_officer)
    services.start_task(task, by=world.waveney_officer)
    activity = services.complete_task(task, by=world.waveney_officer, note="Seen at home")
    task.refresh_from_db()
    assert task.status == Task.Status.DONE and task.completed_by == world.waveney_officer
    assert activity.profile == profile and activity.summary == "Task completed: Joint visit"
    assert activity.organisation == world.waveney
    assert Notification.objects.filter(recipient=world.staffs_officer, subject__startswith="Task completed").exists()
    assert AuditEvent.objects.for_object(task).filter(action="update").count() == 2
    with pytest.raises(ValidationError):
        services.complete_task(task, by=world.waveney_officer)
    assert Activity.objects.filter(summary__startswith="Task completed").count() == 1


def test_only_assignees_or_contributors_complete_a_task(world, profile):
    task = services.create_task(by=world.staffs_officer, profile=profile, title="Visit",
                                assigned_user=world.staffs_officer)
    with pytest.raises(NotAllowed):
        services.complete_task(task, by=world.outsider)
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_cancel_needs_a_reason(world, profile):
    task = services.create_task(by=world.staffs_officer, profile=profile, title="Visit",
                                assigned_user=world.staffs_officer)
    with pytest.raises(ValidationError):
        services.cancel_task(task, by=world.staffs_officer, reason=" ")
    services.cancel_task(task, by=world.staffs_officer, reason="Moved away")
    task.refresh_from_db()
    assert task.status == Task.Status.CANCELLED


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buf, "PNG")
    return buf.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.parametrize("name,data,ok", [
    ("letter.pdf", PDF, True), ("photo.PNG", "png", True), ("notes.txt", b"plain words", True),
    ("run.exe", b"MZ\x90\x00" + b"\x00" * 100, False), ("page.html", b"<html><script>x</script>", False),
    ("empty.pdf", b"", False), ("big.pdf", PDF + b"x" * (11 * 1024 * 1024), False),
    ("letter.pdf", b"just text", False),  # mislabelled: the content decides, not the name
])
def test_attachment_check(name, data, ok):
    upload = SimpleUploadedFile(name, _png() if data == "png" else data)
    if ok:
        assert check_attachment(upload).content_type
    else:
        with pytest.raises(ValidationError) as exc:
            check_attachment(upload)
        assert "file" in exc.value.message_dict


def test_attachment_is_stored_and_audited(world, profile, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    task = services.create_task(by=world.staffs_officer, profile=profile, title="Visit",
                                assigned_user=world.staffs_officer)
    attachment = services.add_task_attachment(task, SimpleUploadedFile("notes.txt", b"hello"), by=world.staffs_officer)
    assert attachment.size == 5 and attachment.content_type == "text/plain"
    assert AuditEvent.objects.for_object(attachment).count() == 1
    with pytest.raises(ValidationError):
        services.add_task_attachment(task, SimpleUploadedFile("x.exe", b"MZ"), by=world.staffs_officer)
    assert TaskAttachment.objects.count() == 1


def test_task_access_follows_the_record_and_the_assignment(world, profile):
    task = services.create_task(by=world.staffs_officer, profile=profile, title="Visit",
                                assigned_user=world.staffs_officer)
    assert access.can(world.staffs_officer, task)
    assert not access.can(world.waveney_officer, task)
    assert not access.can(world.outsider, task)
    assert not access.restrict(TaskAttachment.objects.all(), world.outsider).exists()


# Referrals ---------------------------------------------------------------------------

def test_make_referral_arrives_as_a_task_for_the_receiving_team(world, profile):
    referral = refer(world, profile)
    assert referral.status == Referral.Status.SUBMITTED
    assert referral.person_summary["name"] == "Harvey Cooper"
    assert ["Why are you referring this person?", "Repeated damage to the shop"] in referral.content["answers"]
    task = Task.objects.get(referral=referral)
    assert task.assigned_team == world.waveney_asb and task.is_open
    assert Notification.objects.filter(recipient=world.waveney_officer, kind="referral").count() == 1
    assert AuditEvent.objects.for_object(referral).filter(action="create").count() == 1
    # The receiving team sees the referral and its task, not the profile.
    assert access.can(world.waveney_officer, referral) and access.can(world.waveney_officer, task)
    assert not access.can(world.waveney_officer, profile)
    assert not access.can(world.outsider, referral)


def test_make_referral_with_bad_input_writes_nothing(world, profile):
    with pytest.raises(ValidationError) as exc:
        refer(world, profile, form=answers(**{"answers-reason": ""}), to_team=world.staffs_iom, case_type="")
    assert {"reason", "to_team", "case_type"} <= set(exc.value.message_dict)
    assert not Referral.objects.exists() and not Task.objects.exists()
    assert not Notification.objects.exists()


def test_make_referral_needs_manage_on_the_profile(world, profile):
    services.grant_access(profile, world.norfolk_iom, AccessLevel.CONTRIBUTE, by=world.staffs_officer, reason="x")
    with pytest.raises(NotAllowed):
        refer(world, profile, by=world.norfolk_officer, from_team=world.norfolk_iom)


def test_accept_starts_a_case_owned_by_the_receiving_team_with_the_access_the_referral_says(world, profile):
    referral = refer(world, profile, referrer_case_level=AccessLevel.VIEW)
    case = services.accept_referral(referral, by=world.waveney_officer, note="Fits our criteria")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED and referral.case == case
    assert case.owner_team == world.waveney_asb and case.programme == "asb" and case.stage == "reported"
    assert list(case.participants.values_list("profile_id", flat=True)) == [profile.pk]
    assert access.level_for(world.waveney_officer, profile) == AccessLevel.CONTRIBUTE
    assert access.level_for(world.staffs_officer, case) == AccessLevel.VIEW
    assert not Task.objects.filter(referral=referral, status__in=Task.OPEN_STATUSES).exists()
    assert AuditEvent.objects.for_object(referral).filter(action="update").count() == 1
    assert AuditEvent.objects.for_object(profile).filter(action="grant").count() == 1
    assert Notification.objects.filter(recipient=world.staffs_officer, subject__contains="accepted").exists()
    assert list(referral.steps.values_list("action", flat=True)) == ["made", "accepted"]


def test_accept_is_refused_for_others_and_twice(world, profile):
    referral = refer(world, profile)
    with pytest.raises(NotAllowed):
        services.accept_referral(referral, by=world.staffs_officer)
    with pytest.raises(NotAllowed):
        services.accept_referral(referral, by=world.outsider)
    services.accept_referral(referral, by=world.waveney_officer)
    with pytest.raises(ValidationError):
        services.accept_referral(referral, by=world.waveney_officer)
    assert Case.objects.count() == 1


def test_accept_fails_whole_when_the_referrer_can_no_longer_share(world, profile):
    referral = refer(world, profile)
    world.staffs_officer.memberships.all().delete()
    with pytest.raises(ValidationError):
        services.accept_referral(referral, by=world.waveney_officer)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED and not Case.objects.exists()
    assert not access.can(world.waveney_officer, profile)


def test_decline_needs_a_reason_and_tells_the_referrer(world, profile):
    referral = refer(world, profile)
    with pytest.raises(ValidationError):
        services.decline_referral(referral, by=world.waveney_officer, reason="")
    services.decline_referral(referral, by=world.waveney_officer, reason="Outside our area")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECLINED
    assert Notification.objects.filter(recipient=world.staffs_officer, subject__contains="declined").exists()
    assert not access.can(world.waveney_officer, profile)
    with pytest.raises(ValidationError):
        services.withdraw_referral(referral, by=world.staffs_officer, reason="too late")


def test_more_information_round_trip(world, profile):
    referral = refer(world, profile)
    services.ask_for_information(referral, by=world.waveney_officer, question="Any previous incidents?")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.MORE_INFO
    with pytest.raises(ValidationError):  # asked already; waiting for the answer
        services.ask_for_information(referral, by=world.waveney_officer, question="And?")
    with pytest.raises(NotAllowed):
        services.give_information(referral, by=world.waveney_officer, answer="self-answer")
    services.give_information(referral, by=world.staffs_officer, answer="Two last year")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SUBMITTED
    assert list(ReferralStep.objects.filter(referral=referral).values_list("action", flat=True)) == [
        "made", "more_info_asked", "more_info_given"]
    assert Notification.objects.filter(recipient=world.waveney_officer, kind="referral").count() == 2


def test_withdraw_by_the_referrer_cancels_the_task(world, profile):
    referral = refer(world, profile)
    with pytest.raises(NotAllowed):
        services.withdraw_referral(referral, by=world.waveney_officer, reason="no")
    services.withdraw_referral(referral, by=world.staffs_officer, reason="Family moved away")
    assert Task.objects.get(referral=referral).status == Task.Status.CANCELLED
    with pytest.raises(ValidationError):
        services.accept_referral(referral, by=world.waveney_officer)


def test_stale_version_is_refused(world, profile):
    referral = refer(world, profile)
    stale = referral.version
    services.ask_for_information(referral, by=world.waveney_officer, question="?")
    services.give_information(referral, by=world.staffs_officer, answer="!")
    with pytest.raises(ValidationError):
        services.decline_referral(referral, by=world.waveney_officer, reason="no", expected_version=stale)


def test_due_date_long_past_is_refused(world, profile):
    with pytest.raises(ValidationError):
        services.create_task(by=world.staffs_officer, profile=profile, title="x", assigned_user=world.staffs_officer,
                             due_on=timezone.localdate() - timedelta(days=400))
