import pytest
from django.core import mail
from django.db import transaction

from core.models import Notification, NotificationKind, NotificationPreference
from core.services.notifications import mark_read, notify, unread_count
from tests.factories import UserFactory, make_world

pytestmark = pytest.mark.django_db


def test_team_and_organisation_members_are_notified_once_and_actor_skipped():
    w = make_world()
    w.norfolk_officer.email = "n@example.org"
    w.norfolk_officer.save()
    rows = notify(
        [w.norfolk_iom, w.norfolk_police, w.norfolk_officer],
        kind=NotificationKind.TASK,
        subject="A task for your team",
        url="/admin/",
        actor=w.norfolk_spoc,
    )
    recipients = sorted(r.recipient.username for r in rows)
    assert recipients == ["norfolk_officer", "norfolk_ppo_officer"]
    assert unread_count(w.norfolk_officer) == 1


def test_email_is_sent_after_commit_and_honours_preferences(django_capture_on_commit_callbacks):
    w = make_world()
    for user in (w.waveney_officer, w.outsider):
        user.email = f"{user.username}@example.org"
        user.save()
    NotificationPreference.objects.create(user=w.outsider, kind=NotificationKind.ALERT, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        notify([w.waveney], kind=NotificationKind.ALERT, subject="Alert raised", url="/admin/x/")
    assert [m.to for m in mail.outbox] == [["waveney_officer@example.org"]]
    assert "/admin/x/" in mail.outbox[0].body
    assert Notification.objects.filter(recipient=w.outsider).count() == 1


def test_rolled_back_action_sends_no_email(django_capture_on_commit_callbacks):
    user = UserFactory(email="a@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                notify(user, kind=NotificationKind.GRANT, subject="Access granted")
                raise RuntimeError
        except RuntimeError:
            pass
    assert mail.outbox == []
    assert Notification.objects.count() == 0


def test_in_app_off_writes_no_row_and_mark_read():
    user = UserFactory()
    NotificationPreference.objects.create(user=user, kind=NotificationKind.TASK, in_app=False, email=False)
    assert notify(user, kind=NotificationKind.TASK, subject="x") == []
    notify(user, kind=NotificationKind.REFERRAL, subject="y")
    assert mark_read(user) == 1
    assert unread_count(user) == 0


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        notify(UserFactory(), kind="nonsense", subject="x")
