"""The spend pages as a person sees them: upload, choose columns, the rows left out (and their
CSV), the report and its CSV files, the review queue, the area, and who may see what."""

import csv
import io

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from app.extensions import db
from spend.models import ImportStatus, SpendImport, SupplierMatch
from tests.factories import make_user
from tests.lots.helpers import make_colleague
from tests.spend import transparency
from tests.spend.helpers import import_file, make_world


@pytest.fixture
def world(app):
    w = make_world()
    db.session.commit()
    return w


def _soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "lxml")


def _upload(client, forms, buyer_id, data, name="spend.csv"):
    url = f"/buyer/{buyer_id}/spend/files"
    return forms.post(
        url,
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_upload_choose_columns_and_see_what_was_left_out(client, auth, forms, world):
    auth.sign_in("bea@leeds.example")
    data, expect = transparency.metropolitan(rows=40)
    response = _upload(client, forms, world.buyer.id, data, "leeds-2024-25.csv")
    assert response.status_code == 302
    columns_url = response.headers["Location"]
    page = _soup(client.get(columns_url))
    assert page.h1.get_text(strip=True) == "Which column is which"
    # The guesses are selected; the first rows are read as they will be.
    chosen = {
        s["name"]: s.find("option", selected=True).get_text(strip=True)
        for s in page.select("select")
    }
    assert chosen["amount"] == "Column E: Net Amount"
    assert chosen["redacted"] == "Not in this file"
    assert page.select_one("#preview") is not None
    assert "rows are not read" in page.select_one("#preview-skipped").get_text()

    form = {s["name"]: s.find("option", selected=True)["value"] for s in page.select("select")}
    response = forms.post(columns_url, {**form, "id_kind": "internal"})
    assert response.status_code == 302
    page = _soup(client.get(response.headers["Location"]))
    assert page.select_one("#status").get_text(strip=True) == "Imported"
    assert "40" in page.select_one("#result").get_text()
    reasons = [row.select("td")[1].get_text(strip=True) for row in page.select("#skipped tbody tr")]
    assert reasons == ["A totals row", "A blank row"]

    spend_import = db.session.execute(sa.select(SpendImport)).scalar_one()
    skipped = client.get(f"/buyer/{world.buyer.id}/spend/files/{spend_import.id}/rows-left-out.csv")
    assert skipped.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(skipped.get_data(as_text=True))))
    assert rows[0][:4] == ["Row", "To row", "Reason", "Service Area"]
    assert [r[2] for r in rows[1:]] == ["A totals row", "A blank row"]

    # The same file again is refused in the error summary, and nothing changes.
    page = _soup(_upload(client, forms, world.buyer.id, data, "again.csv"))
    assert (
        "Importing it again would change nothing"
        in page.select_one(".govuk-error-summary").get_text()
    )


def test_an_unreadable_file_is_refused_in_the_error_summary(client, auth, forms, world):
    auth.sign_in("bea@leeds.example")
    page = _soup(_upload(client, forms, world.buyer.id, b"PK\x03\x04\x00\x00", "book.xlsx"))
    assert "looks like a spreadsheet" in page.select_one(".govuk-error-summary").get_text()


def test_the_report_shows_the_shares_with_their_tables_and_csv(client, auth, world):
    import_file(
        world.buyer_user,
        world.buyer,
        b"Payment Date,Supplier Name,Amount,Expense Type\n"
        b"10/04/2024,Riverside Community Care CIO,6000,Befriending\n"
        b"15/07/2024,Yorkshire Water Services Ltd,4000,Water\n",
    )
    auth.sign_in("bea@leeds.example")
    page = _soup(client.get(f"/buyer/{world.buyer.id}/spend?year=2024"))
    assert page.h1.get_text(strip=True) == "Where the money goes"
    vcse = page.select_one("#headline-vcse").select("td")
    assert vcse[0].get_text(strip=True) == "60.0%"
    assert vcse[1].select_one("svg")["aria-hidden"] == "true"  # the bar draws the figure beside it
    assert (
        page.select_one("#suppliers tbody th").get_text(strip=True)
        == "Riverside Community Care CIO"
    )
    for table in ("years", "quarters", "categories", "departments", "suppliers"):
        assert page.select_one(f"#{table}") is not None
        response = client.get(f"/buyer/{world.buyer.id}/spend/{table}.csv?year=2024")
        assert response.mimetype == "text/csv"
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        assert len(rows) >= 2
    years = list(
        csv.DictReader(
            io.StringIO(
                client.get(f"/buyer/{world.buyer.id}/spend/years.csv").get_data(as_text=True)
            )
        )
    )
    assert years[0]["Financial year"] == "2024-25" and years[0]["Spend (GBP)"] == "10000.00"
    assert years[0]["VCSE: % of spend"] == "60.0"


def test_who_may_see_and_change_a_buyers_spend(client, auth, forms, world):
    evaluator, _ = make_colleague(world.buyer, roles=["evaluator"])
    make_user(email="stranger@example.org")
    base = f"/buyer/{world.buyer.id}/spend"
    auth.sign_in(evaluator.email)
    assert client.get(base).status_code == 200  # every member sees it
    page = _soup(client.get(base + "/files"))
    assert page.select_one("input[type=file]") is None
    assert client.get(base + "/area").status_code == 403
    assert client.get(base + "/review").status_code == 403
    auth.sign_out()
    auth.sign_in("stranger@example.org")
    for url in (base, base + "/files", base + "/years.csv", "/admin/spend"):
        assert client.get(url).status_code == 403
    auth.sign_out()
    auth.sign_in("ada@operator.example")
    assert client.get(base).status_code == 200
    assert client.get("/admin/spend").status_code == 200
    assert client.get(f"/buyer/{world.vcse.id}/spend").status_code == 404  # not a buyer


def test_the_review_queue_accepts_a_likely_match(client, auth, forms, world):
    import_file(
        world.buyer_user,
        world.buyer,
        b"Date,Supplier,Amount\n01/04/2024,Riverside Comunity Care,600\n",
    )
    match = db.session.execute(sa.select(SupplierMatch)).scalar_one()
    auth.sign_in("ada@operator.example")
    page = _soup(client.get("/admin/spend/review"))
    assert "Riverside Comunity Care" in page.select_one(f"#match-{match.id}").get_text()
    # Nothing chosen: the error summary says so, against the question.
    response = forms.post(
        f"/spend/matches/{match.id}", {"from": "operator"}, form_url="/admin/spend/review"
    )
    assert response.status_code == 400
    assert "Select yes or no" in _soup(response).select_one(".govuk-error-summary").get_text()
    response = forms.post(
        f"/spend/matches/{match.id}",
        {"from": "operator", "decision": "accept"},
        form_url="/admin/spend/review",
        follow_redirects=True,
    )
    assert "is now counted as Riverside Community Care CIO (1 line)" in response.get_data(
        as_text=True
    )
    assert _soup(response).select_one("#no-matches") is not None


def test_the_buyer_sets_its_area(client, auth, forms, world):
    auth.sign_in("bea@leeds.example")
    url = f"/buyer/{world.buyer.id}/spend/area"
    response = forms.post(url, {"area": "BRD"}, follow_redirects=True)
    assert "Local means in Bradford" in " ".join(_soup(response).get_text().split())


def test_a_large_file_shows_its_progress(app, client, auth, forms, world, run_jobs):
    app.config["SPEND_BACKGROUND_ROWS"] = 10
    spend_import = import_file(world.buyer_user, world.buyer, transparency.county(rows=30)[0])
    assert spend_import.status == ImportStatus.QUEUED
    auth.sign_in("bea@leeds.example")
    base = f"/buyer/{world.buyer.id}/spend/files/{spend_import.id}"
    page = _soup(client.get(base))
    assert page.select_one("progress#progress-bar") is not None
    assert client.get(base + "/progress.json").get_json()["status"] == "queued"
    run_jobs()
    progress = client.get(base + "/progress.json").get_json()
    assert progress == {"status": "imported", "rows_done": 31, "rows_total": 31, "percent": 100}


@pytest.mark.parametrize(
    "value, written",
    [
        ('=HYPERLINK("http://x.example")', '\'=HYPERLINK("http://x.example")'),
        ("+44 113", "'+44 113"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-1,234.50", "-1,234.50"),  # a credit stays a number
        ("Acme Ltd", "Acme Ltd"),
        (12, 12),
    ],
)
def test_csv_cells_from_a_spend_file_never_run_as_formulas(value, written):
    from spend.downloads import cell

    assert cell(value) == written


def test_the_operator_sees_a_places_buyers_side_by_side_and_downloads_them(client, auth, world):
    from openpyxl import load_workbook

    from app.places import services as places
    from tests.lots.helpers import make_buyer

    wakefield_user, wakefield = make_buyer(
        world.admin, world.dps, email="w@wakefield.example", name="Wakefield Council"
    )
    wakefield.local_authority_code = "WKF"
    db.session.commit()
    header = b"Payment Date,Supplier Name,Amount,Expense Type\n"
    import_file(
        world.buyer_user,
        world.buyer,
        header + b"10/04/2024,Riverside Community Care CIO,6000,Befriending\n"
        b"15/07/2024,Yorkshire Water Services Ltd,4000,Water\n",
    )
    import_file(
        wakefield_user, wakefield, header + b"12/04/2024,Riverside Community Care CIO,2500,Meals\n"
    )
    places.create_place(world.admin, "West Yorkshire", "West Yorkshire")

    auth.sign_in("ada@operator.example")
    report = _soup(client.get("/admin/spend?year=2024"))
    link = report.select_one("#places a")
    assert link.get_text(strip=True) == "West Yorkshire"
    page = _soup(client.get(link["href"]))
    assert page.h1.get_text(strip=True) == "Where the money goes, buyer by buyer"
    rows = [
        [c.get_text(" ", strip=True) for c in tr.select("th, td")]
        for tr in page.select("#buyers tbody tr")
    ]
    assert [r[0] for r in rows] == [
        "Leeds City Council",
        "Wakefield Council",
        "All buyers in the place",
    ]
    assert [r[1] for r in rows] == ["£10,000", "£2,500", "£12,500"]
    assert rows[0][2].startswith("60.0%") and rows[1][2].startswith("100.0%")  # VCSE
    assert rows[2][2].startswith("68.0%")  # £8,500 of £12,500

    csv_href = page.select_one("a[href*='.csv']")["href"]
    response = client.get(csv_href)
    assert response.mimetype == "text/csv"
    assert "west-yorkshire-2024-25.csv" in response.headers["Content-Disposition"]
    lines = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["Buyer"], r["Spend (GBP)"], r["VCSE: % of spend"]) for r in lines] == [
        ("Leeds City Council", "10000.00", "60.0"),
        ("Wakefield Council", "2500.00", "100.0"),
        ("All buyers in the place", "12500.00", "68.0"),
    ]
    book = load_workbook(io.BytesIO(client.get(csv_href.replace(".csv", ".xlsx")).data))
    sheet = book.active
    assert [c.value for c in next(sheet.iter_rows(min_row=4, max_row=4))][:2] == [
        "All buyers in the place",
        12500,
    ]
    assert client.get("/admin/spend/places/nowhere").status_code == 404
    auth.sign_out()
    auth.sign_in("bea@leeds.example")  # a buyer in the place: the operator's page only
    assert client.get(link["href"]).status_code == 403
    assert client.get(csv_href).status_code == 403
