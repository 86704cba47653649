"""A buyer drafts and publishes an opportunity; an admitted supplier finds it by searching, asks a
question; the buyer answers everyone; the supplier sees the answer: in Chromium, every page
checked with axe-core."""

from datetime import datetime, timedelta, timezone

import pytest

from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.browser


def _working_day(day):
    from dps.working_days import is_working_day

    while not is_working_day(day, "england-and-wales"):
        day += timedelta(days=1)
    return day


@pytest.fixture
def people(live_server):
    """An approved buyer that joined a DPS, and a supplier admitted to its first lot."""
    with live_server.app.app_context():
        from tests.dps.helpers import make_admin, make_dps
        from tests.lots.helpers import admit, make_buyer, supplier

        admin = make_admin()
        dps, lots = make_dps(admin)
        make_buyer(admin, dps, email="bea@leeds.example")
        _, organisation = supplier("Riverside Community Care CIO", "rosa@riverside.example")
        admit(organisation, lots[0])
    return "bea@leeds.example", "rosa@riverside.example"


def fill_date(page, name, day):
    page.locator(f"#{name}-day").fill(str(day.day))
    page.locator(f"#{name}-month").fill(str(day.month))
    page.locator(f"#{name}-year").fill(str(day.year))


def test_publish_find_ask_and_answer(page, browser, live_server, people, axe):
    buyer_email, supplier_email = people
    today = datetime.now(timezone.utc).date()
    question_day = _working_day(today + timedelta(days=14))
    bid_day = _working_day(today + timedelta(days=21))

    # The buyer drafts.
    sign_in(page, live_server, buyer_email)
    page.get_by_role("link", name="Buyer", exact=True).click()
    assert page.locator("h1").inner_text() == "Opportunities"
    axe(page)
    page.get_by_role("button", name="Create an opportunity").click()
    axe(page)
    page.get_by_role("button", name="Create draft").click()
    assert "Select the lot" in page.locator(".govuk-error-summary").inner_text()
    axe(page)
    page.get_by_label("Title").fill("Befriending for older people in Leeds")
    page.get_by_label("Lot 1: Befriending").check()
    page.get_by_label("Mini-competition").check()
    page.get_by_role("button", name="Create draft").click()
    assert page.locator("h1").inner_text() == "Befriending for older people in Leeds"
    axe(page)

    page.get_by_role("link", name="Details").click()
    page.get_by_label("Summary").fill("Weekly befriending visits for 60 older people")
    page.get_by_label("Full description").fill(
        "We want a local organisation to run befriending.\nVisits are weekly."
    )
    page.get_by_label("Estimated value").fill("40000")
    page.get_by_role("radio", name="A local authority area").check()
    page.get_by_label("Local authority, if you chose").select_option(label="Leeds")
    axe(page)
    page.get_by_role("button", name="Save and continue").click()
    assert page.locator("h1").inner_text() == "Befriending for older people in Leeds"

    page.get_by_role("link", name="Evaluation criteria").click()
    axe(page)
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("link", name="Questions for bidders").click()
    page.locator("#questions-0-text").fill("How will you recruit and support volunteers?")
    page.locator("#questions-0-weight").fill("40")
    page.locator("#questions-1-kind").select_option(label="Social value (scored)")
    page.locator("#questions-1-text").fill("What local jobs will you create?")
    page.locator("#questions-1-weight").fill("10")
    axe(page)
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("link", name="Deadlines").click()
    fill_date(page, "question_date", question_day)
    fill_date(page, "submission_date", bid_day)
    axe(page)
    page.get_by_role("button", name="Save and continue").click()

    page.get_by_role("link", name="Price schedule").click()
    axe(page)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Social value measures").click()
    page.get_by_label("Local people employed on the contract").check()
    axe(page)
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("link", name="Tender documents").click()
    page.get_by_label("Upload a tender document").set_input_files(
        files=[
            {
                "name": "Specification.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
            }
        ]
    )
    page.get_by_role("button", name="Upload file").click()
    assert (
        "Specification.pdf has been uploaded"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    axe(page)
    page.get_by_role("link", name="Back to the draft").first.click()

    page.get_by_role("button", name="Check and publish").click()
    assert page.locator("h1").inner_text() == "Check your opportunity before publishing"
    assert page.locator(".govuk-error-summary").count() == 0
    axe(page)
    page.get_by_role("button", name="Publish").click()
    assert page.locator("h1").inner_text() == "Opportunity published"
    assert page.locator("#reference").inner_text().startswith("VCSE-")
    assert page.locator("#invited").inner_text().startswith("We have invited 1 supplier ")
    axe(page)

    # The supplier finds it and asks a question.
    supplier_page = browser.new_page()
    sign_in(supplier_page, live_server, supplier_email)
    supplier_page.get_by_role("link", name="Find opportunities").click()
    axe(supplier_page)
    supplier_page.get_by_label("Search").fill("befriending")
    supplier_page.get_by_role("button", name="Apply filters").click()
    assert "1 opportunity" in supplier_page.locator("#result-count").inner_text()
    supplier_page.get_by_role("link", name="Befriending for older people in Leeds").click()
    assert supplier_page.locator("h1").inner_text() == "Befriending for older people in Leeds"
    assert supplier_page.get_by_role("button", name="Start a bid").is_enabled()
    axe(supplier_page)
    supplier_page.get_by_label("Ask the buyer a question").fill(
        "Will volunteers' travel expenses be paid by the contract?"
    )
    assert "Specification.pdf" in supplier_page.locator("#documents").inner_text()
    supplier_page.get_by_role("button", name="Send question").click()
    assert "sent to the buyer" in supplier_page.locator(".govuk-notification-banner").inner_text()
    assert "Waiting for an answer" in supplier_page.locator("#own-questions").inner_text()
    axe(supplier_page)

    # The buyer answers everyone.
    page.get_by_role("link", name="Manage the opportunity").click()
    axe(page)
    page.get_by_role("link", name="Suppliers’ questions").click()
    axe(page)
    page.locator("#waiting").get_by_role("link").first.click()
    axe(page)
    page.get_by_label("Your answer").fill("Yes: include them in your price.")
    page.get_by_label("Every invited supplier, without saying who asked").check()
    page.get_by_role("button", name="Send answer").click()
    assert (
        "published to every invited supplier"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    axe(page)

    # The supplier sees the answer.
    supplier_page.reload()
    answers = supplier_page.locator("#answers").inner_text()
    assert "travel expenses" in answers and "include them in your price" in answers
    assert "Answered for every supplier" in supplier_page.locator("#own-questions").inner_text()
    axe(supplier_page)
    supplier_page.close()

    # The other pages of a published opportunity, and the lot's page.
    manage_url = page.url.split("/clarifications")[0]
    for name in ("Change the opportunity", "Extend the deadline", "Cancel the opportunity"):
        page.goto(manage_url)
        page.get_by_role("link", name=name).click()
        assert page.locator("h1").inner_text() == name
        axe(page)
    page.goto(live_server.url + "/opportunities")
    page.get_by_role("link", name="Lot 1: Befriending").first.click()
    assert page.locator("h1").inner_text() == "Lot 1: Befriending"
    axe(page)


def test_the_operator_pages_are_accessible(page, live_server, people, axe):
    sign_in(page, live_server, "ada@operator.example")
    page.get_by_role("link", name="Administration").click()
    axe(page)
    page.get_by_role("link", name="Buyers", exact=True).click()
    assert page.locator("h1").inner_text() == "Buyers"
    axe(page)
    page.goto(live_server.url + "/lots/1")
    page.get_by_role("link", name="Change what this lot covers").click()
    page.get_by_label("CPV codes").fill("85312000-9\nnot a code")
    page.get_by_role("button", name="Save").click()
    assert "not a code is not a CPV code" in page.locator(".govuk-error-summary").inner_text()
    axe(page)
