"""Integrity flags, each query on its own: call-offs with one bid or none, tender periods at the
legal minimum, one supplier winning most of a buyer's call-offs in a lot, call-offs cancelled
and run again; and the operator's page that explains them."""

from datetime import UTC, datetime, timedelta

import pytest
from bs4 import BeautifulSoup

from app.extensions import db
from lots.awards.models import Award, AwardStatus
from lots.bids.models import Bid, BidStatus, BidSubmission
from lots.opportunities.models import OpportunityStatus
from spend import integrity
from tests.lots.helpers import ready_draft, supplier
from tests.spend.helpers import make_world

PUBLISHED = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
AFTER = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)  # every deadline below has passed
FAR = datetime(2099, 1, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def world(app):
    return make_world()


def _call_off(
    world, title, lot=0, days=timedelta(days=14), status=OpportunityStatus.PUBLISHED, published=None
):
    """A call-off published on ``published`` with bids due ``days`` later."""
    opportunity = ready_draft(world.buyer_user, world.buyer, world.lots[lot], title=title)
    published = published or PUBLISHED
    opportunity.status = status
    if status == OpportunityStatus.CANCELLED:
        opportunity.cancel_reason = "The budget changed"
        opportunity.cancelled_at = published + timedelta(days=3)
    opportunity.published_at = published
    opportunity.question_deadline = None
    opportunity.submission_deadline = published + days
    db.session.commit()
    return opportunity


def _bids(opportunity, organisations):
    """Submitted bids (written while the deadline is ahead, as the database's seal requires)."""
    deadline = opportunity.submission_deadline
    opportunity.submission_deadline = FAR
    db.session.commit()
    bids = []
    for org in organisations:
        bid = Bid(
            opportunity_id=opportunity.id,
            organisation_id=org.id,
            status=BidStatus.DRAFT,
            started_by_id=opportunity.created_by_id,
        )
        db.session.add(bid)
        db.session.flush()
        submission = BidSubmission(
            bid_id=bid.id,
            opportunity_id=opportunity.id,
            organisation_id=org.id,
            version=1,
            snapshot={},
            sha256="0" * 64,
            submitted_by_id=opportunity.created_by_id,
            submitted_at=PUBLISHED,
        )
        db.session.add(submission)
        db.session.flush()
        bid.current_submission_id = submission.id
        bid.status = BidStatus.SUBMITTED
        bids.append(bid)
    db.session.commit()
    opportunity.submission_deadline = deadline
    db.session.commit()
    return bids


def _award(opportunity, bid):
    opportunity.status = OpportunityStatus.AWARDED
    db.session.add(
        Award(
            opportunity_id=opportunity.id,
            winner_bid_id=bid.id,
            status=AwardStatus.CONFIRMED,
            result=[],
            proposed_by_id=opportunity.created_by_id,
            confirmed_at=AFTER,
        )
    )
    db.session.commit()


def test_call_offs_that_drew_one_bid_or_none_are_flagged(world):
    none = _call_off(world, "Befriending: none came")
    one = _call_off(world, "Befriending: one came")
    two = _call_off(world, "Befriending: two came")
    still_open = _call_off(world, "Befriending: still open", published=AFTER)
    _bids(one, [world.vcse])
    _bids(two, [world.vcse, world.sme])
    flags = integrity.few_bids(now=AFTER)
    assert [f.call_offs[0].id for f in flags] == [none.id, one.id]
    assert "drew no bids by its deadline on 16 November 2026" in flags[0].summary
    assert "drew one bid" in flags[1].summary and flags[1].call_offs[0].note == "1 bid"
    assert still_open.id not in {f.call_offs[0].id for f in flags}


def test_tender_periods_at_the_legal_minimum_are_flagged(app, world):
    minimum = app.config["MIN_TENDER_DAYS"]
    at_minimum = _call_off(world, "At the minimum", days=timedelta(days=minimum))
    within_a_day = _call_off(world, "Within a day", days=timedelta(days=minimum, hours=23))
    longer = _call_off(world, "Longer", days=timedelta(days=minimum + 2))
    flags = integrity.minimum_period()
    assert {f.call_offs[0].id for f in flags} == {at_minimum.id, within_a_day.id}
    text = next(f.summary for f in flags if f.call_offs[0].id == within_a_day.id)
    assert f"{minimum} days 23 hours to bid, the least the law allows ({minimum} days)" in text
    assert longer.id not in {f.call_offs[0].id for f in flags}


def test_one_supplier_winning_most_of_a_buyers_call_offs_in_a_lot_is_flagged(world):
    _user, other = supplier("Other Care CIC", "o@o.example")
    winners = [world.vcse, world.vcse, other]
    for n, winner in enumerate(winners):
        opportunity = _call_off(world, f"Befriending round {n}")
        bids = _bids(opportunity, [world.vcse, other])
        _award(opportunity, next(b for b in bids if b.organisation_id == winner.id))
    # Two awards in another lot, both to one supplier: too few to say anything.
    for n in range(2):
        opportunity = _call_off(world, f"Meals round {n}", lot=1)
        _award(opportunity, _bids(opportunity, [world.vcse])[0])
    flags = integrity.same_winner()
    assert len(flags) == 1
    assert flags[0].summary.startswith(
        "Riverside Community Care CIO won 2 of the 3 call-offs Leeds City Council awarded in "
        "Lot 1: Befriending."
    )
    assert [c.note for c in flags[0].call_offs] == [
        "won by Riverside Community Care CIO",
        "won by Riverside Community Care CIO",
        "won by another",
    ]


def test_a_call_off_cancelled_and_run_again_is_flagged(world):
    days = timedelta(days=14)
    cancelled = _call_off(world, "Befriending for older people", status=OpportunityStatus.CANCELLED)
    again = _call_off(
        world,
        "Befriending for older people in Leeds",
        published=PUBLISHED + timedelta(days=10),
        days=days,
    )
    _call_off(world, "Community meals in Leeds", published=PUBLISHED + timedelta(days=10))
    _call_off(
        world, "Befriending for older people", published=PUBLISHED + timedelta(days=120)
    )  # long after
    flags = integrity.reruns()
    assert len(flags) == 1
    assert [c.id for c in flags[0].call_offs] == [cancelled.id, again.id]
    assert (
        "Leeds City Council cancelled ‘Befriending for older people’ on 5 November 2026 "
        "(‘The budget changed’) and published 1 alike in the same lot" in flags[0].summary
    )


def test_the_operator_sees_each_flag_with_its_call_offs(client, auth, world):
    none = _call_off(world, "Befriending: none came", days=timedelta(days=10))
    auth.sign_in("ada@operator.example")
    page = BeautifulSoup(client.get("/admin/integrity").data, "lxml")
    assert page.h1.get_text(strip=True) == "Integrity flags"
    flag = page.select_one("#few_bids-1")
    assert "drew no bids" in flag.get_text()
    assert flag.select_one("a")["href"] == f"/opportunities/{none.id}"
    assert page.select_one("#minimum_period-1") is not None
    assert page.select_one("#rerun-none") is not None
    assert "Integrity flags" in client.get("/admin").get_data(as_text=True)
    auth.sign_out()
    auth.sign_in("bea@leeds.example")
    assert client.get("/admin/integrity").status_code == 403
