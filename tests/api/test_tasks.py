"""/api/v1/tasks: list with filters, detail, create, change with If-Match, start,
complete, cancel; access levels, an assignee without access to the record, outsiders,
read-only tokens, audit on the api channel."""

from __future__ import annotations

import datetime

from django.utils import timezone

from core import services
from core.models import AccessLevel, Activity, AuditEvent, Channel, Task
from tests.factories import CaseFactory, ProfileFactory


def a_task(world, parent, by=None, **kwargs):
    kind = "case" if parent.__class__.__name__ == "Case" else "profile"
    return services.create_task(by=by or world.staffs_officer, title=kwargs.pop("title", "Check in"),
                                **{kind: parent}, **{"assigned_team": world.staffs_iom, **kwargs})


def test_create_read_and_audit(world, staffs):
    user, api = staffs
    profile = ProfileFactory(owner_team=world.staffs_iom)
    created = api.post("/tasks/", {"profile": profile.pk, "title": "Home visit", "assigned_user": user.pk,
                                   "due_on": "2026-12-01", "priority": 3})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["profile_id"] == profile.pk and body["case_id"] is None
    assert body["assigned_user"]["id"] == user.pk and body["priority"] == 3 and body["status"] == "open"
    assert created["ETag"] == '"1"'
    assert AuditEvent.objects.get(action="create", object_type="core.task").channel == Channel.API
    detail = api.get(f"/tasks/{body['id']}")
    assert detail.status_code == 200 and detail.json()["title"] == "Home visit" and detail["ETag"] == '"1"'
    assert AuditEvent.objects.get(action="view", object_type="core.task").channel == Channel.API


def test_create_errors_name_the_field(world, staffs):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    api = staffs[1]
    nobody = api.post("/tasks/", {"profile": profile.pk, "title": "X"})
    assert nobody.status_code == 422 and nobody.json()["errors"][0]["field"] == "assigned_user"
    blind = api.post("/tasks/", {"profile": profile.pk, "title": "X", "assigned_team": world.norfolk_iom.pk})
    assert blind.status_code == 422 and blind.json()["errors"][0]["field"] == "assigned_team"
    neither = api.post("/tasks/", {"title": "X", "assigned_team": world.staffs_iom.pk})
    assert neither.status_code == 422 and neither.json()["errors"][0]["field"] == "case"
    assert not Task.objects.exists()


def test_list_filters(world, staffs):
    user, api = staffs
    case = CaseFactory(owner_team=world.staffs_iom, programme="iom", case_type="cohort", stage="referred")
    today = timezone.localdate()
    mine = a_task(world, case, assigned_team=None, assigned_user=user, due_on=today)
    team = a_task(world, case, due_on=today + datetime.timedelta(days=10))
    done = a_task(world, case)
    services.complete_task(done, by=world.staffs_officer)
    a_task(world, CaseFactory(owner_team=world.norfolk_iom, programme="iom", case_type="cohort", stage="referred"),
           by=world.norfolk_officer, assigned_team=world.norfolk_iom)

    def ids(**params):
        response = api.get("/tasks/", **params)
        assert response.status_code == 200, response.content
        return sorted(t["id"] for t in response.json()["items"])

    assert ids() == sorted([mine.pk, team.pk, done.pk])
    assert ids(assignee="me") == [mine.pk]
    assert ids(assignee="my_teams") == sorted([team.pk, done.pk])
    assert ids(status="done") == [done.pk]
    assert ids(open="true") == sorted([mine.pk, team.pk])
    assert ids(due_before=(today + datetime.timedelta(days=1)).isoformat()) == [mine.pk]
    assert ids(due_after=(today + datetime.timedelta(days=1)).isoformat()) == [team.pk]
    Task.objects.filter(pk=team.pk).update(updated_at=timezone.now() + datetime.timedelta(hours=1))
    since = (timezone.now() + datetime.timedelta(minutes=30)).isoformat()
    assert ids(updated_since=since) == [team.pk]
    assert AuditEvent.objects.filter(action="search", object_type="core.task", channel=Channel.API).exists()


def test_patch_needs_if_match_and_refuses_stale(world, staffs):
    user, api = staffs
    task = a_task(world, ProfileFactory(owner_team=world.staffs_iom))
    assert api.patch(f"/tasks/{task.pk}", {"title": "New"}).status_code == 428
    changed = api.patch(f"/tasks/{task.pk}", {"title": "New", "assigned_user": user.pk, "priority": 4},
                        headers={"If-Match": '"1"'})
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["title"] == "New" and body["assigned_user"]["id"] == user.pk and body["assigned_team"] is None
    assert changed["ETag"] == '"2"'
    stale = api.patch(f"/tasks/{task.pk}", {"title": "Other"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert Task.objects.get(pk=task.pk).title == "New"
    event = AuditEvent.objects.get(action="update", object_type="core.task")
    assert event.channel == Channel.API and "title" in event.changes


def test_start_complete_and_cancel(world, staffs):
    user, api = staffs
    profile = ProfileFactory(owner_team=world.staffs_iom)
    task = a_task(world, profile, assigned_team=None, assigned_user=user)
    started = api.post(f"/tasks/{task.pk}/start")
    assert started.status_code == 200 and started.json()["status"] == "in_progress"
    completed = api.post(f"/tasks/{task.pk}/complete", {"note": "Seen at home"})
    assert completed.status_code == 200, completed.content
    assert completed.json()["status"] == "done" and completed.json()["completion_note"] == "Seen at home"
    assert Activity.objects.filter(profile=profile, summary__startswith="Task completed").count() == 1
    again = api.post(f"/tasks/{task.pk}/complete", {"note": "twice"})
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "status"
    other = a_task(world, profile)
    cancelled = api.post(f"/tasks/{other.pk}/cancel", {"reason": "Not needed"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert set(AuditEvent.objects.filter(object_type="core.task", action="update").values_list("channel", flat=True)) \
        == {Channel.API}


def test_view_only_grant_cannot_write(world, account_for):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    task = a_task(world, profile)
    services.grant_access(profile, world.norfolk_iom, AccessLevel.VIEW, by=world.staffs_officer, reason="x")
    _u, viewer = account_for(world.norfolk_iom)
    assert viewer.get(f"/tasks/{task.pk}").status_code == 200
    assert viewer.post("/tasks/", {"profile": profile.pk, "title": "Mine", "assigned_team": world.norfolk_iom.pk}
                       ).status_code == 403
    assert viewer.patch(f"/tasks/{task.pk}", {"title": "X"}, headers={"If-Match": '"1"'}).status_code == 403
    assert viewer.post(f"/tasks/{task.pk}/complete").status_code == 403
    assert Task.objects.get(pk=task.pk).title == "Check in" and Task.objects.count() == 1


def test_an_assignee_without_access_sees_the_task_not_the_record(world, account_for):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    services.grant_access(profile, world.norfolk_iom, AccessLevel.VIEW, by=world.staffs_officer, reason="x")
    task = a_task(world, profile, assigned_team=world.norfolk_iom)
    services.revoke_grant(profile.grants.get(), by=world.staffs_officer, reason="done")
    _u, norfolk = account_for(world.norfolk_iom)
    body = norfolk.get(f"/tasks/{task.pk}").json()
    assert body["id"] == task.pk and body["profile_id"] is None and body["case_id"] is None
    # The lists (all, and narrowed to the team) read the same from the user's visible ids.
    for params in ({}, {"assignee": "my_teams"}):
        [listed] = norfolk.get("/tasks/", **params).json()["items"]
        assert listed["id"] == task.pk and listed["profile_id"] is None and listed["case_id"] is None
    staffs_task = account_for(world.staffs_iom)[1].get("/tasks/").json()["items"]
    assert [(t["id"], t["profile_id"]) for t in staffs_task] == [(task.pk, profile.pk)]


def test_outsider_gets_404_and_writes_nothing(world, staffs, outsider_api):
    profile = ProfileFactory(owner_team=world.staffs_iom)
    task = a_task(world, profile, title="Secret task")
    api = outsider_api[1]
    before = AuditEvent.objects.count()
    hidden = api.get(f"/tasks/{task.pk}")
    assert hidden.status_code == 404 and b"Secret" not in hidden.content
    assert api.patch(f"/tasks/{task.pk}", {"title": "X"}, headers={"If-Match": '"1"'}).status_code == 404
    for action in ("start", "complete", "cancel"):
        assert api.post(f"/tasks/{task.pk}/{action}", {"reason": "x"}).status_code == 404
    assert AuditEvent.objects.count() == before
    listed = api.get("/tasks/").json()
    assert listed["count"] == 0 and b"Secret" not in api.get("/tasks/").content
    refused = api.post("/tasks/", {"profile": profile.pk, "title": "X", "assigned_team": world.waveney_housing.pk})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "profile"
    assert Task.objects.count() == 1 and Task.objects.get().version == 1


def test_read_only_token_cannot_write(world, account_for):
    user, api = account_for(world.staffs_iom, read_only=True)
    profile = ProfileFactory(owner_team=world.staffs_iom)
    task = a_task(world, profile)
    assert api.get(f"/tasks/{task.pk}").status_code == 200
    assert api.post("/tasks/", {"profile": profile.pk, "title": "X", "assigned_team": world.staffs_iom.pk}
                    ).status_code == 403
    assert api.patch(f"/tasks/{task.pk}", {"title": "X"}, headers={"If-Match": '"1"'}).status_code == 403
    assert api.post(f"/tasks/{task.pk}/complete").status_code == 403
    assert Task.objects.get().status == "open" and Task.objects.count() == 1


def test_a_body_that_is_not_an_object_is_refused(world, staffs):
    """Found by schemathesis: ninja read ``[null, null]`` as {} for an all-optional schema.
    (ninja turns any error of the body parser into its 400 "Cannot parse request body".)"""
    task = a_task(world, ProfileFactory(owner_team=world.staffs_iom))
    for body in ([None, None], "note", 3):
        refused = staffs[1].post(f"/tasks/{task.pk}/complete", body)
        assert refused.status_code == 400, (body, refused.content)
        assert refused["Content-Type"] == "application/problem+json"
    assert Task.objects.get().status == "open"
