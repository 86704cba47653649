"""What the reports keep per organisation (``insight.reports``): the organisations' dashboards
and the CSV downloads (worked out from each commitment) are kept until anything they name or
count changes. Each time, the figures equal those worked out afresh."""

import time_machine

from app.extensions import db
from insight import reports, views
from lots.awards import returns
from lots.opportunities.models import Opportunity
from tests.insight import test_sums
from tests.insight.test_sums import (
    AFTER_THIRD_QUARTER,
    ALL,
    LEEDS,
    PLACE,
    buyer_ids,
    leeds_returns,
)

world = test_sums.world  # the fixture


def plain(**chosen):
    return reports.report_from_commitments(**chosen)


def test_organisations_reports_are_kept_until_what_they_show_changes(world, monkeypatch):
    with time_machine.travel(AFTER_THIRD_QUARTER, tick=False):
        q3 = leeds_returns(world)
    leeds = buyer_ids(world, [LEEDS])[0]
    kirkstall = world.suppliers[0][1]
    choices = [
        dict(buyer_ids=[leeds]),
        dict(supplier_id=kirkstall.id),
        dict(),  # the operator's CSV
        dict(buyer_ids=buyer_ids(world, PLACE), measure_ids=ALL),  # a place's CSV
    ]
    first = [reports.report(**chosen) for chosen in choices]
    for chosen, made in zip(choices, first, strict=True):
        assert made.key is not None and made == plain(**chosen)
    # Read again with nothing changed: the same reports, no commitment read.
    with monkeypatch.context() as m:
        m.setattr(reports, "_commitments", lambda *a, **k: (_ for _ in ()).throw(AssertionError))
        for chosen, made in zip(choices, first, strict=True):
            assert reports.report(**chosen) is made

    def each_equal_and_new(before):
        after = [reports.report(**chosen) for chosen in choices]
        for chosen, made in zip(choices, after, strict=True):
            assert made == plain(**chosen)
        assert all(a is not b for a, b in zip(after, before, strict=True))
        return after

    # A return accepted (Leeds, Kirkstall's contract): every one of them counts it.
    with time_machine.travel(AFTER_THIRD_QUARTER, tick=False):
        returns.accept_return(world.buyers[LEEDS][0], q3)
    second = each_equal_and_new(first)
    # The supplier renamed, a contract's title changed by hand: the names follow.
    kirkstall.trading_name = "Kirkstall Care"
    db.session.commit()
    third = each_equal_and_new(second)
    assert "Kirkstall Care" in dict(third[0].measure("SV-COM-01").by_supplier)
    opportunity = db.session.get(Opportunity, world.a.opportunity_id)
    opportunity.title = "Care at home, Kirkstall"
    db.session.commit()
    fourth = [reports.report(**chosen) for chosen in choices]
    assert fourth[0] == plain(**choices[0])
    titles = {row.title for row, _ in fourth[0].measure("SV-COM-01").by_contract}
    assert "Care at home, Kirkstall" in titles
    # A contract given to another supplier by hand: the supplier's report follows.
    world.a.supplier_id = world.suppliers[1][1].id
    db.session.commit()
    for chosen in choices:
        assert reports.report(**chosen) == plain(**chosen)
    assert reports.report(supplier_id=kirkstall.id).contracts == fourth[1].contracts - 1


def test_the_organisations_dashboard_and_csv_are_those_of_the_report_afresh(world, client):
    with time_machine.travel(AFTER_THIRD_QUARTER, tick=False):
        leeds_returns(world)
    leeds = buyer_ids(world, [LEEDS])[0]
    with client.application.test_request_context():
        for _ in range(2):  # made, then kept
            kept = views.figures_html(
                "insight/_dashboard_figures.html",
                reports.report(buyer_ids=[leeds]),
                breakdown="contract",
                other="Supplier",
            )
            assert kept == views.figures_html(
                "insight/_dashboard_figures.html",
                plain(buyer_ids=[leeds]),
                breakdown="contract",
                other="Supplier",
            )
            rows = list(views.report_rows(reports.report(buyer_ids=[leeds]), contracts=True))
            assert rows == list(views.report_rows(plain(buyer_ids=[leeds]), contracts=True))


def test_bars_are_clipped_to_their_track():
    def width(svg):
        return str(svg).split('app-bar__fill" width="')[1].split('"')[0]

    assert width(views.bar(None)) == width(views.bar(5, 0)) == "0.0"
    assert width(views.bar(-3)) == "0.0"
    assert width(views.bar(250)) == "100.0"
    assert width(views.bar(1, 3)) == "33.3"
    assert 'aria-hidden="true"' in str(views.bar(50))
