"""`flask demo close-call-off`: the demo's way to see what happens after a deadline without
waiting. It moves an open call-off's deadline to now, audited, in development only."""

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.audit.services import verify_chain
from app.errors import ServiceError
from app.extensions import db
from lots.bids import services as bids
from lots.bids import submitting
from lots.bids.models import Bid
from lots.evaluation import sealing
from lots.opportunities.models import Opportunity
from tests.lots.bidding import bidding_world, complete_bid


def events(kind):
    return (
        db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.event_type == kind).order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )


def close(app, *args):
    return app.test_cli_runner().invoke(args=["demo", "close-call-off", *args])


def test_closing_a_call_off_moves_its_deadline_to_now_and_the_deadline_rules_follow(app):
    world = bidding_world()
    user, organisation = world.suppliers[0]
    bid = complete_bid(user, organisation, world.opportunity)
    submitting.submit(user, bid, conditions_confirmed=True)
    # The command runs in an app context of its own: what it leaves is read afresh by id.
    opportunity_id, reference, title = (
        world.opportunity.id,
        world.opportunity.reference,
        world.opportunity.title,
    )
    deadline_was, bid_id = world.opportunity.submission_deadline, bid.id
    buyer_id, buyer_user_id, supplier_user_id = world.buyer.id, world.buyer_user.id, user.id
    assert sealing.is_sealed(world.opportunity) and sealing.submitted_bids(opportunity_id) == []
    app.config["APP_ENV"] = "development"

    listed = close(app, "--list")
    assert listed.exit_code == 0 and reference in listed.output

    result = close(app, reference.lower())
    assert result.exit_code == 0, result.output
    assert f"{reference} ({title}) closed" in result.output
    opportunity = db.session.get(Opportunity, opportunity_id)
    assert opportunity.deadline_passed and not opportunity.is_open
    assert opportunity.question_deadline < opportunity.submission_deadline
    assert opportunity.closed_recorded_at is not None  # as the scheduled job records it

    [moved] = events("demo_close_opportunity")
    assert moved.subject_id == opportunity_id and moved.organisation_id == buyer_id
    assert moved.detail["deadline_was"] == deadline_was.isoformat()
    assert moved.detail["deadline"] == opportunity.submission_deadline.isoformat()
    assert [e.subject_id for e in events("close_opportunity")] == [opportunity_id]
    assert verify_chain()[1] is None

    # What happens after any deadline: the seal is broken, the buyer may open the bids, and
    # the supplier can no longer change its bid.
    assert [b.id for b in sealing.submitted_bids(opportunity_id)] == [bid_id]
    sealing.open_bids(db.session.get(User, buyer_user_id), opportunity)
    with pytest.raises(ServiceError):
        bids.save_draft(
            db.session.get(User, supplier_user_id),
            db.session.get(Bid, bid_id),
            total_price_pence=2_000_000,
        )

    again = close(app, str(opportunity_id))  # by id this time
    assert again.exit_code == 1 and "The deadline for" in again.output
    assert len(events("demo_close_opportunity")) == 1


@pytest.mark.parametrize("environment", ["test", "production"])
def test_closing_a_call_off_is_refused_outside_development(app, environment):
    world = bidding_world()
    opportunity_id, deadline = world.opportunity.id, world.opportunity.submission_deadline
    app.config["APP_ENV"] = environment

    result = close(app, world.opportunity.reference)
    assert result.exit_code == 1
    assert "for the demo only" in result.output and f"here it is {environment}" in result.output
    db.session.expire_all()
    opportunity = db.session.get(Opportunity, opportunity_id)
    assert opportunity.submission_deadline == deadline and opportunity.is_open
    assert events("demo_close_opportunity") == []


def test_closing_names_what_it_cannot_close(app):
    app.config["APP_ENV"] = "development"
    result = close(app, "VCSE-2026-999999")
    assert result.exit_code == 1 and "There is no call-off" in result.output
    result = close(app)
    assert result.exit_code == 2 and "Give the reference" in result.output
