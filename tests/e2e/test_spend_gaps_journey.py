"""The buyer reads the work it could lot for VCSEs on its report (with its trend and the table by
lot), and the operator reads the integrity flags from the Administration page. In Chromium, with
axe-core on each page, and at 375 pixels wide."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.browser

FILE = (
    b"Payment Date,Supplier Name,Amount,Expense Type\n"
    b"10/04/2023,Riverside Community Care CIO,1000,Befriending Services\n"
    b"10/04/2024,Yorkshire Water Services Ltd,12000,Befriending Services\n"
    b"10/05/2024,Yorkshire Water Services Ltd,8000,Befriending Services\n"
    b"11/05/2024,Riverside Community Care CIO,5000,Befriending Services\n"
)


@pytest.fixture
def council(live_server):
    from datetime import UTC, datetime, timedelta

    from app.extensions import db
    from lots.opportunities.models import OpportunityStatus
    from tests.lots.helpers import ready_draft
    from tests.spend.helpers import import_file, make_world

    with live_server.app.app_context():
        world = make_world()
        import_file(world.buyer_user, world.buyer, FILE)
        # A call-off that drew no bids, published with the legal minimum.
        opportunity = ready_draft(world.buyer_user, world.buyer, world.lots[0])
        opportunity.status = OpportunityStatus.PUBLISHED
        opportunity.published_at = datetime(2026, 11, 2, 12, tzinfo=UTC)
        opportunity.question_deadline = None
        opportunity.submission_deadline = opportunity.published_at + timedelta(days=10)
        buyer_id = world.buyer.id
        db.session.commit()
        db.session.remove()
    return buyer_id


def test_the_gaps_on_the_report_and_the_integrity_flags(page, live_server, axe, council):
    sign_in(page, live_server, "bea@leeds.example")
    page.goto(f"{live_server.url}/buyer/{council}/spend?year=2024")
    gap = page.locator("#gap-1")
    assert "Befriending Services" in gap.inner_text()
    assert (
        "Yorkshire Water Services Limited: £20,000 (large and outside the area)" in gap.inner_text()
    )
    expect(page.locator("#trend-vcse")).to_be_visible()
    expect(page.locator("#lots")).to_be_visible()
    axe(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    axe(page)
    page.set_viewport_size({"width": 1280, "height": 800})
    with page.expect_download() as download:
        page.locator("a[href*='gaps.xlsx']").click()
    assert download.value.suggested_filename == "spend-gaps-2024-25.xlsx"

    page.context.clear_cookies()
    sign_in(page, live_server, "ada@operator.example")
    page.goto(f"{live_server.url}/admin")
    page.get_by_role("link", name="Integrity flags").click()
    assert page.locator("h1").inner_text() == "Integrity flags"
    assert "drew no bids" in page.locator("#few_bids-1").inner_text()
    assert "the least the law allows" in page.locator("#minimum_period-1").inner_text()
    axe(page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    axe(page)
