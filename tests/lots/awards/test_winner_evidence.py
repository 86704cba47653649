"""Evidence only from the winner: bidders only declare; the preferred bidder alone gives the
documents before the award, by a deadline; if it does not, the buyer moves to the next-ranked
bidder (recorded, audited, emailed) and asks them instead."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.audit.models import AuditEvent
from app.errors import DeadlinePassed, ServiceError
from app.extensions import db
from app.outbox.models import OutboxMessage
from lots.awards import evidence
from lots.awards import services as awards
from lots.awards.models import EvidenceStatus
from lots.bids import submitting
from lots.evaluation import scores as evaluation_scores
from lots.evaluation import sealing
from lots.evaluation import services as evaluation
from lots.opportunities import requirements
from lots.opportunities import services as opportunities
from lots.opportunities.models import OpportunityStatus
from tests.dps.helpers import upload
from tests.lots.bidding import colleague, complete_bid, past_deadline, real_deadline
from tests.lots.helpers import admit, ready_draft, setup_world, supplier


@pytest.fixture
def w(app):
    """Three submitted bids for a call-off that asks only the preferred bidder for insurance
    certificates and accounts, within 5 working days; scored, moderated and proposed."""
    admin, dps, lots, buyer_user, buyer = setup_world()
    suppliers = []
    for i in range(3):
        user, org = supplier(f"Supplier {i + 1} CIC", f"owner{i + 1}@supplier{i + 1}.example")
        admit(org, lots[0])
        suppliers.append((user, org))
    deadline = real_deadline()
    opportunity = ready_draft(
        buyer_user,
        buyer,
        lots[0],
        submission_deadline=deadline,
        question_deadline=deadline - timedelta(days=5),
        social_value_measures=["SV-EMP-01"],
    )
    requirements.set_requirements(
        buyer_user,
        opportunity,
        public_liability_pence=500_000_000,
        evidence_from_winner_only=True,
        evidence=["insurance", "accounts"],
        evidence_days=5,
    )
    opportunities.publish(buyer_user, opportunity, acknowledge_bank_holiday=True)
    bids = []
    for user, org in suppliers:
        bid = complete_bid(user, org, opportunity, price_pence=3_000_000)
        submitting.submit(user, bid, conditions_confirmed=True)
        bids.append(bid)
    eve = colleague(buyer, "eve@leeds.example", ("evaluator",), name="Eve")
    ann = colleague(buyer, "ann@leeds.example", ("approver",), name="Ann")
    with time_machine.travel(past_deadline(opportunity), tick=False):
        evaluation.assign_evaluator(buyer_user, opportunity, eve, moderator=True)
        sealing.open_bids(buyer_user, opportunity)
        evaluation.declare(eve, opportunity, conflict=False)
        for bid in evaluation.bids_to_score(opportunity.id):
            for q in evaluation.scored_questions(opportunity.id):
                evaluation_scores.score(eve, opportunity, bid, q, 3, "Clear")
        evaluation_scores.submit_scores(eve, opportunity)
        moderated = {bids[0].id: 5, bids[1].id: 4, bids[2].id: 3}
        for bid in evaluation.bids_to_score(opportunity.id):
            for q in evaluation.scored_questions(opportunity.id):
                evaluation_scores.moderate(eve, opportunity, bid, q, moderated[bid.id], "Agreed")
        award = awards.propose(buyer_user, opportunity)
    return dict(
        opportunity=opportunity,
        buyer_user=buyer_user,
        ann=ann,
        suppliers=suppliers,
        bids=bids,
        award=award,
    )


def _emails(template):
    return (
        db.session.execute(
            sa.select(OutboxMessage.recipient).where(OutboxMessage.template == template)
        )
        .scalars()
        .all()
    )


def _events(kind):
    return (
        db.session.execute(sa.select(AuditEvent).where(AuditEvent.event_type == kind))
        .scalars()
        .all()
    )


def test_only_the_preferred_bidder_gives_documents_and_the_award_waits_for_them(w):
    opportunity, bids = w["opportunity"], w["bids"]
    user, org = w["suppliers"][0]
    assert w["award"].winner_bid_id == bids[0].id
    after = past_deadline(opportunity) + timedelta(minutes=5)
    with time_machine.travel(after, tick=False):
        with pytest.raises(ServiceError, match="Accept them first"):
            awards.confirm(w["ann"], opportunity)
        asked = evidence.request(w["buyer_user"], opportunity)
        # Only the preferred bidder is asked, by email, with a deadline 5 working days on.
        assert _emails("winner_evidence_requested") == ["owner1@supplier1.example"]
        assert asked.bid_id == bids[0].id and asked.asked == ["insurance", "accounts"]
        # (More than 5 days: asked on a Saturday, the fifth working day ends the next Friday.)
        assert asked.due_at > after + timedelta(days=5)
        with pytest.raises(ServiceError, match="already been asked"):
            evidence.request(w["buyer_user"], opportunity)
        with pytest.raises(ServiceError, match="not given its documents"):
            evidence.accept(w["buyer_user"], opportunity)
        with pytest.raises(ServiceError) as nothing:
            evidence.give(user, asked, [])
        assert nothing.value.field == "documents"
        certificate = upload(user, org, "insurance_certificate", "pl.pdf", date(2099, 1, 1))
        accounts = upload(user, org, "accounts", "accounts.pdf")
        evidence.give(user, asked, [certificate.id, accounts.id], "Both attached")
        assert asked.status == EvidenceStatus.GIVEN
        assert _emails("winner_evidence_given") == ["bea@leeds.example"]
        evidence.accept(w["buyer_user"], opportunity)
        awards.confirm(w["ann"], opportunity)
        assert opportunity.status == OpportunityStatus.AWARDED
    assert len(_events("accept_winner_evidence")) == 1


def test_documents_not_given_move_the_award_to_the_next_ranked_bidder(w):
    opportunity, bids = w["opportunity"], w["bids"]
    start = past_deadline(opportunity) + timedelta(minutes=5)
    with time_machine.travel(start, tick=False):
        asked = evidence.request(w["buyer_user"], opportunity)
        with pytest.raises(ServiceError, match="has until"):
            evidence.record_not_given(w["buyer_user"], opportunity, "Nothing came")
    late = asked.due_at + timedelta(minutes=1)
    with time_machine.travel(late, tick=False):
        user, org = w["suppliers"][0]
        certificate = upload(user, org, "insurance_certificate", "pl.pdf", date(2099, 1, 1))
        with pytest.raises(DeadlinePassed):
            evidence.give(user, asked, [certificate.id])
        with pytest.raises(ServiceError) as no_reason:
            evidence.record_not_given(w["buyer_user"], opportunity, "  ")
        assert no_reason.value.field == "reason"
        successor = evidence.record_not_given(
            w["buyer_user"], opportunity, "No insurance certificate by the deadline"
        )
        assert successor == bids[1].id == w["award"].winner_bid_id
        assert asked.status == EvidenceStatus.NOT_GIVEN
        passed = next(r for r in w["award"].result if r["bid_id"] == bids[0].id)
        assert "No insurance certificate" in passed["excluded_reason"]
        assert _emails("winner_evidence_not_given") == ["owner1@supplier1.example"]
        (event,) = _events("record_evidence_not_given")
        assert event.detail["next_bid_id"] == bids[1].id
        # Still no award until the new preferred bidder gives its documents.
        with pytest.raises(ServiceError, match="Accept them first"):
            awards.confirm(w["ann"], opportunity)
        second = evidence.request(w["buyer_user"], opportunity)
        assert second.bid_id == bids[1].id
        user2, org2 = w["suppliers"][1]
        accounts = upload(user2, org2, "accounts", "accounts.pdf")
        evidence.give(user2, second, [accounts.id])
        evidence.accept(w["buyer_user"], opportunity)
        awards.confirm(w["ann"], opportunity)
        assert opportunity.status == OpportunityStatus.AWARDED
        assert w["award"].winner_bid_id == bids[1].id


def test_with_nobody_left_the_approver_records_no_suitable_bid(w):
    opportunity, bids = w["opportunity"], w["bids"]
    now = past_deadline(opportunity) + timedelta(minutes=5)
    for _ in range(2):
        with time_machine.travel(now, tick=False):
            asked = evidence.request(w["buyer_user"], opportunity)
        now = asked.due_at + timedelta(minutes=1)
        with time_machine.travel(now, tick=False):
            evidence.record_not_given(w["buyer_user"], opportunity, "Not given")
    assert w["award"].winner_bid_id == bids[2].id
    with time_machine.travel(now, tick=False):
        evidence.request(w["buyer_user"], opportunity)
    with time_machine.travel(now + timedelta(days=30), tick=False):
        with pytest.raises(ServiceError, match="No other bid is ranked"):
            evidence.record_not_given(w["buyer_user"], opportunity, "Not given")
        awards.no_suitable_bid(w["ann"], opportunity, "No bidder gave its documents")
        assert opportunity.status == OpportunityStatus.NO_SUITABLE_BID


def test_the_pages_ask_give_and_accept(w, person):
    from tests.lots.pages import error_summary, section, summary_rows

    opportunity = w["opportunity"]
    base = f"/buyer/{opportunity.buyer_id}/opportunities/{opportunity.id}/award"
    user, org = w["suppliers"][0]
    certificate = upload(user, org, "insurance_certificate", "pl.pdf", date(2099, 1, 1))
    with time_machine.travel(past_deadline(opportunity) + timedelta(minutes=5), tick=False):
        bea = person("bea@leeds.example")
        assert "the preferred bidder’s documents" in section(bea.get(base), "evidence-link")
        page = bea.get(f"{base}/evidence")
        assert "has not been asked yet" in section(page, "evidence-state")
        assert bea.post(f"{base}/evidence", {"action": "request"}).status_code == 302
        supplier_page = person("owner1@supplier1.example")
        asked = supplier_page.get(f"/opportunities/{opportunity.id}/evidence")
        assert (
            section(asked, "asked") == "Insurance certificates Accounts for the last financial year"
        )
        nothing = supplier_page.post(f"/opportunities/{opportunity.id}/evidence", {"note": "Here"})
        assert error_summary(nothing) == ["Select the documents you are giving"]
        given = supplier_page.post(
            f"/opportunities/{opportunity.id}/evidence", {"documents": [str(certificate.id)]}
        )
        assert given.status_code == 302
        assert (
            person("owner2@supplier2.example")
            .get(f"/opportunities/{opportunity.id}/evidence")
            .status_code
            == 404
        )  # not asked
        page = bea.get(f"{base}/evidence")
        assert summary_rows(page, "evidence-state")["Status"] == "Given: check them"
        assert section(page, "documents-given") == "pl.pdf (expires 1 January 2099)"
        assert bea.get(f"/documents/{certificate.id}/download").status_code in (200, 302)
        assert bea.post(f"{base}/evidence", {"action": "accept"}).status_code == 302
        page = bea.get(f"{base}/evidence")
        assert summary_rows(page, "evidence-state")["Status"].startswith("Accepted")
