"""What the demo-based browser tests share (the ``demo`` fixture is in conftest):
signing in as one of the demo's users, and opening a tab of a record's screen."""

from __future__ import annotations

from core.demo import DEMO_PASSWORD


def sign_in(page, base, username, password=DEMO_PASSWORD):
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def open_tab(page, tab):
    page.click(f"#tab-label-{tab}")
    page.wait_for_selector(f"#tab-{tab}:not([hidden])")
