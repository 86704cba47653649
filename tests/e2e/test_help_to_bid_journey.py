"""Help to bid in Chromium: a supplier opens its readiness checklist from the opportunity page,
reads the guidance beside a question, sees the checklist's questions item turn ready once its bid
is answered, finds a partner on the board and writes to it; the partner agrees and each then sees
the other's address. Every page checked with axe-core."""

import pytest

from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def world(live_server):
    """A published call-off with an invited supplier, a second supplier on its partner board,
    and the operator's guidance on quality questions."""
    with live_server.app.app_context():
        from dps.services.guidance import save_guidance
        from lots.bids import partnering
        from tests.lots.bidding import bidding_world
        from tests.lots.helpers import supplier

        w = bidding_world(n_suppliers=1)
        save_guidance(
            w.admin,
            "type:quality",
            good_answer="Say who does the work, how and when.",
            common_mistakes="Copying the question back.",
            example="Our coordinator visits within ten days.",
        )
        user, hal = supplier("Helping Hands CIC", "hal@hands.example")
        partnering.post(user, hal, w.opportunity, ["subcontractor"], "Drivers and a minibus")
        return w.opportunity.id


def test_checklist_guidance_and_a_partner_contacted_through_the_board(
    page, live_server, world, axe
):
    opportunity_id = world
    sign_in(page, live_server, "owner1@supplier1.example")
    page.goto(f"{live_server.url}/opportunities/{opportunity_id}")
    page.get_by_role("link", name="Check if you are ready to bid").click()
    assert page.locator("h1").inner_text() == "Are you ready to bid?"
    assert "Not ready" in page.locator("#item-questions").inner_text()
    axe(page)
    page.locator("#item-questions").get_by_role("link").click()
    page.get_by_role("button", name="Start a bid").click()
    page.get_by_role("link", name="Question 1: How will you recruit volunteers?").click()
    page.get_by_text("Help with this question").click()
    assert "Say who does the work, how and when." in page.locator("#guidance").inner_text()
    axe(page)

    # With every question answered (filled in here as the bid journey does on its pages), the
    # checklist's item turns from not ready to ready.
    _answer_every_question(live_server, opportunity_id)
    page.goto(f"{live_server.url}/opportunities/{opportunity_id}/ready")
    assert "Not ready" not in page.locator("#item-questions").inner_text()
    assert "Ready" in page.locator("#item-questions").inner_text()
    axe(page)

    page.goto(f"{live_server.url}/opportunities/{opportunity_id}/partner-board")
    assert "Drivers and a minibus" in page.locator("#posts").inner_text()
    axe(page)
    page.get_by_role("link", name="Write to Helping Hands CIC").click()
    page.get_by_role("button", name="Send message").click()
    assert "Enter your message" in page.locator(".govuk-error-summary").inner_text()
    axe(page)
    page.get_by_label("Your message").fill("Could you drive for us on Tuesdays?")
    page.get_by_role("button", name="Send message").click()
    assert "Waiting for an answer" in page.locator("#sent").inner_text()
    assert "hal@hands.example" not in page.content()
    axe(page)

    page.context.clear_cookies()
    sign_in(page, live_server, "hal@hands.example")
    page.goto(f"{live_server.url}/opportunities/{opportunity_id}/partner-board")
    assert "owner1@supplier1.example" not in page.content()
    page.get_by_role("button", name="Agree to share contact details with Supplier 1 CIC").click()
    assert "owner1@supplier1.example" in page.locator("#received").inner_text()
    axe(page)


def _answer_every_question(live_server, opportunity_id):
    import sqlalchemy as sa

    from app.accounts.models import User
    from app.extensions import db
    from lots.bids import services as bids
    from lots.bids.models import Bid
    from lots.opportunities.models import Opportunity
    from tests.lots.bidding import questions

    with live_server.app.app_context():
        opportunity = db.session.get(Opportunity, opportunity_id)
        bid = db.session.execute(
            sa.select(Bid).where(Bid.opportunity_id == opportunity_id)
        ).scalar_one()
        user = db.session.get(User, bid.started_by_id)
        q = questions(opportunity)
        bids.save_draft(
            user,
            bid,
            answers={
                str(q["quality"].id): "We recruit locally",
                str(q["social_value"].id): "Two jobs",
            },
            pass_fail={str(q["pass_fail"].id): "yes"},
            total_price_pence=3_000_000,
            social_value={m: "2" for m in opportunity.social_value_measures},
        )
        db.session.remove()
