"""Profile and case services (``core.services.people``, ``core.services.cases``): bad input
gets a clear error per field and writes nothing; references are sequential."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core import services
from core.access import AccessLevel
from core.models import (
    Activity,
    AuditEvent,
    Case,
    CaseParticipant,
    CaseReferenceCounter,
    Identifier,
    PersonRole,
    Profile,
    ProgrammeModule,
    Relationship,
)
from core.services.cases import next_reference
from core.services.errors import NotAllowed

from ..factories import CaseFactory, ProfileFactory

pytestmark = pytest.mark.django_db

WRITTEN = (Profile, Identifier, PersonRole, Relationship, Case, CaseParticipant, Activity, AuditEvent)


def snapshot() -> dict:
    counts = {m.__name__: m.objects.count() for m in WRITTEN}
    counts["profiles"] = sorted(Profile.objects.values_list("pk", "version", "first_name"))
    counts["cases"] = sorted(Case.objects.values_list("pk", "version", "status", "stage"))
    return counts


def refused(call, field: str | None = None, exc=ValidationError) -> ValidationError:
    """``call`` must raise (naming ``field`` with a message, if given) and write nothing."""
    before = snapshot()
    with pytest.raises(exc) as info:
        call()
    if field is not None:
        assert field in info.value.message_dict, info.value
        assert all(info.value.message_dict[field])
    else:
        assert info.value.messages and all(info.value.messages)
    assert snapshot() == before
    return info.value


def new_profile(world, **kwargs):
    kwargs.setdefault("first_name", "Dean")
    kwargs.setdefault("last_name", "Marsh")
    return services.create_profile(by=world.staffs_officer, owner_team=world.staffs_iom, **kwargs)


def new_case(world, **kwargs):
    kwargs.setdefault("programme", "asb")
    kwargs.setdefault("case_type", "asb_case")
    kwargs.setdefault("title", "Noise on Elm Road")
    kwargs.setdefault("owner_team", world.waveney_asb)
    return services.open_case(by=world.waveney_officer, **kwargs)


# --- profiles ---------------------------------------------------------------------------


def test_create_profile_stores_roles_identifiers_and_aliases(world):
    p = new_profile(world, person_roles=["offender", "victim"], identifiers=[("pnc", "12/345678a")],
                    aliases=["Deano"], warning_markers=["violence"])
    assert set(p.person_roles.values_list("role", flat=True)) == {"offender", "victim"}
    assert list(p.identifiers.values_list("kind", "value")) == [("pnc", "12/345678A")]
    assert list(p.aliases.values_list("name", flat=True)) == ["Deano"]
    assert p.owner_team == world.staffs_iom and p.created_by == world.staffs_officer


def test_create_profile_without_last_name_is_refused(world):
    refused(lambda: new_profile(world, last_name="  "), "last_name")


def test_create_profile_for_someone_elses_team_is_refused(world):
    refused(lambda: services.create_profile(by=world.staffs_officer, owner_team=world.norfolk_iom,
                                            first_name="A", last_name="B"), "owner_team")


def test_create_profile_by_role_without_add_permission_is_refused(world):
    refused(lambda: services.create_profile(by=world.partnership_admin, owner_team=world.staffs_iom,
                                            first_name="A", last_name="B"), exc=NotAllowed)


def test_organisation_admin_creates_profile_for_any_team_of_the_organisation(world):
    p = services.create_profile(by=world.norfolk_spoc, owner_team=world.norfolk_iom, first_name="A", last_name="B")
    assert p.owner_team == world.norfolk_iom


def test_create_profile_with_unknown_person_role_is_refused(world):
    refused(lambda: new_profile(world, person_roles=["offender", "time_traveller"]), "person_roles")


def test_create_profile_with_unknown_warning_marker_is_refused(world):
    refused(lambda: new_profile(world, warning_markers=["ghosts"]), "warning_markers")


def test_create_profile_with_invalid_identifier_pattern_is_refused(world):
    refused(lambda: new_profile(world, identifiers=[("nhs", "12345")]), "identifiers")


def test_create_profile_with_unknown_identifier_type_is_refused(world):
    refused(lambda: new_profile(world, identifiers=[("shoe_size", "9")]), "identifiers")


def test_create_profile_with_duplicate_identifier_is_refused(world):
    new_profile(world, identifiers=[("nhs", "1234567890")])
    refused(lambda: new_profile(world, first_name="Other", identifiers=[("nhs", "1234567890")]), "identifiers")


def test_create_profile_with_refused_consent_needs_lawful_basis(world):
    err = refused(lambda: new_profile(world, consent_to_share=Profile.Consent.REFUSED))
    assert "lawful basis" in " ".join(err.messages)


def test_create_profile_with_unknown_field_is_refused(world):
    refused(lambda: new_profile(world, owner_team_id=1))


def test_create_profile_with_bad_address_writes_nothing(world):
    # The error names the item of the list as well as the field.
    refused(lambda: new_profile(world, addresses=[{"line1": "1 High St"}, {"line1": ""}]), "addresses.1.line1")


def test_add_identifier_with_invalid_pattern_is_refused(world):
    p = new_profile(world)
    refused(lambda: services.add_identifier(p, "ni", "not-an-ni", by=world.staffs_officer), "identifiers")


def test_add_identifier_already_on_another_profile_is_refused(world):
    new_profile(world, identifiers=[("ni", "AB123456C")])
    p = new_profile(world, first_name="Second")
    refused(lambda: services.add_identifier(p, "ni", "ab123456c", by=world.staffs_officer), "identifiers")


def test_add_identifier_needs_contribute(world):
    p = new_profile(world)
    services.grant_access(p, world.waveney_officer, AccessLevel.VIEW, by=world.staffs_officer, reason="FYI")
    refused(lambda: services.add_identifier(p, "nhs", "1234567890", by=world.waveney_officer), exc=NotAllowed)


def test_set_person_roles_with_unknown_role_is_refused(world):
    p = new_profile(world, person_roles=["victim"])
    refused(lambda: services.set_person_roles(p, ["victim", "villain"], by=world.staffs_officer), "person_roles")


def test_set_person_roles_replaces_the_roles(world):
    p = new_profile(world, person_roles=["victim"])
    services.set_person_roles(p, ["witness", "offender"], by=world.staffs_officer)
    assert set(p.person_roles.values_list("role", flat=True)) == {"witness", "offender"}


def test_self_referencing_relationship_is_refused(world):
    p = new_profile(world)
    refused(lambda: services.add_relationship(p, p, "associate", by=world.staffs_officer), "to_profile")


def test_relationship_with_unknown_kind_is_refused(world):
    a, b = new_profile(world), new_profile(world, first_name="Other")
    refused(lambda: services.add_relationship(a, b, "nemesis", by=world.staffs_officer), "kind")


def test_relationship_to_invisible_profile_is_refused(world):
    mine = new_profile(world)
    theirs = ProfileFactory(owner_team=world.norfolk_iom)
    refused(lambda: services.add_relationship(mine, theirs, "associate", by=world.staffs_officer), exc=NotAllowed)


def test_duplicate_relationship_is_refused(world):
    a, b = new_profile(world), new_profile(world, first_name="Other")
    services.add_relationship(a, b, "sibling", by=world.staffs_officer)
    refused(lambda: services.add_relationship(a, b, "sibling", by=world.staffs_officer))


def test_update_profile_of_unknown_field_is_refused(world):
    p = new_profile(world)
    refused(lambda: services.update_profile(p, by=world.staffs_officer, changes={"owner_team": world.norfolk_iom}))


def test_update_profile_with_invalid_email_is_refused(world):
    p = new_profile(world)
    refused(lambda: services.update_profile(p, by=world.staffs_officer, changes={"email": "nope"}), "email")


def test_update_profile_by_viewer_is_refused(world):
    p = new_profile(world)
    services.grant_access(p, world.waveney_officer, AccessLevel.VIEW, by=world.staffs_officer, reason="FYI")
    refused(lambda: services.update_profile(p, by=world.waveney_officer, changes={"first_name": "X"}),
            exc=NotAllowed)


def test_update_profile_saves_and_bumps_version(world):
    p = new_profile(world)
    services.update_profile(p, by=world.staffs_officer, changes={"first_name": "Deanna"})
    fresh = Profile.objects.get(pk=p.pk)
    assert fresh.first_name == "Deanna" and fresh.version == 2
    assert p.version == 2  # the caller's instance is refreshed too


# --- cases --------------------------------------------------------------------------------


def test_case_reference_has_prefix_year_and_six_digits(world):
    case = new_case(world, opened_on=date(2026, 3, 1))
    assert case.reference == "ASB-2026-000001"


def test_case_references_are_sequential_per_programme(world):
    refs = [new_case(world, opened_on=date(2026, 3, 1)).reference for _ in range(3)]
    assert refs == ["ASB-2026-000001", "ASB-2026-000002", "ASB-2026-000003"]


def test_case_references_restart_each_year(world):
    new_case(world, opened_on=date(2025, 12, 31))
    new_case(world, opened_on=date(2025, 12, 31))
    assert new_case(world, opened_on=date(2026, 1, 1)).reference == "ASB-2026-000001"


def test_case_references_are_counted_separately_per_programme(world):
    assert next_reference("asb", 2026) == "ASB-2026-000001"
    assert next_reference("asb", 2026) == "ASB-2026-000002"
    assert next_reference("iom", 2026) == "IOM-2026-000001"
    assert CaseReferenceCounter.objects.get(programme="asb", year=2026).last_number == 2


def test_open_case_with_stage_not_in_case_type_is_refused(world):
    refused(lambda: new_case(world, stage="mediation"), "stage")  # a neighbour_dispute stage


def test_open_case_with_unknown_case_type_is_refused(world):
    refused(lambda: new_case(world, case_type="burglary"), "case_type")


def test_open_case_in_unknown_programme_is_refused(world):
    refused(lambda: new_case(world, programme="astrology"), "programme")


def test_open_case_in_programme_not_enabled_for_organisation_is_refused(world):
    ProgrammeModule.objects.filter(organisation=world.waveney, programme="asb").update(enabled=False)
    refused(lambda: new_case(world), "programme")


def test_open_case_without_title_is_refused(world):
    refused(lambda: new_case(world, title="  "), "title")


def test_open_case_for_another_team_is_refused(world):
    refused(lambda: new_case(world, owner_team=world.staffs_iom), "owner_team")


def test_open_case_with_invisible_participant_is_refused(world):
    stranger = ProfileFactory(owner_team=world.staffs_iom)
    refused(lambda: new_case(world, participants=[(stranger, "subject")]), exc=NotAllowed)


def test_refused_open_case_does_not_use_up_a_reference(world):
    stranger = ProfileFactory(owner_team=world.staffs_iom)
    with pytest.raises(ValidationError):
        new_case(world, opened_on=date(2026, 3, 1), participants=[(stranger, "subject")])
    assert new_case(world, opened_on=date(2026, 3, 1)).reference == "ASB-2026-000001"


def test_change_stage_to_stage_not_in_case_type_is_refused(world):
    case = new_case(world)
    refused(lambda: services.change_stage(case, "mediation", by=world.waveney_officer), "stage")


def test_change_stage_records_an_activity(world):
    case = new_case(world)
    activity = services.change_stage(case, "investigation", by=world.waveney_officer)
    case.refresh_from_db()
    assert case.stage == "investigation" and activity.case == case and activity.kind == Activity.Kind.STAGE_CHANGE


def test_closing_a_closed_case_is_refused(world):
    case = new_case(world)
    services.close_case(case, by=world.waveney_officer, outcome="behaviour_stopped")
    case.refresh_from_db()
    refused(lambda: services.close_case(case, by=world.waveney_officer, outcome="behaviour_stopped"))


def test_closing_with_outcome_not_of_case_type_is_refused(world):
    case = new_case(world)
    refused(lambda: services.close_case(case, by=world.waveney_officer, outcome="resolved"), "outcome")


def test_closing_before_opening_is_refused(world):
    case = new_case(world, opened_on=date(2026, 3, 1))
    refused(lambda: services.close_case(case, by=world.waveney_officer, outcome="behaviour_stopped",
                                        closed_on=date(2026, 2, 1)), "closed_on")


def test_closing_needs_manage(world):
    case = new_case(world)
    services.grant_access(case, world.norfolk_iom, AccessLevel.CONTRIBUTE, by=world.waveney_officer, reason="Joint")
    refused(lambda: services.close_case(case, by=world.norfolk_officer, outcome="behaviour_stopped"),
            exc=NotAllowed)


def test_add_participant_with_unknown_role_is_refused(world):
    case = new_case(world)
    p = ProfileFactory(owner_team=world.waveney_asb)
    refused(lambda: services.add_participant(case, p, "mascot", by=world.waveney_officer), "role")


def test_linking_case_to_itself_is_refused(world):
    case = new_case(world)
    refused(lambda: services.link_cases(case, case, by=world.waveney_officer), "other")


def test_update_case_with_unknown_field_is_refused(world):
    case = CaseFactory(owner_team=world.waveney_asb)
    refused(lambda: services.update_case(case, by=world.waveney_officer, changes={"status": "closed"}))


# --- activities ---------------------------------------------------------------------------


def test_activity_in_the_future_is_refused(world):
    case = new_case(world)
    tomorrow = timezone.now() + timedelta(days=1)
    refused(lambda: services.add_activity(by=world.waveney_officer, case=case, summary="Visit",
                                          occurred_at=tomorrow), "occurred_at")


def test_activity_of_unknown_kind_is_refused(world):
    case = new_case(world)
    refused(lambda: services.add_activity(by=world.waveney_officer, case=case, summary="Visit", kind="seance"),
            "kind")


def test_activity_without_summary_is_refused(world):
    case = new_case(world)
    refused(lambda: services.add_activity(by=world.waveney_officer, case=case, summary=" "), "summary")


def test_activity_without_parent_is_refused(world):
    refused(lambda: services.add_activity(by=world.waveney_officer, summary="Visit"))


def test_activity_for_another_organisation_is_refused(world):
    case = new_case(world)
    refused(lambda: services.add_activity(by=world.waveney_officer, case=case, summary="Visit",
                                          organisation=world.norfolk_police), "organisation")


def test_activity_needs_contribute(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    services.grant_access(p, world.waveney_officer, AccessLevel.VIEW, by=world.staffs_officer, reason="FYI")
    refused(lambda: services.add_activity(by=world.waveney_officer, profile=p, summary="Visit"), exc=NotAllowed)


def test_activity_is_attributed_to_the_recording_organisation(world):
    p = ProfileFactory(owner_team=world.staffs_iom)
    services.grant_access(p, world.waveney_officer, AccessLevel.CONTRIBUTE, by=world.staffs_officer, reason="x")
    a = services.add_activity(by=world.waveney_officer, profile=p, summary="Visit", restricted=True)
    assert a.organisation == world.waveney and a.recorded_by == world.waveney_officer and a.restricted
