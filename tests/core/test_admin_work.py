"""The task, referral, inbox and dashboard screens: every URL goes through the access
engine (404 for a record outside access, nothing written), lists keep a fixed query
cost, and the screens a practitioner uses render what they should."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import services
from core.access import AccessLevel
from core.forms.referrals import GenericReferralForm
from core.models import AuditEvent, Notification, NotificationPreference, Referral, Task

from ..factories import CaseFactory, ProfileFactory
from .test_admin_records import core_row_counts, namespace_urls

pytestmark = pytest.mark.django_db

ANY_FORM = {"note": "x", "reason": "Because", "text": "More", "title": "Intrude", "version": "1",
            "assigned_team": "1", "priority": "2"}


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def generic(**extra):
    return GenericReferralForm({"answers-reason": "Repeat damage", "answers-urgency": "routine", **extra},
                               prefix="answers")


@pytest.fixture
def hidden(world, settings, tmp_path):
    """Staffordshire's task (with a file) and referral to Norfolk: nothing Waveney's
    housing officer may see."""
    settings.MEDIA_ROOT = tmp_path
    profile = ProfileFactory(owner_team=world.staffs_iom, first_name="Hidden", last_name="Person")
    task = services.create_task(by=world.staffs_officer, profile=profile, title="Hidden visit",
                                assigned_user=world.staffs_officer)
    attachment = services.add_task_attachment(task, SimpleUploadedFile("hidden.txt", b"secret"),
                                              by=world.staffs_officer)
    referral = services.make_referral(
        by=world.staffs_officer, profile=profile, to_team=world.norfolk_iom, form_slug="generic", form=generic(),
        programme="asb", case_type="asb_case")
    return {"profile": profile, "task": task, "attachment": attachment, "referral": referral}


def kwargs_for(namespace, name, hidden):
    if namespace == "wraparound_tasks":
        kwargs = {"pk": hidden["task"].pk}
        if name == "attachment":
            kwargs["attachment_pk"] = hidden["attachment"].pk
        return kwargs
    if name in ("choose_form", "add"):
        kwargs = {"pk": hidden["profile"].pk}
        if name == "add":
            kwargs["form_slug"] = "generic"
        return kwargs
    return {"pk": hidden["referral"].pk}


@pytest.mark.parametrize("namespace", ["wraparound_tasks", "wraparound_referrals"])
def test_every_url_answers_404_for_a_record_outside_access(namespace, world, hidden):
    client = login(world.outsider)
    before_rows, before_audit = core_row_counts(), AuditEvent.objects.count()
    for name, takes_pk in namespace_urls(namespace):
        if not takes_pk:
            continue
        url = reverse(f"{namespace}:{name}", kwargs=kwargs_for(namespace, name, hidden))
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, ANY_FORM).status_code in (404, 405), url
    assert core_row_counts() == before_rows
    assert AuditEvent.objects.count() == before_audit


def test_task_add_for_a_hidden_record_is_404(world, hidden):
    client = login(world.outsider)
    url = reverse("wraparound_tasks:add")
    assert client.get(url, {"profile": hidden["profile"].pk}).status_code == 404
    case = CaseFactory(owner_team=world.staffs_iom)
    assert client.post(f"{url}?case={case.pk}", ANY_FORM).status_code == 404
    assert not Task.objects.filter(title="Intrude").exists()


def test_lists_and_dashboard_show_nothing_outside_access(world, hidden):
    client = login(world.outsider)
    for url in (reverse("wraparound_tasks:index"), reverse("wraparound_tasks:index") + "?scope=team",
                reverse("wraparound_referrals:index"), reverse("wraparound_referrals:index") + "?box=out&status=all",
                reverse("wagtailadmin_home"), reverse("wraparound_inbox:index")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"Hidden" not in response.content, url
        assert b"Repeat damage" not in response.content, url


def test_dashboard_figures_count_only_visible_cases(world):
    CaseFactory.create_batch(3, owner_team=world.staffs_iom, programme="asb", case_type="asb_case", stage="reported")
    CaseFactory(owner_team=world.waveney_asb, programme="asb", case_type="asb_case", stage="reported")
    content = login(world.waveney_officer).get(reverse("wagtailadmin_home")).content.decode()
    chart = re.search(r'id="chart-open-cases-desc">([^<]*)<', content).group(1)
    assert ";" not in chart and chart.endswith(": 1"), chart  # one bar, one case
    staffs = login(world.staffs_officer).get(reverse("wagtailadmin_home")).content.decode()
    assert re.search(r'id="chart-open-cases-desc">[^<]*: 3<', staffs)


def test_dashboard_lists_my_open_tasks_and_counts_the_referrals_i_see(world, hidden):
    """"My tasks": open tasks assigned to the user or one of their teams (read as a union
    of the two assignee indexes), not closed ones nor others' tasks on records they see.
    "Referrals per month" counts the referrals they see (the union of the access arms)."""
    profile = ProfileFactory(owner_team=world.staffs_iom)
    services.create_task(by=world.staffs_officer, profile=profile, title="Ring the school",
                         assigned_user=world.staffs_officer)
    services.create_task(by=world.staffs_officer, profile=profile, title="Team home visit",
                         assigned_team=world.staffs_iom)
    done = services.create_task(by=world.staffs_officer, profile=profile, title="Old errand",
                                assigned_user=world.staffs_officer)
    services.complete_task(done, by=world.staffs_officer)
    services.grant_access(profile, world.waveney_asb, AccessLevel.VIEW, by=world.staffs_officer, reason="Joint")
    services.create_task(by=world.staffs_officer, profile=profile, title="Waveney's errand",
                         assigned_team=world.waveney_asb)
    services.make_referral(by=world.norfolk_officer, profile=ProfileFactory(owner_team=world.norfolk_iom),
                           to_team=world.norfolk_ppo, form_slug="generic", form=generic(), programme="asb",
                           case_type="asb_case")
    content = login(world.staffs_officer).get(reverse("wagtailadmin_home")).content.decode()
    assert "Ring the school" in content and "Team home visit" in content and "Hidden visit" in content
    assert "Old errand" not in content and "Waveney&#x27;s errand" not in content
    assert "3 open for you and your teams" in content  # with Hidden visit, assigned to them too
    months = re.search(r'id="chart-referrals-desc">([^<]*)<', content).group(1)
    assert sum(int(n) for n in re.findall(r": (\d+)", months)) == 1, months  # hidden's, not Norfolk's own
    waveney = login(world.waveney_officer).get(reverse("wagtailadmin_home")).content.decode()
    assert "Waveney&#x27;s errand" in waveney and "Ring the school" not in waveney  # sees it, not theirs


def test_task_referral_and_inbox_lists_page_through_everything(world, monkeypatch):
    """The lists showed their first 50 rows and nothing to say there were more: a team with
    150 open tasks saw a third of them. They page now, the count beside the links."""
    monkeypatch.setattr("core.admin.tasks.PAGE_SIZE", 2)
    monkeypatch.setattr("core.admin.referrals.PAGE_SIZE", 2)
    profile = ProfileFactory(owner_team=world.staffs_iom)
    for day in (3, 1, 2):
        services.create_task(by=world.staffs_officer, profile=profile, title=f"Visit on day {day}",
                             assigned_team=world.staffs_iom,
                             due_on=timezone.localdate() + timezone.timedelta(days=day))
    for _ in range(3):
        services.make_referral(by=world.staffs_officer, profile=profile, to_team=world.waveney_asb,
                               form_slug="generic", form=generic(), programme="asb", case_type="asb_case")
    client = login(world.staffs_officer)
    url = reverse("wraparound_tasks:index")
    first = client.get(url, {"scope": "team"}).content.decode()
    assert "Visit on day 1" in first and "Visit on day 2" in first and "Visit on day 3" not in first
    assert "Page 1 of 2 · 3 in all" in first and "?scope=team&amp;status=open&amp;p=2" in first
    second = client.get(url, {"scope": "team", "status": "open", "p": 2}).content.decode()
    assert "Visit on day 3" in second and "Visit on day 1" not in second and "Page 2 of 2" in second
    referrals = reverse("wraparound_referrals:index")
    waveney = login(world.waveney_officer)
    pages = [waveney.get(referrals, {"box": "in", "status": "waiting", "p": p}).content.decode() for p in (1, 2)]
    assert "Page 1 of 2 · 3 in all" in pages[0] and "?box=in&amp;status=waiting&amp;p=2" in pages[0]
    shown = [set(re.findall(r"#(\d+) ", page)) for page in pages]
    assert len(shown[0]) == 2 and len(shown[1]) == 1 and not shown[0] & shown[1]
    monkeypatch.setattr("core.admin.inbox.PAGE_SIZE", 2)  # the inbox pages the same way, newest first
    inbox = waveney.get(reverse("wraparound_inbox:index")).content.decode()
    assert "Page 1 of 2 · 3 in all" in inbox and 'href="?show=all&amp;p=2">Older</a>' in inbox
    # Someone outside the records sees neither the rows nor their number.
    outsider = login(world.outsider).get(url, {"scope": "team"}).content.decode()
    assert "Visit on day" not in outsider and "in all" not in outsider


def test_dashboard_counts_every_open_and_overdue_task_not_only_those_shown(world, monkeypatch):
    monkeypatch.setattr("core.admin.dashboard.PANEL_ROWS", 2)
    profile = ProfileFactory(owner_team=world.staffs_iom)
    for days in (-3, -2, -1, 4):
        services.create_task(by=world.staffs_officer, profile=profile, title=f"Due in {days}",
                             assigned_team=world.staffs_iom, due_on=timezone.localdate() + timezone.timedelta(days=days))
    content = login(world.staffs_officer).get(reverse("wagtailadmin_home")).content.decode()
    assert "Due in -3" in content and "Due in -2" in content and "Due in -1" not in content
    assert "3 overdue" in content and "4 open for you and your teams, the 2 due soonest here" in content


def test_receiver_sees_the_referral_summary_not_the_profile(world, hidden):
    client = login(world.norfolk_officer)
    referral = hidden["referral"]
    page = client.get(reverse("wraparound_referrals:detail", args=[referral.pk]))
    assert page.status_code == 200
    assert b"Hidden Person" in page.content and b"Repeat damage" in page.content
    assert reverse("wraparound_profiles:detail", args=[hidden["profile"].pk]).encode() not in page.content
    assert client.get(reverse("wraparound_profiles:detail", args=[hidden["profile"].pk])).status_code == 404
    # The task for the team links to the referral.
    task = Task.objects.get(referral=referral)
    task_page = client.get(reverse("wraparound_tasks:detail", args=[task.pk]))
    assert task_page.status_code == 200 and b"a record not shared with you" in task_page.content
    # Accept through the screen: a case starts and the profile opens.
    response = client.post(reverse("wraparound_referrals:accept", args=[referral.pk]),
                           {"version": referral.version})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert response["Location"] == reverse("wraparound_cases:detail", args=[referral.case_id])
    assert client.get(reverse("wraparound_profiles:detail", args=[hidden["profile"].pk])).status_code == 200


def test_referral_form_shows_errors_per_field_and_saves_nothing(world):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    client = login(world.staffs_officer)
    url = reverse("wraparound_referrals:add", args=[profile.pk, "generic"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"to_team": world.waveney_asb.pk, "case_type": "", "profile_level": "20",
                                 "referrer_case_level": "10", "answers-urgency": "soon"})
    assert response.status_code == 400
    assert not Referral.objects.exists()
    form_errors = response.context["meta"].errors
    assert "case_type" in form_errors and "reason" in response.context["answers"].errors
    response = client.post(url, {"to_team": world.waveney_asb.pk, "case_type": "asb:asb_case",
                                 "profile_level": "20", "referrer_case_level": "10",
                                 "answers-reason": "Noise every night", "answers-urgency": "soon"})
    assert response.status_code == 302, (response.context["meta"].errors, response.context["answers"].errors)
    referral = Referral.objects.get()
    assert response["Location"] == reverse("wraparound_referrals:detail", args=[referral.pk])


def test_referral_needs_manage_on_the_profile(world):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    services.grant_access(profile, world.waveney_asb, AccessLevel.CONTRIBUTE, by=world.staffs_officer, reason="x")
    client = login(world.waveney_officer)
    assert client.get(reverse("wraparound_referrals:choose_form", args=[profile.pk])).status_code == 403


def test_attachment_download_is_an_audited_attachment(world, hidden):
    client = login(world.staffs_officer)
    attachment = hidden["attachment"]
    response = client.get(reverse("wraparound_tasks:attachment", args=[hidden["task"].pk, attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="hidden.txt"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"secret"
    assert AuditEvent.objects.for_object(attachment).filter(action="view").count() == 1


def test_task_list_highlights_overdue_and_keeps_its_query_count(world):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    client = login(world.staffs_officer)
    url = reverse("wraparound_tasks:index")

    def add(n):
        for i in range(n):
            services.create_task(by=world.staffs_officer, profile=profile, title=f"Visit {i}",
                                 assigned_user=world.staffs_officer,
                                 due_on=timezone.localdate() - timezone.timedelta(days=1))
        case = CaseFactory(owner_team=world.staffs_iom)
        services.create_task(by=world.staffs_officer, case=case, title="On a case", assigned_user=world.staffs_officer)

    add(1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert b"Overdue" in response.content and b"wa-overdue" in response.content
    add(10)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_referral_list_and_dashboard_keep_their_query_count(world):
    client = login(world.waveney_officer)

    def refer(n):
        for _ in range(n):
            profile = ProfileFactory(owner_team=world.staffs_iom)
            services.make_referral(by=world.staffs_officer, profile=profile, to_team=world.waveney_asb,
                                   form_slug="generic", form=generic(), programme="asb", case_type="asb_case")

    refer(1)
    for url in (reverse("wraparound_referrals:index"), reverse("wagtailadmin_home")):
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        refer(6)
        with CaptureQueriesContext(connection) as many:
            client.get(url)
        assert len(many) == len(few), url


def test_inbox_open_marks_read_and_redirects_inside_the_site(world):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    services.make_referral(by=world.staffs_officer, profile=profile, to_team=world.waveney_asb,
                           form_slug="generic", form=generic(), programme="asb", case_type="asb_case")
    note = Notification.objects.get(recipient=world.waveney_officer)
    client = login(world.waveney_officer)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Notifications (1)" in home
    response = client.get(reverse("wraparound_inbox:open", args=[note.pk]))
    assert response["Location"] == note.url
    note.refresh_from_db()
    assert note.read_at is not None
    # Someone else's notification is not found; an outside URL is not followed.
    assert login(world.outsider).get(reverse("wraparound_inbox:open", args=[note.pk])).status_code == 404
    Notification.objects.filter(pk=note.pk).update(url="//evil.example/x")
    assert client.get(reverse("wraparound_inbox:open", args=[note.pk]))["Location"] == reverse("wraparound_inbox:index")


def test_mark_all_read_and_preferences(world):
    services.notifications.notify(world.outsider, kind="task", subject="One")
    services.notifications.notify(world.outsider, kind="task", subject="Two")
    client = login(world.outsider)
    client.post(reverse("wraparound_inbox:read_all"))
    assert not Notification.objects.filter(recipient=world.outsider, read_at__isnull=True).exists()
    data = {f"{k}_in_app": "on" for k in ("task", "referral", "alert", "grant", "access_request", "import", "other")}
    data.update({"task_email": "on"})
    assert client.post(reverse("wraparound_inbox:preferences"), data).status_code == 302
    prefs = {p.kind: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=world.outsider)}
    assert prefs["referral"] == (True, False) and "task" not in prefs
    page = client.get(reverse("wraparound_inbox:preferences"))
    assert page.status_code == 200


def test_task_add_complete_and_attach_through_the_screens(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    profile = ProfileFactory(owner_team=world.staffs_iom)
    client = login(world.staffs_officer)
    page = client.get(reverse("wraparound_profiles:tab", args=[profile.pk, "work"]))  # the hub's tab
    assert b"Add a task" in page.content and b"Make a referral" in page.content
    url = reverse("wraparound_tasks:add") + f"?profile={profile.pk}"
    refused = client.post(url, {"title": "", "priority": "2"})
    assert refused.status_code == 400 and not Task.objects.exists()
    assert "title" in refused.context["form"].errors
    response = client.post(url, {"title": "Home visit", "assigned_user": world.staffs_officer.pk,
                                 "priority": "3", "due_on": ""})
    task = Task.objects.get()
    assert response["Location"] == reverse("wraparound_tasks:detail", args=[task.pk])
    bad = client.post(reverse("wraparound_tasks:attach", args=[task.pk]),
                      {"file": SimpleUploadedFile("run.exe", b"MZ")}, follow=True)
    assert b"not accepted here" in bad.content and not task.attachments.exists()
    client.post(reverse("wraparound_tasks:attach", args=[task.pk]),
                {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4\ntrailer << >>\n%%EOF\n")})
    assert task.attachments.count() == 1
    client.post(reverse("wraparound_tasks:complete", args=[task.pk]), {"note": "Seen, all well"})
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    assert profile.activities.filter(summary="Task completed: Home visit", details="Seen, all well").exists()


def test_viewer_without_contribute_gets_no_task_or_referral_buttons(world):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    services.grant_access(profile, world.waveney_asb, AccessLevel.VIEW, by=world.staffs_officer, reason="x")
    page = login(world.waveney_officer).get(reverse("wraparound_profiles:detail", args=[profile.pk]))
    assert page.status_code == 200
    assert b"Add a task" not in page.content and b"Make a referral" not in page.content
    assert login(world.waveney_officer).get(
        reverse("wraparound_tasks:add") + f"?profile={profile.pk}").status_code == 403
