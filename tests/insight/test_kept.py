"""What the reports keep per buyer and per organisation (``insight.reports``): after a change
to one buyer's figures only its part is read again, and the organisations' dashboards and the
CSV downloads (worked out from each commitment) are kept until anything they name or count
changes. Each time, the figures equal those worked out afresh."""

import sqlalchemy as sa
import time_machine

from app.extensions import db
from insight import reports, views
from lots.awards import returns
from lots.awards.models import Contract, SocialValueSum
from lots.opportunities.models import Opportunity
from tests.insight import test_sums
from tests.insight.test_sums import (
    AFTER_THIRD_QUARTER,
    ALL,
    LEEDS,
    MANCHESTER,
    PLACE,
    buyer_ids,
    leeds_returns,
    slow,
)

world = test_sums.world  # the fixture


def read_again(**chosen):
    """The report from the sums, with the parameters of the statements that read sums and
    counted contracts."""
    read = {"cells": [], "contracts": []}

    def noted(conn, cursor, statement, parameters, context, executemany):
        if "FROM social_value_sums" in statement:
            read["cells"].append(parameters)
        if "FROM contracts" in statement and "EXISTS" in statement:
            read["contracts"].append(parameters)

    engine = db.session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", noted)
    try:
        made = reports.report(breakdowns={"buyer"}, **chosen)
    finally:
        sa.event.remove(engine, "before_cursor_execute", noted)
    return made, read


def test_after_one_buyers_change_only_its_cells_and_contracts_are_read(world, monkeypatch):
    with time_machine.travel(AFTER_THIRD_QUARTER, tick=False):
        q3 = leeds_returns(world)
    every = dict(buyer_ids=None, measure_ids=None)
    place = dict(buyer_ids=buyer_ids(world, PLACE), measure_ids=ALL)
    first, read = read_again(**every)
    assert read["cells"] and read["contracts"] and first == slow(**every)
    # The place's buyers' measures are among every buyer's: their cells are not read again.
    in_place, read = read_again(**place)
    assert not read["cells"] and read["contracts"] and in_place == slow(**place)
    # Leeds's return accepted: Leeds's measures read again, no one else's.
    with time_machine.travel(AFTER_THIRD_QUARTER, tick=False):
        returns.accept_return(world.buyers[LEEDS][0], q3)
    leeds = buyer_ids(world, [LEEDS])[0]
    again, read = read_again(**every)
    assert again == slow(**every) and again != first
    [cells] = read["cells"]
    assert [v for k, v in cells.items() if k.startswith("buyer_id")] == [leeds]
    # A return changes figures, not commitments; but Leeds's stamps moved, so its contracts
    # were counted again, and only its.
    [contracts] = read["contracts"]
    assert [v for k, v in contracts.items() if k.startswith("buyer_id")] == [leeds]
    again, read = read_again(**place)
    assert again == slow(**place) and again != in_place
    assert not read["cells"]  # Leeds's read just before
    # A contract moved to another buyer by hand: both buyers' parts follow.
    moved = db.session.execute(
        sa.select(Contract).where(Contract.buyer_id == buyer_ids(world, [MANCHESTER])[0])
    ).scalar_one()
    moved.buyer_id = leeds
    db.session.commit()
    for chosen in (every, place):
        assert reports.report(breakdowns={"buyer"}, **chosen) == slow(**chosen)
    # Sums deleted by hand: worked out from the commitments, equal, and not kept.
    db.session.execute(sa.delete(SocialValueSum).where(SocialValueSum.buyer_id == leeds))
    db.session.commit()
    for chosen in (every, place):
        assert reports.report(breakdowns={"buyer"}, **chosen) == slow(**chosen)
        assert reports.report(breakdowns={"buyer"}, **chosen) == slow(**chosen)


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


def test_the_parts_kept_per_buyer_are_read_alike_on_sqlite(sqlite_app):
    """The statements that read one buyer's part (``make run``'s SQLite): contracts counted
    per buyer, with and without the measures, and sums read for a few pairs."""
    for statement in (
        "INSERT INTO contracts (id, opportunity_id, buyer_id, supplier_id, lot_id, value_pence,"
        " start_date, end_date, supplier_is_vcse, supplier_is_sme, entered_at) VALUES"
        " (1, 1, 7, 9, 1, 100, '2027-01-01', '2028-01-01', 1, 1, '2027-01-01'),"
        " (2, 2, 8, 9, 1, 100, '2027-01-01', '2028-01-01', 1, 1, '2027-01-01'),"
        " (3, 3, 8, 9, 1, 100, '2027-01-01', '2028-01-01', 1, 1, '2027-01-01')",
        "INSERT INTO social_value_commitments (id, contract_id, measure_id, promised) VALUES"
        " (1, 1, 'SV-EMP-01', 3), (2, 1, 'SV-COM-01', 4), (3, 2, 'SV-EMP-01', 5),"
        " (4, 3, 'SV-COM-01', 6), (5, 2, 'SV-COM-01', 1)",
        "INSERT INTO social_value_figures (commitment_id, delivered, periods, quarters, landing,"
        " councils) VALUES (3, '2', 1, '[]', '{}', '{}'), (4, '1', 1, '[]', '{}', '{}'),"
        " (5, '1', 1, '[]', '{}', '{}')",
        "INSERT INTO social_value_sums (buyer_id, measure_id, dimension, key, amount, n) VALUES"
        " (8, 'SV-EMP-01', 'commitments', '', '0', 1), (8, 'SV-EMP-01', 'delivered', '', '2', 1),"
        " (8, 'SV-COM-01', 'commitments', '', '0', 2), (8, 'SV-COM-01', 'promised', '', '7', 2)",
    ):
        db.session.execute(sa.text(statement))
    db.session.commit()
    coverage, _ = reports._coverage(None, None)
    assert reports._contracts(None, None, coverage) == 3
    com, _ = reports._coverage([8], ["SV-COM-01"])
    assert reports._contracts([8], ["SV-COM-01"], com) == 2
    assert reports._contracts([8], ["SV-COM-01"], com) == 2  # kept
    mine, _ = reports._coverage([8], None)
    cells, behind = reports._cells([8], None, mine)
    assert not behind and cells[8, "SV-COM-01"][("promised", "")] == (7, 2)
    # One pair's sums changed by hand: its stamp moves, and only it is read again.
    db.session.execute(
        sa.text("UPDATE social_value_sums SET amount = '8' WHERE dimension = 'promised'")
    )
    db.session.commit()
    again, _ = reports._coverage([8], None)
    assert [row for row in again if row[1] == "SV-EMP-01"] == [
        row for row in mine if row[1] == "SV-EMP-01"
    ]
    cells, behind = reports._cells([8], None, again)
    assert not behind and cells[8, "SV-COM-01"][("promised", "")] == (8, 2)
    assert cells[8, "SV-EMP-01"][("delivered", "")] == (2, 1)
