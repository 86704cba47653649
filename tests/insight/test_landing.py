"""Where it lands: a return may say where each benefit fell (a council; people counted by
their home postcode sectors, never more), and reports show how much reached the most deprived
10% and 20% of neighbourhoods, from the shipped indices and postcode lookups (real postcodes:
BD1 1 is in England's most deprived decile, LS9 8 in the second, LS16 8 in the least deprived,
and Scotland's EH1 1 has no decile the shipped data reach)."""

from datetime import datetime, timezone
from decimal import Decimal

import pytest
import time_machine

from app.errors import ServiceError
from app.extensions import db
from app.reference import deprivation
from insight import reports
from lots.awards import returns
from lots.awards.schedule import make_schedule
from tests.insight.helpers import PRIORITIES, contract, place_world
from tests.pages import table_rows

AFTER_FIRST_QUARTER = datetime(2027, 4, 5, 9, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "sector, decile, index",
    [
        ("BD1 1", 1, "IMD 2025"),
        ("LS9 8", 2, "IMD 2025"),
        ("LS16 8", 10, "IMD 2025"),
        ("CF10 1", 6, "WIMD 2025"),
        ("EH1 1", None, None),
    ],
)
def test_a_postcode_sectors_decile_comes_from_the_shipped_data(sector, decile, index):
    _, found, index_name = deprivation.sector_place(sector)
    assert (found, index_name) == (decile, index)


@pytest.fixture
def world(app):
    w = place_world()
    c = contract(
        w, "Leeds City Council", 0, {"SV-EMP-01": "4", "SV-COM-01": "80", "SV-FW-01": "100"}
    )
    make_schedule(c, "quarterly")
    db.session.commit()
    w.contract = c
    return w


def lines(c):
    by = {x.measure_id: x.id for x in c.commitments}
    return by["SV-EMP-01"], by["SV-COM-01"], by["SV-FW-01"]


def test_deprived_shares_come_from_home_postcode_sectors_and_councils(world, client):
    c = world.contract
    emp, com, fw = lines(c)
    supplier_user = world.suppliers[0][0]
    buyer_user = world.buyers["Leeds City Council"][0]
    first = c.returns[0]
    with time_machine.travel(AFTER_FIRST_QUARTER, tick=False):
        with pytest.raises(ServiceError) as refused:
            returns.submit_return(
                supplier_user,
                first,
                {emp: "4", com: "20", fw: "100"},
                note="Rota",
                councils={com: "WYCA"},
            )
        assert refused.value.field == f"council-{com}"
        db.session.rollback()
        returns.submit_return(
            supplier_user,
            first,
            {emp: "4", com: "20", fw: "100"},
            note="Payroll and rota",
            postcodes={emp: "BD1 1JS\nLS9 8AA\nLS16 8AA\nEH1 1AA"},
            councils={com: "BRD", fw: "LDS"},
        )
        returns.accept_return(buyer_user, first)
    held = {line.commitment_id: line for line in first.lines}
    # Only sectors are kept; a percentage has no place.
    assert held[emp].postcode_sectors == ["BD1 1", "EH1 1", "LS16 8", "LS9 8"]
    assert held[com].local_authority_code == "BRD" and held[fw].local_authority_code is None

    report = reports.report(buyer_ids=[c.buyer_id], measure_ids=PRIORITIES)
    fte = report.measure("SV-EMP-01").landing
    assert fte.delivered == 4
    assert (fte.most_deprived_10, fte.most_deprived_20) == (Decimal(1), Decimal(2))
    assert fte.neighbourhood_unknown == 1 and fte.council_only == 0
    assert (fte.share("most_deprived_10"), fte.share("most_deprived_20")) == (25.0, 50.0)
    hours = report.measure("SV-COM-01")
    assert hours.landing.council_only == 20 and hours.landing.most_deprived_20 == 0
    assert hours.by_council == [("Bradford", Decimal(20))]
    assert dict(report.measure("SV-EMP-01").by_council) == {
        "Bradford": 1,
        "Leeds": 2,
        "City of Edinburgh": 1,
    }
    assert report.measure("SV-FW-01").landing is None

    page = client.get("/places/west-yorkshire")
    landing = {row[0]: row[1:3] for row in table_rows(page, "landing-SV-EMP-01")}
    assert landing["Most deprived 10% of neighbourhoods"] == ["1", "25%"]
    assert landing["Most deprived 20% of neighbourhoods"] == ["2", "50%"]
