"""Contracts for tests of what happens after award (social value delivered, the contract record,
records kept): one entered straight from a published opportunity without an evaluation, or one
reached through the whole evaluation, award and letters."""

from datetime import date, timedelta

import time_machine

from app.extensions import db
from app.timeutil import utcnow
from lots.awards import contracts, letters
from lots.awards import queries as award_queries
from lots.awards import services as awards
from lots.awards.contracts import add_commitments
from lots.awards.models import Contract
from lots.evaluation import scores as evaluation_scores
from lots.evaluation import sealing
from lots.evaluation import services as evaluation
from tests.lots.bidding import colleague, past_deadline


def award_to_first(w):
    """Evaluate the bidding world ``w`` (two evaluators, one moderating; an approver), award to
    its first bid's supplier, issue the letters and enter the contract, after the standstill if
    there is one. Returns how many letters were issued."""
    eve = colleague(w.buyer, "eve@leeds.example", ("evaluator",), name="Eve")
    max_ = colleague(w.buyer, "max@leeds.example", ("evaluator",), name="Max")
    ann = colleague(w.buyer, "ann@leeds.example", ("approver",), name="Ann")
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        evaluation.assign_evaluator(w.buyer_user, w.opportunity, eve)
        evaluation.assign_evaluator(w.buyer_user, w.opportunity, max_, moderator=True)
        sealing.open_bids(w.buyer_user, w.opportunity)
        for person in (eve, max_):
            evaluation.declare(person, w.opportunity, conflict=False)
        for person in (eve, max_):
            for bid in evaluation.bids_to_score(w.opportunity.id):
                for q in evaluation.scored_questions(w.opportunity.id):
                    evaluation_scores.score(person, w.opportunity, bid, q, 3, "Clear and local")
            evaluation_scores.submit_scores(person, w.opportunity)
        agreed = {w.bids[0].id: 4, w.bids[1].id: 1}
        for bid in evaluation.bids_to_score(w.opportunity.id):
            for q in evaluation.scored_questions(w.opportunity.id):
                evaluation_scores.moderate(max_, w.opportunity, bid, q, agreed[bid.id], "Agreed")
        awards.propose(w.buyer_user, w.opportunity)
        awards.confirm(ann, w.opportunity)
        issued = letters.issue_letters(w.opportunity.id)
        contracts.enter_due_contracts()  # entered at once if there is no standstill
        ends = award_queries.award_of(w.opportunity.id).standstill_ends_at
    with time_machine.travel(ends + timedelta(minutes=1), tick=False):
        contracts.enter_due_contracts()
    return issued


def contract_for(world, promised, start=date(2027, 1, 4), **fields):
    """A contract between the world's buyer and its first supplier, with a commitment per
    ``{measure_id: promised}``, each measure's value type and rule as the data file says."""
    _, org = world.suppliers[0]
    opportunity = world.opportunity
    contract = Contract(
        opportunity_id=opportunity.id,
        buyer_id=opportunity.buyer_id,
        supplier_id=org.id,
        lot_id=opportunity.lot_id,
        value_pence=3_000_000,
        start_date=start,
        end_date=date(start.year + 1, start.month, start.day),
        supplier_is_vcse=False,
        supplier_is_sme=True,
        supplier_region_code=org.region_code,
        entered_at=utcnow(),
        **fields,
    )
    db.session.add(contract)
    db.session.flush()
    add_commitments(contract, promised.items())
    db.session.commit()
    return contract
