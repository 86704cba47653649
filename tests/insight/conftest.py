"""A place filled with contracts and accepted returns, shared by the reports' tests."""

from datetime import date

import pytest

from tests.insight.helpers import accepted_period, contract, place_world


@pytest.fixture
def filled(app):
    """West Yorkshire with three contracts of Leeds and Bradford buyers, one of a Manchester
    buyer outside it, and accepted periods on each."""
    w = place_world()
    leeds = contract(
        w, "Leeds City Council", 0, {"SV-EMP-01": "3", "SV-COM-01": "120", "SV-FW-01": "100"}
    )
    bradford = contract(
        w, "Bradford Council", 1, {"SV-EMP-01": "2", "SV-COM-01": "80", "SV-FW-01": "90"}
    )
    leeds_2 = contract(
        w, "Leeds City Council", 1, {"SV-COM-01": "40", "SV-EMP-02": "5"}, title="Lunch clubs"
    )
    outside = contract(w, "Manchester Housing", 0, {"SV-EMP-01": "9", "SV-COM-01": "999"})
    # Leeds: two quarters. FTE is a level (latest), hours add up, % is a level.
    accepted_period(
        leeds,
        date(2027, 1, 4),
        date(2027, 4, 3),
        {"SV-EMP-01": "2", "SV-COM-01": "26", "SV-FW-01": "96"},
    )
    accepted_period(
        leeds,
        date(2027, 4, 4),
        date(2027, 7, 3),
        {"SV-EMP-01": "3", "SV-COM-01": "30", "SV-FW-01": "100"},
    )
    accepted_period(
        bradford,
        date(2027, 1, 4),
        date(2027, 4, 3),
        {"SV-EMP-01": "1.5", "SV-COM-01": "10", "SV-FW-01": "80"},
    )
    accepted_period(
        leeds_2, date(2027, 1, 4), date(2027, 4, 3), {"SV-COM-01": "12.5", "SV-EMP-02": "2"}
    )
    accepted_period(
        outside, date(2027, 1, 4), date(2027, 4, 3), {"SV-EMP-01": "9", "SV-COM-01": "500"}
    )
    w.contracts = [leeds, bradford, leeds_2, outside]
    return w
