"""Social value returns on pages: the supplier's task list, a return filled in with a value per
measure, postcodes and a document as evidence, refusals shown against their field with what was
typed kept, the buyer querying then accepting, and the contract page showing the schedule,
delivered so far and money estimates only where the operator set a proxy value."""

import io
from datetime import date

import pytest

from app.extensions import db
from app.measures import services as measures
from lots.awards.models import ReturnStatus
from lots.awards.schedule import make_schedule
from tests.lots.awards.helpers import contract_for
from tests.lots.awards.test_returns import MEASURES, START, on
from tests.lots.bidding import bidding_world
from tests.lots.pages import banner, error_summary, section, soup, table_rows, tags

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(app):
    return bidding_world(social_value_measures=MEASURES)


@pytest.fixture
def contract(world):
    c = contract_for(world, {"SV-EMP-01": "3", "SV-COM-01": "120", "SV-FW-01": "100"}, start=START)
    c.end_date = date(2028, 1, 3)
    make_schedule(c, "quarterly")
    db.session.commit()
    return c


def _form(contract, emp="2", com="30", fw="95", note="From the payroll"):
    by = {c.measure_id: c.id for c in contract.commitments}
    return {
        f"value-{by['SV-EMP-01']}": emp,
        f"value-{by['SV-COM-01']}": com,
        f"value-{by['SV-FW-01']}": fw,
        f"postcodes-{by['SV-EMP-01']}": "LS6 2AB\nLS7 3EX",
        "note": note,
        "action": "submit",
    }


def test_a_supplier_submits_and_the_buyer_queries_then_accepts(world, contract, person):
    supplier_user, org = world.suppliers[0]
    ret = contract.returns[0]
    url = f"/social-value-returns/{ret.id}"
    with on(date(2027, 4, 6)):
        sam = person(supplier_user.email)
        tasks = sam.get(f"/organisations/{org.id}/social-value-returns")
        assert table_rows(tasks, "to-do")[0][2:] == [
            "4 January 2027 to 3 April 2027",
            "3 May 2027",
            "Due",
        ]

        # A wrong figure: refused against its field, everything typed kept.
        typed = _form(contract, fw="120")
        refused = sam.post(url, typed)
        assert refused.status_code == 200
        assert error_summary(refused) == [
            "Enter a percentage from 0 to 100 for ‘Contract staff paid at least the Real "
            "Living Wage’"
        ]
        page = soup(refused)
        assert page.find(id=next(k for k in typed if typed[k] == "120"))["value"] == "120"
        assert page.find(id="note").text == "From the payroll"

        typed = _form(contract)
        done = sam.post(
            url,
            {**typed, "evidence": (io.BytesIO(PDF), "payroll.pdf")},
            content_type="multipart/form-data",
        )
        assert done.status_code == 302, error_summary(sam.get(url))
        page = sam.get(url)
        assert "Your return is submitted" in banner(page)
        assert tags(page, "return-details") == ["Submitted"]
        rows = table_rows(page, "return-lines")
        assert rows[0] == ["Local people employed on the contract", "2", "FTE", "LS6 2, LS7 3"]
        assert "payroll.pdf" in section(page, "evidence")
        assert "2AB" not in page.get_data(as_text=True)

        bea = person(world.buyer_user.email)
        refused = bea.post(url, {"action": "decide", "decision": "query", "reason": ""})
        assert error_summary(refused) == ["Enter what the supplier needs to change or explain"]
        queried = bea.post(
            url, {"action": "decide", "decision": "query", "reason": "Send the rota"}
        )
        assert queried.status_code == 302
        # The buyer can read the supplier's evidence.
        link = soup(bea.get(url)).select_one("#evidence a")["href"]
        assert bea.get(link).status_code in (200, 302)

        page = sam.get(url)
        assert section(page, "query-reason") == "Send the rota"
        assert sam.post(url, _form(contract, com="28", note="Rota attached")).status_code == 302
        accepted = bea.post(url, {"action": "decide", "decision": "accept"})
        assert accepted.status_code == 302
    db.session.expire_all()
    assert contract.returns[0].status == ReturnStatus.ACCEPTED
    with on(date(2027, 4, 6)):
        page = person(world.buyer_user.email).get(f"/contracts/{contract.id}")
        schedule = table_rows(page, "schedule")
        assert [r[2] for r in schedule] == ["Accepted", "Not due yet", "Not due yet", "Not due yet"]
        delivered = {r[0]: r[3] for r in table_rows(page, "social-value")}
        assert delivered["Volunteering hours by contract staff"] == "28"


def test_the_buyer_cannot_submit_and_others_cannot_see_a_return(world, contract, person):
    url = f"/social-value-returns/{contract.returns[0].id}"
    with on(date(2027, 4, 6)):
        other = world.suppliers[1][0]
        assert person(other.email).get(url).status_code == 404
        bea = person(world.buyer_user.email)
        page = bea.get(url)
        assert soup(page).find(id="return-form") is None
        assert section(page, "not-open") == "The supplier has not submitted this return yet."


def test_money_estimates_show_only_where_a_proxy_is_set_with_its_source(world, contract, person):
    measures.set_proxy(world.admin, "SV-COM-01", "14.50", "Operator's volunteering study", 2025)
    with on(date(2027, 4, 6)):
        sam = person(world.suppliers[0][0].email)
        sam.post(f"/social-value-returns/{contract.returns[0].id}", _form(contract, com="10"))
        person(world.buyer_user.email).post(
            f"/social-value-returns/{contract.returns[0].id}",
            {"action": "decide", "decision": "accept"},
        )
        page = person().get(f"/contracts/{contract.id}")
    rows = {r[0]: r for r in table_rows(page, "social-value")}
    assert rows["Volunteering hours by contract staff"][-1] == (
        "£145 Estimate: £14.50 per unit (hours). Source: Operator's volunteering study, 2025"
    )
    assert rows["Local people employed on the contract"][-1] == "No money value set"
    assert "estimates" in section(page, "estimates-note")
    # The public does not see the returns themselves.
    assert soup(page).find(id="schedule") is None
