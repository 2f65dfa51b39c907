"""IOM's "Initial risk assessment on release" report type: shipped through
``wraparound_report_types``, synced once as an editable type, written like any report."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core import services
from core.models import Report, ReportType
from core.services.reports import report_types_for
from tests.factories import ProfileFactory

from .iom_helpers import fresh, switch_iom

pytestmark = pytest.mark.django_db

GOOD = {"released_on": "2026-11-20", "assessed_on": "2026-11-23", "risk": "high", "harm_to": ["public", "known_adult"],
        "mappa_level": "1", "risk_factors": "Heroin use; old associates in Hanley.", "plan": "Weekly reporting.",
        "pathway_needs": ["accommodation", "drugs_alcohol"], "licence_understood": "yes"}


def test_initial_risk_assessment_on_release_is_shipped_and_written(world):
    services.sync_report_types()
    rt = ReportType.objects.get(slug="iom_initial_risk_on_release")
    assert rt.name == "Initial risk assessment on release" and rt.programme == "iom" and rt.current_version == 1
    assert rt.source == ReportType.Source.PLUGIN
    profile = ProfileFactory(owner_team=world.staffs_iom)
    report = services.create_report(by=world.staffs_officer, report_type=rt, profile=profile, data=GOOD)
    assert report.data["harm_to"] == ["public", "known_adult"] and report.data["licence_understood"] is True
    with pytest.raises(ValidationError) as exc:
        services.create_report(by=world.staffs_officer, report_type=rt, profile=profile,
                               data={**GOOD, "risk": "", "released_on": "31/31/2026", "plan": ""})
    assert set(exc.value.message_dict) == {"risk", "released_on", "plan"}
    assert Report.objects.count() == 1


def test_it_is_offered_only_where_iom_is_enabled(world):
    services.sync_report_types()
    assert "iom_initial_risk_on_release" in {t.slug for t in report_types_for(world.staffs_officer, "profile")}
    switch_iom(world.staffs_police, False)
    assert "iom_initial_risk_on_release" not in {t.slug for t in report_types_for(fresh(world.staffs_officer), "profile")}
