"""/api/v1/cases: list, detail with participants, open, update, stage change, close,
participants; access levels and outsiders."""

from __future__ import annotations

from core import services
from core.models import AccessLevel, Activity, AuditEvent, Case, Channel
from tests.factories import CaseFactory, ProfileFactory


def iom_case(team, **kwargs):
    return CaseFactory(owner_team=team, **{"programme": "iom", "case_type": "cohort", "stage": "referred", **kwargs})


def test_open_case_with_participants(world, staffs):
    person = ProfileFactory(owner_team=world.staffs_iom)
    user, api = staffs
    response = api.post("/cases/", {
        "programme": "iom", "case_type": "cohort", "title": "Prolific burglar", "owner_team": world.staffs_iom.pk,
        "participants": [{"profile": person.pk, "role": "offender"}],
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"].startswith("IOM-") and body["stage"] == "referred"
    assert body["participants"] == [{"profile_id": person.pk, "name": person.full_name, "role": "offender"}]
    assert AuditEvent.objects.get(action="create", object_type="core.case").channel == Channel.API


def test_open_case_refuses_a_participant_outside_access(world, staffs):
    hidden = ProfileFactory(owner_team=world.norfolk_iom)
    response = staffs[1].post("/cases/", {
        "programme": "iom", "case_type": "cohort", "title": "T", "owner_team": world.staffs_iom.pk,
        "participants": [{"profile": hidden.pk, "role": "offender"}],
    })
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["participants.0.profile"]
    assert not Case.objects.exists()


def test_list_filters_and_access(world, staffs):
    mine = iom_case(world.staffs_iom)
    closed = CaseFactory(owner_team=world.staffs_iom, status="closed", closed_on="2026-01-02", opened_on="2026-01-01")
    iom_case(world.norfolk_iom)
    risky = ProfileFactory(owner_team=world.staffs_iom, risk_level="high")
    mine.participants.create(profile=risky, role="victim")
    api = staffs[1]

    def ids(**params):
        return sorted(c["id"] for c in api.get("/cases/", **params).json()["items"])

    assert ids() == sorted([mine.pk, closed.pk])
    assert ids(status="open") == [mine.pk]
    assert ids(programme="asb") == [closed.pk]
    assert ids(participant_role="victim") == [mine.pk]
    assert ids(risk="high") == [mine.pk]
    assert ids(owner_team=world.norfolk_iom.pk) == []


def test_detail_is_audited_and_outsider_gets_404(world, staffs, outsider_api):
    case = iom_case(world.staffs_iom, title="Secret title")
    response = staffs[1].get(f"/cases/{case.pk}")
    assert response.status_code == 200 and response["ETag"] == '"1"'
    assert AuditEvent.objects.get(action="view", object_type="core.case").channel == Channel.API
    hidden = outsider_api[1].get(f"/cases/{case.pk}")
    assert hidden.status_code == 404 and b"Secret" not in hidden.content


def test_stage_change_needs_if_match_and_logs_an_activity(world, staffs):
    case = iom_case(world.staffs_iom)
    api = staffs[1]
    assert api.post(f"/cases/{case.pk}/stage", {"stage": "assessed"}).status_code == 428
    moved = api.post(f"/cases/{case.pk}/stage", {"stage": "assessed"}, headers={"If-Match": '"1"'})
    assert moved.status_code == 200, moved.content
    assert moved.json()["stage"] == "assessed" and moved["ETag"] == '"2"'
    assert Activity.objects.filter(case=case, kind="stage_change").count() == 1
    stale = api.post(f"/cases/{case.pk}/stage", {"stage": "referred"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    unknown = api.post(f"/cases/{case.pk}/stage", {"stage": "nowhere"}, headers={"If-Match": '"2"'})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "stage"


def test_close_needs_manage(world, account_for, staffs):
    case = iom_case(world.staffs_iom)
    services.grant_access(case, world.norfolk_iom, AccessLevel.CONTRIBUTE, by=world.staffs_officer, reason="x")
    _u, contributor = account_for(world.norfolk_iom)
    outcome = {"outcome": "desisted"}
    assert contributor.post(f"/cases/{case.pk}/close", outcome, headers={"If-Match": '"1"'}).status_code == 403
    assert Case.objects.get(pk=case.pk).status == "open"
    closed = staffs[1].post(f"/cases/{case.pk}/close", outcome, headers={"If-Match": '"1"'})
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed" and closed.json()["outcome"] == "desisted"


def test_update_and_add_participant(world, staffs):
    case = iom_case(world.staffs_iom)
    person = ProfileFactory(owner_team=world.staffs_iom)
    api = staffs[1]
    updated = api.patch(f"/cases/{case.pk}", {"title": "Renamed"}, headers={"If-Match": '"1"'})
    assert updated.status_code == 200 and updated.json()["title"] == "Renamed"
    added = api.post(f"/cases/{case.pk}/participants", {"profile": person.pk, "role": "victim"})
    assert added.status_code == 201
    assert added.json()["participants"][0]["profile_id"] == person.pk


def test_outsider_actions_are_404_and_write_nothing(world, outsider_api):
    case = iom_case(world.staffs_iom)
    api = outsider_api[1]
    before = AuditEvent.objects.count()
    assert api.patch(f"/cases/{case.pk}", {"title": "X"}, headers={"If-Match": '"1"'}).status_code == 404
    assert api.post(f"/cases/{case.pk}/stage", {"stage": "assessed"}, headers={"If-Match": '"1"'}).status_code == 404
    assert api.post(f"/cases/{case.pk}/close", {"outcome": "x"}, headers={"If-Match": '"1"'}).status_code == 404
    assert api.post(f"/cases/{case.pk}/participants", {"profile": 1}).status_code == 404
    assert api.get(f"/cases/{case.pk}/grants").status_code == 404
    assert AuditEvent.objects.count() == before
    assert Case.objects.get(pk=case.pk).version == 1


def test_statistics_count_only_visible_open_cases(world, staffs):
    iom_case(world.staffs_iom)
    iom_case(world.staffs_iom, stage="assessed")
    iom_case(world.norfolk_iom)
    body = staffs[1].get("/statistics/").json()
    assert body["open_cases"] == 2
    assert {(r["programme"], r["stage"], r["count"]) for r in body["open_cases_by_programme_and_stage"]} == {
        ("iom", "referred", 1), ("iom", "assessed", 1)}


def test_a_participant_not_shared_with_the_caller_is_shown_by_role_only(world, staffs, account_for):
    """Being on a visible case does not share its people (as on the case screen)."""
    user, api = staffs
    shared_person = ProfileFactory(owner_team=world.staffs_iom, last_name="Sharedperson")
    private_person = ProfileFactory(owner_team=world.staffs_iom, last_name="Privateperson")
    case = iom_case(world.staffs_iom)
    case.participants.create(profile=shared_person, role="offender")
    case.participants.create(profile=private_person, role="victim")
    owner = world.staffs_officer
    services.grant_access(case, world.norfolk_iom, AccessLevel.VIEW, by=owner, reason="Joint work")
    services.grant_access(shared_person, world.norfolk_iom, AccessLevel.VIEW, by=owner, reason="Joint work")
    _norfolk_user, norfolk = account_for(world.norfolk_iom)
    for response in (norfolk.get(f"/cases/{case.pk}"), norfolk.get("/cases/")):
        assert response.status_code == 200
        assert b"Privateperson" not in response.content
    participants = norfolk.get(f"/cases/{case.pk}").json()["participants"]
    assert participants == [
        {"profile_id": shared_person.pk, "name": shared_person.full_name, "role": "offender"},
        {"profile_id": None, "name": None, "role": "victim"},
    ]
    # The owner still sees both people.
    assert [p["name"] for p in api.get(f"/cases/{case.pk}").json()["participants"]] == [
        shared_person.full_name, private_person.full_name,
    ]


def test_patch_changes_stage_lead_and_summary_together(world, staffs, account_for):
    case = iom_case(world.staffs_iom)
    user, api = staffs
    changed = api.patch(f"/cases/{case.pk}", {"summary": "Engaging well", "lead": user.pk, "stage": "assessed",
                                             "stage_note": "Assessment done"}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["summary"] == "Engaging well" and body["lead"]["id"] == user.pk and body["stage"] == "assessed"
    assert changed["ETag"] == '"3"'
    assert Activity.objects.get(case=case, kind="stage_change").details == "Assessment done"
    assert set(AuditEvent.objects.filter(action="update", object_type="core.case")
               .values_list("channel", flat=True)) == {Channel.API}
    # A bad stage refuses the whole request: the summary is not saved either.
    bad = api.patch(f"/cases/{case.pk}", {"summary": "Lost", "stage": "nowhere"}, headers={"If-Match": '"3"'})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "stage"
    stale = api.patch(f"/cases/{case.pk}", {"stage": "referred"}, headers={"If-Match": '"2"'})
    assert stale.status_code == 412
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.summary, fresh.stage, fresh.version) == ("Engaging well", "assessed", 3)
    # The lead must be someone who can see the case.
    outsider, _api = account_for(world.waveney_housing)
    hidden_lead = api.patch(f"/cases/{case.pk}", {"lead": outsider.pk}, headers={"If-Match": '"3"'})
    assert hidden_lead.status_code == 422 and hidden_lead.json()["errors"][0]["field"] == "lead"
