"""The operator loads the debarment list in the browser: a file with a bad line is refused with
the line named in the error summary; the corrected file loads, a supplier waiting for a decision
is a possible match by name, and the operator confirms it: the supplier is debarred. In Chromium,
with axe-core on every page."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.browser

HEADER = "supplier_name,company_number,charity_number,grounds,from_date,to_date\n"
BAD = HEADER + "Riverside Community Care Ltd,,,Bribery,2026-01-01,\nNo Grounds Ltd,,,,2026-01-01,\n"
GOOD = HEADER + "Riverside Community Care Ltd,,,Bribery,2026-01-01,\n"


@pytest.fixture
def waiting_supplier(live_server):
    """A DPS, and Riverside Community Care's application to it, waiting for a decision."""
    from app.extensions import db
    from tests.dps.helpers import make_admin, make_dps, submitted_application

    with live_server.app.app_context():
        admin = make_admin()
        dps, lots = make_dps(admin)
        submitted_application(dps, [lots[0].id])
        db.session.remove()


def _upload(page, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    page.get_by_label("Upload the debarment list").set_input_files(str(path))
    page.get_by_role("button", name="Load debarment list").click()


def test_load_the_list_and_review_a_match(page, live_server, axe, waiting_supplier, tmp_path):
    sign_in(page, live_server, "ada@operator.example")
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Debarment list").click()
    assert page.locator("h1").inner_text() == "Debarment list"
    axe(page)

    _upload(page, tmp_path, "bad.csv", BAD)
    summary = page.locator(".govuk-error-summary")
    assert "Line 3: enter the grounds for debarment" in summary.inner_text()
    assert page.title().startswith("Error:")
    axe(page)

    _upload(page, tmp_path, "debarment-list.csv", GOOD)
    assert "1 possible match to review" in page.locator(".govuk-notification-banner").inner_text()
    assert "Riverside Community Care Ltd" in page.locator(".app-debarment-match").inner_text()
    axe(page)

    page.locator(".app-debarment-match").get_by_role(
        "link", name="Riverside Community Care"
    ).click()
    assert page.locator("h1").inner_text() == "Is Riverside Community Care on the debarment list?"
    axe(page)
    page.get_by_label("Yes: it is the same organisation. Debar it").check()
    page.get_by_label("Reasons for your decision").fill("Same trustees and address as listed")
    page.get_by_role("button", name="Save decision").click()

    assert "has been debarred" in page.locator(".govuk-notification-banner").inner_text()
    expect(page.get_by_text("No possible matches are waiting for review.")).to_be_visible()
    assert "Debarred" in page.locator("[id^=decided-]").first.inner_text()
    axe(page)
