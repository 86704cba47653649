"""A place's public page: promised and delivered per shared priority measure, by buyer and by
quarter, across every buyer's contracts in the place. Its totals equal the sum of its contracts
(each contract added up by its measure's own rule, as the contract's page does), percentages are
averaged rather than added, contracts of buyers outside the place are left out, and the CSV holds
the page's figures."""

from decimal import Decimal

from insight import reports
from lots.awards import queries as award_queries
from tests.insight.helpers import PRIORITIES
from tests.pages import csv_rows, soup, table_rows


def contract_figures(contracts, measure_id):
    """Each contract's own promised and delivered-so-far for the measure, as its page shows."""
    found = []
    for c in contracts:
        for commitment, delivered in award_queries.promised_and_delivered(c):
            if commitment.measure_id == measure_id:
                found.append((commitment.promised, delivered))
    return found


def test_place_totals_are_the_sum_of_the_contracts_in_it(filled):
    world = filled
    report = reports.report(
        buyer_ids=[world.buyers[n][1].id for n in ("Leeds City Council", "Bradford Council")],
        measure_ids=PRIORITIES,
    )
    in_place = world.contracts[:3]
    for measure_id in ("SV-EMP-01", "SV-COM-01"):
        figures = contract_figures(in_place, measure_id)
        total = report.measure(measure_id).total
        assert total.promised == sum(p for p, _ in figures)
        assert total.delivered == sum(d for _, d in figures if d is not None)
        assert total.contracts == len(figures)
    # FTE is a level: Leeds's latest (3) plus Bradford's (1.5), never 2 + 3 + 1.5.
    assert report.measure("SV-EMP-01").total.delivered == Decimal("4.5")
    # Hours add up over periods and contracts: 26 + 30 + 10 + 12.5.
    assert report.measure("SV-COM-01").total.delivered == Decimal("78.5")
    # A percentage is averaged across contracts (100 and 80), not added.
    fw = report.measure("SV-FW-01").total
    assert fw.delivered == Decimal("90.00") and fw.promised == Decimal("95.00")
    # Only the shared priorities are reported, in their order.
    assert [m.measure.id for m in report.measures] == PRIORITIES


def test_by_buyer_and_by_quarter_add_up_to_the_total(filled):
    world = filled
    report = reports.report(
        buyer_ids=[world.buyers[n][1].id for n in ("Leeds City Council", "Bradford Council")],
        measure_ids=PRIORITIES,
    )
    hours = report.measure("SV-COM-01")
    assert dict((n, f.delivered) for n, f in hours.by_buyer) == {
        "Bradford Council": Decimal("10"),
        "Leeds City Council": Decimal("68.5"),
    }
    assert sum(f.delivered for _, f in hours.by_buyer) == hours.total.delivered
    # Periods ending 3 April (2027-28 Q1, April to June) and 3 July (Q2).
    assert hours.by_quarter == [("2027-28 Q1", Decimal("48.5")), ("2027-28 Q2", Decimal("30"))]
    assert sum(d for _, d in hours.by_quarter) == hours.total.delivered
    fte = report.measure("SV-EMP-01")
    assert fte.by_quarter == [("2027-28 Q1", Decimal("3.5")), ("2027-28 Q2", Decimal("3"))]


def test_the_public_place_page_and_its_csv_show_the_same_figures(filled, client):
    page = client.get("/places/west-yorkshire")
    assert page.status_code == 200
    html = soup(page)
    totals = {row[0].split("\n")[0].strip(): row for row in table_rows(page, "place-totals")}
    hours = next(
        v for k, v in totals.items() if k.startswith("Volunteering") or "volunteer" in k.lower()
    )
    assert hours[1:4] == ["3", "240", "78.5"]
    assert "Manchester Housing" not in html.get_text()
    by_buyer = table_rows(page, "buyers-SV-COM-01")
    assert by_buyer == [
        ["Bradford Council", "80", "10", "13%", ""],
        ["Leeds City Council", "160", "68.5", "43%", ""],
    ]
    rows = csv_rows(client.get("/places/west-yorkshire.csv"))
    header, body = rows[0], rows[1:]
    assert header[:2] == ["Measure id", "Measure"]
    csv_hours = {(r[4], r[5]): r for r in body if r[0] == "SV-COM-01"}
    assert csv_hours[("Total", "All contracts")][6:9] == ["240.00", "78.50", "3"]
    assert csv_hours[("Buyer", "Leeds City Council")][7] == "68.50"
    assert csv_hours[("Quarter", "2027-28 Q2")][7] == "30.00"


def test_an_unknown_place_is_not_found(app, client):
    assert client.get("/places/atlantis").status_code == 404
