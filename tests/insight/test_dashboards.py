"""Dashboards: the buyer's (its contracts), the supplier's (its commitments and returns) and the
operator's (every contract). Each chart is a bar beside the figure it draws, so the tables must
hold the report's figures, and the CSV the same ones; only members (and the operator) see an
organisation's."""

from datetime import date, datetime, timezone

import pytest
import time_machine

from app.extensions import db
from insight import reports
from lots.awards.schedule import make_schedule
from tests.conftest import Browserless, FreshContextClient
from tests.factories import PASSWORD, make_user
from tests.insight.helpers import contract
from tests.pages import csv_rows, soup, table_rows, text

ON = datetime(2027, 4, 20, 9, tzinfo=timezone.utc)


class Person:
    def __init__(self, app, email):
        self.client = FreshContextClient(app, app.response_class, use_cookies=True)
        assert (
            Browserless(self.client)
            .post("/sign-in", {"email": email, "password": PASSWORD})
            .status_code
            == 302
        )

    def get(self, url):
        return self.client.get(url)


@pytest.fixture
def world(filled):
    # A scheduled contract of Leeds's, so the returns table has something to count.
    scheduled = contract(filled, "Leeds City Council", 0, {"SV-COM-01": "10"}, title="Gardens")
    make_schedule(scheduled, "quarterly")
    db.session.commit()
    return filled


def totals(page):
    """{measure id: [contracts, promised, delivered, of promise]} from the totals table."""
    return {
        tr["id"].removeprefix("total-"): [text(td) for td in tr.select("td")][:4]
        for tr in soup(page).select("#totals tbody tr")
    }


def test_the_buyers_dashboard_shows_its_contracts_figures(app, world):
    user, leeds = world.buyers["Leeds City Council"]
    with time_machine.travel(ON, tick=False):
        page = Person(app, user.email).get(f"/organisations/{leeds.id}/social-value")
        counts = reports.return_counts(date(2027, 4, 20), buyer_id=leeds.id)
    assert page.status_code == 200
    report = reports.report(buyer_ids=[leeds.id])
    hours = report.measure("SV-COM-01")
    assert totals(page)["SV-COM-01"] == ["3", "170", "68.5", "40%"]
    assert hours.total.delivered == 68.5
    # The scheduled contract: its first quarter due, the other four periods not yet.
    standing = {row[0]: row[1] for row in table_rows(page, "returns-standing")}
    assert standing["Due"] == str(counts["due"]) == "1"
    assert standing["Not due yet"] == str(counts["upcoming"]) == "4"
    by_contract = table_rows(page, "contracts-SV-COM-01")
    assert [r[:3] for r in by_contract] == [
        ["Work for Leeds City Council (Kirkstall Care CIC)", "120", "56"],
        ["Lunch clubs (Aire Valley Trust)", "40", "12.5"],
        ["Gardens (Kirkstall Care CIC)", "10", "0"],
    ]
    rows = csv_rows(Person(app, user.email).get(f"/organisations/{leeds.id}/social-value.csv"))
    csv_total = next(r for r in rows if r[0] == "SV-COM-01" and r[4] == "Total")
    assert csv_total[6:9] == ["170.00", "68.50", "3"]
    assert sum(1 for r in rows if r[0] == "SV-COM-01" and r[4] == "Contract") == 3


def test_the_suppliers_dashboard_shows_its_commitments_with_every_buyer(app, world):
    user, kirkstall = world.suppliers[0]
    page = Person(app, user.email).get(f"/organisations/{kirkstall.id}/social-value")
    assert page.status_code == 200
    fte = reports.report(supplier_id=kirkstall.id).measure("SV-EMP-01")
    # Leeds's latest 3 FTE and Manchester's 9: its contracts outside the place count here.
    assert totals(page)["SV-EMP-01"] == ["2", "12", "12", "100%"]
    assert fte.total.delivered == 12
    assert [r[0] for r in table_rows(page, "contracts-SV-EMP-01")] == [
        "Work for Leeds City Council (Leeds City Council)",
        "Work for Manchester Housing (Manchester Housing)",
    ]


def test_the_operators_dashboard_covers_every_contract(app, world):
    page = Person(app, world.admin.email).get("/admin/social-value")
    assert page.status_code == 200
    hours = reports.report().measure("SV-COM-01")
    assert totals(page)["SV-COM-01"] == ["5", "1,249", "578.5", "46%"]
    assert hours.total.delivered == 578.5
    assert [r[0] for r in table_rows(page, "buyers-SV-COM-01")] == [
        "Bradford Council",
        "Leeds City Council",
        "Manchester Housing",
    ]
    rows = csv_rows(Person(app, world.admin.email).get("/admin/social-value.csv"))
    assert next(r for r in rows if r[0] == "SV-COM-01" and r[4] == "Total")[7] == "578.50"


def test_only_members_and_the_operator_see_an_organisations_dashboard(app, world, client):
    _, leeds = world.buyers["Leeds City Council"]
    make_user("nosy@example.org", "Nosy Parker")
    assert (
        Person(app, "nosy@example.org").get(f"/organisations/{leeds.id}/social-value").status_code
        == 404
    )
    assert Person(app, "nosy@example.org").get("/admin/social-value").status_code == 403
    assert client.get(f"/organisations/{leeds.id}/social-value").status_code == 302
