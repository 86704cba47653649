"""Help to bid through the pages: the operator writes guidance (escaped, audited) that shows
beside the question in the bid and in the application; the readiness checklist and the partner
board as a supplier uses them; the buyer says what bidders must hold on the draft."""

import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.extensions import db
from dps.guidance import QuestionGuidance, topics
from dps.services import applying
from dps.services.guidance import save_guidance
from lots.bids import partnering
from lots.opportunities.requirements import requirements_of
from tests.lots.bidding import bidding_world, questions
from tests.lots.helpers import ready_draft, supplier
from tests.lots.pages import error_summary, section, soup, summary_rows, text

OWNER = "owner1@supplier1.example"
ADMIN = "ada@operator.example"


def test_the_operator_writes_guidance_that_shows_escaped_beside_bid_and_application_questions(
    app, person
):
    w = bidding_world()
    admin = person(ADMIN)
    listing = admin.get("/admin/guidance")
    assert listing.status_code == 200
    assert f"{len(topics())} questions have no guidance yet" in section(listing, "missing-count")
    # Too long: an error summary, and what was typed is kept.
    too_long = admin.post(
        "/admin/guidance/type:quality",
        {"good_answer": "x" * 5001, "common_mistakes": "Vague", "example": ""},
    )
    assert error_summary(too_long) == [
        "What a good answer covers must be 5,000 characters or fewer"
    ]
    assert "Vague" in too_long.get_data(as_text=True)
    saved = admin.post(
        "/admin/guidance/type:quality",
        {
            "good_answer": "Say who does what.\r\n\r\n<script>alert(1)</script> and when.",
            "common_mistakes": "Copying the question back\x00.",
            "example": "",
        },
    )
    assert saved.status_code == 302
    row = db.session.get(QuestionGuidance, "type:quality")
    assert row.common_mistakes == "Copying the question back."  # control characters removed
    (event,) = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.event_type == "update_guidance")
    ).scalars()
    assert event.detail["topic"] == "type:quality"
    # Beside the quality question in the bid: escaped, in paragraphs.
    owner = person(OWNER)
    opportunity = w.opportunity
    owner.post(
        f"/opportunities/{opportunity.id}/bid/start",
        {},
        form_url=f"/opportunities/{opportunity.id}",
    )
    quality = questions(opportunity)["quality"]
    page = owner.get(f"/opportunities/{opportunity.id}/bid/questions/{quality.id}")
    help_box = soup(page).find(id="guidance")
    assert help_box is not None and "Help with this question" in text(help_box)
    paragraphs = [text(p) for p in help_box.select("p.govuk-body")]
    assert paragraphs[:2] == ["Say who does what.", "<script>alert(1)</script> and when."]
    assert help_box.find("script") is None
    social = questions(opportunity)["social_value"]
    assert (
        soup(owner.get(f"/opportunities/{opportunity.id}/bid/questions/{social.id}")).find(
            id="guidance"
        )
        is None
    )  # none written for social value yet
    # Beside a standard question in the application.
    save_guidance(w.admin, "sq:safeguarding_policy", good_answer="Name your safeguarding lead.")
    user, org = w.suppliers[0]
    application = applying.start_application(user, org, w.dps)
    page = owner.get(f"/applications/{application.id}/sections/policies")
    assert "Name your safeguarding lead." in section(page, "guidance-safeguarding_policy")
    assert soup(page).find(id="guidance-equality_policy") is None
    # Nobody else writes guidance.
    assert owner.get("/admin/guidance").status_code == 403


def test_a_supplier_sees_its_checklist_and_contacts_a_partner_through_the_board(app, person):
    w = bidding_world()
    opportunity = w.opportunity
    hal_user, hal = supplier("Helping Hands CIC", "hal@hands.example")
    partnering.post(hal_user, hal, opportunity, ["subcontractor"], "Drivers and a minibus")
    owner = person(OWNER)
    page = owner.get(f"/opportunities/{opportunity.id}")
    links = [a["href"] for a in soup(page).find(id="help-to-bid").find_all("a")]
    assert links == [
        f"/opportunities/{opportunity.id}/ready",
        f"/opportunities/{opportunity.id}/partner-board",
    ]
    ready = owner.get(f"/opportunities/{opportunity.id}/ready")
    rows = summary_rows(ready, "checklist")
    assert rows["Admitted to the lot"].startswith("Ready")
    assert rows["Questions answered"].startswith("Not ready You have not started a bid")
    fix = soup(ready).find(id="item-questions").find("a")
    assert fix["href"] == f"/opportunities/{opportunity.id}/bid"
    board = owner.get(f"/opportunities/{opportunity.id}/partner-board")
    assert "Drivers and a minibus" in text(soup(board).find(id="posts"))
    assert "hal@hands.example" not in board.get_data(as_text=True)
    post = partnering.board(opportunity.id)[0]
    url = f"/opportunities/{opportunity.id}/partner-board/{post.id}/contact"
    empty = owner.post(url, {"message": ""})
    assert error_summary(empty) == ["Enter your message"]
    sent = owner.post(url, {"message": "Could you drive for us?"})
    assert sent.status_code == 302
    board = owner.get(f"/opportunities/{opportunity.id}/partner-board")
    assert "Waiting for an answer" in text(soup(board).find(id="sent"))
    assert "hal@hands.example" not in board.get_data(as_text=True)
    hal_browser = person("hal@hands.example")
    theirs = hal_browser.get(f"/opportunities/{opportunity.id}/partner-board")
    assert "Could you drive for us?" in text(soup(theirs).find(id="received"))
    assert OWNER not in theirs.get_data(as_text=True)
    (contact,) = partnering.contacts_of(hal.id, opportunity.id)[0]
    agreed = hal_browser.post(
        f"/opportunities/{opportunity.id}/partner-board/messages/{contact.id}",
        {"decision": "agree"},
        form_url=f"/opportunities/{opportunity.id}/partner-board",
    )
    assert agreed.status_code == 302
    theirs = hal_browser.get(f"/opportunities/{opportunity.id}/partner-board")
    assert OWNER in text(soup(theirs).find(id="received"))
    mine = owner.get(f"/opportunities/{opportunity.id}/partner-board")
    assert "hal@hands.example" in text(soup(mine).find(id="sent"))


def test_the_buyer_says_what_bidders_must_hold_and_bidders_see_it(app, person):
    w = bidding_world()
    draft = ready_draft(w.buyer_user, w.buyer, w.lots[0])
    buyer = person("bea@leeds.example")
    url = f"/buyer/{w.buyer.id}/opportunities/{draft.id}/bidders-must-hold"
    assert buyer.get(url).status_code == 200
    wrong = buyer.post(
        url,
        {
            "public_liability": "lots",
            "evidence_from_winner_only": "yes",
            "evidence_days": "5",
        },
    )
    assert error_summary(wrong) == [
        "Enter the public liability insurance as an amount, like 5,000,000"
    ]
    no_documents = buyer.post(
        url,
        {"public_liability": "5,000,000", "evidence_from_winner_only": "yes", "evidence_days": "5"},
    )
    assert error_summary(no_documents) == [
        "Select the documents the preferred bidder must give before the award"
    ]
    saved = buyer.post(
        url,
        {
            "public_liability": "5,000,000",
            "policies": ["safeguarding"],
            "evidence_from_winner_only": "yes",
            "evidence": ["insurance"],
            "evidence_days": "5",
        },
    )
    assert saved.status_code == 302
    row = requirements_of(draft.id)
    assert row.public_liability_pence == 500_000_000 and row.policies == ["safeguarding"]
    assert row.evidence_from_winner_only and row.evidence == ["insurance"]
    page = buyer.get(f"/opportunities/{draft.id}")
    assert "Public liability insurance of at least £5,000,000" in section(page, "bidders-must-hold")
    assert "preferred bidder alone" in section(page, "evidence-from-winner")
