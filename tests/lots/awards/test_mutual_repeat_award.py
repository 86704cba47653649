"""Section 33 of the Procurement Act 2023: a buyer may not award a contract reserved for public
service mutuals to a mutual it awarded one for the same services (the same lot) in the previous
3 years. Enforced when the award is proposed and when it is confirmed."""

from datetime import timedelta

import pytest
import time_machine

from app.errors import ServiceError
from app.extensions import db
from dps.services import setup
from lots.awards.models import Award, AwardStatus
from lots.awards.services import check_mutual_repeat_award
from lots.bids.models import Bid
from lots.opportunities import services as opportunities
from tests.lots.helpers import NOW, ready_draft, setup_world, supplier


@pytest.fixture
def world(app):
    admin, dps, lots, user, buyer = setup_world()
    lot = setup.add_lot(
        admin,
        dps,
        number=9,
        title="Youth services by mutuals",
        description="Youth work",
        max_value_pence=90_000_000,
        reserved_for="public_service_mutual",
        light_touch=True,
    )
    _, mutual = supplier("Spun Out Mutual", "m@m.example")
    with time_machine.travel(NOW, tick=False):
        earlier = ready_draft(
            user, buyer, lot, estimated_value_pence=60_000_000, contract_months=36
        )
        opportunities.publish(user, earlier)
        later = ready_draft(user, buyer, lot, estimated_value_pence=60_000_000, contract_months=36)
        opportunities.publish(user, later)
    bid = Bid(opportunity_id=earlier.id, organisation_id=mutual.id, started_by_id=user.id)
    db.session.add(bid)
    db.session.flush()
    confirmed = NOW - timedelta(days=2 * 365)
    db.session.add(
        Award(
            opportunity_id=earlier.id,
            winner_bid_id=bid.id,
            status=AwardStatus.CONTRACTED,
            result=[],
            proposed_by_id=user.id,
            proposed_at=confirmed,
            confirmed_by_id=user.id,
            confirmed_at=confirmed,
        )
    )
    db.session.commit()
    return later, mutual, confirmed


def test_the_same_mutual_cannot_win_a_comparable_reserved_contract_within_3_years(world):
    later, mutual, confirmed = world
    assert later.reservation_bases == ["s33_public_service_mutual"]
    with pytest.raises(ServiceError, match="only 3 years after that"):
        check_mutual_repeat_award(later, mutual.id, NOW)


def test_after_3_years_or_for_another_mutual_the_award_may_go_ahead(world):
    later, mutual, confirmed = world
    _, other = supplier("Another Mutual", "o@o.example")
    check_mutual_repeat_award(later, other.id, NOW)
    check_mutual_repeat_award(later, mutual.id, confirmed + timedelta(days=3 * 365 + 1))
