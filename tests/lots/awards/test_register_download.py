"""The contracts register as a CSV: what the register page lists (every contract entered, or a
buyer's or a supplier's), in its order, streamed, with formulas in names neutralised."""

from datetime import date, timedelta

import pytest

from app.extensions import db
from app.timeutil import utcnow
from lots.awards.models import Contract
from lots.awards.views import CSV_HEADER
from lots.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus
from tests.lots.helpers import make_buyer, setup_world, supplier
from tests.lots.pages import soup
from tests.pages import csv_rows, streamed


def awarded(lot, buyer, title, reference):
    opportunity = Opportunity(
        dps_id=lot.dps_id,
        lot_id=lot.id,
        buyer_id=buyer.id,
        created_by_id=1,
        kind=OpportunityKind.MINI_COMPETITION,
        title=title,
        summary="A service",
        description="Details",
        estimated_value_pence=5_000_000,
        status=OpportunityStatus.AWARDED,
        published_at=utcnow() - timedelta(days=60),
        submission_deadline=utcnow() - timedelta(days=30),
        buyer_name=buyer.name,
        reference=reference,
    )
    db.session.add(opportunity)
    db.session.flush()
    return opportunity


def entered(opportunity, supplier_org, value_pence, days_ago, **fields):
    contract = Contract(
        opportunity_id=opportunity.id,
        buyer_id=opportunity.buyer_id,
        supplier_id=supplier_org.id,
        lot_id=opportunity.lot_id,
        value_pence=value_pence,
        start_date=date(2027, 1, 4),
        end_date=date(2028, 1, 3),
        supplier_is_vcse=fields.pop("vcse", True),
        supplier_is_sme=True,
        payment_terms_days=30,
        entered_at=utcnow() - timedelta(days=days_ago),
        **fields,
    )
    db.session.add(contract)
    db.session.commit()
    return contract


@pytest.fixture
def register(app):
    admin, dps, lots, _, leeds = setup_world()
    _, york = make_buyer(admin, dps, email="yan@york.example", name="York Council")
    _, riverside = supplier("Riverside CIC", "r@riverside.example")
    _, formula = supplier('=HYPERLINK("http://evil.example")', "f@formula.example")
    contracts = {
        "care": entered(awarded(lots[0], leeds, "Care", "VCSE-1"), riverside, 3_000_050, 3),
        "meals": entered(
            awarded(lots[1], york, "Meals", "VCSE-2"), formula, 900_000, 2, vcse=False
        ),
        "garden": entered(awarded(lots[0], york, "@Gardens", "VCSE-3"), riverside, 1_000_000, 1),
    }
    # Published but not yet entered (its standstill runs): not in the register.
    awarded(lots[0], leeds, "In standstill", "VCSE-4")
    db.session.commit()
    return lots, {"leeds": leeds, "york": york, "riverside": riverside}, contracts


def download(client, query=""):
    rows = csv_rows(client.get(f"/contracts.csv{query}", buffered=True))
    assert rows[0] == list(CSV_HEADER)
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_the_download_lists_what_the_register_lists(register, client):
    lots, orgs, contracts = register
    for query in (
        "",
        f"?buyer={orgs['york'].id}",
        f"?supplier={orgs['riverside'].id}",
        f"?buyer={orgs['leeds'].id}",
        "?buyer=99999999999999999999",  # no such organisation: ignored, as on the page
    ):
        page = client.get(f"/contracts{query}")
        shown = [a["href"] for a in soup(page).select("#contracts a[href^='/opportunities/']")]
        listed = [
            row["Opportunity page"].removeprefix("http://localhost")
            for row in download(client, query)
        ]
        assert listed == shown, query
        link = soup(page).select_one("#download-csv")
        if shown:
            assert link["href"] == "/contracts.csv" + ("" if "999" in query else query)
            assert link.text == "Download these results (CSV)"
    assert "In standstill" not in client.get("/contracts.csv", buffered=True).text


def test_a_row_of_the_download(register, client):
    lots, orgs, contracts = register
    care = contracts["care"]
    [row] = download(client, f"?buyer={orgs['leeds'].id}")
    assert row == {
        "Reference": "VCSE-1",
        "Contract": "Care",
        "Buyer": "Leeds City Council",
        "Supplier": "Riverside CIC",
        "Supplier is a VCSE": "Yes",
        "Supplier is an SME": "Yes",
        "Value (£, excluding VAT)": "30000.50",
        "Start date": "2027-01-04",
        "End date": "2028-01-03",
        "Lot": lots[0].label,
        "Payment terms (days)": "30",
        "Real Living Wage": "No",
        "Entered (UK time)": row["Entered (UK time)"],
        "Contract page": f"http://localhost/contracts/{care.id}",
        "Opportunity page": f"http://localhost/opportunities/{care.opportunity_id}",
    }
    assert len(row["Entered (UK time)"]) == len("2026-12-03 10:00")


def test_formulas_in_names_are_neutralised(register, client):
    rows = {row["Reference"]: row for row in download(client)}
    assert rows["VCSE-2"]["Supplier"] == '\'=HYPERLINK("http://evil.example")'
    assert rows["VCSE-3"]["Contract"] == "'@Gardens"


def test_the_download_streams(register, client):
    response, chunks = streamed(client, "/contracts.csv")
    assert response.is_streamed
    assert response.headers["Content-Disposition"].startswith('attachment; filename="contracts-')
    assert b"".join(chunks).count(b"\r\n") == 4  # the header and three contracts
