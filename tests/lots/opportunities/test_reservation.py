"""Reservation of call-offs against the threshold (the Procurement Act 2023, ss 32-33, and the
below-threshold reservations): the basis of each reserved call-off, checked at publication."""

import pytest
import time_machine

from app.errors import ServiceError
from app.extensions import db
from dps.models import ReservedFor
from lots.opportunities import readiness
from lots.opportunities import services as opportunities
from tests.lots.helpers import NOW, ready_draft, setup_world


@pytest.fixture
def world(app):
    return setup_world()


def test_a_call_off_above_the_threshold_under_a_vcse_reserved_lot_is_not_published(world):
    admin, dps, lots, user, buyer = world
    lot = lots[1]  # reserved for VCSEs
    assert lot.reserved_for == ReservedFor.VCSE
    lot.max_value_pence = 60_000_000  # a lot made before its band was checked
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        # £500,000 + VAT = £600,000, far above the £207,720 threshold for a council.
        opportunity = ready_draft(user, buyer, lot, estimated_value_pence=50_000_000)
        assert "below the threshold" in readiness.problems(opportunity, NOW)["reserved"]
        with pytest.raises(ServiceError, match="below the threshold"):
            opportunities.publish(user, opportunity)
