"""The sums kept per buyer and measure (``lots.awards.figures``, ``SocialValueSum``) that a place's
page and the operator's dashboard read: whatever the data (several buyers, measures of every
rule: sums, latest snapshots, averages, maxima, percentages; returns accepted, queried and
amended, submitted and not yet accepted; promises with nothing delivered; people shared over
postcode sectors in thirds), they give exactly the figures worked out from each commitment,
which are the sum of the contracts' own figures; and they follow every change of a return."""

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.measures import services as measures
from app.reference import social_value
from insight import reports
from lots.awards import figures, returns
from lots.awards import queries as award_queries
from lots.awards.models import (
    Contract,
    SocialValueCommitment,
    SocialValueCoverage,
    SocialValueDelivery,
    SocialValueFigures,
    SocialValueReturn,
    SocialValueReturnCount,
    SocialValueReturnLine,
    SocialValueReturnStamp,
    SocialValueSum,
)
from lots.awards.schedule import make_schedule
from tests.insight.helpers import PRIORITIES as PLACE_PRIORITIES
from tests.insight.helpers import accepted_period, contract, place_world

LEEDS, BRADFORD, MANCHESTER = "Leeds City Council", "Bradford Council", "Manchester Housing"
PLACE = (LEEDS, BRADFORD)
ALL = ["SV-EMP-01", "SV-COM-01", "SV-FW-01", "LA-AVG-01", "LA-MAX-01", "LA-PCT-01"]
AFTER_THIRD_QUARTER = datetime(2027, 10, 5, 9, tzinfo=timezone.utc)
Q = [
    (date(2027, 1, 4), date(2027, 4, 3)),
    (date(2027, 4, 4), date(2027, 7, 3)),
    (date(2027, 7, 4), date(2027, 10, 3)),
]


def add_measure(admin, measure_id, unit, value_type, aggregation):
    measures.add_measure(
        admin,
        {
            "id": measure_id,
            "name": f"Local measure {measure_id}",
            "unit": unit,
            "value_type": value_type,
            "aggregation": aggregation,
            "source": "The council's own list",
        },
    )


@pytest.fixture
def world(app):
    w = place_world()
    add_measure(w.admin, "LA-AVG-01", "hours", "decimal", "average")
    add_measure(w.admin, "LA-MAX-01", "people", "count", "maximum")
    add_measure(w.admin, "LA-PCT-01", "%", "percentage", "average")
    # Leeds: returns through the service (one queried and amended), quarterly.
    a = contract(
        w,
        LEEDS,
        0,
        {"SV-EMP-01": "3", "SV-COM-01": "120", "SV-FW-01": "100", "LA-AVG-01": "10"}
        | {"LA-MAX-01": "5"},
    )
    make_schedule(a, "quarterly")
    db.session.commit()
    # Bradford: periods accepted with people in three sectors (thirds), and a council.
    b = contract(
        w,
        BRADFORD,
        1,
        {"SV-EMP-01": "2", "SV-COM-01": "80", "SV-FW-01": "90", "LA-PCT-01": "50"}
        | {"LA-MAX-01": "4"},
    )
    for (start, end), (emp, com, fw, pct, most) in zip(
        Q[:2], [("2", "10", "80", "40", "3"), ("1", "5.5", "85", "45", "6")], strict=True
    ):
        accepted_period(
            b,
            start,
            end,
            {"SV-EMP-01": emp, "SV-COM-01": com, "SV-FW-01": fw, "LA-PCT-01": pct}
            | {"LA-MAX-01": most},
            sectors={"SV-EMP-01": ["BD1 1", "LS9 8", "EH1 1"]},
            council={"SV-COM-01": "BRD"},
        )
    # A second Leeds contract with another supplier; a Bradford one with nothing delivered.
    c = contract(w, LEEDS, 1, {"SV-COM-01": "40", "LA-AVG-01": "6", "LA-PCT-01": "70"})
    accepted_period(c, *Q[0], {"SV-COM-01": "12.5", "LA-AVG-01": "4", "LA-PCT-01": "60"})
    accepted_period(c, *Q[1], {"SV-COM-01": "2", "LA-AVG-01": "7", "LA-PCT-01": "75"})
    contract(w, BRADFORD, 0, {"SV-FW-01": "95", "LA-AVG-01": "3", "SV-EMP-01": "1"})
    # Manchester, outside the place.
    d = contract(w, MANCHESTER, 0, {"SV-EMP-01": "9", "SV-COM-01": "999", "LA-MAX-01": "7"})
    accepted_period(d, *Q[0], {"SV-EMP-01": "9", "SV-COM-01": "500", "LA-MAX-01": "2"})
    w.a = a
    return w


def values(c, **typed):
    by = {x.measure_id: x.id for x in c.commitments}
    return {by[m.replace("_", "-")]: v for m, v in typed.items()}


def leeds_returns(w):
    """Q1 submitted, queried, amended and accepted; Q2 accepted; Q3 submitted only."""
    supplier_user, buyer_user = w.suppliers[0][0], w.buyers[LEEDS][0]
    a = w.a
    emp = next(x.id for x in a.commitments if x.measure_id == "SV-EMP-01")
    q1, q2, q3 = a.returns[:3]
    typed = dict(SV_EMP_01="2", SV_COM_01="30", SV_FW_01="96", LA_AVG_01="8", LA_MAX_01="2")
    returns.submit_return(
        supplier_user, q1, values(a, **typed), note="Rota", postcodes={emp: "LS9 8AA"}
    )
    returns.query_return(buyer_user, q1, "The hours look high")
    typed["SV_COM_01"] = "26"
    returns.submit_return(
        supplier_user, q1, values(a, **typed), note="Rota, corrected", postcodes={emp: "LS9 8AA"}
    )
    returns.accept_return(buyer_user, q1)
    typed = dict(SV_EMP_01="3", SV_COM_01="30", SV_FW_01="100", LA_AVG_01="11", LA_MAX_01="4")
    returns.submit_return(
        supplier_user,
        q2,
        values(a, **typed),
        note="Payroll",
        postcodes={emp: "LS9 8AA\nBD1 1JS\nLS16 8AA"},
    )
    returns.accept_return(buyer_user, q2)
    typed = dict(SV_EMP_01="4", SV_COM_01="1", SV_FW_01="70", LA_AVG_01="2", LA_MAX_01="9")
    returns.submit_return(
        supplier_user, q3, values(a, **typed), note="Payroll", postcodes={emp: "LS9 8AA"}
    )
    return q3


def buyer_ids(w, names):
    return [w.buyers[n][1].id for n in names]


def from_sums_only(monkeypatch, **kwargs):
    """The fast report, refusing to read a row per commitment (so it can only be the sums)."""

    def refused(*args, **kw):
        raise AssertionError("read a row per commitment")

    with monkeypatch.context() as m:
        m.setattr(reports, "_commitments", refused)
        return reports.report(breakdowns={"buyer"}, **kwargs)


def slow(**kwargs):
    return reports.report_from_commitments(breakdowns={"buyer"}, **kwargs)


def selections(w):
    return [
        dict(buyer_ids=buyer_ids(w, PLACE), measure_ids=["SV-EMP-01", "SV-COM-01", "SV-FW-01"]),
        dict(buyer_ids=buyer_ids(w, PLACE), measure_ids=ALL),
        dict(buyer_ids=buyer_ids(w, [MANCHESTER]), measure_ids=None),
        dict(buyer_ids=None, measure_ids=None),  # the operator's: every contract
    ]


def contracts_total(w, names, measure_id):
    """What the contracts' own pages say for the measure, put together as a report does:
    (promised, delivered, commitments)."""
    mine = [
        (x.promised, d)
        for c in db.session.execute(
            sa.select(Contract)
            .where(Contract.buyer_id.in_(buyer_ids(w, names)))
            .order_by(Contract.id)
        ).scalars()
        for x, d in award_queries.promised_and_delivered(c)
        if x.measure_id == measure_id
    ]
    value_type = social_value.get(measure_id).value_type
    return (
        social_value.combine(value_type, [p for p, _ in mine]),
        social_value.combine(value_type, [d for _, d in mine]),
        len(mine),
    )


def test_the_sums_give_the_figures_of_every_commitment_and_of_the_contracts(world, monkeypatch):
    with time_machine.travel(AFTER_THIRD_QUARTER, tick=False):
        leeds_returns(world)
    assert figures.differences() == [] and figures.sum_differences() == []
    for chosen in selections(world):
        assert from_sums_only(monkeypatch, **chosen) == slow(**chosen)

    place = from_sums_only(monkeypatch, buyer_ids=buyer_ids(world, PLACE), measure_ids=ALL)
    for measure_id in ALL:
        total = place.measure(measure_id).total
        assert (total.promised, total.delivered, total.contracts) == contracts_total(
            world, PLACE, measure_id
        )
    # FTE is a snapshot: Leeds's latest accepted (3), Bradford's (1) and nothing yet: never a sum
    # of periods.
    assert place.measure("SV-EMP-01").total.delivered == Decimal(4)
    # Hours add up over periods and contracts: 26 + 30 (the amended Q1, not the 30 first sent),
    # 10 + 5.5, 12.5 + 2; the submitted Q3 is not counted.
    assert place.measure("SV-COM-01").total.delivered == Decimal("86")
    # Averages of periods (9.5 and 5.5; the promise-only contract has none), then added.
    assert place.measure("LA-AVG-01").total.delivered == Decimal("15.00")
    # The highest period of each contract (4 and 6), added.
    assert place.measure("LA-MAX-01").total.delivered == Decimal(10)
    # Percentages: each contract's latest (100, 85), then averaged, never added.
    fw = place.measure("SV-FW-01").total
    assert (fw.delivered, fw.promised, fw.contracts) == (Decimal("92.50"), Decimal("95.00"), 3)
    # Where it landed, by the same rule (the latest period's): Leeds's 3 over LS9 8, BD1 1 and
    # LS16 8 put one in the most deprived 10% (BD1 1); Bradford's 1 over three sectors, a third.
    landing = place.measure("SV-EMP-01").landing
    assert landing.most_deprived_10 == Decimal(1) + Decimal(1) / 3
    by_buyer = dict(place.measure("SV-COM-01").by_buyer)
    assert by_buyer[LEEDS].delivered == Decimal("70.5")
    assert by_buyer[BRADFORD].delivered == Decimal("15.5")
    assert place.contracts == 4


def test_returns_by_where_they_stand_count_the_accepted_as_they_are_accepted(world):
    with time_machine.travel(AFTER_THIRD_QUARTER, tick=False):
        leeds_returns(world)
    assert figures.return_count_differences() == []
    leeds, manchester = buyer_ids(world, [LEEDS, MANCHESTER])
    supplier_ids = [org.id for _, org in world.suppliers]
    for on in (date(2027, 4, 20), date(2027, 10, 5), date(2028, 3, 1)):
        for who in (
            {},
            {"buyer_id": leeds},
            {"buyer_id": manchester},
            {"supplier_id": supplier_ids[0]},
            {"buyer_id": leeds, "supplier_id": supplier_ids[1]},
        ):
            assert reports.return_counts(on, **who) == reports.return_counts_from_returns(on, **who)
    # Leeds: Q1 and Q2 through the service; Bradford 2, the second Leeds contract 2, Manchester 1.
    assert reports.return_counts(date(2027, 10, 5))["accepted"] == 7
    assert reports.return_counts(date(2027, 10, 5), buyer_id=leeds)["submitted"] == 1
    db.session.execute(sa.delete(SocialValueReturnCount))
    db.session.commit()
    assert figures.return_count_differences() != []
    figures.rebuild_all()
    assert figures.return_count_differences() == []


def test_the_sums_follow_a_return_accepted_after_a_query(world, monkeypatch):
    with time_machine.travel(AFTER_THIRD_QUARTER, tick=False):
        q3 = leeds_returns(world)
        buyer_user, supplier_user = world.buyers[LEEDS][0], world.suppliers[0][0]
        chosen = dict(buyer_ids=buyer_ids(world, PLACE), measure_ids=ALL)
        before = from_sums_only(monkeypatch, **chosen)
        returns.query_return(buyer_user, q3, "Nine people at once?")
        assert from_sums_only(monkeypatch, **chosen) == before  # a query changes nothing
        typed = dict(SV_EMP_01="4", SV_COM_01="1", SV_FW_01="70", LA_AVG_01="2", LA_MAX_01="5")
        emp = next(x.id for x in world.a.commitments if x.measure_id == "SV-EMP-01")
        returns.submit_return(
            supplier_user,
            q3,
            values(world.a, **typed),
            note="Corrected",
            postcodes={emp: "BD1 1JS"},
        )
        returns.accept_return(buyer_user, q3)
    after = from_sums_only(monkeypatch, **chosen)
    assert after == slow(**chosen)
    assert figures.sum_differences() == []
    change = {
        m: after.measure(m).total.delivered - before.measure(m).total.delivered
        for m in ("SV-EMP-01", "SV-COM-01", "SV-FW-01", "LA-MAX-01")
    }
    # The latest FTE 3 -> 4, hours + 1, Leeds's latest percentage 100 -> 70 (averaged with
    # Bradford's 85: 92.50 -> 77.50), its highest 4 -> 5.
    assert change == {
        "SV-EMP-01": Decimal(1),
        "SV-COM-01": Decimal(1),
        "SV-FW-01": Decimal(-15),
        "LA-MAX-01": Decimal(1),
    }
    # Leeds's latest now 4 people, all in BD1 1; Bradford's third as before.
    assert after.measure("SV-EMP-01").landing.most_deprived_10 == Decimal(4) + Decimal(1) / 3


def test_commitments_without_stored_figures_are_worked_out_and_the_rebuild_repairs(
    world, monkeypatch
):
    with time_machine.travel(AFTER_THIRD_QUARTER, tick=False):
        leeds_returns(world)
    chosen = [dict(buyer_ids=None, measure_ids=None), *selections(world)[:2]]
    wanted = [slow(**c) for c in chosen]
    # A commitment written straight onto the rows (no figures, not in the sums): its buyer's
    # measure is added up from its commitments instead.
    db.session.add(
        SocialValueCommitment(contract_id=world.a.id, measure_id="SV-EMP-02", promised=7)
    )
    db.session.commit()
    mixed = reports.report(breakdowns={"buyer"}, buyer_ids=None, measure_ids=None)
    assert mixed == slow(buyer_ids=None, measure_ids=None)
    assert mixed.measure("SV-EMP-02").total.promised == 7
    # Sums lost (or a database from before them): still right, and the rebuild puts them back.
    db.session.execute(sa.delete(SocialValueSum))
    db.session.commit()
    assert reports.report(breakdowns={"buyer"}) == slow()
    assert figures.sum_differences() != []
    figures.rebuild_all()
    assert figures.sum_differences() == []
    assert from_sums_only(monkeypatch) == slow()
    db.session.execute(
        sa.delete(SocialValueCommitment).where(SocialValueCommitment.measure_id == "SV-EMP-02")
    )
    db.session.commit()
    for c, want in zip(chosen, wanted, strict=True):
        assert reports.report(breakdowns={"buyer"}, **c) == want


def test_sums_out_of_step_are_added_up_again_when_a_figure_changes(world, monkeypatch):
    chosen = dict(buyer_ids=buyer_ids(world, PLACE), measure_ids=ALL)
    leeds = buyer_ids(world, [LEEDS])[0]
    db.session.execute(sa.delete(SocialValueSum).where(SocialValueSum.buyer_id == leeds))
    db.session.commit()
    assert reports.report(breakdowns={"buyer"}, **chosen) == slow(**chosen)
    with time_machine.travel(AFTER_THIRD_QUARTER, tick=False):
        leeds_returns(world)  # each acceptance finds the sums of its measures missing
    # Leeds's measures that a return touched are added up again from the figures; the one only
    # its other contract uses (no return since) is still missing, and worked out when read.
    assert {k[1] for k in figures.sum_differences(buyer_ids=[leeds])} == {"LA-PCT-01"}
    assert reports.report(breakdowns={"buyer"}, **chosen) == slow(**chosen)
    figures.rebuild_sums()
    assert figures.sum_differences() == []
    assert from_sums_only(monkeypatch, **chosen) == slow(**chosen)


thirds = st.builds(
    lambda whole, parts: Decimal(whole) + Decimal(parts) / 3,
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=0, max_value=2),
)


@settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(thirds, max_size=20),
    st.lists(st.integers(min_value=0, max_value=4), max_size=20),
    st.sampled_from(["count", "decimal", "percentage"]),
)
def test_figures_added_in_any_groups_and_order_come_to_the_same(values, groups, value_type):
    """What a report shows from the sums per buyer (any grouping, any order, with figures taken
    off again) is exactly ``combine`` of the figures."""
    grouped = [[] for _ in range(5)]
    for i, v in enumerate(values):
        grouped[groups[i] if i < len(groups) else 0].append(v)
    with_noise = figures.Sums()
    for g, members in enumerate(grouped):
        for v in reversed(members):
            with_noise.add(g, "M", None, (v, {}, {}, {}))
            with_noise.add(g, "M", None, (v + Decimal(1) / 7, {}, {}, {}))
            with_noise.add(g, "M", None, (v + Decimal(1) / 7, {}, {}, {}), sign=-1)
    cells = [
        {(d, k): tuple(v) for (b, _, d, k), v in with_noise.rows.items() if b == g}
        for g in range(5)
    ]
    total = reports._total(value_type, cells, "delivered")
    assert total == social_value.combine(value_type, values)
    assert total == social_value.combine(value_type, list(reversed(values)))


# --- What the pages keep: coverage and stamps kept by triggers, reports and counts kept -------


def test_the_coverage_the_triggers_keep_follows_every_write(world):
    """Commitments and figures counted per buyer and measure by the database's triggers equal a
    count from the rows after writes through the services and straight onto the rows: a
    commitment added without figures, a figure deleted, a commitment deleted (its figure goes by
    cascade), a contract given to another buyer; each changes the stamps of what it touched."""

    def stamps():
        return {
            (v.buyer_id, v.measure_id): v.stamp
            for v in db.session.execute(sa.select(SocialValueCoverage)).scalars()
        }

    with time_machine.travel(AFTER_THIRD_QUARTER, tick=False):
        leeds_returns(world)
    assert figures.coverage_differences() == []
    leeds, bradford = buyer_ids(world, [LEEDS, BRADFORD])
    before = stamps()
    db.session.add(
        SocialValueCommitment(contract_id=world.a.id, measure_id="SV-EMP-02", promised=7)
    )
    db.session.commit()
    assert figures.coverage_differences() == []
    assert figures.coverage_counted()[leeds, "SV-EMP-02"] == (1, 0)
    after = stamps()
    assert after[leeds, "SV-EMP-02"] not in (None, before.get((leeds, "SV-EMP-02")))
    emp = next(x.id for x in world.a.commitments if x.measure_id == "SV-EMP-01")
    db.session.execute(sa.delete(SocialValueFigures).where(SocialValueFigures.commitment_id == emp))
    db.session.commit()
    assert figures.coverage_differences() == []
    assert stamps()[leeds, "SV-EMP-01"] != after[leeds, "SV-EMP-01"]
    com = next(x.id for x in world.a.commitments if x.measure_id == "SV-COM-01")
    db.session.execute(
        sa.delete(SocialValueDelivery).where(SocialValueDelivery.commitment_id == com)
    )
    db.session.execute(
        sa.delete(SocialValueReturnLine).where(SocialValueReturnLine.commitment_id == com)
    )
    db.session.execute(sa.delete(SocialValueCommitment).where(SocialValueCommitment.id == com))
    db.session.commit()
    assert figures.coverage_differences() == []
    moved = stamps()
    db.session.execute(
        sa.update(Contract).where(Contract.id == world.a.id).values(buyer_id=bradford)
    )
    db.session.commit()
    assert figures.coverage_differences() == []
    now = stamps()
    assert all(now[leeds, m] != moved[leeds, m] for m in ("SV-EMP-01", "SV-FW-01"))
    assert all(now[bradford, m] != moved[bradford, m] for m in ("SV-EMP-01", "SV-FW-01"))
    # A promise changed by hand stamps its buyer's measure.
    db.session.execute(
        sa.update(SocialValueCommitment)
        .where(SocialValueCommitment.contract_id == world.a.id)
        .values(promised=1)
    )
    db.session.commit()
    assert stamps()[bradford, "SV-FW-01"] != now[bradford, "SV-FW-01"]
    # And the reports follow all of it: what they kept is never read under the new stamps.
    for chosen in selections(world):
        assert reports.report(breakdowns={"buyer"}, **chosen) == slow(**chosen)


def test_a_kept_report_is_read_again_until_something_it_depends_on_changes(world, monkeypatch):
    with time_machine.travel(AFTER_THIRD_QUARTER, tick=False):
        q3 = leeds_returns(world)
    chosen = dict(buyer_ids=buyer_ids(world, PLACE), measure_ids=ALL)
    first = from_sums_only(monkeypatch, **chosen)
    assert first.key is not None
    # Read again with nothing changed: the same report, reading neither sums nor contracts.
    with monkeypatch.context() as m:
        m.setattr(reports, "_cells", lambda *a, **k: pytest.fail("worked out again"))
        m.setattr(reports, "_contracts", lambda *a, **k: pytest.fail("counted again"))
        assert reports.report(breakdowns={"buyer"}, **chosen) is first
    # A return accepted, a buyer renamed, a measure's money value set: each gives a new report
    # that equals the straightforward one.
    with time_machine.travel(AFTER_THIRD_QUARTER, tick=False):
        returns.accept_return(world.buyers[LEEDS][0], q3)
    second = from_sums_only(monkeypatch, **chosen)
    assert second is not first and second == slow(**chosen)
    assert second.measure("SV-COM-01").total.delivered == (
        first.measure("SV-COM-01").total.delivered + 1
    )
    world.buyers[BRADFORD][1].trading_name = "Bradford Metropolitan"
    db.session.commit()
    third = from_sums_only(monkeypatch, **chosen)
    assert "Bradford Metropolitan" in dict(third.measure("SV-COM-01").by_buyer)
    assert third == slow(**chosen)
    measures.set_proxy(world.admin, "SV-COM-01", "15", "A council's own estimate", "2027")
    fourth = from_sums_only(monkeypatch, **chosen)
    assert fourth.measure("SV-COM-01").estimate_pence is not None
    assert fourth == slow(**chosen)
    # Sums changed by hand (no service): the stamps change all the same.
    leeds = buyer_ids(world, [LEEDS])[0]
    db.session.execute(sa.delete(SocialValueSum).where(SocialValueSum.buyer_id == leeds))
    db.session.commit()
    assert reports.report(breakdowns={"buyer"}, **chosen) == slow(**chosen)


def test_the_figures_rendered_once_are_those_of_the_straightforward_report(world, client):
    """The pages' figures kept as HTML under the report's key are the HTML of the report worked
    out from each commitment."""
    from insight import views

    with time_machine.travel(AFTER_THIRD_QUARTER, tick=False):
        leeds_returns(world)
    chosen = dict(buyer_ids=buyer_ids(world, PLACE), measure_ids=PLACE_PRIORITIES)
    with client.application.test_request_context():
        for _ in range(2):  # made, then kept
            kept = views.figures_html(
                "insight/_place_figures.html",
                reports.report(breakdowns={"buyer"}, **chosen),
                place_name="West Yorkshire",
            )
            plain = views.figures_html(
                "insight/_place_figures.html", slow(**chosen), place_name="West Yorkshire"
            )
            assert kept == plain
        every = dict(buyer_ids=None, measure_ids=None)
        for _ in range(2):
            kept = views.figures_html(
                "insight/_dashboard_figures.html",
                reports.report(breakdowns={"buyer"}, **every),
                breakdown="buyer",
            )
            assert kept == views.figures_html(
                "insight/_dashboard_figures.html", slow(**every), breakdown="buyer"
            )
    page = client.get("/places/west-yorkshire")
    assert page.status_code == 200
    assert str(kept.__class__.__name__) == "Markup"


def test_the_dps_return_counts_kept_follow_every_change_to_returns_and_counts(world):
    with time_machine.travel(AFTER_THIRD_QUARTER, tick=False):
        q3 = leeds_returns(world)
    on = date(2027, 10, 5)
    first = reports.return_counts(on)
    assert first == reports.return_counts_from_returns(on)
    assert reports.return_counts(on) == first  # kept
    with time_machine.travel(AFTER_THIRD_QUARTER, tick=False):
        returns.query_return(world.buyers[LEEDS][0], q3, "Nine people at once?")
    assert reports.return_counts(on) == reports.return_counts_from_returns(on) != first
    # By hand: a return's status, then the numbers accepted.
    db.session.execute(
        sa.update(SocialValueReturn)
        .where(SocialValueReturn.id == q3.id)
        .values(status="submitted", query_reason=None)
    )
    db.session.commit()
    assert reports.return_counts(on) == reports.return_counts_from_returns(on)
    db.session.execute(sa.delete(SocialValueReturnCount))
    db.session.commit()
    assert reports.return_counts(on)["accepted"] == 0
    assert reports.return_counts(date(2028, 3, 1)) == reports.return_counts(date(2028, 3, 1))


def test_the_coverage_triggers_on_sqlite(sqlite_app):
    """The same triggers on SQLite (``make run``), written straight onto the rows: commitments
    added, figures added and deleted, a contract moved, a commitment deleted (SQLite does not
    cascade here: its figure is left, counted by neither)."""
    statements = [
        "INSERT INTO contracts (id, opportunity_id, buyer_id, supplier_id, lot_id, value_pence,"
        " start_date, end_date, supplier_is_vcse, supplier_is_sme, entered_at) VALUES"
        " (1, 1, 7, 9, 1, 100, '2027-01-01', '2028-01-01', 1, 1, '2027-01-01'),"
        " (2, 2, 8, 9, 1, 100, '2027-01-01', '2028-01-01', 1, 1, '2027-01-01')",
        "INSERT INTO social_value_commitments (id, contract_id, measure_id, promised) VALUES"
        " (1, 1, 'SV-EMP-01', 3), (2, 1, 'SV-COM-01', 4), (3, 2, 'SV-EMP-01', 5)",
        "INSERT INTO social_value_figures (commitment_id, delivered, periods, quarters, landing,"
        " councils) VALUES (1, '1', 1, '[]', '{}', '{}'), (3, '2', 1, '[]', '{}', '{}')",
        "UPDATE contracts SET buyer_id = 8 WHERE id = 1",
        "DELETE FROM social_value_commitments WHERE id = 1",
        "DELETE FROM social_value_figures WHERE commitment_id IN (1, 3)",
        "UPDATE social_value_commitments SET measure_id = 'SV-FW-01' WHERE id = 2",
    ]
    seen = set()
    for statement in statements:
        db.session.execute(sa.text(statement))
        db.session.commit()
        assert figures.coverage_differences() == []
        stamps = tuple(
            db.session.execute(
                sa.select(SocialValueCoverage.stamp).order_by("buyer_id", "measure_id")
            )
            .scalars()
            .all()
        )
        assert stamps not in seen
        seen.add(stamps)
    assert figures.coverage_counted() == {(8, "SV-EMP-01"): (1, 0), (8, "SV-FW-01"): (1, 0)}
    db.session.execute(
        sa.text(
            "INSERT INTO social_value_returns (contract_id, period_start, period_end, due_on,"
            " status, evidence_ids, submissions) VALUES"
            " (2, '2027-01-01', '2027-01-31', '2027-02-14', 'awaiting', '[]', 0)"
        )
    )
    db.session.commit()
    assert db.session.execute(sa.select(SocialValueReturnStamp.buyer_id)).scalars().all() == [8]


def test_the_place_page_kept_for_people_not_signed_in_is_the_page_made_afresh(world, client):
    """Kept whole (but its nonce) under the report's key: read again, it is the same page with
    its own nonce; after a return is accepted, the page made afresh."""
    import re

    def read():
        page = client.get("/places/west-yorkshire")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        nonces = set(re.findall(r'nonce="([^"]+)"', html))
        assert len(nonces) == 1
        return html.replace(nonces.pop(), "NONCE"), html

    def afresh():
        for name in ("insight.pages", "insight.fragments", "insight.reports"):
            client.application.extensions.pop(name, None)
        return read()

    first, raw_first = read()
    second, raw_second = read()
    assert second == first and raw_second != raw_first  # kept, with a nonce of its own
    with time_machine.travel(AFTER_THIRD_QUARTER, tick=False):
        leeds_returns(world)
    after, _ = read()
    assert after != first
    assert after == afresh()[0]


def test_coverage_out_of_step_is_recounted_by_the_rebuild(world):
    """Coverage written with the triggers off (or restored in part) is wrong until the rebuild
    recounts it, with new stamps."""
    leeds = buyer_ids(world, [LEEDS])[0]
    db.session.execute(
        sa.update(SocialValueCoverage)
        .where(SocialValueCoverage.buyer_id == leeds)
        .values(commitments=99)
    )
    db.session.execute(
        sa.delete(SocialValueCoverage).where(SocialValueCoverage.measure_id == "SV-FW-01")
    )
    db.session.commit()
    wrong = figures.coverage_differences()
    assert (leeds, "SV-COM-01") in wrong and (leeds, "SV-FW-01") in wrong
    figures.rebuild_all()
    assert figures.coverage_differences() == []
    for chosen in selections(world):
        assert reports.report(breakdowns={"buyer"}, **chosen) == slow(**chosen)
