"""Social value delivered, measure by measure: each measure has a value type (a count of whole
things, money, a decimal quantity such as hours, or a percentage from 0 to 100) and a rule for
adding up its periods (sum, latest, average or maximum). Values of the wrong type are refused,
and "delivered so far" follows the measure's own rule."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.errors import ServiceError
from app.reference import social_value
from lots.awards import delivery
from lots.awards import queries as award_queries
from tests.lots.awards.helpers import contract_for
from tests.lots.bidding import bidding_world

MEASURES = ["SV-FW-01", "SV-EMP-02", "SV-SKL-05", "SV-SC-01", "SV-SC-04"]
START = date(2027, 1, 4)


@pytest.fixture
def world(app):
    return bidding_world(social_value_measures=MEASURES)


def _quarters(n):
    """The first ``n`` quarters of the contract, as (start, end)."""
    return [(START + timedelta(days=91 * i), START + timedelta(days=91 * i + 90)) for i in range(n)]


def _by_measure(contract):
    return {c.measure_id: c for c in contract.commitments}


def _delivered(contract):
    return {
        c.measure_id: delivered for c, delivered in award_queries.promised_and_delivered(contract)
    }


def test_a_percentage_is_the_latest_period_not_the_sum_of_periods(world):
    """The defect: 90% then 95% of staff paid the Real Living Wage showed as 185%."""
    contract = contract_for(world, {"SV-FW-01": "100", "SV-EMP-02": "4"}, start=START)
    c = _by_measure(contract)
    (q1_start, q1_end), (q2_start, q2_end) = _quarters(2)
    delivery.record_delivery(world.buyer_user, c["SV-FW-01"], q1_start, q1_end, "90")
    delivery.record_delivery(world.buyer_user, c["SV-FW-01"], q2_start, q2_end, "95")
    delivery.record_delivery(world.buyer_user, c["SV-EMP-02"], q1_start, q1_end, "1")
    delivery.record_delivery(world.buyer_user, c["SV-EMP-02"], q2_start, q2_end, "2")
    delivered = _delivered(contract)
    assert delivered["SV-FW-01"] == Decimal("95")
    assert delivered["SV-EMP-02"] == Decimal("3")  # new jobs add up


def test_each_measure_is_added_up_by_its_own_rule(world):
    contract = contract_for(
        world,
        {"SV-FW-01": "100", "SV-SKL-05": "120", "SV-SC-01": "5000", "SV-SC-04": "95"},
        start=START,
    )
    c = _by_measure(contract)
    for (start, end), fw, hours, money, on_time in zip(
        _quarters(3),
        ("95", "80", "90"),
        ("10.5", "20", "4.25"),
        ("1000", "250.50", "0"),
        ("80", "100", "90"),
    ):
        delivery.record_delivery(world.buyer_user, c["SV-FW-01"], start, end, fw)
        delivery.record_delivery(world.buyer_user, c["SV-SKL-05"], start, end, hours)
        delivery.record_delivery(world.buyer_user, c["SV-SC-01"], start, end, money)
        delivery.record_delivery(world.buyer_user, c["SV-SC-04"], start, end, on_time)
    delivered = _delivered(contract)
    assert delivered["SV-FW-01"] == Decimal("90")  # latest: the last period, not the highest
    assert delivered["SV-SKL-05"] == Decimal("34.75")  # hours add up
    assert delivered["SV-SC-01"] == Decimal("1250.50")  # money adds up, to the penny
    assert delivered["SV-SC-04"] == Decimal("90")  # an average of the periods' shares


def test_nothing_recorded_is_nothing_for_a_level_and_zero_for_a_total(world):
    contract = contract_for(world, {"SV-FW-01": "100", "SV-EMP-02": "4"}, start=START)
    assert _delivered(contract) == {"SV-FW-01": None, "SV-EMP-02": Decimal(0)}


@pytest.mark.parametrize(
    ("rule", "values", "expected"),
    [
        ("sum", ["1", "2.5", "3"], "6.5"),
        ("latest", ["90", "95", "80"], "80"),
        ("average", ["80", "100", "90"], "90"),
        ("average", ["1", "2"], "1.5"),
        ("average", ["1", "1", "2"], "1.33"),  # to 2 decimal places, as stored
        ("maximum", ["3", "7", "5"], "7"),
        ("sum", [], "0"),
        ("latest", [], None),
        ("average", [], None),
        ("maximum", [], None),
    ],
)
def test_the_four_rules(rule, values, expected):
    got = social_value.aggregate(rule, [Decimal(v) for v in values])
    assert got == (None if expected is None else Decimal(expected))


def test_every_measure_has_a_known_value_type_and_rule(app):
    measures = social_value.all_measures(include_retired=True)
    assert len(measures) == 34  # the open list, as the migration seeds it
    for measure in measures:
        assert measure.value_type in social_value.VALUE_TYPES, measure.id
        assert measure.aggregation in social_value.AGGREGATIONS, measure.id
        # Percentages are levels or shares: adding them up is never right.
        if measure.value_type == "percentage":
            assert measure.aggregation != "sum", measure.id


@pytest.mark.parametrize(
    ("measure_id", "value", "message"),
    [
        ("SV-FW-01", "250", r"^Enter a percentage from 0 to 100 for ‘Contract staff paid"),
        ("SV-FW-01", "-5", r"^Enter a percentage from 0 to 100 for ‘Contract staff paid"),
        ("SV-FW-01", "99.999", r"at most 2 decimal places"),
        ("SV-EMP-02", "2.5", r"^Enter a whole number of people for ‘New jobs created"),
        ("SV-EMP-02", "-1", r"^Enter a whole number of people for ‘New jobs created"),
        ("SV-SC-01", "10.005", r"^Enter an amount of money in pounds and pence for ‘Spend with"),
        ("SV-SKL-05", "-0.5", r"^Enter a number of hours of 0 or more for ‘Training hours"),
        ("SV-SKL-05", "lots", r"^Enter the amount delivered as a number, like 2 or 1\.5"),
    ],
)
def test_delivery_of_the_wrong_type_is_refused(world, measure_id, value, message):
    contract = contract_for(world, {measure_id: "1"}, start=START)
    [commitment] = contract.commitments
    with pytest.raises(ServiceError, match=message) as refused:
        delivery.record_delivery(
            world.buyer_user, commitment, START, START + timedelta(days=90), value
        )
    assert refused.value.field == "delivered"
    assert commitment.deliveries == []


@pytest.mark.parametrize(
    ("measure_id", "value", "stored"),
    [
        ("SV-FW-01", "100", "100"),
        ("SV-FW-01", "0", "0"),
        ("SV-FW-01", "87.5", "87.5"),
        ("SV-EMP-02", "3", "3"),
        ("SV-EMP-02", "1,200", "1200"),
        ("SV-SC-01", "£1,250.50", "1250.5"),
        ("SV-SKL-05", "7.25", "7.25"),
    ],
)
def test_delivery_of_the_right_type_is_kept(world, measure_id, value, stored):
    contract = contract_for(world, {measure_id: "1"}, start=START)
    [commitment] = contract.commitments
    row = delivery.record_delivery(
        world.buyer_user, commitment, START, START + timedelta(days=90), value
    )
    assert row.delivered == Decimal(stored)


def test_a_delivery_period_cannot_end_after_the_contract(world):
    """Issue 15, item 9: a year typed wrong (9999) is refused, naming the contract's end."""
    contract = contract_for(world, {"SV-FW-01": "100"}, start=START)  # ends 4 January 2028
    [commitment] = contract.commitments
    for end in (date(2028, 1, 5), date(9999, 1, 4)):
        with pytest.raises(
            ServiceError, match="on or before the contract's end, 4 January 2028"
        ) as no:
            delivery.record_delivery(world.buyer_user, commitment, START, end, "90")
        assert no.value.field == "period_end"
    delivery.record_delivery(world.buyer_user, commitment, START, date(2028, 1, 4), "90")
    assert len(commitment.deliveries) == 1
