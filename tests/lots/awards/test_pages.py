"""Awarding, as people do it: the buyer proposes, the approver confirms (or returns it, or records
that no bid was suitable), the letters are made by the job and each supplier reads only its own,
the award shows on the opportunity page, the contract enters the public register when the
standstill ends, and the buyer records the social value delivered."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from lots.awards import contracts
from lots.awards import queries as award_queries
from lots.awards.models import AwardLetter, Contract
from lots.awards.views import CSV_HEADER
from lots.opportunities.models import OpportunityStatus
from tests.lots.bidding import bidding_world, colleague, past_deadline
from tests.lots.evaluation.test_pages import (
    ANN,
    BUYER,
    EVE,
    MAX,
    assign,
    evaluated,
    submit_bids,
    urls,
)
from tests.lots.helpers import supplier
from tests.lots.pages import banner, error_summary, section, soup, summary_rows, table_rows, text
from tests.pages import csv_rows


def _world(**overrides):
    world = bidding_world(**overrides)
    colleague(world.buyer, EVE, ("evaluator",), name="Eve Evaluator")
    colleague(world.buyer, MAX, ("evaluator",), name="Max Moderator")
    colleague(world.buyer, ANN, ("approver",), name="Ann Approver")
    return world


@pytest.fixture
def world(app):
    return _world()


def _scored(world, person):
    """Past the deadline (the caller travels): bids opened, scored, moderated. Supplier 1
    (£30,000, excellent) ranks above Supplier 2 (£28,000, weak)."""
    bea = person(BUYER)
    assign(bea, world, EVE)
    assign(bea, world, MAX, moderator=True)
    evaluated(world, person)
    return bea


def _propose(bea, world):
    response = bea.post(urls(world)["propose"], form_url=urls(world)["result"])
    assert response.status_code == 302, error_summary(response)


def _decide(who, world, decision, reason=""):
    return who.post(urls(world)["award"], {"decision": decision, "reason": reason})


def _letter_links(response):
    return [(text(a), a["href"]) for a in soup(response).select("main a[href^='/documents/']")]


def test_the_full_path_from_opening_to_social_value_delivered(app, person, run_jobs):
    world = _world(voluntary_standstill=True)
    submit_bids(world)
    (s1_user, s1), (s2_user, s2) = world.suppliers
    opportunity_page = f"/opportunities/{world.opportunity.id}"
    with time_machine.travel(past_deadline(world.opportunity), tick=False):
        bea = _scored(world, person)
        _propose(bea, world)
        proposed = bea.get(urls(world)["award"])
        facts = summary_rows(proposed, "decision")
        assert facts["Status"] == "Proposed, waiting for an approver"
        assert facts["Winning supplier"] == "Supplier 1 CIC"
        assert facts["Total score"] == "96.67 out of 100"
        # Nobody outside the buyer hears of it before the approver confirms.
        supplier_one = person(s1_user.email)
        assert section(supplier_one.get(opportunity_page), "award") == ""
        assert supplier_one.get(f"/opportunities/{world.opportunity.id}/letters").status_code == 404

        ann = person(ANN)
        confirmed = _decide(ann, world, "confirm")
        assert confirmed.status_code == 302
        assert "The award is confirmed" in banner(ann.get(urls(world)["award"]))
        assert run_jobs() is None
        assert db.session.execute(sa.select(sa.func.count()).select_from(AwardLetter)).scalar() == 2

        # The award is on the opportunity page for everyone.
        public = person().get(opportunity_page)
        award = summary_rows(public, "award")
        assert award["Awarded to"] == "Supplier 1 CIC"
        assert award["Value"] == "£30,000 excluding VAT"
        assert award["Date of award"]
        assert "Standstill ends" in award

        # Each supplier reads its own letter, which names the winner.
        supplier_two = person(s2_user.email)
        letters = {}
        for who, org in ((supplier_one, s1), (supplier_two, s2)):
            page = who.get(f"/opportunities/{world.opportunity.id}/letters")
            assert page.status_code == 200
            [(pdf_label, pdf_href), (label, href)] = _letter_links(page)
            assert pdf_label.startswith(label.split(" as a web page")[0] + " (PDF, ")
            assert who.get(pdf_href).mimetype == "application/pdf"
            label = label.split(" as a web page")[0]
            letters[org.id] = (label, href)
            download = who.get(href)
            assert download.status_code == 200
            body = download.get_data(as_text=True)
            assert "Supplier 1 CIC" in body
            assert f"To: {org.name}" in body
        assert letters[s1.id][0] == "Award letter"
        assert letters[s2.id][0] == "Assessment summary"
        letter_two = " ".join(supplier_two.get(letters[s2.id][1]).get_data(as_text=True).split())
        assert "has been awarded to <strong>Supplier 1 CIC</strong>" in letter_two
        assert "70.00" in letter_two  # 2 of 5 ("weak") on quality and social value
        # ... and never another's.
        assert supplier_two.get(letters[s1.id][1]).status_code == 404
        assert supplier_one.get(letters[s2.id][1]).status_code == 404
        outsider_user, _ = supplier("Outsider CIC", "x@outsider.example")
        outsider = person(outsider_user.email)
        assert outsider.get(f"/opportunities/{world.opportunity.id}/letters").status_code == 404
        assert outsider.get(letters[s1.id][1]).status_code == 404
        # The opportunity's page offers each bidder its letters, and nobody else a link to any.
        for who in (supplier_one, supplier_two):
            offered = soup(who.get(opportunity_page)).select_one("#your-letter a")
            assert offered["href"] == f"/opportunities/{world.opportunity.id}/letters"
        for who in (outsider, bea, ann, person()):
            assert soup(who.get(opportunity_page)).select_one("#your-letter") is None
            assert "read your letter" not in text(soup(who.get(opportunity_page)).main)

        # The contract waits for the standstill.
        assert (
            section(person().get("/contracts"), "contracts")
            == "No contracts have been entered yet."
        )
        assert csv_rows(person().get("/contracts.csv", buffered=True)) == [list(CSV_HEADER)]
        ends = award_queries.award_of(world.opportunity.id).standstill_ends_at

    with time_machine.travel(ends + timedelta(minutes=1), tick=False):
        result = app.test_cli_runner().invoke(args=["lots", "enter-contracts"])
        assert result.exit_code == 0 and "Entered 1 contract." in result.output
        assert contracts.enter_due_contracts() == 0  # safe to run again
        register = person().get("/contracts")
        [row] = table_rows(register, "contracts")
        assert row[1:4] == ["Leeds City Council", "Supplier 1 CIC", "£30,000"]
        [header, line] = csv_rows(person().get("/contracts.csv", buffered=True))
        assert line[header.index("Supplier")] == "Supplier 1 CIC"
        assert line[header.index("Value (£, excluding VAT)")] == "30000.00"
        assert "SME" in row[6]
        contract = db.session.execute(sa.select(Contract)).scalar_one()
        link = soup(register).select_one("#contracts a[href^='/contracts/']")["href"]
        assert link == f"/contracts/{contract.id}"
        assert (
            soup(register).select_one(f"#contracts a[href='/opportunities/{world.opportunity.id}']")
            is not None
        )

        # Everyone sees what was promised; delivery comes through the supplier's returns, on the
        # quarterly schedule the buyer chose when proposing (tests/lots/awards/test_returns.py).
        bea = person(BUYER)
        page = bea.get(link)
        # SV-EMP-01 (local people employed, in FTE) is a level: the latest period counts.
        assert table_rows(page, "social-value")[0][2:4] == ["2", "Not yet recorded"]
        assert table_rows(page, "social-value")[0][5] == "Latest period"
        schedule = table_rows(page, "schedule")
        assert len(schedule) == 4 and schedule[0][2] == "Not due yet"
        assert soup(page).find(id="record-delivery") is None
        assert contract.reporting_frequency.value == "quarterly"
        seen = person().get(link)
        assert soup(seen).find(id="schedule") is None  # the returns are the parties' business
        supplier_page = person(s1_user.email).get(f"/organisations/{s1.id}/social-value-returns")
        assert len(table_rows(supplier_page, "all-returns")) == 4


def test_the_approver_returns_the_award_or_records_no_suitable_bid(world, person):
    submit_bids(world)
    with time_machine.travel(past_deadline(world.opportunity), tick=False):
        bea = _scored(world, person)
        _propose(bea, world)
        ann = person(ANN)
        refused = _decide(ann, world, "return")
        assert error_summary(refused) == ["Enter the reason for returning the award"]
        assert error_summary(_decide(ann, world, "")) == [
            "Select confirm, return or no suitable bid"
        ]
        assert (
            _decide(ann, world, "return", "Check the second bid's social value score").status_code
            == 302
        )
        assert award_queries.award_of(world.opportunity.id) is None
        assert soup(bea.get(urls(world)["result"])).find(id="propose-award") is not None
        # An evaluator without the buyer or approver role sees none of it.
        eve = person(EVE)
        assert eve.get(urls(world)["award"]).status_code == 403
        assert eve.get(urls(world)["result"]).status_code == 403

        assert error_summary(_decide(ann, world, "no_suitable_bid")) == [
            "Enter the reason. Every bidder will read it"
        ]
        recorded = _decide(ann, world, "no_suitable_bid", "Neither bid is affordable")
        assert recorded.status_code == 302
        db.session.expire_all()
        assert world.opportunity.status == OpportunityStatus.NO_SUITABLE_BID
        decision = summary_rows(ann.get(urls(world)["award"]), "decision")
        assert decision == {"Decision": "No suitable bid", "Reason": "Neither bid is affordable"}
        public = person().get(f"/opportunities/{world.opportunity.id}")
        assert "Neither bid is affordable" in section(public, "award")


def test_without_a_standstill_the_contract_is_entered_on_confirmation(world, person, run_jobs):
    submit_bids(world)
    with time_machine.travel(past_deadline(world.opportunity), tick=False):
        bea = _scored(world, person)
        _propose(bea, world)
        assert _decide(person(ANN), world, "confirm").status_code == 302
        run_jobs()
        [row] = table_rows(person().get("/contracts"), "contracts")
        assert row[2] == "Supplier 1 CIC"
        page = bea.get(urls(world)["award"])
        assert summary_rows(page, "decision")["Status"] == "Confirmed, contract entered"
        assert summary_rows(page, "decision")["Letters issued"] == "2"
        public = person().get(f"/opportunities/{world.opportunity.id}")
        assert "The contract in the contracts register" in section(public, "award")
        # The register can be narrowed to one buyer or supplier.
        filtered = person().get(f"/contracts?supplier={world.suppliers[1][1].id}")
        assert section(filtered, "contracts") == "No contracts have been entered yet."
