"""An organisation admin creates a service account and a token in the admin, sees the
secret once, uses it against the API, and finds the API docs served by the project."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_spoc_issues_a_token_and_reads_the_docs(live_server, page, screenshot):
    world = make_world()
    spoc = world.norfolk_spoc
    spoc.set_password("correct horse battery staple")
    spoc.save()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "norfolk_spoc")
    page.fill("input[name=password]", "correct horse battery staple")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/api/service-accounts/new/")
    page.fill("input[name=username]", "norfolk-rms")
    page.select_option("select[name=team]", label=str(world.norfolk_iom))
    page.fill("textarea[name=description], input[name=description]", "Niche RMS nightly sync")
    screenshot("api-01-new-service-account")
    page.get_by_role("button", name="Create").click()
    page.wait_for_url(re.compile(r".*/admin/api/tokens/new/"))
    page.fill("input[name=name]", "RMS nightly sync")
    page.check("input[name=read_only]")
    screenshot("api-02-new-token")
    page.get_by_role("button", name="Create").click()
    secret = page.locator("[data-token]").inner_text()
    assert secret.startswith("wrp_")
    screenshot("api-03-token-shown-once")

    page.goto(f"{live_server.url}/admin/api/tokens/")
    assert page.get_by_text("RMS nightly sync").first.is_visible()
    assert secret not in page.content()
    screenshot("api-04-token-list")

    me = page.request.get(f"{live_server.url}/api/v1/me/", headers={"Authorization": f"Bearer {secret}"})
    assert me.status == 200 and me.json()["username"] == "norfolk-rms"

    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info")
    screenshot("api-05-docs")
