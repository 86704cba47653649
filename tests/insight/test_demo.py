"""The demo fills the social value pages: West Yorkshire with its buyers and shared measures,
and a year of returns, so the place page and the buyer's, supplier's and operator's dashboards
all have figures (and the latest return of each demo contract waits for its buyer)."""

import sqlalchemy as sa

from app.extensions import db
from app.organisations.models import Organisation
from app.places import services as places
from insight import demo as insight_demo
from insight import reports
from lots.awards.models import Contract
from lots.awards.schedule import today


def test_the_demo_fills_the_place_page_and_every_dashboard(app, seeded_demo):
    place = places.place_by_slug("west-yorkshire")
    assert place.priority_ids == insight_demo.PRIORITIES
    # Every demo buyer in West Yorkshire is in the place, Wakefield's council among them.
    assert {b.name for b in places.buyers_in(place)} == set(insight_demo.BUYERS)
    report = reports.report(buyer_ids=places.buyer_ids_in(place), measure_ids=place.priority_ids)
    assert report.contracts >= 5
    for m in report.measures:
        assert m.total.delivered, m.measure.id
        assert len(m.by_buyer) >= 2, m.measure.id
    assert len(report.quarters) >= 4
    fte = report.measure("SV-EMP-01").landing
    assert 0 < fte.most_deprived_10 <= fte.most_deprived_20 < fte.delivered

    def organisation(name):
        return db.session.execute(
            sa.select(Organisation).where(Organisation.name == name)
        ).scalar_one()

    pennine = organisation("Pennine Housing Association")
    riverside = organisation("Riverside Community Care CIO")
    assert reports.report(buyer_ids=[pennine.id]).measures
    assert reports.return_counts(today(), buyer_id=pennine.id)["submitted"] == 1
    assert len(reports.report(supplier_id=riverside.id).measure("SV-EMP-01").by_contract) >= 3
    # Running the demo again changes nothing.
    before = db.session.execute(sa.select(sa.func.count()).select_from(Contract)).scalar()
    insight_demo.seed()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Contract)).scalar() == before
