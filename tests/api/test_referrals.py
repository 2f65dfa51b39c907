"""/api/v1/referrals: make, list in/out, detail, accept / decline / ask / answer /
withdraw with If-Match, refused when the state does not allow it; the receiving team
does not see the profile before accepting; outsiders, view-only, read-only tokens."""

from __future__ import annotations

import pytest

from core import services
from core.forms.referrals import GenericReferralForm
from core.models import AccessLevel, AuditEvent, Case, Channel, Referral
from tests.factories import ProfileFactory

ANSWERS = {"reason": "Repeated damage to the shop", "urgency": "soon", "consent_obtained": True}


@pytest.fixture
def person(world):
    return ProfileFactory(owner_team=world.staffs_iom, first_name="Harvey", last_name="Cooper")


@pytest.fixture
def receiver(world, account_for):
    return account_for(world.waveney_asb)


def body(world, person, **extra):
    return {"profile": person.pk, "to_team": world.waveney_asb.pk, "form": "generic", "answers": ANSWERS,
            "programme": "asb", "case_type": "asb_case", **extra}


def referral_by_staffs(world, person) -> Referral:
    form = GenericReferralForm({"answers-reason": "Shop damage", "answers-urgency": "soon"}, prefix="answers")
    return services.make_referral(by=world.staffs_officer, profile=person, to_team=world.waveney_asb,
                                  form_slug="generic", form=form, programme="asb", case_type="asb_case")


def test_make_a_referral(world, staffs, person, receiver):
    user, api = staffs
    made = api.post("/referrals/", body(world, person))
    assert made.status_code == 201, made.content
    referral = made.json()
    assert referral["status"] == "submitted" and referral["profile_id"] == person.pk
    assert ["Urgency", "Within a week"] in referral["answers"]
    assert referral["person_summary"]["name"] == "Harvey Cooper" and made["ETag"] == '"1"'
    assert AuditEvent.objects.get(action="create", object_type="core.referral").channel == Channel.API
    # The receiving team sees the referral and the summary, not the profile.
    seen = receiver[1].get(f"/referrals/{referral['id']}")
    assert seen.status_code == 200 and seen.json()["profile_id"] is None
    assert seen.json()["person_summary"]["name"] == "Harvey Cooper"
    assert receiver[1].get(f"/profiles/{person.pk}").status_code == 404
    assert [r["id"] for r in receiver[1].get("/referrals/", box="in").json()["items"]] == [referral["id"]]
    [listed] = receiver[1].get("/referrals/").json()["items"]  # the whole reach: the same, no profile
    assert listed["id"] == referral["id"] and listed["profile_id"] is None
    assert [r["profile_id"] for r in api.get("/referrals/").json()["items"]] == [person.pk]
    assert receiver[1].get("/referrals/", box="out").json()["count"] == 0
    assert [r["id"] for r in api.get("/referrals/", box="out", status="waiting").json()["items"]] == [referral["id"]]


def test_make_errors_name_the_field(world, staffs, person):
    api = staffs[1]
    no_reason = api.post("/referrals/", body(world, person, answers={"urgency": "soon"}))
    assert no_reason.status_code == 422
    assert [e["field"] for e in no_reason.json()["errors"]] == ["answers.reason"]
    own_team = api.post("/referrals/", body(world, person, to_team=world.staffs_iom.pk))
    assert own_team.status_code == 422 and own_team.json()["errors"][0]["field"] == "to_team"
    no_form = api.post("/referrals/", body(world, person, form="nope"))
    assert no_form.status_code == 422 and no_form.json()["errors"][0]["field"] == "form"
    assert not Referral.objects.exists()


def test_accept_starts_a_case_and_shares_the_profile(world, person, receiver):
    referral = referral_by_staffs(world, person)
    user, api = receiver
    assert api.post(f"/referrals/{referral.pk}/accept", {}).status_code == 428
    accepted = api.post(f"/referrals/{referral.pk}/accept", {"note": "Taking it"}, headers={"If-Match": '"1"'})
    assert accepted.status_code == 200, accepted.content
    out = accepted.json()
    assert out["status"] == "accepted" and out["case_id"] and out["profile_id"] == person.pk
    assert accepted["ETag"] == '"2"'
    assert Case.objects.get(pk=out["case_id"]).owner_team == world.waveney_asb
    assert [s["action"] for s in out["steps"]] == ["made", "accepted"]
    assert api.get(f"/profiles/{person.pk}").status_code == 200
    assert AuditEvent.objects.get(action="update", object_type="core.referral").channel == Channel.API
    # The state no longer allows a decision.
    again = api.post(f"/referrals/{referral.pk}/decline", {"reason": "Changed mind"}, headers={"If-Match": '"2"'})
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "status"
    assert again["Content-Type"] == "application/problem+json"


def test_decline_needs_a_reason_and_a_fresh_version(world, person, receiver):
    referral = referral_by_staffs(world, person)
    api = receiver[1]
    no_reason = api.post(f"/referrals/{referral.pk}/decline", {"reason": " "}, headers={"If-Match": '"1"'})
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    asked = api.post(f"/referrals/{referral.pk}/ask", {"question": "Any convictions?"}, headers={"If-Match": '"1"'})
    assert asked.status_code == 200 and asked.json()["status"] == "more_info"
    stale = api.post(f"/referrals/{referral.pk}/decline", {"reason": "No capacity"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    declined = api.post(f"/referrals/{referral.pk}/decline", {"reason": "No capacity"}, headers={"If-Match": '"2"'})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert not Case.objects.exists()


def test_withdraw_is_for_the_referrer_only(world, staffs, person, receiver):
    referral = referral_by_staffs(world, person)
    refused = receiver[1].post(f"/referrals/{referral.pk}/withdraw", {"reason": "x"}, headers={"If-Match": '"1"'})
    assert refused.status_code == 403
    answer = staffs[1].post(f"/referrals/{referral.pk}/answer", {"answer": "x"}, headers={"If-Match": '"1"'})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "status"
    withdrawn = staffs[1].post(f"/referrals/{referral.pk}/withdraw", {"reason": "Moved away"},
                               headers={"If-Match": '"1"'})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    late = receiver[1].post(f"/referrals/{referral.pk}/accept", {}, headers={"If-Match": '"2"'})
    assert late.status_code == 422 and late.json()["errors"][0]["field"] == "status"


def test_view_only_on_the_profile_reads_but_cannot_refer_or_decide(world, person, account_for):
    referral = referral_by_staffs(world, person)
    services.grant_access(person, world.norfolk_iom, AccessLevel.VIEW, by=world.staffs_officer, reason="x")
    _u, viewer = account_for(world.norfolk_iom)
    assert viewer.get(f"/referrals/{referral.pk}").status_code == 200
    made = viewer.post("/referrals/", {**body(world, person), "from_team": world.norfolk_iom.pk})
    assert made.status_code == 403
    for action in ("accept", "withdraw"):
        assert viewer.post(f"/referrals/{referral.pk}/{action}", {"reason": "x"},
                           headers={"If-Match": '"1"'}).status_code == 403
    assert Referral.objects.get().status == "submitted" and Referral.objects.count() == 1


def test_outsider_gets_404_and_writes_nothing(world, person, outsider_api):
    referral = referral_by_staffs(world, person)
    api = outsider_api[1]
    before = AuditEvent.objects.count()
    hidden = api.get(f"/referrals/{referral.pk}")
    assert hidden.status_code == 404 and b"Harvey" not in hidden.content
    for action in ("accept", "decline", "withdraw"):
        assert api.post(f"/referrals/{referral.pk}/{action}", {"reason": "x"},
                        headers={"If-Match": '"1"'}).status_code == 404
    assert AuditEvent.objects.count() == before
    assert b"Harvey" not in api.get("/referrals/").content
    refused = api.post("/referrals/", body(world, person))
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "profile"
    assert Referral.objects.count() == 1 and Referral.objects.get().version == 1


def test_read_only_token_cannot_write(world, person, account_for):
    referral = referral_by_staffs(world, person)
    _u, api = account_for(world.waveney_asb, read_only=True)
    assert api.get(f"/referrals/{referral.pk}").status_code == 200
    assert api.post(f"/referrals/{referral.pk}/accept", {}, headers={"If-Match": '"1"'}).status_code == 403
    _u, staffs_ro = account_for(world.staffs_iom, read_only=True)
    assert staffs_ro.post("/referrals/", body(world, person)).status_code == 403
    assert Referral.objects.get().status == "submitted" and Referral.objects.count() == 1


def test_forms_are_listed_with_their_fields(staffs):
    forms = {f["slug"]: f for f in staffs[1].get("/referrals/forms").json()}
    fields = {f["name"]: f for f in forms["generic"]["fields"]}
    assert fields["reason"]["required"] is True and fields["consent_obtained"]["kind"] == "boolean"
    assert ["urgent", "Urgent"] in fields["urgency"]["choices"]
