"""The bid's declarations: a supplier confirms the call-off's contract conditions (payment terms
that flow down to subcontractors, the Real Living Wage where it is a condition) when it submits,
and the submission's frozen snapshot records what it accepted."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.errors import ServiceError
from app.extensions import db
from lots.bids import submitting
from lots.bids.models import BidSubmission
from tests.lots.bidding import bidding_world, complete_bid


@pytest.fixture
def world(app):
    return bidding_world(real_living_wage=True, payment_terms_days=21)


def test_a_bid_is_not_submitted_without_confirming_the_conditions(world):
    user, org = world.suppliers[0]
    bid = complete_bid(user, org, world.opportunity)
    for confirmed in (False, None, "yes"):
        with pytest.raises(
            ServiceError,
            match="^Confirm that you accept the contract conditions: payment terms and the Real "
            "Living Wage$",
        ) as refused:
            submitting.submit(user, bid, conditions_confirmed=confirmed)
        assert refused.value.field == "conditions_confirmed"
        db.session.rollback()
    assert db.session.execute(sa.select(sa.func.count()).select_from(BidSubmission)).scalar() == 0


def test_the_submission_records_the_conditions_it_accepted(world):
    user, org = world.suppliers[0]
    o = world.opportunity
    submission = submitting.submit(user, complete_bid(user, org, o), conditions_confirmed=True)
    declared = submission.snapshot["declarations"]["contract_conditions"]
    assert declared == {
        "payment_terms_days": 21,
        "subcontract_payment_days": 30,
        "real_living_wage": True,
        "living_wage_rate_pence": o.living_wage_rate_pence,
        "living_wage_rate_year": o.living_wage_rate_year,
        "living_wage_area": "UK",  # Leeds
    }
    assert o.living_wage_rate_pence is not None  # frozen when it was published
    assert submission.sha256 == submitting.canonical_hash(submission.snapshot)
    event = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.event_type == "submit_bid")
    ).scalar_one()
    assert event.detail["conditions_confirmed"] is True
