"""A price schedule cannot change under bids priced on it (issue 14, item 7). After publication
it changes only by an amendment the buyer confirms returns every submitted bid to its supplier;
each is reopened as a draft (no submission stands until the supplier submits again), its
submitter is emailed, and the change is listed and sent to every invited supplier."""

import pytest
import sqlalchemy as sa
import time_machine

from app.audit.models import AuditEvent
from app.errors import ServiceError
from app.extensions import db
from app.outbox.models import OutboxMessage
from lots.bids import services as bids
from lots.bids import submitting
from lots.bids.models import BidStatus
from lots.evaluation import sealing
from lots.opportunities import amendments
from lots.opportunities import services as opportunities
from tests.lots.bidding import bidding_world, complete_bid, past_deadline
from tests.lots.pages import error_summary, soup, text

SCHEDULE = [
    {"description": "Befriending visit", "unit": "visit", "quantity": 100},
    {"description": "Volunteer training", "unit": "session", "quantity": 10},
]
NEW_SCHEDULE = [
    {"description": "Befriending visit", "unit": "visit", "quantity": 150},
    {"description": "Volunteer training", "unit": "session", "quantity": 10},
]


@pytest.fixture
def world(app):
    w = bidding_world(n_suppliers=2, price_schedule=SCHEDULE)
    w.bids = []
    for user, org in w.suppliers:
        bid = complete_bid(user, org, w.opportunity)
        bids.save_draft(user, bid, line_prices={"0": 2_000, "1": 15_000})
        w.bids.append(bid)
    submitting.submit(
        w.suppliers[0][0], w.bids[0], conditions_confirmed=True
    )  # the second stays a draft
    return w


def _templates(name):
    return db.session.scalars(
        sa.select(OutboxMessage.recipient).where(OutboxMessage.template == name)
    ).all()


def test_changing_quantities_after_a_bid_is_in_is_refused_without_reopening_the_bids(world):
    w = world
    with pytest.raises(ServiceError, match="returns every bid already submitted") as refused:
        amendments.amend(w.buyer_user, w.opportunity, "More visits", price_schedule=NEW_SCHEDULE)
    assert refused.value.field == "reopen_bids"
    db.session.refresh(w.opportunity)
    assert w.opportunity.price_schedule == SCHEDULE
    assert w.bids[0].status == BidStatus.SUBMITTED
    assert not w.opportunity.amendments
    # Nor can it change as a draft would.
    with pytest.raises(ServiceError, match="Only a draft can be changed like this"):
        opportunities.update_draft(w.buyer_user, w.opportunity, price_schedule=NEW_SCHEDULE)


def test_an_amendment_to_the_quantities_reopens_every_submitted_bid_and_tells_bidders(
    world, run_jobs
):
    w = world
    first_user = w.suppliers[0][0]
    amendment = amendments.amend(
        w.buyer_user,
        w.opportunity,
        "We now need 150 visits",
        reopen_bids=True,
        price_schedule=NEW_SCHEDULE,
    )
    assert w.opportunity.price_schedule == NEW_SCHEDULE
    assert amendment in w.opportunity.amendments
    reopened = db.session.get(type(w.bids[0]), w.bids[0].id)
    assert (reopened.status, reopened.current_submission_id) == (BidStatus.DRAFT, None)
    assert reopened.line_prices == {"0": 2_000, "1": 15_000}  # same lines: kept to check
    assert len(submitting.submissions_of(reopened)) == 1  # the old one stays on record
    assert w.bids[1].status == BidStatus.DRAFT  # never submitted: nothing to reopen
    assert _templates("bid_reopened") == [first_user.email]
    message = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.template == "bid_reopened")
    )
    assert message.personalisation["change"] == "We now need 150 visits"
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.event_type == "reopen_bid")
    ).all()
    assert [(e.subject_id, e.detail["amendment_id"]) for e in events] == [
        (reopened.id, amendment.id)
    ]
    run_jobs()
    assert sorted(_templates("opportunity_amended")) == sorted(u.email for u, _ in w.suppliers)

    # Until it is submitted again, no bid of that supplier stands at the deadline.
    with time_machine.travel(past_deadline(w.opportunity), tick=False):
        assert sealing.submitted_bids(w.opportunity.id) == []


def test_a_reopened_bid_is_priced_on_the_new_quantities_when_submitted_again(world):
    w = world
    user = w.suppliers[0][0]
    amendments.amend(
        w.buyer_user, w.opportunity, "More visits", reopen_bids=True, price_schedule=NEW_SCHEDULE
    )
    submission = submitting.submit(user, w.bids[0], conditions_confirmed=True)
    assert submission.version == 2
    assert submission.snapshot["price"]["total_pence"] == 150 * 2_000 + 10 * 15_000


def test_lines_that_change_lose_their_unit_price(world):
    w = world
    renamed = [
        dict(SCHEDULE[0]),
        {"description": "Group sessions", "unit": "session", "quantity": 4},
    ]
    amendments.amend(
        w.buyer_user, w.opportunity, "Training replaced", reopen_bids=True, price_schedule=renamed
    )
    assert w.bids[0].line_prices == {"0": 2_000}
    assert submitting.problems(w.bids[0]) == {"line-1": "Enter a unit price for Group sessions"}


def test_other_amendments_leave_submitted_bids_alone(world):
    w = world
    amendments.amend(w.buyer_user, w.opportunity, "Clearer description", description="Clearer")
    assert w.bids[0].status == BidStatus.SUBMITTED
    assert _templates("bid_reopened") == []


def test_the_buyer_changes_the_schedule_from_its_page_only_once_it_confirms(world, person):
    w = world
    bea = person("bea@leeds.example")
    url = f"/buyer/{w.buyer.id}/opportunities/{w.opportunity.id}/amend-price"
    form = {
        "change": "We now need 150 visits",
        "schedule": "lines",
        "lines-0-description": "Befriending visit",
        "lines-0-unit": "visit",
        "lines-0-quantity": "150",
        "lines-1-description": "Volunteer training",
        "lines-1-unit": "session",
        "lines-1-quantity": "10",
    }
    unconfirmed = bea.post(url, form)
    assert unconfirmed.status_code == 200
    assert error_summary(unconfirmed) == [amendments.REOPEN_BIDS]
    assert w.bids[0].status == BidStatus.SUBMITTED
    confirmed = bea.post(url, {**form, "reopen_bids": "y"})
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert w.opportunity.price_schedule == NEW_SCHEDULE
    assert w.bids[0].status == BidStatus.DRAFT
    rosa = person(w.suppliers[0][0].email)
    overview = rosa.get(f"/opportunities/{w.opportunity.id}/bid")
    assert "Returned to you" in text(soup(overview).find(id="bid-status"))
