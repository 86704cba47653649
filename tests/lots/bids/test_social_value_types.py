"""A bid's social value commitments are refused when they are not of the measure's value type:
250% of staff, 2.5 people, a fraction of a penny."""

import pytest

from app.errors import ServiceError
from lots.bids import services as bids
from lots.bids import submitting
from tests.lots.bidding import bidding_world, complete_bid

MEASURES = ["SV-FW-01", "SV-EMP-02", "SV-SC-01", "SV-SKL-05"]


@pytest.fixture
def world(app):
    return bidding_world(social_value_measures=MEASURES)


@pytest.mark.parametrize(
    ("measure_id", "value", "message"),
    [
        ("SV-FW-01", "250", r"^Enter a percentage from 0 to 100 for ‘Contract staff paid"),
        ("SV-EMP-02", "2.5", r"^Enter a whole number of people for ‘New jobs created"),
        ("SV-SC-01", "10.001", r"^Enter an amount of money in pounds and pence for ‘Spend with"),
        ("SV-SKL-05", "-3", r"^Enter a number of hours of 0 or more for ‘Training hours"),
        ("SV-SKL-05", "many", r"^Enter what you commit to for ‘Training hours"),
    ],
)
def test_a_commitment_of_the_wrong_type_is_refused(world, measure_id, value, message):
    user, org = world.suppliers[0]
    bid = bids.start_bid(user, org, world.opportunity)
    with pytest.raises(ServiceError, match=message) as refused:
        bids.save_draft(user, bid, social_value={measure_id: value})
    assert refused.value.field == f"social-value-{measure_id}"
    assert measure_id not in bids.bid_of(org.id, world.opportunity.id).social_value


def test_commitments_of_the_right_type_are_kept(world):
    user, org = world.suppliers[0]
    bid = bids.start_bid(user, org, world.opportunity)
    values = {"SV-FW-01": "100", "SV-EMP-02": "3", "SV-SC-01": "1250.50", "SV-SKL-05": "7.5"}
    bids.save_draft(user, bid, social_value=values)
    assert bid.social_value == values


def test_a_wrong_value_saved_before_the_rule_stops_the_submission(world):
    """A draft holding 2.5 people (saved before values were checked) cannot be submitted."""
    user, org = world.suppliers[0]
    bid = complete_bid(user, org, world.opportunity, jobs="1")
    bid.social_value = {**bid.social_value, "SV-EMP-02": "2.5"}
    found = submitting.problems(bid)
    assert found["social-value-SV-EMP-02"].startswith("Enter a whole number of people")
