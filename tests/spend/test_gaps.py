"""The gaps on a buyer's report (work it could lot for VCSEs), the report by lot and its trend
from year to year, and every table downloaded as CSV and XLSX (read back)."""

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

import openpyxl
import pytest
from bs4 import BeautifulSoup

from app.extensions import db
from spend import gaps, reports, services
from spend.downloads import table_rows, xlsx_bytes
from tests.spend.helpers import import_file, make_world
from tests.spend.test_reports import _contract


@pytest.fixture
def world(app):
    return make_world()


def _csv(*rows):
    return (
        "Payment Date,Supplier Name,Amount,Expense Type,Directorate\n" + "\n".join(rows) + "\n"
    ).encode()


SPEND = _csv(
    # Befriending: £20,000 with Yorkshire Water (large, Bradford), £5,000 with the VCSE.
    "10/04/2024,Yorkshire Water Services Ltd,12000,Befriending Services,Adults",
    "10/05/2024,Yorkshire Water Services Ltd,8000,Befriending Services,Adults",
    "11/05/2024,Riverside Community Care CIO,5000,Befriending Services,Adults",
    # Water: large, but no lot covers it.
    "15/07/2024,Yorkshire Water Services Ltd,30000,Water,Resources",
    # Meals: an SME outside the area, £4,000: under the £10,000 that makes a gap.
    "16/07/2024,Northern Lights Social Enterprise CIC,4000,Community Meals,Adults",
    # The year before, all with the VCSE.
    "10/04/2023,Riverside Community Care CIO,1000,Befriending Services,Adults",
)


# --- The words of a category and a lot -------------------------------------------------------------


def test_a_categorys_words_leave_out_the_common_ones():
    assert gaps.words("Adult Social Care - Home Care Services") == {
        "adult",
        "social",
        "care",
        "home",
    }
    assert gaps.words("Grants to Voluntary Organisations") == {"grant", "voluntary", "organisation"}


def _offer(lot_id, title, description="", vcses=(1,)):
    return gaps.LotOffer(
        lot_id=lot_id,
        label=f"Lot {lot_id}: {title}",
        words=frozenset(gaps.words(f"{title} {description}")),
        title_words=frozenset(gaps.words(title)),
        vcse_ids=frozenset(vcses),
    )


def test_the_lots_that_best_cover_a_category_are_chosen():
    befriending = _offer(1, "Befriending and social prescribing", "Home and telephone befriending")
    homecare = _offer(3, "Homecare: north patch", "Personal care at home")
    catering = _offer(7, "Grounds maintenance and catering", "Cleaning and catering")
    offers = [befriending, homecare, catering]
    # "home care" written as one word in the title counts, and a title beats a description.
    found, shared = gaps.covering("Adult Social Care - Home Care", offers)
    assert found == [homecare] and shared == ["care", "home"]
    assert gaps.covering("Catering", offers)[0] == [catering]
    assert gaps.covering("Stationery", offers) == ([], [])
    # Less than half the category's words: not the same work.
    assert gaps.covering("Building Repairs and Maintenance", offers) == ([], [])


# --- On a buyer's real lines -------------------------------------------------------------------------


def test_a_gap_is_spend_with_large_or_distant_suppliers_where_vcses_hold_a_lot(app, world):
    import_file(world.buyer_user, world.buyer, SPEND)
    report = reports.report([world.buyer.id], year=2024)
    offers = gaps.lot_offers(world.buyer)
    befriending = next(o for o in offers if o.lot_id == world.lots[0].id)
    assert befriending.vcse_ids == {world.vcse.id}
    assert befriending.local_vcse_ids == {world.vcse.id}  # Riverside is in Leeds
    found = gaps.find_gaps(report, offers, app.config["SPEND_GAP_MIN_PENCE"])
    assert [g.category for g in found] == ["Befriending Services"]
    gap = found[0]
    assert gap.spend == 2_500_000 and gap.with_large_or_distant == 2_000_000
    assert gap.share == 80
    assert [(s.name, s.pence, s.reasons) for s in gap.suppliers] == [
        ("Yorkshire Water Services Limited", 2_000_000, ["large", "outside the area"])
    ]
    assert [lot.lot_id for lot in gap.lots] == [world.lots[0].id]
    assert (gap.vcse_count, gap.local_vcse_count) == (1, 1)
    # A lower bar brings in the meals bought from an SME outside the area, in the VCSE-only lot,
    # once a VCSE holds it.
    from tests.lots.helpers import admit

    admit(world.vcse, world.lots[1])
    found = gaps.find_gaps(report, gaps.lot_offers(world.buyer), 100_000)
    assert [g.category for g in found] == ["Befriending Services", "Community Meals"]
    assert found[1].suppliers[0].reasons == ["outside the area"]
    # Nothing is a gap when no VCSE holds the lot.
    assert gaps.find_gaps(report, [], 0) == []


def test_the_report_by_lot_and_its_trend(world):
    import_file(world.buyer_user, world.buyer, SPEND)
    _contract(world, 1_200_000, date(2024, 4, 1), date(2025, 3, 31))
    db.session.commit()
    services.sync_contract_spend()
    report = reports.report([world.buyer.id], year=2024)
    lot_label = f"Lot 1: {world.lots[0].title}"
    assert list(report.lots) == [lot_label, reports.NOT_THROUGH_DPS]
    assert report.lots[lot_label].spend == 1_200_000
    assert sum(r.spend for r in report.lots.values()) == report.years[2024].spend
    trend = {name: points for name, _label, points in report.trend()}
    # 2023-24: all with the VCSE; 2024-25: £17,000 (with the contract) of £71,000.
    assert [(y, round(s, 1)) for y, s, _c in trend["vcse"]] == [
        ("2023-24", 100.0),
        ("2024-25", 23.9),
    ]
    assert trend["vcse"][0][2] is None and round(trend["vcse"][1][2], 1) == -76.1


def _same(value):
    """A cell as a comparable value: numbers as Decimal, empty as ""."""
    if value is None or value == "":
        return ""
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return str(value)


def test_every_table_reads_back_the_same_from_csv_and_xlsx(client, auth, world):
    import_file(world.buyer_user, world.buyer, SPEND)
    auth.sign_in("bea@leeds.example")
    base = f"/buyer/{world.buyer.id}/spend"
    for table in (
        "years",
        "quarters",
        "categories",
        "departments",
        "lots",
        "suppliers",
        "trend",
        "gaps",
    ):
        from_csv = list(
            csv.reader(
                io.StringIO(client.get(f"{base}/{table}.csv?year=2024").get_data(as_text=True))
            )
        )
        response = client.get(f"{base}/{table}.xlsx?year=2024")
        assert response.mimetype.endswith("spreadsheetml.sheet")
        assert f"{table}" in response.headers["Content-Disposition"]
        book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
        from_xlsx = [list(r) for r in book.active.iter_rows(values_only=True)]
        assert len(from_xlsx) == len(from_csv) >= 2, table
        assert from_xlsx[0] == from_csv[0]
        for xrow, crow in zip(from_xlsx[1:], from_csv[1:], strict=True):
            assert [_same(v) for v in xrow] == [_same(c) for c in crow], table
    # Money and shares are numbers in the workbook.
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{base}/years.xlsx").data))
    first = [c.value for c in book.active[2]]
    assert first[0] == "2023-24" and first[1] == 1000 and first[5] == 100
    gaps_rows = list(
        csv.DictReader(io.StringIO(client.get(f"{base}/gaps.csv?year=2024").get_data(as_text=True)))
    )
    assert gaps_rows[0]["Category"] == "Befriending Services"
    assert "Yorkshire Water Services Limited" in gaps_rows[0]["Suppliers behind it"]
    # The operator has no gaps table (gaps are a buyer's).
    auth.sign_out()
    auth.sign_in("ada@operator.example")
    assert client.get("/admin/spend/gaps.xlsx").status_code == 404
    assert client.get("/admin/spend/lots.xlsx?year=2024").status_code == 200


def test_text_in_a_workbook_never_runs_as_a_formula():
    data = xlsx_bytes([["Supplier"], ['=HYPERLINK("http://x.example")']], "Suppliers")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].data_type == "s"
    assert sheet["A2"].value == '=HYPERLINK("http://x.example")'


def test_the_buyers_page_explains_each_gap_with_the_suppliers_behind_it(client, auth, world):
    import_file(world.buyer_user, world.buyer, SPEND)
    auth.sign_in("bea@leeds.example")
    page = BeautifulSoup(client.get(f"/buyer/{world.buyer.id}/spend?year=2024").data, "lxml")
    gap = page.select_one("#gap-1")
    text = " ".join(gap.get_text().split())
    assert "£20,000 of the £25,000 you spent on Befriending Services (80.0%)" in text
    assert "Yorkshire Water Services Limited: £20,000 (large and outside the area)" in text
    assert "Lot 1: Befriending" in text and "1 VCSE (1 in your area) holds this lot" in text
    assert page.select_one("#trend-vcse") is not None and page.select_one("#lots") is not None
    assert page.select_one("a[href$='gaps.xlsx?year=2024']") is not None
    assert table_rows(reports.report([world.buyer.id], year=2024), "gaps") == [
        table_rows(reports.report([world.buyer.id], year=2024), "gaps")[0]
    ]  # no gaps given: the heading only
