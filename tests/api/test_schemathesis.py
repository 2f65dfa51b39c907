"""Schemathesis against the project's own schema on a live test server with a seeded
token: no server errors, responses conform to the schema (status codes, content types,
bodies), negative data is rejected and no endpoint ignores authentication.

Marked ``schemathesis``: `make schemathesis` (and `.ci/run`) runs it; `make test` skips
it to stay fast. Bounded: a few examples per operation and a fixed seed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core import services
from core.models import AccessLevel, Alert, Gallery, TriggerRule
from tests.factories import CaseFactory, ProfileFactory

CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "content_type_conformance",
    "response_headers_conformance", "response_schema_conformance", "negative_data_rejection", "ignored_auth",
])


def seed(world) -> dict[str, list[int]]:
    """Records of every kind the token can reach, by the path parameter that names them:
    schemathesis draws those parameters from these ids most of the time (the rest are
    generated), so id-dependent operations reach real objects instead of only 404."""
    from core.forms.referrals import GenericReferralForm
    from tests.core.test_reports import make_type

    officer = world.staffs_officer
    ids: dict[str, list[int]] = {k: [] for k in (
        "profile_id", "case_id", "activity_id", "grant_id", "task_id", "referral_id", "report_type_id",
        "report_id", "gallery_id", "alert_id")}
    gallery = Gallery.objects.create(name="Seeded", slug="seeded", kind=Gallery.Kind.EXPLICIT)
    gallery.audience_teams.add(world.staffs_iom)
    rule = TriggerRule.objects.create(name="Seeded rule", kind="activity_count",
                                      params={"count": 3, "days": 60, "kinds": [], "contains": "x"})
    report_type = make_type(by=officer, schema=[
        {"key": "summary", "label": "Summary", "kind": "text", "required": True},
        {"key": "count", "label": "Count", "kind": "number"}])
    for i in range(3):
        profile = ProfileFactory(owner_team=world.staffs_iom)
        case = CaseFactory(owner_team=world.staffs_iom, programme="iom", case_type="cohort", stage="referred")
        case.participants.create(profile=profile, role="subject")
        activity = services.add_activity(by=officer, case=case, summary=f"Contact {i}")
        grant = services.grant_access(profile, world.norfolk_iom, AccessLevel.VIEW, by=officer, reason="Seed")
        task = services.create_task(by=officer, profile=profile, title=f"Task {i}", assigned_team=world.staffs_iom)
        form = GenericReferralForm({"answers-reason": "Seed", "answers-urgency": "soon"}, prefix="answers")
        referral = services.make_referral(by=officer, profile=profile, to_team=world.waveney_asb, form_slug="generic",
                                          form=form, programme="asb", case_type="asb_case")
        report = services.create_report(by=officer, report_type=report_type, profile=profile,
                                        data={"summary": f"Seed {i}"})
        services.add_to_gallery(gallery, profile, by=officer, reason="Seed", risk_level="low")
        alert = Alert.objects.create(rule=rule, profile=profile, occurrence_key=f"k{i}", summary="Seeded alert")
        for name, obj in (("profile_id", profile), ("case_id", case), ("activity_id", activity),
                          ("grant_id", grant), ("task_id", task), ("referral_id", referral),
                          ("report_id", report), ("alert_id", alert)):
            ids[name].append(obj.pk)
    ids["report_type_id"].append(report_type.pk)
    ids["gallery_id"].append(gallery.pk)
    # /profiles/{pk}/grants and /cases/{pk}/grants name both kinds ``pk``.
    ids["pk"] = ids["profile_id"] + ids["case_id"]
    return ids


def config_toml(ids: dict[str, list[int]], probability: float = 0.8) -> str:
    lines = []
    for name, values in ids.items():
        lines += [f"[dictionaries.{name}]", f"values = {sorted(values)}", ""]
    lines.append("[parameters]")
    lines += [f'"path.{name}" = {{ dictionary = "{name}", probability = {probability} }}' for name in ids]
    return "\n".join(lines) + "\n"


@pytest.mark.schemathesis
def test_schemathesis_finds_nothing(live_server, world, settings, tmp_path):
    settings.WRAPAROUND_API_RATE = "1000000/min"
    ids = seed(world)
    # Read from the working directory by the CLI.
    (tmp_path / "schemathesis.toml").write_text(config_toml(ids))
    account = services.create_service_account(by=None, team=world.staffs_iom, username="svc-schemathesis")
    _token, secret = services.issue_token(account, by=None, name="schemathesis")
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "run", f"{live_server.url}/api/v1/schema/",
        "--url", live_server.url, "--header", f"Authorization: Bearer {secret}",
        "--checks", CHECKS, "--phases", "examples,coverage,fuzzing",
        "--max-examples", os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "5"), "--seed", "20261124",
        "--generation-database", "none", "--request-timeout", "20", "--no-color", "--workers", "1",
        "--report", "junit", "--report-dir", str(tmp_path),
    ]
    # Run in tmp_path: the CLI keeps a cache directory (.schemathesis/) in its working directory.
    result = subprocess.run(command, capture_output=True, text=True, timeout=1200, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-15000:] + result.stderr[-3000:]


def test_seeded_ids_reach_real_objects(world, tmp_path):
    """The configuration the schemathesis run uses names an existing record for every
    id-dependent path parameter of the schema (not marked: runs with the fast suite)."""
    import json
    import tomllib

    from django.test import Client

    ids = seed(world)
    config = tomllib.loads(config_toml(ids))
    schema = json.loads(Client().get("/api/v1/schema/").content)
    names = {p["name"] for ops in schema["paths"].values() for op in ops.values()
             for p in op.get("parameters", []) if p["in"] == "path"}
    assert names <= {key.removeprefix("path.") for key in config["parameters"]}, names
    for name in names:
        assert config["dictionaries"][name]["values"], name
