"""A supplier starts a bid from the opportunity page, answers every section (a word-counted
answer counted as the server counts it, a partner found in the directory, an attachment with
the upload progress bar), checks and submits, and reads the receipt: in Chromium, every page
checked with axe-core."""

import re

import pytest

from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def opportunity_id(live_server):
    """A published opportunity with two invited suppliers."""
    with live_server.app.app_context():
        from tests.lots.bidding import bidding_world

        return bidding_world(n_suppliers=2, real_living_wage=True).opportunity.id


def save(page):
    page.get_by_role("button", name="Save and continue").click()


def test_start_fill_submit_and_read_the_receipt(page, live_server, opportunity_id, axe):
    sign_in(page, live_server, "owner1@supplier1.example")
    page.goto(f"{live_server.url}/opportunities/{opportunity_id}")
    axe(page)
    page.get_by_role("button", name="Start a bid").click()
    assert page.locator("h1").inner_text() == "Your bid"
    axe(page)

    page.get_by_role("link", name="Question 1: How will you recruit volunteers?").click()
    answer = page.get_by_label("How will you recruit volunteers?")
    counter = page.locator(".govuk-character-count__status")
    answer.fill("well-being - for all")
    # Counted as the server counts: a lone dash is not a word.
    assert counter.inner_text() == "You have 497 words remaining"
    answer.fill(" ".join(["volunteer"] * 502))
    assert counter.inner_text() == "You have 2 words too many"
    axe(page)
    answer.fill("We recruit volunteers through local community groups and GP practices.")
    save(page)
    page.get_by_label("What local jobs will you create?").fill("Two local jobs for carers.")
    axe(page)
    save(page)

    assert page.locator("h1").inner_text() == "Pass or fail questions"
    page.get_by_role("radio", name="Yes").check()
    axe(page)
    save(page)

    assert page.locator("h1").inner_text() == "Price"
    page.get_by_label("Your total price").fill("thirty thousand")
    save(page)
    assert (
        "Enter your total price as an amount of money"
        in page.locator(".govuk-error-summary").inner_text()
    )
    assert page.get_by_label("Your total price").input_value() == "thirty thousand"
    axe(page)
    page.get_by_label("Your total price").fill("£30,000")
    save(page)

    assert page.locator("h1").inner_text() == "Social value commitments"
    page.get_by_label("Local people employed on the contract").fill("2")
    axe(page)
    save(page)

    assert page.locator("h1").inner_text() == "Partners"
    page.get_by_label("Search the supplier directory").fill("Supplier 2")
    page.get_by_role("button", name="Search", exact=True).click()
    axe(page)
    page.get_by_role("button", name="Add Supplier 2 CIC as a partner").click()
    page.get_by_role("radio", name="Consortium member").check()
    page.get_by_label("Share of the work").fill("20")
    axe(page)
    save(page)

    assert page.locator("h1").inner_text() == "Attachments"
    page.get_by_label("Upload a file").set_input_files(
        files=[
            {
                "name": "Method statement.pdf",
                "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
            }
        ]
    )
    page.get_by_role("button", name="Upload file").click()
    assert (
        "Method statement.pdf has been attached"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    axe(page)
    page.get_by_role("button", name="Continue").click()

    assert page.locator("h1").inner_text() == "Check your answers before submitting your bid"
    assert page.locator(".govuk-error-summary").count() == 0
    assert "Supplier 2 CIC" in page.locator("#check-partners").inner_text()
    conditions = page.locator("#check-conditions").inner_text()
    assert "within 30 days" in conditions
    assert "an hour (UK rate," in conditions  # Leeds: the UK Real Living Wage
    axe(page)
    # The declaration: submitting without confirming the conditions is refused, and says why.
    page.get_by_role("button", name="Submit bid").click()
    assert (
        "Confirm that you accept the contract conditions: payment terms and the Real Living Wage"
        in page.locator(".govuk-error-summary").inner_text()
    )
    axe(page)
    page.get_by_label("I confirm that, if we win, we accept the contract conditions above").check()
    page.get_by_role("button", name="Submit bid").click()

    assert "Bid submitted" in page.locator("#confirmation").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", page.locator("#sha256").inner_text())
    axe(page)
    page.get_by_role("link", name="Go to your bid").click()
    assert "Submitted" in page.locator("#bid-status").inner_text()
    axe(page)
