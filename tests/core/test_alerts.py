"""Trigger rules and alerts (core/alerts.py, core/services/alerts.py,
core/admin/alerts.py): raised once per occurrence whoever records the data and however
often rules are evaluated; handled with a note and audited; visible only with access
to the profile."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import alerts, services
from core.access import AccessLevel
from core.models import (
    Alert,
    AuditAction,
    AuditEvent,
    Gallery,
    Notification,
    NotificationKind,
    TriggerRule,
)
from core.services.reports import _stream_data
from core.tasks import evaluate_alerts_task

from ..factories import CaseFactory, ProfileFactory


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def child(world):
    return ProfileFactory(owner_team=world.norfolk_iom, first_name="Chloe", last_name="Hangleton")


@pytest.fixture
def episodes_rule(world):
    rule = TriggerRule.objects.create(
        name="Repeat missing: 3 episodes in 60 days", kind="activity_count",
        params={"count": 3, "days": 60, "kinds": [], "contains": "missing episode"},
    )
    rule.recipient_teams.add(world.waveney_asb)
    return rule


def shared_case(world, child):
    case = CaseFactory(owner_team=world.norfolk_iom, programme="missing_persons", case_type="repeat_missing",
                       stage="identified")
    case.participants.create(profile=child)
    for team in (world.norfolk_ppo, world.waveney_asb):
        services.grant_access(case, team, AccessLevel.CONTRIBUTE, by=world.norfolk_officer, reason="Partners")
        services.grant_access(child, team, AccessLevel.CONTRIBUTE, by=world.norfolk_officer, reason="Partners")
    return case


def test_s9_episodes_recorded_by_several_organisations_raise_exactly_one_alert(
    world, child, episodes_rule, django_capture_on_commit_callbacks
):
    case = shared_case(world, child)
    now = timezone.now()
    recorders = [world.norfolk_officer, world.waveney_officer, world.norfolk_ppo_officer, world.waveney_officer]
    for days_ago, who in zip((20, 14, 9, 2), recorders, strict=True):
        with django_capture_on_commit_callbacks(execute=True):
            services.add_activity(by=who, case=case, kind="call", summary="Missing episode: not back by curfew",
                                  occurred_at=now - datetime.timedelta(days=days_ago))
        # Someone else's unrelated entry does not count.
        services.add_activity(by=who, case=case, kind="visit", summary="Return-home interview",
                              occurred_at=now - datetime.timedelta(days=days_ago))
    assert Alert.objects.count() == 1
    alert = Alert.objects.get()
    assert alert.rule == episodes_rule and alert.profile == child and alert.status == Alert.Status.OPEN
    # Re-evaluation (the sweep, the task, another change) raises nothing new.
    assert alerts.sweep() == 0
    assert evaluate_alerts_task.call() == 0
    assert Alert.objects.count() == 1
    # The owner team and the rule's recipients were told, without the child's name.
    told = Notification.objects.filter(kind=NotificationKind.ALERT)
    assert {n.recipient.username for n in told} >= {"norfolk_officer", "waveney_officer"}
    assert all("Chloe" not in n.subject + n.body for n in told)
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="core.alert").count() == 1


def test_fewer_episodes_than_the_threshold_raise_nothing(world, child, episodes_rule):
    case = shared_case(world, child)
    now = timezone.now()
    for days_ago in (100, 30):  # two within 60 days at most
        services.add_activity(by=world.norfolk_officer, case=case, kind="call", summary="Missing episode",
                              occurred_at=now - datetime.timedelta(days=days_ago))
    assert alerts.sweep() == 0


def test_a_new_cluster_later_is_a_new_occurrence(world, child, episodes_rule):
    now = timezone.now()
    for days_ago in (300, 295, 290, 30, 20, 10):
        services.add_activity(by=world.norfolk_officer, profile=child, kind="call", summary="Missing episode",
                              occurred_at=now - datetime.timedelta(days=days_ago))
    assert alerts.sweep() == 2
    assert alerts.sweep() == 0


def test_scope_limits_the_rule_to_chosen_organisations(world, child, episodes_rule):
    episodes_rule.organisations.add(world.staffs_police)
    now = timezone.now()
    for days_ago in (3, 2, 1):
        services.add_activity(by=world.norfolk_officer, profile=child, kind="call", summary="Missing episode",
                              occurred_at=now - datetime.timedelta(days=days_ago))
    assert alerts.sweep() == 0


def test_date_within_rule_fires_for_a_release_date_near(world, child):
    rt = services.save_report_type(__import__("core.models", fromlist=["ReportType"]).ReportType(
        slug="pre_release", name="Pre-release", fields=_stream_data(
            [{"key": "release_date", "label": "Release date", "kind": "date", "required": True}])))
    TriggerRule.objects.create(name="Release near", kind="date_within",
                               params={"report_type": "pre_release", "field": "release_date", "days": 28})
    soon = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    services.create_report(by=world.norfolk_officer, report_type=rt, profile=child,
                           data={"release_date": (timezone.localdate() + datetime.timedelta(days=90)).isoformat()})
    assert alerts.sweep() == 0
    # A report restricted to its organisation cannot be quoted in an alert that everyone
    # who sees the profile sees.
    services.create_report(by=world.norfolk_officer, report_type=rt, profile=child, data={"release_date": soon},
                           restricted=True)
    assert alerts.sweep() == 0
    services.create_report(by=world.norfolk_officer, report_type=rt, profile=child, data={"release_date": soon})
    assert alerts.sweep() == 1 and alerts.sweep() == 0


def test_gallery_added_rule_fires_on_the_entry(world, child, django_capture_on_commit_callbacks):
    g = Gallery.objects.create(name="Currently missing", slug="missing")
    g.audience_teams.add(world.norfolk_iom)
    TriggerRule.objects.create(name="Missing now", kind="gallery_added", params={"gallery": "missing"})
    with django_capture_on_commit_callbacks(execute=True):
        services.add_to_gallery(g, child, by=world.norfolk_officer, reason="Not back", risk_level="high")
    assert Alert.objects.filter(profile=child).count() == 1


def test_alert_is_handled_with_a_note_and_audited(world, child, episodes_rule):
    alert = Alert.objects.create(rule=episodes_rule, profile=child, occurrence_key="k", summary="s")
    url = reverse("wraparound_alerts:detail", args=[alert.pk])
    client = login(world.norfolk_officer)
    assert client.post(url, {"dismiss": "1", "note": ""}).status_code == 400
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN
    assert client.post(url, {"acknowledge": "1"}).status_code == 302
    assert client.post(url, {"action": "1", "note": "Strategy meeting called"}).status_code == 302
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACTIONED and alert.note == "Strategy meeting called"
    assert alert.handled_by == world.norfolk_officer
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="core.alert").count() == 2


def test_alert_urls_answer_404_without_access_to_the_profile(world, child, episodes_rule):
    alert = Alert.objects.create(rule=episodes_rule, profile=child, occurrence_key="k", summary="Episodes")
    client = login(world.outsider)
    url = reverse("wraparound_alerts:detail", args=[alert.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"dismiss": "1", "note": "x"}).status_code == 404
    listing = client.get(reverse("wraparound_alerts:index") + "?status=all").content.decode()
    assert "Hangleton" not in listing and episodes_rule.name not in listing
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Hangleton" not in home and episodes_rule.name not in home
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN


def test_dashboard_panel_shows_open_alerts_and_counts_per_rule(world, child, episodes_rule):
    Alert.objects.create(rule=episodes_rule, profile=child, occurrence_key="k", summary="Episodes")
    html = login(world.norfolk_officer).get(reverse("wagtailadmin_home")).content.decode()
    assert 'data-testid="alerts-panel"' in html and "Hangleton" in html
    assert 'data-testid="alerts-per-rule"' in html


def test_trigger_rules_screen_is_for_partnership_admins(world, episodes_rule):
    admin = login(world.partnership_admin)
    assert admin.get(reverse("wraparound_trigger_rules:index")).status_code == 200
    add = reverse("wraparound_trigger_rules:add") + "?kind=activity_count"
    assert admin.get(add).status_code == 200
    response = admin.post(add, {"name": "Three ASB complaints", "param_count": "3", "param_days": "180",
                                "param_kinds": ["contact"], "param_contains": "complaint",
                                "recipient_teams": [world.waveney_asb.pk], "notify_owner_team": "on",
                                "is_active": "on"})
    assert response.status_code == 302
    rule = TriggerRule.objects.get(name="Three ASB complaints")
    assert rule.params == {"count": 3, "days": 180, "kinds": ["contact"], "contains": "complaint"}
    assert list(rule.recipient_teams.all()) == [world.waveney_asb]
    assert admin.post(add, {"name": "Bad", "param_count": "0", "param_days": "x"}).status_code == 400
    assert login(world.norfolk_officer).get(reverse("wraparound_trigger_rules:index")).status_code == 403
    assert login(world.norfolk_officer).post(add, {"name": "Sneaky"}).status_code == 403


def test_profile_alerts_panel_shows_only_alerts_the_viewer_may_see(world, child, episodes_rule, rf):
    from django.template import Context, Template

    Alert.objects.create(rule=episodes_rule, profile=child, occurrence_key="k", summary="Four episodes")
    template = Template("{% load wraparound_workspace %}{% profile_alerts profile %}")
    for user, shown in ((world.norfolk_officer, True), (world.outsider, False)):
        request = rf.get("/")
        request.user = user
        html = template.render(Context({"request": request, "profile": child}))
        assert ("Four episodes" in html) is shown
