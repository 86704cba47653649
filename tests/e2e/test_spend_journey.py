"""A council's buyer uploads its Transparency Code payments file in the browser, checks which
column is which, sees the rows left out, reads where its money goes, and settles a likely match.
In Chromium, with axe-core on every page, and at 375 pixels wide."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.browser

FILE = (
    "Leeds City Council - Payments over £500,,,,,\n"
    ",,,,,\n"
    "Service Area,Expense Type,Payment Date,Net Amount,Supplier Name,\n"
    'Adults,Befriending,01/04/2024,"£6,000.00 ",Riverside Community Care CIO,\n'
    "Adults,Befriending,02/04/24,-500.00,Riverside Community Care CIO,\n"
    "Resources,Water,3 Apr 2024,4000,Yorkshire Water Services Ltd,\n"
    "Adults,Care,14-Jun-24,750,REDACTED PERSONAL DATA,\n"
    "Adults,Care,15/06/2024,(250.00),Riverside Comunity Care,\n"
    "Adults,Care,16/06/2024,900,Riverside Comunity Care,\n"
    "Adults,Care,31/06/2024,900,Nobody Ltd,\n"
    ",,,Total,,\n"
    ",,,,,\n"
)


@pytest.fixture
def council(live_server):
    from app.extensions import db
    from tests.spend.helpers import make_world

    with live_server.app.app_context():
        world = make_world()
        buyer_id = world.buyer.id
        db.session.commit()
        db.session.remove()
    return buyer_id


def test_upload_a_spend_file_and_read_the_report(page, live_server, axe, council, tmp_path):
    path = tmp_path / "payments.csv"
    path.write_bytes(FILE.encode("cp1252"))
    sign_in(page, live_server, "bea@leeds.example")
    page.goto(f"{live_server.url}/buyer/{council}/opportunities")
    page.get_by_role("link", name="Where your money goes").click()
    assert page.locator("h1").inner_text() == "Where the money goes"
    expect(page.locator("#no-spend")).to_be_visible()
    axe(page)

    page.locator("#no-spend").get_by_role("link", name="upload a spend file").click()
    axe(page)
    page.get_by_label("Upload a spend file").set_input_files(str(path))
    page.get_by_role("button", name="Upload spend file").click()

    assert page.locator("h1").inner_text() == "Which column is which"
    assert page.get_by_label("Amount").input_value() == "3"
    assert page.get_by_label("Supplier name").input_value() == "4"
    axe(page)
    page.get_by_role("button", name="Import spend").click()

    assert page.locator("#status").inner_text() == "Imported"
    # Six lines, the redacted one included.
    assert page.locator("#result .govuk-summary-list__value").first.inner_text() == "6"
    left_out = page.locator("#skipped").inner_text()
    assert "The date ‘31/06/2024’ cannot be read" in left_out and "A totals row" in left_out
    axe(page)

    page.get_by_role("link", name="See where the money goes").click()
    # Riverside's £5,500 of £10,900 (the redacted £750 and the likely match's £650 unclassified).
    assert page.locator("#headline-vcse td").first.inner_text() == "50.5%"
    axe(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    axe(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("link", name="Likely supplier matches to review (1)").click()
    axe(page)
    page.get_by_label("Yes: count this spend as theirs").check()
    page.get_by_role("button", name="Save decision").click()
    assert (
        "is now counted as Riverside Community Care CIO (2 lines)"
        in page.locator(".govuk-notification-banner").inner_text()
    )
    axe(page)
    page.goto(f"{live_server.url}/buyer/{council}/spend?year=2024")
    # Now £6,150 of £10,900.
    assert page.locator("#headline-vcse td").first.inner_text() == "56.4%"
