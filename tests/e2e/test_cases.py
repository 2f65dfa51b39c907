"""Browser tests of the case screens, as the scenario users of the demo partnership:

- S4 "Nothing is being done": Brighton's duty inspector finds the complaint case in the
  filtered case list, opens it, prints its chronology (every agency's entries, oldest
  first, the complainant's non-cooperation included, Southdown Housing's restricted
  note left out) and downloads the PDF; both are audited.
- A practitioner opens a case from a profile and moves it through its stages to
  closure, recording an activity on the way.

Screenshots (including the PDF's first page rendered to PNG) go to tests/e2e/output/."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from core.models import AuditEvent, Case, Profile

from .conftest import OUTPUT
from .kit import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

S4_TITLE = "ASB: Whitehawk Road flats — youths, noise and intimidation"


def tall(page, screenshot, name, height=1800):
    """Wagtail scrolls inside its layout, so a full-page shot stops at the viewport:
    make the viewport tall for the shot."""
    page.set_viewport_size({"width": 1280, "height": height})
    screenshot(name)
    page.set_viewport_size({"width": 1280, "height": 900})


def render_pdf_pages(pdf: bytes, name: str) -> None:
    """The PDF's pages as PNGs beside the screenshots, to look at."""
    import pypdfium2

    for number, pdf_page in enumerate(pypdfium2.PdfDocument(pdf), start=1):
        pdf_page.render(scale=1.5).to_pil().save(OUTPUT / f"{name}-page{number}.png")


def test_s4_duty_inspector_prints_the_chronology(live_server, page, screenshot):
    call_command("load_demo", "--profiles", "20", "--quiet-logins")
    case = Case.objects.get(title=S4_TITLE)
    sign_in(page, live_server.url, "brighton_inspector")

    page.goto(f"{live_server.url}/admin/cases/?status=open&programme=asb")
    page.get_by_role("link", name=case.reference).wait_for()
    screenshot("cases-01-list-filtered")
    page.get_by_role("button", name=re.compile("filter", re.I)).first.click()
    page.get_by_role("button", name="Opened between").wait_for()
    screenshot("cases-01b-list-filters-open")
    page.get_by_role("button", name="Stage").click()
    page.locator("select[name=stage]").wait_for()
    screenshot("cases-01c-list-filter-stage")
    page.keyboard.press("Escape")
    page.get_by_role("link", name=case.reference).click()
    page.get_by_role("heading", name=re.compile("Action log")).wait_for()
    tall(page, screenshot, "cases-02-s4-case-page", 2600)

    page.get_by_role("link", name="Printable chronology").click()
    page.get_by_role("heading", name=f"Chronology of case {case.reference}").wait_for()
    body = page.locator("body").inner_text()
    # Every agency, oldest first, non-cooperation included; Southdown's restricted note not.
    first = body.index("Initial report by phone")
    assert first < body.index("Complainant declined to give a statement") < body.index("'nothing is being done'")
    for agency in ("Sussex Police", "Brighton & Hove City Council", "Southdown Homes Housing Association"):
        assert agency in body, agency
    assert "rent arrears" not in body
    screenshot("cases-03-chronology-screen")
    page.emulate_media(media="print")
    screenshot("cases-04-chronology-print-media")
    # What the browser prints: A4 from the stylesheet's @page, about two pages (S4).
    printed = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    box = printed.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    assert 1 <= len(printed.pages) <= 3
    page.emulate_media(media="screen")
    assert AuditEvent.objects.filter(action="print", object_id=str(case.pk)).count() == 1

    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename == f"{case.reference}-chronology.pdf"
    pdf = open(download.path(), "rb").read()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Complainant declined to give a statement" in text and "rent arrears" not in text
    render_pdf_pages(pdf, "cases-05-chronology-pdf")
    assert AuditEvent.objects.filter(action="export", object_id=str(case.pk)).count() == 1


def test_practitioner_opens_a_case_from_a_profile_and_closes_it(live_server, page, screenshot):
    call_command("load_demo", "--profiles", "20", "--quiet-logins")
    person = Profile.objects.get(first_name="Janet", last_name="Hollingbury")
    sign_in(page, live_server.url, "brighton_police")

    page.goto(f"{live_server.url}/admin/profiles/{person.pk}/")
    page.click("#tab-label-cases")  # the profile hub's Cases tab
    page.click("[data-testid=open-case]")
    page.get_by_text("becomes the first participant").wait_for()
    page.select_option("select[name=case_type]", "asb:asb_case")
    page.fill("input[name=title]", "Stairwell graffiti, Whitehawk Road")
    page.select_option("select[name=role]", "victim")
    screenshot("cases-06-open-from-profile")
    page.get_by_role("button", name="Open the case").click()
    page.get_by_test_id("case-stage").wait_for()
    case = Case.objects.get(title="Stairwell graffiti, Whitehawk Road")
    assert list(case.participants.values_list("profile_id", "role")) == [(person.pk, "victim")]

    for stage in ("Investigation", "Warning issued"):
        page.select_option("select[name=stage]", label=stage)
        page.get_by_role("button", name="Move the case").click()
        page.get_by_test_id("case-stage").filter(has_text=stage).wait_for()

    page.select_option("select[name=kind]", "visit")
    page.fill("input[name=summary]", "Photographed the graffiti with the caretaker")
    page.get_by_role("button", name="Add to the action log").click()
    page.get_by_text("Entry added to the action log.").wait_for()
    tall(page, screenshot, "cases-07-case-moving")

    page.get_by_role("button", name="Close with this outcome").click()  # no outcome yet
    page.get_by_text("This field is required.").first.wait_for()
    tall(page, screenshot, "cases-07b-close-without-outcome")
    page.select_option("select[name=outcome]", "behaviour_stopped")
    page.fill("textarea[name=notes]", "Graffiti removed; no repeat in six weeks")
    page.get_by_role("button", name="Close with this outcome").click()
    page.get_by_test_id("case-outcome").wait_for()
    assert page.get_by_test_id("case-status").text_content().strip() == "Closed"
    log = page.locator("#action-log").inner_text()
    assert "Case closed: Behaviour stopped" in log and "Stage changed from Investigation to Warning issued" in log
    tall(page, screenshot, "cases-08-case-closed")
    case.refresh_from_db()
    assert (case.status, case.stage, case.outcome) == ("closed", "warning", "behaviour_stopped")
