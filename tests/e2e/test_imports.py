"""The import flow in a browser: upload → map → dry run with errors → fix → commit →
history → undo, as an organisation admin."""

from __future__ import annotations

import pytest

from core.models import ImportJob, Profile
from tests.core.imports.sheets import GOOD_ROWS, csv_bytes, xlsx_bytes
from tests.factories import make_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


def upload(page, base, name, content, mime):
    page.goto(f"{base}/admin/imports/")
    page.click("[data-testid=new-import]")
    page.select_option("select[name=resource]", "profiles")
    page.select_option("select[name=owner_team]", label="PPO Team (Norfolk Constabulary)")
    page.set_input_files("input[name=file]", files=[{"name": name, "mimeType": mime, "buffer": content}])
    page.get_by_role("button", name="Upload and map columns").click()
    page.wait_for_url("**/map/")


def test_admin_imports_fixes_and_undoes_a_sheet(live_server, page, screenshot):
    make_world()
    base = live_server.url
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", "norfolk_spoc")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")

    page.goto(f"{base}/admin/imports/")
    screenshot("imports-01-history-empty")
    bad = [*GOOD_ROWS, ["Wrong", "Date", "31/02/1990", "Martian", "", "", "", "", "", ""]]
    upload(page, base, "cohort.xlsx", xlsx_bytes(bad),
           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "headings on row 3" in page.content()
    screenshot("imports-02-map")
    page.click("[data-testid=dry-run]")
    page.wait_for_selector("[data-testid=errors]")
    errors = page.inner_text("[data-testid=errors]")
    assert "31/02/1990" in errors and "C (D.O.B.)" in errors and "D (Sex)" in errors
    screenshot("imports-03-dry-run-errors")
    assert Profile.objects.count() == 0

    upload(page, base, "cohort-fixed.csv", csv_bytes(GOOD_ROWS), "text/csv")
    page.click("[data-testid=dry-run]")
    page.wait_for_selector("[data-testid=preview]")
    assert "4" in page.inner_text("[data-testid=counts]")
    screenshot("imports-04-dry-run-clean")
    page.click("[data-testid=commit]")
    page.wait_for_selector("[data-testid=records]")
    assert "John Smith" in page.inner_text("[data-testid=records]")
    screenshot("imports-05-committed")
    assert Profile.objects.count() == 4

    page.goto(f"{base}/admin/imports/")
    assert "cohort-fixed.csv" in page.content()
    screenshot("imports-06-history")
    page.click("text=cohort-fixed.csv")
    page.click("[data-testid=undo]")
    screenshot("imports-07-undo-confirm")
    page.click("[data-testid=confirm-undo]")
    page.wait_for_selector("text=Import undone")
    screenshot("imports-08-undone")
    assert Profile.objects.count() == 0
    assert ImportJob.objects.filter(status="undone").count() == 1


def test_admin_imports_a_families_list_from_the_plugin(live_server, page, screenshot):
    """A programme plugin's resource (Troubled Families' families list) in the same
    screens: offered on upload, headings suggested, committed, its history listing the
    profiles, household and case (the case linked to the case page)."""
    from core.models import Case
    from tests.plugins.test_troubled_families_imports import HEADINGS, ROWS

    make_world()
    base = live_server.url
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", "norfolk_spoc")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    page.goto(f"{base}/admin/imports/")
    page.click("[data-testid=new-import]")
    page.select_option("select[name=resource]", "families_list")
    page.select_option("select[name=owner_team]", label="PPO Team (Norfolk Constabulary)")
    page.set_input_files("input[name=file]", files=[
        {"name": "families.csv", "mimeType": "text/csv", "buffer": csv_bytes(ROWS[:4], headings=HEADINGS)}])
    page.get_by_role("button", name="Upload and map columns").click()
    page.wait_for_url("**/map/")
    page.click("[data-testid=dry-run]")
    page.wait_for_selector("[data-testid=preview]")
    page.click("[data-testid=commit]")
    page.wait_for_selector("[data-testid=records]")
    records = page.inner_text("[data-testid=records]")
    assert "Donna Pakefield" in records and "The Pakefield family" in records
    screenshot("imports-09-families-committed")
    case = Case.objects.get(title="The Pakefield family")
    page.click(f"text={case.reference} The Pakefield family")
    page.wait_for_url(f"**/{case.pk}/**")
    assert "The Pakefield family" in page.content()
