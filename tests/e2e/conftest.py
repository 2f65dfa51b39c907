"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live
server. Run with ``make e2e``; screenshots go to ``tests/e2e/output/``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The live server runs in a thread while Playwright's sync API runs an event loop in
# this one; Django would otherwise refuse ORM calls "from an async context".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("WRAPAROUND_CHROMIUM", "/usr/bin/chromium")
OUTPUT = Path(__file__).parent / "output"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium).")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    OUTPUT.mkdir(exist_ok=True)

    def _take(name: str) -> Path:
        path = OUTPUT / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _take


@pytest.fixture
def demo(live_server):
    """The demo partnership loaded into the live server's database; its URL."""
    from django.core.management import call_command

    call_command("load_demo", "--profiles", "20", "--quiet-logins")
    return live_server.url
