"""Browser tests of the security screens: a user enrols an authenticator app and signs in
with a TOTP code generated here (pyotp, as a phone would), and a lockout after five
wrong passwords, lifted by the organisation's admin."""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from tests.factories import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def _sign_in(page, base, username, password=PASSWORD):
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def test_enrol_and_sign_in_with_a_totp_code(live_server, browser, page, screenshot, settings):
    settings.WRAPAROUND_REQUIRE_2FA = True
    make_world()
    base = live_server.url
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)

    _sign_in(page, base, "norfolk_officer")
    page.wait_for_url(re.compile(r".*/admin/account/two-factor/enrol/.*"))
    assert page.get_by_text("Set up two-factor authentication").first.is_visible()
    screenshot("security-01-enrol")
    assert page.locator("main").count() == 1
    key = page.locator(".wa-2fa-key").inner_text().replace(" ", "")
    totp = pyotp.TOTP(key)
    page.fill("input[name=token]", totp.now())
    page.click("button[type=submit]")
    page.wait_for_selector(".wa-codes")
    assert page.locator(".wa-codes li").count() == 10
    screenshot("security-02-recovery-codes")
    page.click("text=I have saved them")
    page.wait_for_url(f"{base}/admin/")

    # A fresh browser: password, then a code from the "phone".
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    other = context.new_page()
    _sign_in(other, base, "norfolk_officer")
    other.wait_for_url(re.compile(r".*/admin/account/two-factor/verify/.*"))
    other.screenshot(path="tests/e2e/output/security-03-verify.png", full_page=True)
    # The code of the next time step (the current one was used to enrol; replays are refused).
    other.fill("input[name=token]", totp.at(time.time() + 30))
    other.click("button[type=submit]")
    other.wait_for_url(f"{base}/admin/")
    assert "Wraparound" in other.title()
    context.close()
    assert not csp_errors, csp_errors


def test_lockout_after_five_failures_and_unlock_by_the_admin(live_server, page, screenshot, settings):
    settings.AXES_ENABLED = True
    # Every browser here comes from 127.0.0.1: lock by username only, or the admin's
    # sign-in would be refused by the per-address lockout too.
    settings.AXES_LOCKOUT_PARAMETERS = ["username"]
    make_world()
    base = live_server.url
    for _ in range(5):
        _sign_in(page, base, "norfolk_officer", "not the password")
    _sign_in(page, base, "norfolk_officer")
    page.wait_for_selector("text=Sign-in temporarily locked")
    screenshot("security-04-lockout")

    admin = page.context.browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    _sign_in(admin, base, "norfolk_spoc")
    admin.wait_for_url(f"{base}/admin/")
    admin.goto(f"{base}/admin/security/lockouts/")
    assert admin.get_by_text("norfolk_officer").first.is_visible()
    admin.screenshot(path="tests/e2e/output/security-05-lockouts.png", full_page=True)
    admin.click("button:has-text('Lift lock')")
    admin.wait_for_selector("text=Lockout lifted")
    admin.context.close()

    _sign_in(page, base, "norfolk_officer")
    page.wait_for_url(f"{base}/admin/")
