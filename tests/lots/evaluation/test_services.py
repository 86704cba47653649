"""Evaluation and award in the service layer on PostgreSQL: the seal in the queries, conflict
declarations, independent scoring, moderation, abnormally low prices, the award, letters, the
standstill, contracts and social value delivery."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.audit.models import AuditEvent
from app.audit.queries import filter_events
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from lots.awards import contracts, delivery
from lots.awards import letters as award_letters
from lots.awards import queries as award_queries
from lots.awards import services as awards
from lots.awards.models import AwardLetter
from lots.bids import services as bids
from lots.bids import submitting
from lots.evaluation import permissions as evaluation_permissions
from lots.evaluation import results, sealing
from lots.evaluation import scores as evaluation_scores
from lots.evaluation import services as evaluation
from lots.evaluation.models import BidExclusion
from lots.opportunities.models import OpportunityStatus
from tests.lots.bidding import (
    bidding_world,
    complete_bid,
    past_deadline,
    world_with_bids,
)


@pytest.fixture
def world(app):
    # The third price is abnormally low.
    return world_with_bids(3, (3_000_000, 2_800_000, 1_000_000))


def _open(w):
    evaluation.assign_evaluator(w.buyer_user, w.opportunity, w.eve)
    evaluation.assign_evaluator(w.buyer_user, w.opportunity, w.max, moderator=True)
    sealing.open_bids(w.buyer_user, w.opportunity)
    for person in (w.eve, w.max):
        evaluation.declare(person, w.opportunity, conflict=False)


def _score_all(w, person, value=3):
    for bid in evaluation.bids_to_score(w.opportunity.id):
        for q in evaluation.scored_questions(w.opportunity.id):
            evaluation_scores.score(person, w.opportunity, bid, q, value, "Clear and local")
    evaluation_scores.submit_scores(person, w.opportunity)


def _moderate_all(w, scores):
    for bid in evaluation.bids_to_score(w.opportunity.id):
        for q in evaluation.scored_questions(w.opportunity.id):
            evaluation_scores.moderate(
                w.max, w.opportunity, bid, q, scores.get(bid.id, 2), "Agreed"
            )


def test_the_seal_holds_in_every_query_before_the_deadline(world):
    w = world
    assert sealing.submitted_bids(w.opportunity.id) == []
    assert sealing.bid_count(w.opportunity.id) is None  # not 0: zero would tell
    assert sealing.submission_for(w.bids[0].id) is None
    assert sealing.is_sealed(w.opportunity)
    with pytest.raises(ServiceError, match="Bids stay sealed until the deadline has passed"):
        sealing.open_bids(w.buyer_user, w.opportunity)
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        assert sealing.bid_count(w.opportunity.id) == 3
        assert len(sealing.submitted_bids(w.opportunity.id)) == 3


def test_withdrawn_bids_are_not_opened(world):
    w = world
    submitting.withdraw(w.suppliers[0][0], w.bids[0])
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        assert {b.id for b in sealing.submitted_bids(w.opportunity.id)} == {
            w.bids[1].id,
            w.bids[2].id,
        }


def test_opening_is_audited_once_and_excludes_failed_pass_fail(app):
    w = bidding_world(n_suppliers=2)
    for (user, org), answer in zip(w.suppliers, ("yes", "no")):
        submitting.submit(
            user,
            complete_bid(user, org, w.opportunity, pass_fail=answer),
            conditions_confirmed=True,
        )
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        with pytest.raises(NotAllowed, match="You need the buyer role to open the bids"):
            sealing.open_bids(w.suppliers[0][0], w.opportunity)
        sealing.open_bids(w.buyer_user, w.opportunity)
        sealing.open_bids(w.buyer_user, w.opportunity)  # again: nothing new
        excluded = db.session.execute(sa.select(BidExclusion)).scalars().all()
        assert len(excluded) == 1 and excluded[0].automatic
        assert "insurance" in excluded[0].reason
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.event_type == "open_bids")
            )
            == 1
        )


def test_a_conflicted_evaluator_sees_nothing_and_a_pending_one_waits(world):
    w = world
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        evaluation.assign_evaluator(w.buyer_user, w.opportunity, w.eve)
        evaluation.assign_evaluator(w.buyer_user, w.opportunity, w.max)
        sealing.open_bids(w.buyer_user, w.opportunity)
        with pytest.raises(NotAllowed, match="Declare any conflict of interest before"):
            evaluation_scores.bids_for_evaluator(w.eve, w.opportunity)
        with pytest.raises(ServiceError, match="Describe the conflict of interest") as refused:
            evaluation.declare(w.eve, w.opportunity, conflict=True, details=" ")
        assert refused.value.field == "details"
        evaluation.declare(w.eve, w.opportunity, conflict=True, details="My sister runs one")
        with pytest.raises(NotAllowed, match="declared a conflict of interest, so you cannot see"):
            evaluation_scores.bids_for_evaluator(w.eve, w.opportunity)
        with pytest.raises(ServiceError, match="You have already made your declaration"):
            evaluation.declare(w.eve, w.opportunity, conflict=False)
        with pytest.raises(NotAllowed, match="You are not an evaluator for this opportunity"):
            evaluation_scores.bids_for_evaluator(w.suppliers[0][0], w.opportunity)
        assert not evaluation_permissions.may_read_bids(w.eve, w.opportunity)


def test_scores_stay_independent_until_everyone_has_submitted(world):
    w = world
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        _open(w)
        _score_all(w, w.eve, 3)
        with pytest.raises(NotAllowed, match="Scores stay private until every evaluator"):
            evaluation_scores.side_by_side(w.eve, w.opportunity)
        bid, q = w.bids[0], evaluation.scored_questions(w.opportunity.id)[0]
        with pytest.raises(ServiceError, match="Moderation starts"):
            evaluation_scores.moderate(w.max, w.opportunity, bid, q, 3, "Agreed")
        with pytest.raises(ServiceError, match="submitted your scores, so they can no longer"):
            evaluation_scores.score(w.eve, w.opportunity, bid, q, 1, "Changed my mind")
        with pytest.raises(ServiceError, match="Choose a score from 0 to 5") as refused:
            evaluation_scores.score(w.max, w.opportunity, bid, q, 6, "Too high")
        assert refused.value.field == "score"
        with pytest.raises(ServiceError, match="Give a reason for your score") as refused:
            evaluation_scores.score(w.max, w.opportunity, bid, q, 2, "")
        assert refused.value.field == "comment"
        _score_all(w, w.max, 1)
        shown = evaluation_scores.side_by_side(w.eve, w.opportunity)
        spread = shown["spread"][(bid.id, q.id)]
        assert (spread.min, spread.max) == (1, 3)
        with pytest.raises(NotAllowed, match="Only the moderator can record consensus scores"):
            evaluation_scores.moderate(w.eve, w.opportunity, bid, q, 2, "Agreed")


def test_an_abnormally_low_price_must_be_cleared_before_award(world):
    w = world
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        _open(w)
        _score_all(w, w.eve)
        _score_all(w, w.max)
        _moderate_all(w, {w.bids[0].id: 4})
        flagged, cleared = results.abnormally_low(w.opportunity)
        assert flagged == {w.bids[2].id} and cleared == set()
        with pytest.raises(ServiceError, match="A price is flagged as possibly abnormally low"):
            awards.propose(w.buyer_user, w.opportunity)
        with pytest.raises(ServiceError, match="Record why the price is acceptable") as refused:
            results.clear_price(w.buyer_user, w.opportunity, w.bids[2], "")
        assert refused.value.field == "reason"
        results.clear_price(
            w.buyer_user,
            w.opportunity,
            w.bids[2],
            "Volunteers deliver most of the hours; costs checked",
        )
        ranked = results.result(w.opportunity)
        assert [r.position for r in ranked] == [1, 2, 3]
        assert all(r.total <= 100 for r in ranked)
        award = awards.propose(w.buyer_user, w.opportunity)
        # The cheapest wins on price at equal quality, unless quality tips it.
        assert award.winner_bid_id == ranked[0].bid_id
        with pytest.raises(ServiceError, match="award has been proposed, so the evaluation can"):
            evaluation.exclude_bid(w.buyer_user, w.opportunity, w.bids[1], "Late evidence")


def test_reinstating_after_scores_were_submitted_is_refused(world):
    w = world
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        _open(w)
        evaluation.exclude_bid(w.buyer_user, w.opportunity, w.bids[1], "No safeguarding policy")
        _score_all(w, w.eve)
        with pytest.raises(ServiceError, match="no longer be reinstated"):
            evaluation.reinstate_bid(w.buyer_user, w.opportunity, w.bids[1], "It was there")


def _to_proposal(w):
    _open(w)
    evaluation.exclude_bid(w.buyer_user, w.opportunity, w.bids[2], "Price not sustainable")
    _score_all(w, w.eve)
    _score_all(w, w.max)
    _moderate_all(w, {w.bids[0].id: 4, w.bids[1].id: 1})
    return awards.propose(w.buyer_user, w.opportunity)


def test_award_letters_standstill_contract_and_delivery(world, run_jobs):
    w = world
    w.opportunity.voluntary_standstill = True
    db.session.commit()
    when = past_deadline(w.opportunity)
    with time_machine.travel(when, tick=False):
        award = _to_proposal(w)
        assert award.winner_bid_id == w.bids[0].id
        with pytest.raises(NotAllowed, match="You need the approver role"):
            awards.confirm(w.eve, w.opportunity)
        # Four eyes: the owner holds every role, but proposed it, so cannot confirm it.
        with pytest.raises(NotAllowed, match="Someone other than"):
            awards.confirm(w.buyer_user, w.opportunity)
        awards.confirm(w.ann, w.opportunity)
        assert w.opportunity.status == OpportunityStatus.AWARDED
        ends = award.standstill_ends_at
        # Eight working days: at least ten calendar days later, at midnight in London.
        assert (ends - when).days >= 10
        assert award_queries.contract_of(w.opportunity.id) is None
        run_jobs()
        run_jobs()  # again: no second letter
        letters = db.session.execute(sa.select(AwardLetter)).scalars().all()
        assert len(letters) == 3
        assert [bool(l.successful) for l in sorted(letters, key=lambda l: l.bid_id)] == [
            True,
            False,
            False,
        ]
        assert award_letters.issue_letters(w.opportunity.id) == 0
    with time_machine.travel(ends - timedelta(minutes=1), tick=False):
        assert contracts.enter_due_contracts() == 0
    with time_machine.travel(ends + timedelta(minutes=1), tick=False):
        assert contracts.enter_due_contracts() == 1
        assert contracts.enter_due_contracts() == 0
        contract = award_queries.contract_of(w.opportunity.id)
        assert contract.supplier_id == w.suppliers[0][1].id
        assert contract.value_pence == 3_000_000 and contract.supplier_is_sme
        assert [(c.measure_id, str(c.promised)) for c in contract.commitments] == [
            ("SV-EMP-01", "2.00")
        ]
        commitment = contract.commitments[0]
        start = contract.start_date
        with pytest.raises(NotAllowed, match="You need the buyer role to record delivery"):
            delivery.record_delivery(w.suppliers[0][0], commitment, start, start, "1")
        # The contract reports on its schedule: the buyer accepts returns, records nothing by hand.
        assert contract.reporting_frequency is not None and contract.returns
        with pytest.raises(ServiceError, match="has a reporting schedule") as refused:
            delivery.record_delivery(w.buyer_user, commitment, start, start, "1")
        assert refused.value.field == "delivered"
        # A contract entered before schedules existed (none on its rows) is recorded by hand.
        for ret in list(contract.returns):
            db.session.delete(ret)
        contract.reporting_frequency = None
        db.session.flush()
        delivery.record_delivery(w.buyer_user, commitment, start, start + timedelta(days=89), "1.5")
        with pytest.raises(ServiceError, match="period is already recorded") as refused:
            delivery.record_delivery(
                w.buyer_user,
                commitment,
                start + timedelta(days=30),
                start + timedelta(days=60),
                "1",
            )
        assert refused.value.field == "period_start"
        with pytest.raises(ServiceError, match=r"as a number, like 2 or 1\.5$") as refused:
            delivery.record_delivery(
                w.buyer_user,
                commitment,
                start + timedelta(days=90),
                start + timedelta(days=120),
                "lots",
            )
        assert refused.value.field == "delivered"
        [(c, delivered)] = award_queries.promised_and_delivered(contract)
        assert str(delivered) == "1.50"


def test_no_suitable_bid_and_returned_award(world):
    w = world
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        _to_proposal(w)
        with pytest.raises(ServiceError, match="Enter the reason for returning") as refused:
            awards.return_award(w.ann, w.opportunity, "")
        assert refused.value.field == "reason"
        awards.return_award(w.ann, w.opportunity, "Check the moderation notes")
        assert award_queries.award_of(w.opportunity.id) is None
        awards.no_suitable_bid(w.ann, w.opportunity, "No bid met the safeguarding standard")
        assert w.opportunity.status == OpportunityStatus.NO_SUITABLE_BID
        with pytest.raises(ServiceError, match="only after the deadline, before any decision"):
            awards.propose(w.buyer_user, w.opportunity)


def test_standstill_skips_weekends_and_bank_holidays(app):
    from datetime import datetime, timezone

    # Confirmed Wednesday 23 December 2026: 8 working days skip Christmas, Boxing Day (moved
    # to Monday 28th), New Year's Day and two weekends: the 8th is Thursday 7 January 2027,
    # so the standstill ends at midnight as Friday 8 January begins.
    ends = awards.standstill_end(
        datetime(2026, 12, 23, 10, tzinfo=timezone.utc), True, "england-and-wales"
    )
    assert ends.date() == date(2027, 1, 8) and (ends.hour, ends.minute) == (0, 0)
    assert awards.standstill_end(
        datetime(2026, 12, 23, 10, tzinfo=timezone.utc), False, "england-and-wales"
    ) == datetime(2026, 12, 23, 10, tzinfo=timezone.utc)


def test_a_declared_conflict_cannot_be_undone_or_sidestepped(world):
    w = world
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        assignment = evaluation.assign_evaluator(w.buyer_user, w.opportunity, w.eve)
        sealing.open_bids(w.buyer_user, w.opportunity)
        evaluation.declare(w.eve, w.opportunity, conflict=True, details="I chair one bidder")
        with pytest.raises(ServiceError, match="who declared a conflict stays on record"):
            evaluation.remove_evaluator(w.buyer_user, w.opportunity, assignment)
        again = evaluation.assign_evaluator(w.buyer_user, w.opportunity, w.eve)
        assert again.id == assignment.id and again.declaration.value == "conflict"
        # The owner who declared a conflict cannot run the evaluation or the award either.
        owner_assignment = evaluation.assign_evaluator(w.buyer_user, w.opportunity, w.buyer_user)
        evaluation.declare(w.buyer_user, w.opportunity, conflict=True, details="Trustee")
        with pytest.raises(NotAllowed, match="declared a conflict of interest for this"):
            evaluation.exclude_bid(w.buyer_user, w.opportunity, w.bids[0], "No reason")
        with pytest.raises(NotAllowed, match="declared a conflict of interest for this"):
            awards.propose(w.buyer_user, w.opportunity)
        assert owner_assignment.declaration.value == "conflict"


def test_administrators_cannot_see_who_is_bidding_in_the_audit_log_before_the_deadline(world):
    w = world
    names = {w.suppliers[0][1].id, w.suppliers[1][1].id, w.suppliers[2][1].id}
    events, _ = filter_events(event_type="submit_bid")
    assert events == []
    seen = {e.organisation_id for e in filter_events(page=1)[0]}
    assert not names & seen
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        events, total = filter_events(event_type="submit_bid")
        assert total == 3


def test_a_double_submit_makes_one_version(app):
    w = bidding_world(n_suppliers=1)
    user, org = w.suppliers[0]
    bid = complete_bid(user, org, w.opportunity)
    first = submitting.submit(user, bid, conditions_confirmed=True)
    second = submitting.submit(user, bid, conditions_confirmed=True)
    assert second.id == first.id and [s.version for s in submitting.submissions_of(bid)] == [1]


def test_quantities_and_prices_are_bounded(app):
    w = bidding_world(n_suppliers=1)
    user, org = w.suppliers[0]
    bid = bids.start_bid(user, org, w.opportunity)
    for bad in ("10000000000000", "1e999999", "NaN", "-1", "1.234"):
        # FTE: a decimal quantity (app.reference.social_value), each refusal naming the measure.
        with pytest.raises(
            ServiceError, match="for ‘Local people employed on the contract’"
        ) as refused:
            bids.save_draft(user, bid, social_value={"SV-EMP-01": bad})
        assert refused.value.field == "social-value-SV-EMP-01"
    with pytest.raises(ServiceError, match="up to £100,000,000") as refused:
        bids.save_draft(user, bid, total_price_pence=10**15)
    assert refused.value.field == "total_price"
    bids.save_draft(user, bid, social_value={"SV-EMP-01": "1,200.5"})
    assert bid.social_value == {"SV-EMP-01": "1,200.5"}
