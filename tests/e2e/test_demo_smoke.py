"""Smoke test of the demo: a practitioner signs in through the real login form, sees the
dashboard and the profiles they may see."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from core.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_practitioner_signs_in_and_sees_the_dashboard_and_profiles(live_server, page, screenshot):
    call_command("load_demo", "--profiles", "20", "--quiet-logins")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "practitioner")
    page.fill("input[name=password]", DEMO_PASSWORD)
    screenshot("01-login")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert "Wraparound" in page.title()
    screenshot("02-dashboard")

    response = page.goto(f"{live_server.url}/admin/profiles/")
    assert response.status == 200
    # Liam Hadley moved to Norfolk; Dean Riley is still owned by Staffordshire's IOM team.
    assert page.get_by_text("Riley").first.is_visible()
    screenshot("03-profiles")
