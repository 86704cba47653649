"""Notices in Chromium: a buyer lists planned work (its pipeline notice, UK1), drafts the call-off
from it and publishes it (its tender notice, UK4), finds both on its Notices page and reads the
tender notice's page; anyone reads that page signed out, and the public list of every notice,
of one kind at a time. Then every release and record the journey produced, as the OCDS API gives
them, validates against OCDS 1.1.5 with the declared extensions and codelists
(``publishing.standard``). Every page is checked with axe-core."""

import json

import pytest

from app.timeutil import to_local, utcnow
from publishing import standard
from tests.e2e.helpers import sign_in
from tests.e2e.test_opportunity_journey import _working_day, fill_date

pytestmark = pytest.mark.browser


@pytest.fixture
def world(live_server):
    with live_server.app.app_context():
        from tests.lots.helpers import admit, setup_world, supplier

        admin, dps, lots, user, buyer = setup_world()
        _, organisation = supplier("Riverside Community Care CIO", "rosa@riverside.example")
        admit(organisation, lots[0])
        return buyer.id


def api_json(page, url):
    response = page.request.get(url)
    assert response.status == 200, response.text()
    return json.loads(response.body())


def test_a_published_call_off_has_its_notices_and_valid_open_data(browser, live_server, world, axe):
    from datetime import timedelta

    page = browser.new_context().new_page()
    today = to_local(utcnow()).date()
    question_day = _working_day(today + timedelta(days=14))
    bid_day = _working_day(today + timedelta(days=21))

    # Planned work first: its pipeline notice.
    sign_in(page, live_server, "bea@leeds.example")
    page.goto(live_server.url + "/buyer")
    page.get_by_role("link", name="Your pipeline of planned work").click()
    page.get_by_role("button", name="Add planned work").click()
    page.get_by_label("Title").fill("Befriending for older people in Leeds")
    page.get_by_role("radio", name="Befriending").first.check()
    page.get_by_label("Description").fill("Weekly befriending visits for 60 older people.")
    page.get_by_label("Estimated value").fill("40,000")
    page.get_by_label("When do you expect to publish the call-off?").select_option(index=1)
    page.get_by_label("Contact name").fill("Bea Buyer")
    page.get_by_role("button", name="Add to the pipeline").click()
    assert page.locator("h1").inner_text() == "Befriending for older people in Leeds"
    axe(page)

    # The call-off, drafted from it in one step and completed.
    page.get_by_role("button", name="Draft the call-off").click()
    assert (
        "drafted from your planned work" in page.locator(".govuk-notification-banner").inner_text()
    )
    axe(page)
    page.get_by_role("link", name="Details").click()
    page.get_by_label("Summary").fill("Weekly befriending visits for 60 older people")
    page.get_by_label("Estimated value").fill("40000")
    page.get_by_role("radio", name="A local authority area").check()
    page.get_by_label("Local authority, if you chose").select_option(label="Leeds")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Evaluation criteria").click()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Questions for bidders").click()
    page.locator("#questions-0-text").fill("How will you recruit and support volunteers?")
    page.locator("#questions-0-weight").fill("40")
    page.locator("#questions-1-kind").select_option(label="Social value (scored)")
    page.locator("#questions-1-text").fill("What local jobs will you create?")
    page.locator("#questions-1-weight").fill("10")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Deadlines").click()
    fill_date(page, "question_date", question_day)
    fill_date(page, "submission_date", bid_day)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Price schedule").click()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Social value measures").click()
    page.get_by_label("Local people employed on the contract").check()
    page.get_by_role("button", name="Save and continue").click()
    with page.expect_navigation():  # counted while the next page loads, none would show
        page.get_by_role("button", name="Check and publish").click()
    assert page.locator(".govuk-error-summary").count() == 0
    page.get_by_role("button", name="Publish").click()
    assert page.locator("h1").inner_text() == "Opportunity published"
    reference = page.locator("#reference").inner_text().strip()
    axe(page)

    # The buyer's Notices page: both notices published.
    page.goto(live_server.url + "/buyer")
    page.locator("main").get_by_role("link", name="Notices", exact=True).click()
    assert page.locator("h1").inner_text() == "Notices"
    published = page.locator("#notices-published").inner_text()
    assert "Tender notice (UK4)" in published and "Pipeline notice (UK1)" in published
    assert "No notice is due" in page.locator("#notices-due").inner_text()
    axe(page)
    tender_row = page.locator("#notices-published tbody tr", has_text="(UK4)")
    tender_row.get_by_role("link", name="Befriending for older people in Leeds").click()
    assert page.locator("h1").inner_text() == "Befriending for older people in Leeds"
    assert "Tender notice (UK4)" in page.locator("#notice").inner_text()
    assert "£40,000 excluding VAT" in page.locator("#notice").inner_text()
    axe(page)
    notice_url = page.url

    # Anyone reads it, signed out; and the pipeline notice's page.
    public = browser.new_context().new_page()
    public.goto(notice_url)
    assert public.locator("h1").inner_text() == "Befriending for older people in Leeds"
    axe(public)
    # The public list of every published notice, from the notice and from every page's footer.
    public.get_by_role("link", name="All notices").click()
    assert public.locator("h1").inner_text() == "Notices"
    listed = public.locator("#notices tbody tr", has_text="(UK4)")
    assert "Befriending for older people in Leeds" in listed.inner_text()
    axe(public)
    public.select_option("#kind", "UK1")
    public.get_by_role("button", name="Show notices").click()
    assert "Pipeline notice (UK1)" in public.locator("#notices").inner_text()
    assert "(UK4)" not in public.locator("#notices").inner_text()
    public.get_by_role("contentinfo").get_by_role("link", name="Notices", exact=True).click()
    assert public.locator("h1").inner_text() == "Notices"
    page.goto(live_server.url + "/buyer")
    page.locator("main").get_by_role("link", name="Notices", exact=True).click()
    planned_row = page.locator("#notices-published tbody tr", has_text="(UK1)")
    planned_row.get_by_role("link").click()
    assert "Pipeline notice (UK1)" in page.locator("#notice").inner_text()
    assert "Call-off expected from" in page.locator("#notice").inner_text()
    axe(page)

    # The open data the journey produced: every release, and the record of each process.
    package = api_json(public, live_server.url + "/api/ocds/releases")
    assert standard.errors(package, "release-package") == []
    ours = [r for r in package["releases"] if r["buyer"]["name"] == "Leeds City Council"]
    assert {r["tender"]["documents"][0]["noticeType"] for r in ours} == {"UK1", "UK4"}
    for release in package["releases"]:
        assert standard.errors(release) == [], release["id"]
    call_off = next(r for r in ours if r["tag"] == ["tender"])
    assert call_off["tender"]["id"] == reference
    assert call_off["tender"]["techniques"]["hasDynamicPurchasingSystem"] is True
    assert "bids" not in call_off  # sealed until the deadline
    assert {p["relationship"][0] for p in call_off["relatedProcesses"]} == {
        "framework",
        "planning",
    }
    for ocid in {r["ocid"] for r in package["releases"]}:
        records = api_json(public, f"{live_server.url}/api/ocds/records/{ocid}")
        assert standard.errors(records, "record-package") == [], ocid
        compiled = records["records"][0]["compiledRelease"]
        assert standard.errors(compiled) == [], ocid
