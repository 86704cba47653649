"""Reports add up in the database (each supplier's sums netted, then counted by kind of
supplier): their figures equal a direct count from the spend lines (``reports.summarise`` over
every line, each supplier classified here), for buyers, the whole DPS and a place, every year and
source, and still after a match is accepted, a supplier's kind changes, a contract's months are
added and a second file is imported, for each source and for all (a place's buyers side by side
too): read from the stored sums by kind (``SpendClassSum``, while they hold the classification
of now: no report of any source counts from the supplier sums then) and counted from the
supplier sums (after a change of facts, until they are built again)."""

import random
from datetime import date
from unittest import mock

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.organisations.models import Organisation, StaffBand, TurnoverBand
from lots.awards.models import Contract
from spend import classify, gaps, kinds, reports, services, summaries
from spend.models import SpendLine, SupplierMatch
from tests.lots.helpers import make_buyer
from tests.spend.helpers import import_file, make_world
from tests.spend.test_reports import _contract

NAMES = [
    "Riverside Community Care CIO",
    "Yorkshire Water Services Ltd",
    "Northern Lights Social Enterprise CIC",
    "Riverside Comunity Care",  # a likely match, waiting for review
    "Someone Not Known Ltd",
    "SOMEONE NOT KNOWN LIMITED",  # the same name, written another way
    "Acme Widgets Ltd",
    "REDACTED PERSONAL DATA",
]
CATEGORIES = ["Befriending Services", "Water", "Community Meals", "", "Not given", "Grounds"]
DEPARTMENTS = ["Adults", "Resources", ""]


@pytest.fixture
def world(app):
    return make_world()


def _file(seed, rows):
    rng = random.Random(seed)
    out = ["Payment Date,Supplier Name,Amount,Expense Type,Directorate"]
    for n in range(rows):
        day = date(2023, 1, 1).toordinal() + rng.randrange(0, 3 * 365)
        pounds = rng.randrange(100, 9000)
        if rng.random() < 0.25:
            pounds = -pounds  # credits, some of them more than a supplier's payments in a row
        out.append(
            f"{date.fromordinal(day):%d/%m/%Y},{rng.choice(NAMES)},{pounds},"
            f"{rng.choice(CATEGORIES)},{rng.choice(DEPARTMENTS)},{n}"
        )
    return ("\n".join(out) + "\n").encode()


def _direct(buyer_ids, year, source, per_buyer):
    """The report's tables counted from the lines themselves."""
    stmt = sa.select(SpendLine, Contract.lot_id).outerjoin(
        Contract, Contract.id == SpendLine.contract_id
    )
    if buyer_ids is not None:
        stmt = stmt.where(SpendLine.buyer_id.in_(buyer_ids))
    if source is not None:
        stmt = stmt.where(SpendLine.source == source)
    rows = db.session.execute(stmt).all()
    lines = [line for line, _lot in rows]
    facts = classify.facts_of(line.organisation_id for line in lines)
    listed = classify.register_facts_of(
        line.supplier_key for line in lines if line.organisation_id is None and not line.redacted
    )
    districts = {}
    kinds, names = {}, {}
    for line in lines:
        if line.buyer_id not in districts:
            districts[line.buyer_id] = classify.area_districts(
                db.session.get(Organisation, line.buyer_id)
            )
    items = []
    for line, lot_id in rows:
        if line.redacted:
            who = ("redacted",)
        elif line.organisation_id is not None:
            who = ("organisation", line.organisation_id)
        else:
            who = ("name", line.supplier_key)
        supplier = (line.buyer_id, who) if per_buyer else who
        known = (
            None
            if line.redacted
            else facts.get(line.organisation_id)
            if line.organisation_id is not None
            else listed.get(line.supplier_key)
        )
        kinds[supplier] = classify.kind_for(known, districts[line.buyer_id])
        if line.redacted:
            name = "Redacted payments"
        elif line.organisation_id is not None:
            name = line.organisation.name
        else:
            name = min(line.supplier_name, names.get(supplier, line.supplier_name))
        names[supplier] = name
        items.append((line, lot_id, supplier))
    if per_buyer:
        for (buyer_id, who), name in list(names.items()):
            buyer = db.session.get(Organisation, buyer_id)
            names[(buyer_id, who)] = f"{name}, paid by {buyer.display_name}"
    kind_of = kinds.__getitem__
    fy = reports.financial_year
    in_year = [(l, lot, s) for l, lot, s in items if fy(l.paid_on) == year]
    titles = reports.lot_titles({lot for _l, lot, _s in in_year if lot is not None})
    tables = {
        "years": reports.summarise(
            ((fy(l.paid_on), s, l.amount_pence, 1) for l, _lot, s in items), kind_of
        ),
        "quarters": reports.summarise(
            ((reports.quarter_of(l.paid_on), s, l.amount_pence, 1) for l, _lot, s in in_year),
            kind_of,
        ),
        "categories": reports.summarise(
            ((l.category or "Not given", s, l.amount_pence, 1) for l, _lot, s in in_year), kind_of
        ),
        "departments": reports.summarise(
            ((l.department or "Not given", s, l.amount_pence, 1) for l, _lot, s in in_year),
            kind_of,
        ),
        "lots": reports.summarise(
            (
                (titles.get(lot, reports.NOT_THROUGH_DPS), s, l.amount_pence, 1)
                for l, lot, s in in_year
            ),
            kind_of,
        ),
    }
    by_supplier = reports.summarise(((s, s, l.amount_pence, 1) for l, _lot, s in in_year), kind_of)
    top = sorted(by_supplier.values(), key=lambda r: (-r.spend, names[r.key]))
    top = top[: reports.TOP_SUPPLIERS]
    behind = {}
    for l, _lot, s in in_year:
        key = (l.category or "Not given", s)
        behind[key] = behind.get(key, 0) + l.amount_pence
    return tables, top, kinds, names, behind


def _figures(table):
    return {
        key: (row.spend, row.counted, row.lines, row.suppliers, row.measures)
        for key, row in table.items()
    }


def _check(buyer_ids, source=None):
    per_buyer = buyer_ids is None or len(buyer_ids) > 1
    first = reports.report(buyer_ids, source=source)
    assert first.years, "the data should have spend"
    for year in first.years:
        report = reports.report(buyer_ids, year=year, source=source)
        tables, top, kinds, names, behind = _direct(buyer_ids, year, source, per_buyer)
        assert _figures(report.years) == _figures(tables["years"])
        for name in ("quarters", "categories", "departments", "lots"):
            assert _figures(getattr(report, name)) == _figures(tables[name]), (name, year)
        assert [(r.label, r.spend, r.lines, r.kind) for r in report.suppliers] == [
            (names[r.key], r.spend, r.lines, kinds[r.key]) for r in top
        ]
        for category in report.categories:
            assert sorted(report.behind(category)) == sorted(
                (s, pence) for (c, s), pence in behind.items() if c == category
            )
            # What the gaps add up by kind is what the suppliers behind them come to.
            gap_total = sum(
                pence
                for s, pence in report.behind(category)
                if pence > 0 and gaps.reasons_of(report.kinds[s])
            )
            by_class = sum(
                pence
                for cls, pence in report.category_classes[category].items()
                if gaps.reasons_of(reports.kind_of_class(cls))
            )
            assert gap_total == by_class
        assert report.total_spend == sum(r.spend for r in tables["years"].values())
        if year == max(first.years):
            # A download's narrower count is checked on one year of each state: which tables it
            # counts does not turn on the year (half of this test's time when it was every year).
            _check_alone(report, buyer_ids, year, source)
    return first


def _check_alone(report, buyer_ids, year, source):
    """A download's report (``only`` its table) has that table as the whole report has it, and
    no other but the years."""
    tables = ("quarters", "categories", "departments", "lots")
    for name in (*tables, "suppliers"):
        alone = reports.report(buyer_ids, year=year, source=source, only=(name,))
        assert _figures(alone.years) == _figures(report.years)
        for other in tables:
            if other == name:
                assert _figures(getattr(alone, other)) == _figures(getattr(report, other))
            else:
                assert getattr(alone, other) == {}
        top = [(r.label, r.spend, r.lines, r.kind) for r in alone.suppliers]
        assert top == (
            [(r.label, r.spend, r.lines, r.kind) for r in report.suppliers]
            if name == "suppliers"
            else []
        )
    alone = reports.report(buyer_ids, year=year, source=source, only=("categories",))
    assert alone.category_classes == report.category_classes
    for category in report.categories:
        assert sorted(alone.behind(category)) == sorted(report.behind(category))


def _check_everything(world, others):
    for source in (None, "upload", "dps_contract"):
        if db.session.execute(
            sa.select(sa.func.count())
            .select_from(SpendLine)
            .where(True if source is None else SpendLine.source == source)
        ).scalar():
            _check([world.buyer.id], source)
            _check(None, source)
    ids = [world.buyer.id, *[o.id for o in others]]
    for source in (None, "upload", "dps_contract"):
        _check_side_by_side(ids, source)


def _check_side_by_side(ids, source):
    """A place's buyers side by side (of every source, or of one): each buyer's row is its own
    report's year, and the total is a direct count from the lines."""
    side = reports.by_buyer(ids, year=2024, source=source)
    tables, *_ = _direct(ids, 2024, source, True)
    for row in side.buyers:
        own = reports.report([row.key], year=2024, source=source).years.get(2024)
        if own is None:
            assert row.spend == 0
            continue
        assert (row.spend, row.counted, row.lines, row.suppliers, row.measures) == (
            own.spend,
            own.counted,
            own.lines,
            own.suppliers,
            own.measures,
        )
    whole = tables["years"].get(2024) or reports.Summary(key=2024, label="")
    assert (side.total.spend, side.total.counted, side.total.suppliers, side.total.measures) == (
        whole.spend,
        whole.counted,
        whole.suppliers,
        whole.measures,
    )


def _check_read_stored(ids):
    """While the sums by kind are current, every report (of every source and of each) reads
    them: none counts from the supplier sums."""
    counting = AssertionError("counted from the supplier sums")
    with mock.patch.object(reports, "_suppliers", side_effect=counting):
        for source in (None, "upload", "dps_contract"):
            for buyer_ids in ([ids[0]], None):
                report = reports.report(buyer_ids, source=source)
                for category in report.categories:
                    report.behind(category)
            reports.by_buyer(ids, source=source)


def _both_ways(world, others):
    """Every check from the stored sums by kind, then (a fact changed) from the supplier sums,
    then from the sums by kind built again."""
    ids = [world.buyer.id, *[o.id for o in others]]
    assert reports.stored_current(None)
    for buyer_id in ids:
        assert summaries.class_differences(buyer_id) == []
    _check_read_stored(ids)
    _check_everything(world, others)
    kinds.bump(db.session.connection())
    db.session.commit()
    assert not reports.stored_current(None)
    assert not reports.stored_current([world.buyer.id])
    _check_everything(world, others)
    assert summaries.rebuild_stale() == len([b for b in ids if _has_lines(b)])
    assert reports.stored_current(None)
    _check_everything(world, others)


def _has_lines(buyer_id):
    return db.session.execute(
        sa.select(sa.func.count()).where(SpendLine.buyer_id == buyer_id)
    ).scalar()


def test_reports_added_up_in_the_database_equal_the_lines(world):
    wakefield_user, wakefield = make_buyer(
        world.admin, world.dps, email="w@wakefield.example", name="Wakefield Council"
    )
    wakefield.local_authority_code = "WKF"
    db.session.commit()
    import_file(world.buyer_user, world.buyer, _file(1, 150))
    import_file(wakefield_user, wakefield, _file(2, 80))
    _contract(world, 1_200_000, date(2024, 4, 1), date(2025, 3, 31))
    db.session.commit()
    # (Whatever the call-off's making changed, the job queued after it builds the sums again.)
    summaries.rebuild_stale()
    assert reports.stored_current(None)
    # The contract's months: its supplier's sums by kind taken out and put in again.
    services.sync_contract_spend()
    _both_ways(world, [wakefield])

    # A likely match accepted: the name's lines become Riverside's (a VCSE).
    match = db.session.execute(
        sa.select(SupplierMatch).where(
            SupplierMatch.status == "pending", SupplierMatch.buyer_id == world.buyer.id
        )
    ).scalar_one()
    services.accept_match(world.buyer_user, match)
    _both_ways(world, [wakefield])

    # A supplier's kind changes: Yorkshire Water becomes an SME; Leeds's area takes in Bradford.
    world.large.staff_band = StaffBand.SMALL
    world.large.turnover_band = TurnoverBand.UNDER_1M
    db.session.commit()
    services.set_area(world.buyer_user, world.buyer, ["LDS", "BRD"])
    db.session.commit()
    # The changes were seen: the stored sums by kind are not read until built again.
    assert not reports.stored_current(None)
    report = reports.report([world.buyer.id], year=2024)
    _check_everything(world, [wakefield])
    assert report.kinds[("organisation", world.large.id)].local is True
    summaries.rebuild_stale()
    assert reports.stored_current(None)
    report = reports.report([world.buyer.id], year=2024)
    assert report.kinds[("organisation", world.large.id)].local is True
    _both_ways(world, [wakefield])

    # A second file: new payments, and some the first had (not added twice).
    import_file(world.buyer_user, world.buyer, _file(1, 150) + _file(3, 60).split(b"\n", 1)[1])
    _both_ways(world, [wakefield])
