"""The contract record states the call-off's contract conditions as they were published: the
payment terms (flowing down to subcontractors) and the Real Living Wage with its rate."""

import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.money import money
from lots.awards.models import Contract
from tests.lots.awards.test_pages import _decide, _propose, _scored, _world
from tests.lots.bidding import past_deadline
from tests.lots.evaluation.test_pages import ANN, submit_bids
from tests.lots.pages import summary_rows


def test_the_contract_record_shows_its_conditions_as_published(app, person, run_jobs):
    world = _world(real_living_wage=True, payment_terms_days=14)
    o = world.opportunity
    rate, year = o.living_wage_rate_pence, o.living_wage_rate_year
    assert rate is not None  # frozen at publication, from the rate in force that day
    submit_bids(world)
    with time_machine.travel(past_deadline(o), tick=False):
        bea = _scored(world, person)
        _propose(bea, world)
        assert _decide(person(ANN), world, "confirm").status_code == 302
        run_jobs()
        contract = db.session.execute(sa.select(Contract)).scalar_one()
        assert (contract.payment_terms_days, contract.real_living_wage) == (14, True)
        assert (contract.living_wage_rate_pence, contract.living_wage_rate_year) == (rate, year)
        assert contract.living_wage_london is False  # Leeds

        page = person().get(f"/contracts/{contract.id}")
        conditions = summary_rows(page, "contract-conditions")
        assert conditions["Payment terms"] == (
            "The buyer pays undisputed invoices within 14 days. The supplier must pay its "
            "subcontractors within 30 days: 30-day payment terms flow down the supply chain."
        )
        assert conditions["Real Living Wage"] == (
            "A condition: everyone working on the contract, including subcontracted staff, is "
            f"paid at least the Real Living Wage, {money(rate)} an hour (UK rate, {year})."
        )
        # The call-off's page says the same.
        public = summary_rows(person().get(f"/opportunities/{o.id}"), "conditions")
        assert public == conditions
