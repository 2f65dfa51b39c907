"""The OpenAPI 3.1 schema and the human docs, served from the project (no CDN)."""

from __future__ import annotations

import re

from django.test import Client


def test_schema_is_openapi_3_1_with_problem_details_and_security(db):
    schema = Client().get("/api/v1/schema/").json()
    assert schema["openapi"].startswith("3.1")
    paths = schema["paths"]
    for path in ("/api/v1/profiles/", "/api/v1/cases/{case_id}/stage", "/api/v1/me/", "/api/v1/statistics/",
                 "/api/v1/programmes/", "/api/v1/activities/", "/api/v1/profiles/{pk}/grants"):
        assert path in paths, path
    patch = paths["/api/v1/profiles/{profile_id}"]["patch"]
    assert {"application/problem+json"} == set(patch["responses"]["412"]["content"])
    assert "If-Match" in [p["name"] for p in patch["parameters"]]
    post = paths["/api/v1/profiles/"]["post"]
    assert "Idempotency-Key" in [p["name"] for p in post["parameters"]]
    # Every operation requires authentication.
    assert all(op.get("security") for ops in paths.values() for op in ops.values())


def test_docs_are_served_without_a_cdn(db):
    client = Client()
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert "<script>" not in html  # no inline script (CSP): settings travel as JSON data
    for asset in (s for s in sources if s.endswith((".js", ".css"))):
        assert client.get(asset).status_code == 200, asset


def test_choice_enums_do_not_overwrite_each_other(db):
    """pydantic names an enum's component after its class; Django's choice classes share
    names (Status, Kind), so the API spells the others as inline enums (``one_of``)."""
    import json

    from django.test import Client

    from core.models import Activity, Case

    components = json.loads(Client().get("/api/v1/schema/").content)["components"]["schemas"]
    assert components["Kind"]["enum"] == list(Activity.Kind.values)
    assert components["Status"]["enum"] == list(Case.Status.values)
