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
from tests.factories import CaseFactory, ProfileFactory

pytestmark = pytest.mark.schemathesis

CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "content_type_conformance",
    "response_headers_conformance", "response_schema_conformance", "negative_data_rejection", "ignored_auth",
])


def test_schemathesis_finds_nothing(live_server, world, settings, tmp_path):
    settings.WRAPAROUND_API_RATE = "1000000/min"
    for _ in range(3):
        profile = ProfileFactory(owner_team=world.staffs_iom)
        case = CaseFactory(owner_team=world.staffs_iom, programme="iom", case_type="cohort", stage="referred")
        case.participants.create(profile=profile, role="subject")
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
