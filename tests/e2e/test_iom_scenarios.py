"""Browser walks of the IOM scenarios through IOM's screens (the hub's IOM tab, the
cohort case's IOM section and their forms), as the scenarios' demo users, with access
holding at each step:

- S1: Norfolk's IOM officer works the cross-border PPO Staffordshire handed over
  (risk score, pathway); Staffordshire still reads it; Waveney sees nothing (404).
- S2: named Norfolk PPO officers record the released ASB perpetrator's custody and
  release risk score; Waveney (IOM off) sees no IOM screens until a partnership admin
  switches IOM on for it — and off again, without losing anything.
- S3: HMP Stafford confirms the release date and writes a Prison History report,
  probation and police read them; switching IOM off for the prison hides it there.
Screenshots go to ``tests/e2e/output/``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from core.models import Case, Organisation, Profile, ProgrammeModule, Report
from plugins.iom.models import CustodyPeriod, PathwayNeed, RiskScore

from .kit import open_tab, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]




def status_of(page, url) -> int:
    return page.goto(url).status


def submit(page, selector="#w-editor-form button[type=submit]"):
    with page.expect_navigation():
        page.click(selector)


def test_s1_norfolk_works_the_cross_border_ppo(demo, page, screenshot):
    liam = Profile.objects.get(first_name="Liam", last_name="Hadley")
    case = Case.objects.get(participants__profile=liam, programme="iom")
    hub, case_url = f"{demo}/admin/profiles/{liam.pk}/", f"{demo}/admin/cases/{case.pk}/"

    # Norfolk (now the owner) sees the PPO's cohort membership and his past sentence.
    sign_in(page, demo, "norfolk_iom")
    page.goto(hub)
    open_tab(page, "iom")
    panel = page.locator("[data-testid=plugin-panel-iom]")
    expect(panel.locator("[data-testid=iom-category]")).to_have_text("PPO — Prolific and Priority Offender")
    expect(panel.locator("[data-testid=iom-cohort-summary]").get_by_text("Tom Gathercole")).to_be_visible()
    expect(panel.get_by_text("HMP Birmingham")).to_be_visible()
    expect(panel.get_by_text("Released", exact=False).first).to_be_visible()
    screenshot("iom-s1-01-hub-iom-tab")

    # A new risk score after the joint review.
    page.click("[data-testid=iom-add-risk]")
    page.select_option("select[name=tool]", "ogrs3")
    page.fill("input[name=score]", "150")
    page.fill("input[name=assessed_on]", timezone.localdate().isoformat())
    submit(page)
    expect(page.get_by_text("Ensure this value is less than or equal to 100").first).to_be_visible()
    page.fill("input[name=score]", "64")
    page.select_option("select[name=level]", "high")
    page.fill("textarea[name=notes]", "Quarterly review in Norwich")
    submit(page)
    expect(page.get_by_text("Quarterly review in Norwich")).to_be_visible()
    assert RiskScore.objects.filter(profile=liam, score=64).exists()

    # The pathway grid on the cohort case.
    page.goto(case_url)
    grid = page.locator("[data-testid=iom-pathways]")
    grid.locator("#pathway-education_training_employment-status").select_option("met")
    grid.locator("#pathway-education_training_employment-notes").fill("Completed the course; labouring job")
    with page.expect_navigation():
        grid.locator("tr[data-pathway=education_training_employment] button").click()
    assert PathwayNeed.objects.get(case=case, pathway="education_training_employment").status == "met"
    page.locator("#panel-iom_case").scroll_into_view_if_needed()
    screenshot("iom-s1-02-case-pathways")

    # Staffordshire kept read access: it reads the IOM tab but cannot record.
    sign_in(page, demo, "staffs_iom")
    page.goto(hub)
    open_tab(page, "iom")
    expect(page.get_by_text("Quarterly review in Norwich")).to_be_visible()
    expect(page.locator("[data-testid=iom-add-risk]")).to_have_count(0)
    assert status_of(page, f"{demo}/admin/programmes/iom/profiles/{liam.pk}/risk-scores/add/") == 403

    # Nobody outside those teams sees anything.
    sign_in(page, demo, "waveney_asb")
    for url in (hub, case_url, f"{demo}/admin/programmes/iom/profiles/{liam.pk}/custody/add/",
                f"{demo}/admin/programmes/iom/cases/{case.pk}/membership/"):
        assert status_of(page, url) == 404, url


def test_s2_named_ppo_officers_record_the_release_into_norfolk(demo, page, screenshot):
    kyle = Profile.objects.get(first_name="Kyle", last_name="Mutford")
    hub = f"{demo}/admin/profiles/{kyle.pk}/"
    release = timezone.localdate() + timedelta(days=10)

    # A named Norfolk PPO officer records the sentence and the release risk score.
    sign_in(page, demo, "norfolk_ppo")
    page.goto(hub)
    open_tab(page, "iom")
    expect(page.get_by_text("No custody periods recorded.")).to_be_visible()
    page.click("[data-testid=iom-record-custody]")
    page.fill("input[name=establishment]", "HMP Norwich")
    page.fill("input[name=prison_number]", "not-a-number")
    page.fill("input[name=received_on]", (timezone.localdate() - timedelta(days=400)).isoformat())
    page.fill("input[name=expected_release_on]", release.isoformat())
    page.fill("input[name=sentence_length]", "14 months")
    submit(page)
    expect(page.get_by_text("Not a valid prison number").first).to_be_visible()
    assert not CustodyPeriod.objects.filter(profile=kyle).exists()
    page.fill("input[name=prison_number]", "k1234mu")
    page.fill("textarea[name=licence_conditions]", "Exclusion zone: Kirkley estate, Lowestoft")
    submit(page)
    expect(page.locator("[data-testid=iom-in-custody]")).to_contain_text("HMP Norwich (K1234MU)")
    page.click("[data-testid=iom-add-risk]")
    page.select_option("select[name=tool]", "local")
    page.fill("input[name=score]", "80")
    page.select_option("select[name=level]", "high")
    page.fill("input[name=assessed_on]", timezone.localdate().isoformat())
    page.fill("textarea[name=notes]", "Release risk assessment: high risk to former neighbours")
    submit(page)
    screenshot("iom-s2-01-release-recorded")

    # The other named officer sees it at once.
    sign_in(page, demo, "norfolk_ppo2")
    page.goto(hub)
    open_tab(page, "iom")
    expect(page.get_by_text("Release risk assessment: high risk to former neighbours")).to_be_visible()

    # Waveney (the previous owner, contribute) has no IOM: no tab, IOM's screens answer 404.
    period = CustodyPeriod.objects.get(profile=kyle)
    sign_in(page, demo, "waveney_asb")
    page.goto(hub)
    expect(page.locator("#tab-label-iom")).to_have_count(0)
    for url in (f"{demo}/admin/programmes/iom/custody/{period.pk}/",
                f"{demo}/admin/programmes/iom/profiles/{kyle.pk}/custody/add/",
                f"{demo}/admin/programmes/iom/cohort/"):
        assert status_of(page, url) == 404, url

    # IOM switched on for Waveney: the tab appears with Norfolk's records; off again: gone, kept.
    waveney = Organisation.objects.get(name="Waveney District Council")
    ProgrammeModule.objects.update_or_create(organisation=waveney, programme="iom", defaults={"enabled": True})
    page.goto(hub)
    open_tab(page, "iom")
    expect(page.locator("[data-testid=iom-in-custody]")).to_contain_text("HMP Norwich")
    ProgrammeModule.objects.filter(organisation=waveney, programme="iom").update(enabled=False)
    page.goto(hub)
    expect(page.locator("#tab-label-iom")).to_have_count(0)
    assert CustodyPeriod.objects.filter(profile=kyle).count() == 1

    # Someone with no access to Kyle gets 404 on his IOM records.
    sign_in(page, demo, "staffs_iom")
    assert status_of(page, hub) == 404
    assert status_of(page, f"{demo}/admin/programmes/iom/custody/{period.pk}/") == 404
    assert status_of(page, f"{demo}/admin/programmes/iom/custody/{period.pk}/release/") == 404


def test_s3_prison_and_police_share_one_record(demo, page, screenshot):
    dean = Profile.objects.get(first_name="Dean", last_name="Riley")
    case = Case.objects.get(participants__profile=dean, programme="iom")
    period = CustodyPeriod.objects.get(profile=dean, released_on__isnull=True)
    hub, case_url = f"{demo}/admin/profiles/{dean.pk}/", f"{demo}/admin/cases/{case.pk}/"
    confirmed = timezone.localdate() + timedelta(days=19)

    # HMP Stafford's single point of contact confirms the release date…
    sign_in(page, demo, "hmp_stafford")
    page.goto(hub)
    open_tab(page, "iom")
    expect(page.locator("[data-testid=iom-in-custody]")).to_contain_text("HMP Stafford (A4821DK)")
    screenshot("iom-s3-01-prison-reads-iom-tab")
    page.goto(f"{demo}/admin/programmes/iom/custody/{period.pk}/")
    page.fill("input[name=expected_release_on]", confirmed.isoformat())
    submit(page)
    period.refresh_from_db()
    assert period.expected_release_on == confirmed

    # …and writes a Prison History report (the IOM report type).
    page.goto(f"{demo}/admin/reports/new/profile/{dean.pk}/iom_prison_history/")
    page.fill("[name=report-period_from]", (timezone.localdate() - timedelta(days=30)).isoformat())
    page.fill("[name=report-period_to]", timezone.localdate().isoformat())
    page.fill("[name=report-attitude]", "Ready for release; keen to keep up education.")
    page.fill("[name=report-adjudications]", "0")
    page.check("input[name=report-interventions][value=education]")
    page.select_option("select[name=report-drug_tests_negative]", "yes")
    page.fill("[name=report-anxieties]", "Where he will live after approved premises")
    page.get_by_role("button", name="More actions").click()  # "Save as final" is in the footer's dropdown
    with page.expect_navigation():
        page.click("button[name=final]")
    assert Report.objects.filter(profile=dean, report_type__slug="iom_prison_history").count() == 3

    # The IOM case: the prison works a pathway.
    page.goto(case_url)
    grid = page.locator("[data-testid=iom-pathways]")
    grid.locator("#pathway-finance_debt-status").select_option("identified")
    grid.locator("#pathway-finance_debt-notes").fill("Needs a bank account before release")
    with page.expect_navigation():
        grid.locator("tr[data-pathway=finance_debt] button").click()
    page.locator("#panel-iom_case").scroll_into_view_if_needed()
    screenshot("iom-s3-02-case-iom-section")

    # Police and probation read the confirmed date and the report.
    for user in ("staffs_iom", "staffs_probation"):
        sign_in(page, demo, user)
        page.goto(hub)
        open_tab(page, "iom")
        expect(page.locator("[data-testid=iom-in-custody]")).to_contain_text(confirmed.strftime("%d %b %Y"))
        page.goto(case_url)
        expect(page.locator("#pathway-finance_debt-notes")).to_have_value("Needs a bank account before release")
    assert status_of(page, f"{demo}/admin/reports/on/profile/{dean.pk}/") == 200
    expect(page.get_by_text("Prison History").first).to_be_visible()

    # Norfolk's IOM team was never given Dean: 404 on the hub, the case and IOM's screens.
    sign_in(page, demo, "norfolk_iom")
    for url in (hub, case_url, f"{demo}/admin/programmes/iom/custody/{period.pk}/",
                f"{demo}/admin/programmes/iom/cases/{case.pk}/membership/"):
        assert status_of(page, url) == 404, url
    page.goto(f"{demo}/admin/programmes/iom/cohort/")
    expect(page.get_by_text("Dean Riley")).to_have_count(0)

    # The partnership admin switches IOM off for HMP Stafford: the prison's officer loses
    # the IOM tab, section, menu and screens; nothing is deleted; switched on, all is back.
    prison = Organisation.objects.get(name="HMP Stafford")
    sign_in(page, demo, "partnership_admin")
    page.goto(demo + reverse("wraparound_organisations:programmes", args=[prison.pk]))
    page.uncheck("input[name=iom]")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    assert not ProgrammeModule.objects.get(organisation=prison, programme="iom").enabled
    sign_in(page, demo, "hmp_stafford")
    page.goto(hub)
    expect(page.locator("#tab-label-iom")).to_have_count(0)
    page.goto(case_url)
    expect(page.locator("#panel-iom_case")).to_have_count(0)
    assert status_of(page, f"{demo}/admin/programmes/iom/custody/{period.pk}/") == 404
    assert CustodyPeriod.objects.filter(profile=dean).count() == 1
    screenshot("iom-s3-03-iom-switched-off-for-the-prison")
    sign_in(page, demo, "partnership_admin")
    page.goto(demo + reverse("wraparound_organisations:programmes", args=[prison.pk]))
    page.check("input[name=iom]")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    sign_in(page, demo, "hmp_stafford")
    page.goto(hub)
    open_tab(page, "iom")
    expect(page.locator("[data-testid=iom-in-custody]")).to_be_visible()
