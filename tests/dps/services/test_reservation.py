"""A reserved lot's basis in law, checked against its value band when the lot is made."""

import pytest

from app.errors import ServiceError
from dps.models import ReservedFor
from dps.services import setup
from tests.dps.helpers import make_admin, make_dps


@pytest.fixture
def world(app):
    admin = make_admin()
    dps, lots = make_dps(admin)
    return admin, dps


def test_a_vcse_reserved_lot_above_the_threshold_is_refused(world):
    admin, dps = world
    with pytest.raises(ServiceError, match="threshold") as refused:
        setup.add_lot(
            admin,
            dps,
            number=9,
            title="Large VCSE lot",
            description="Too big to reserve",
            max_value_pence=50_000_000,
            reserved_for=ReservedFor.VCSE,
        )
    assert refused.value.field == "reserved_for"
