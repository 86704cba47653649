"""What a call-off publishes with its criteria stays as published (issue 14, item 6): the scoring
scale (0 to 5 by default, 0 to 10 as a choice) and the abnormally low percentage are the
call-off's own, frozen at publication, and the evaluation reads them, never configuration."""

import pytest
import time_machine

from app.errors import ServiceError
from lots.bids import submitting
from lots.evaluation import results, sealing
from lots.evaluation import scores as evaluation_scores
from lots.evaluation import services as evaluation
from lots.opportunities import services as opportunities
from tests.lots.bidding import bidding_world, colleague, complete_bid, past_deadline
from tests.lots.helpers import NOW, ready_draft, setup_world


def _opened(w, prices):
    """Submit a bid per supplier at ``prices``, then (after the deadline) open them with one
    evaluator who has declared no conflict. Returns (evaluator, bids)."""
    bids = []
    for (user, org), price in zip(w.suppliers, prices):
        bid = complete_bid(user, org, w.opportunity, price_pence=price)
        submitting.submit(user, bid, conditions_confirmed=True)
        bids.append(bid)
    eve = colleague(w.buyer, "eve@leeds.example", ("evaluator",), name="Eve")
    evaluation.assign_evaluator(w.buyer_user, w.opportunity, eve, moderator=True)
    return eve, bids


def test_a_new_draft_takes_its_scale_and_percentage_from_configuration(world, app, monkeypatch):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        assert (opportunity.score_scale_max, opportunity.abnormally_low_percent) == (5, 30)
        monkeypatch.setitem(app.config, "ABNORMALLY_LOW_PERCENT", 25)
        other = ready_draft(user, buyer, lots[0], score_scale_max=10)
        assert (other.score_scale_max, other.abnormally_low_percent) == (10, 25)


def test_only_a_scale_of_0_to_5_or_0_to_10_can_be_published(world):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        opportunity = ready_draft(user, buyer, lots[0])
        with pytest.raises(ServiceError, match="Choose a scoring scale of 0 to 5 or 0 to 10") as e:
            opportunities.update_draft(user, opportunity, score_scale_max=7)
        assert e.value.field == "score_scale_max"
        with pytest.raises(ServiceError, match="a whole number from 1 to 90") as e:
            opportunities.update_draft(user, opportunity, abnormally_low_percent=0)
        assert e.value.field == "abnormally_low_percent"
        opportunities.update_draft(user, opportunity, score_scale_max=10)
        opportunities.publish(user, opportunity)
        with pytest.raises(ServiceError, match="Only a draft can be changed like this"):
            opportunities.update_draft(user, opportunity, score_scale_max=5)
    assert opportunity.score_scale_max == 10


def test_changing_the_configuration_after_publication_does_not_change_the_evaluation(
    app, monkeypatch
):
    w = bidding_world(n_suppliers=3)
    assert (w.opportunity.score_scale_max, w.opportunity.abnormally_low_percent) == (5, 30)
    # The third price is 31% below the mean of the other two (£29,000): flagged at 30%, not 40%.
    eve, bids = _opened(w, [3_000_000, 2_800_000, 2_000_000])
    monkeypatch.setitem(app.config, "SCORE_SCALE_MAX", 10)
    monkeypatch.setitem(app.config, "ABNORMALLY_LOW_PERCENT", 40)
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        opened = sealing.open_bids(w.buyer_user, w.opportunity)
        assert (opened.scale_max, opened.abnormally_low_percent) == (5, 30)
        evaluation.declare(eve, w.opportunity, conflict=False)
        flagged, cleared = results.abnormally_low(w.opportunity)
        assert set(flagged) == {bids[2].id} and not cleared
        question = evaluation.scored_questions(w.opportunity.id)[0]
        with pytest.raises(ServiceError, match="Choose a score from 0 to 5") as refused:
            evaluation_scores.score(eve, w.opportunity, bids[0], question, 8, "Strong")
        assert refused.value.field == "score"


def test_a_0_to_10_call_off_accepts_8_and_refuses_11(app):
    w = bidding_world(n_suppliers=1, score_scale_max=10)
    eve, bids = _opened(w, [3_000_000])
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        assert sealing.open_bids(w.buyer_user, w.opportunity).scale_max == 10
        evaluation.declare(eve, w.opportunity, conflict=False)
        question = evaluation.scored_questions(w.opportunity.id)[0]
        saved = evaluation_scores.score(eve, w.opportunity, bids[0], question, 8, "Strong")
        assert saved.score == 8
        with pytest.raises(ServiceError, match="Choose a score from 0 to 10") as refused:
            evaluation_scores.score(eve, w.opportunity, bids[0], question, 11, "Too strong")
        assert refused.value.field == "score"


@pytest.fixture
def world(app):
    return setup_world()
