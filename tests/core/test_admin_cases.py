"""The case screens (core/admin/records_cases.py): the filtered list, opening a case from
a profile, participants, stage, closure and reopening, links, and the printable
chronology with its PDF. Every write goes through a service and an invalid one writes
nothing; what a user may not see appears nowhere (page, choices, chronology, PDF)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import services
from core.access import AccessLevel
from core.models import Activity, AuditEvent, Case, CaseParticipant, ProgrammeModule

from ..factories import CaseFactory as _CaseFactory
from ..factories import ProfileFactory, UserFactory, member
from .test_admin_records import core_row_counts

pytestmark = pytest.mark.django_db


_refs = iter(range(1, 10**6))


def CaseFactory(**kwargs):  # noqa: N802 - a factory: references apart from open_case's
    kwargs.setdefault("reference", f"TST-2026-{next(_refs):06d}")
    return _CaseFactory(**kwargs)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name, *args):
    return reverse(f"wraparound_cases:{name}", args=args)


def titles(response) -> set[str]:
    return {c.title for c in response.context["object_list"]}


def open_asb(world, by=None, team=None, **kwargs) -> Case:
    by = by or world.staffs_officer
    return services.open_case(by=by, owner_team=team or world.staffs_iom, programme="asb",
                              case_type="asb_case", title=kwargs.pop("title", "Noise nuisance"), **kwargs)


# -- List ---------------------------------------------------------------------------


def test_case_list_filters_by_stage_team_lead_and_opened_dates(world):
    other_team_member = UserFactory(username="staffs_two")
    member(other_team_member, world.staffs_iom)
    a = CaseFactory(owner_team=world.staffs_iom, title="Early", stage="reported", opened_on=date(2025, 1, 10),
                    lead=world.staffs_officer)
    CaseFactory(owner_team=world.staffs_iom, title="Later", stage="warning", opened_on=date(2025, 6, 1),
                lead=other_team_member)
    CaseFactory(owner_team=world.norfolk_iom, title="Norfolk", stage="warning", opened_on=date(2025, 6, 1))
    client = login(world.staffs_officer)
    index = url("index")
    assert titles(client.get(index)) == {"Early", "Later"}
    assert titles(client.get(index, {"stage": "warning"})) == {"Later"}
    assert titles(client.get(index, {"owner_team": world.staffs_iom.pk})) == {"Early", "Later"}
    assert titles(client.get(index, {"lead": world.staffs_officer.pk})) == {"Early"}
    assert titles(client.get(index, {"opened_on_from": "2025-05-01"})) == {"Later"}
    assert titles(client.get(index, {"opened_on_to": "2025-02-01"})) == {"Early"}
    assert titles(client.get(index, {"q": a.reference})) == {"Early"}
    # A team or lead of a case the user may not see is not offered as a choice.
    assert titles(client.get(index, {"owner_team": world.norfolk_iom.pk})) == {"Early", "Later"}
    page = client.get(index).content.decode()
    assert "Norfolk" not in page


def test_case_list_query_count_does_not_grow_with_rows(world):
    client = login(world.staffs_officer)

    def count(n):
        for _ in range(n):
            CaseFactory(owner_team=world.staffs_iom, lead=world.staffs_officer)
        client.get(url("index"))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("index"), {"status": "open"}).status_code == 200
        return len(ctx.captured_queries)

    few, many = count(3), count(25)
    assert few == many
    assert many <= 20


# -- Opening a case from a profile ---------------------------------------------------


def test_open_a_case_from_a_profile(world):
    person = ProfileFactory(owner_team=world.staffs_iom, first_name="Dean", last_name="Riley")
    client = login(world.staffs_officer)
    page = client.get(url("add"), {"profile": person.pk})
    assert page.status_code == 200 and "Dean Riley" in page.content.decode()
    response = client.post(f"{url('add')}?profile={person.pk}", {
        "case_type": "asb:asb_case", "stage": "asb:asb_case:investigation", "title": "Criminal damage",
        "owner_team": world.staffs_iom.pk, "lead": world.staffs_officer.pk, "role": "offender",
    })
    case = Case.objects.get(title="Criminal damage")
    assert response.status_code == 302 and response["Location"] == url("detail", case.pk)
    assert (case.programme, case.case_type, case.stage, case.lead) == ("asb", "asb_case", "investigation",
                                                                      world.staffs_officer)
    assert list(case.participants.values_list("profile_id", "role")) == [(person.pk, "offender")]
    assert AuditEvent.objects.filter(action="create", object_type="core.case", object_id=str(case.pk)).count() == 1


def test_open_a_case_for_a_profile_out_of_sight_is_404_and_writes_nothing(world):
    hidden = ProfileFactory(owner_team=world.norfolk_iom, first_name="Hidden", last_name="Person")
    client = login(world.staffs_officer)
    before = core_row_counts()
    assert client.get(url("add"), {"profile": hidden.pk}).status_code == 404
    response = client.post(f"{url('add')}?profile={hidden.pk}", {
        "case_type": "asb:asb_case", "title": "Sneaky", "owner_team": world.staffs_iom.pk, "role": "subject",
    })
    assert response.status_code == 404 and b"Hidden" not in response.content
    assert core_row_counts() == before


def test_open_a_case_shows_errors_per_field_and_writes_nothing(world):
    ProgrammeModule.objects.filter(organisation=world.staffs_police, programme="rj").update(enabled=False)
    client = login(world.staffs_officer)
    page = client.get(url("add")).content.decode()
    assert 'value="asb:asb_case"' in page and 'value="rj:' not in page
    before = core_row_counts()
    response = client.post(url("add"), {"case_type": "", "title": "", "owner_team": world.norfolk_iom.pk})
    errors = response.context["form"].errors
    assert {"case_type", "title", "owner_team"} <= set(errors)
    response = client.post(url("add"), {"case_type": "asb:asb_case", "stage": "iom:iom_case:assessment",
                                        "title": "Mismatch", "owner_team": world.staffs_iom.pk})
    assert "stage" in response.context["form"].errors
    assert core_row_counts() == before


# -- The case page: participants, stage, closure, links -----------------------------


def test_participants_are_added_and_removed_only_for_people_one_can_see(world):
    case = open_asb(world)
    seen = ProfileFactory(owner_team=world.staffs_iom, first_name="Seen", last_name="Person")
    unseen = ProfileFactory(owner_team=world.norfolk_iom, first_name="Unseen", last_name="Person")
    client = login(world.staffs_officer)
    found = client.get(url("detail", case.pk), {"person": "person"}).content.decode()
    assert "Seen Person" in found and "Unseen" not in found
    refused = client.post(url("add_participant", case.pk), {"profile": unseen.pk, "role": "victim"})
    assert refused.status_code == 400 and "Choose a person you can see." in refused.content.decode()
    assert not case.participants.exists()
    assert client.post(url("add_participant", case.pk), {"profile": seen.pk, "role": "victim"}).status_code == 302
    participant = CaseParticipant.objects.get(case=case)
    assert (participant.profile, participant.role) == (seen, "victim")
    assert client.post(url("remove_participant", case.pk), {"participant": participant.pk}).status_code == 302
    assert not case.participants.exists()
    assert AuditEvent.objects.filter(object_id=str(case.pk), changes__removed_participant=seen.pk).count() == 1


def test_view_only_users_see_no_controls_and_are_refused(world):
    case = open_asb(world)
    person = ProfileFactory(owner_team=world.norfolk_iom)
    services.grant_access(case, world.norfolk_officer, AccessLevel.VIEW, by=world.staffs_officer, reason="Liaison")
    client = login(world.norfolk_officer)
    page = client.get(url("detail", case.pk)).content.decode()
    for control in ("Move the case", "Close with this outcome", "Record an activity", "Add a person"):
        assert control not in page
    before = core_row_counts()
    for name, data in [("change_stage", {"stage": "warning", "version": case.version}),
                       ("close", {"outcome": "behaviour_stopped", "version": case.version}),
                       ("add_participant", {"profile": person.pk, "role": "victim"}),
                       ("add_activity", {"kind": "note", "summary": "x", "occurred_at": "2025-01-01 10:00"})]:
        assert client.post(url(name, case.pk), data).status_code == 403, name
    assert core_row_counts() == before


def test_stage_change_and_closure_are_recorded_in_the_action_log_and_reopen(world):
    case = open_asb(world)
    client = login(world.staffs_officer)
    bad = client.post(url("change_stage", case.pk), {"stage": "nonsense", "version": case.version})
    assert bad.status_code == 400 and "stage" in bad.context["stage_form"].errors
    ok = client.post(url("change_stage", case.pk), {"stage": "warning", "note": "Letter sent", "version": case.version})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.stage == "warning"
    entry = Activity.objects.get(case=case, kind="stage_change")
    assert entry.summary == "Stage changed from Reported to Warning issued" and entry.details == "Letter sent"

    missing = client.post(url("close", case.pk), {"outcome": "", "version": case.version})
    assert missing.status_code == 400 and "outcome" in missing.context["close_form"].errors
    stale = client.post(url("close", case.pk), {"outcome": "behaviour_stopped", "version": case.version - 1})
    assert stale.status_code == 400 and "changed by someone else" in stale.content.decode()
    closed = client.post(url("close", case.pk), {"outcome": "behaviour_stopped", "notes": "Quiet for 3 months",
                                                 "version": case.version})
    assert closed.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("closed", "behaviour_stopped")
    assert Activity.objects.get(case=case, kind="outcome").summary == "Case closed: Behaviour stopped"
    page = client.get(url("detail", case.pk)).content.decode()
    assert "Reopen the case" in page and "Move the case" not in page

    short = client.post(url("reopen", case.pk), {"reason": "no", "version": case.version})
    assert short.status_code == 400 and "reason" in short.context["reopen_form"].errors
    assert client.post(url("reopen", case.pk), {"reason": "New reports from neighbours",
                                                "version": case.version}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closed_on, case.outcome) == ("open", None, "")
    assert Activity.objects.filter(case=case, summary="Case reopened").count() == 1


def test_closing_needs_manage_but_stage_needs_only_contribute(world):
    case = open_asb(world)
    services.grant_access(case, world.norfolk_officer, AccessLevel.CONTRIBUTE, by=world.staffs_officer,
                          reason="Joint work")
    client = login(world.norfolk_officer)
    page = client.get(url("detail", case.pk)).content.decode()
    assert "Move the case" in page and "Close with this outcome" not in page
    assert client.post(url("change_stage", case.pk), {"stage": "warning", "version": case.version}).status_code == 302
    case.refresh_from_db()
    assert client.post(url("close", case.pk), {"outcome": "behaviour_stopped",
                                               "version": case.version}).status_code == 403
    case.refresh_from_db()
    assert case.status == "open"


def test_link_only_cases_one_can_see(world):
    case = open_asb(world)
    mine = open_asb(world, title="Related")
    hidden = CaseFactory(owner_team=world.norfolk_iom, title="Hidden case")
    client = login(world.staffs_officer)
    refused = client.post(url("link", case.pk), {"reference": hidden.reference})
    assert refused.status_code == 400
    content = refused.content.decode()
    assert f"No case {hidden.reference} that you can see." in content and "Hidden case" not in content
    assert not case.linked_cases.exists()
    assert client.post(url("link", case.pk), {"reference": mine.reference.lower()}).status_code == 302
    assert list(case.linked_cases.all()) == [mine]
    assert "Related" in client.get(url("detail", case.pk)).content.decode()
    assert client.post(url("unlink", case.pk), {"other": mine.pk}).status_code == 302
    assert not case.linked_cases.exists()


def test_case_page_query_count_is_small_and_does_not_grow(world):
    client = login(world.staffs_officer)

    def count(n):
        case = open_asb(world)
        for i in range(n):
            person = ProfileFactory(owner_team=world.staffs_iom)
            services.add_participant(case, person, "witness", by=world.staffs_officer)
            services.add_activity(by=world.staffs_officer, case=case, summary=f"Visit {i}")
            case.linked_cases.add(CaseFactory(owner_team=world.staffs_iom))
        client.get(url("detail", case.pk))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("detail", case.pk), {"person": "a"}).status_code == 200
        # Savepoints are the test's transaction around the VIEW audit event, not queries.
        return len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]])

    few, many = count(2), count(12)
    assert few == many
    assert many <= 20


# -- Chronology, print and PDF -------------------------------------------------------


@pytest.fixture
def joint_case(world):
    """A Staffordshire case shared with Norfolk (view), with entries by both and a
    restricted entry by each."""
    case = open_asb(world, opened_on=timezone.localdate() - timedelta(days=30))
    services.grant_access(case, world.norfolk_police, AccessLevel.CONTRIBUTE, by=world.staffs_officer,
                          reason="Cross-border ASB")
    now = timezone.now()
    services.add_activity(by=world.staffs_officer, case=case, summary="Staffs first visit",
                          occurred_at=now - timedelta(days=20))
    services.add_activity(by=world.norfolk_officer, case=case, summary="Norfolk phone call", kind="call",
                          occurred_at=now - timedelta(days=10))
    services.add_activity(by=world.staffs_officer, case=case, summary="Staffs intelligence only",
                          occurred_at=now - timedelta(days=5), restricted=True)
    services.add_activity(by=world.norfolk_officer, case=case, summary="Complainant did not answer",
                          kind="non_cooperation", occurred_at=now - timedelta(days=2))
    return case


def test_chronology_lists_every_agency_oldest_first_without_others_restricted(world, joint_case):
    client = login(world.norfolk_officer)
    response = client.get(url("chronology", joint_case.pk))
    assert response.status_code == 200
    content = response.content.decode()
    order = ["Staffs first visit", "Norfolk phone call", "Complainant did not answer"]
    assert all(s in content for s in order)
    assert [content.index(s) for s in order] == sorted(content.index(s) for s in order)
    assert "Staffs intelligence only" not in content
    assert "Staffordshire Police" in content and "Norfolk Constabulary" in content
    assert "wraparound/css/chronology-print.css" in content and "<style" not in content
    event = AuditEvent.objects.get(action="print", object_id=str(joint_case.pk))
    assert event.actor_id == world.norfolk_officer.pk and event.changes == {"chronology_entries": 3}
    # The owner's organisation sees its own restricted entry.
    assert "Staffs intelligence only" in login(world.staffs_officer).get(url("chronology", joint_case.pk)).content.decode()


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_chronology_pdf_is_a4_audited_and_hides_others_restricted(world, joint_case):
    from pypdf import PdfReader

    response = login(world.norfolk_officer).get(url("chronology_pdf", joint_case.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="{joint_case.reference}-chronology.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Norfolk phone call" in text and "Complainant did not answer" in text and "Staffs first visit" in text
    assert "Staffs intelligence only" not in text
    box = PdfReader(io.BytesIO(response.content)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    assert AuditEvent.objects.filter(action="export", object_id=str(joint_case.pk),
                                     actor_id=world.norfolk_officer.pk).count() == 1


def test_chronology_and_pdf_are_404_without_access_and_record_nothing(world, joint_case):
    client = login(world.outsider)
    before = AuditEvent.objects.count()
    for name in ("chronology", "chronology_pdf"):
        response = client.get(url(name, joint_case.pk))
        assert response.status_code == 404
        assert b"Staffs first visit" not in response.content
    assert AuditEvent.objects.count() == before


def test_chronology_query_count_does_not_grow_with_entries(world):
    client = login(world.staffs_officer)

    def count(n):
        case = open_asb(world)
        for i in range(n):
            services.add_activity(by=world.staffs_officer, case=case, summary=f"Entry {i}")
        client.get(url("chronology", case.pk))  # the session's first request does one-off work
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("chronology", case.pk)).status_code == 200
        return len(ctx.captured_queries)

    assert count(2) == count(25)


# -- The services behind the screens --------------------------------------------------


def test_case_work_services_check_levels_and_write_nothing_when_refused(world):
    from django.core.exceptions import ValidationError

    from core.models import AuditAction
    from core.services.errors import NotAllowed

    case = open_asb(world)
    services.close_case(case, by=world.staffs_officer, outcome="behaviour_stopped")
    services.grant_access(case, world.norfolk_officer, AccessLevel.CONTRIBUTE, by=world.staffs_officer,
                          reason="Joint work")
    before = AuditEvent.objects.count()
    with pytest.raises(NotAllowed):
        services.reopen_case(case, by=world.norfolk_officer, reason="Norfolk wants it open")
    with pytest.raises(NotAllowed):
        services.record_chronology_output(case, by=world.outsider, action=AuditAction.PRINT, entries=0)
    with pytest.raises(ValidationError) as unlinked:
        services.unlink_cases(case, open_asb(world, title="Other"), by=world.staffs_officer)
    assert "other" in unlinked.value.message_dict
    case.refresh_from_db()
    assert case.status == "closed"
    assert AuditEvent.objects.count() == before + 1  # only the second case's opening


def test_profile_page_offers_to_open_a_case_for_the_person(world):
    person = ProfileFactory(owner_team=world.staffs_iom)
    page = login(world.staffs_officer).get(reverse("wraparound_profiles:tab", args=[person.pk, "cases"]))
    assert f'{url("add")}?profile={person.pk}' in page.content.decode()
