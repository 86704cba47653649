"""Promised and delivered, read across contracts: per measure, by buyer, supplier, contract and
quarter, and where the benefit landed (the share in the most deprived neighbourhoods).

Each contract's delivery is first added up over its periods by the measure's own rule
(``social_value.aggregate``: a sum, the latest period, an average or the highest), exactly as the
contract's own page does; contracts are then put together by ``social_value.combine`` (counts,
money and levels add up across contracts; percentages are averaged). So a place's total for a
measure is the sum of its contracts' figures, and a snapshot is never summed over periods.

Only accepted figures count: deliveries recorded by the buyer, or from returns it accepted."""

import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, localcontext

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.organisations.models import Organisation
from app.reference import social_value
from lots.awards import figures
from lots.awards.models import (
    Contract,
    ReturnStatus,
    SocialValueCommitment,
    SocialValueCoverage,
    SocialValueFigures,
    SocialValueReturn,
    SocialValueReturnCount,
    SocialValueReturnStamp,
    SocialValueSum,
)
from lots.opportunities.models import Opportunity

# The UK public sector's financial year starts in April.
QUARTER_MONTHS = {
    1: "April to June",
    2: "July to September",
    3: "October to December",
    4: "January to March",
}


quarter_of = figures.quarter_of


def quarter_label(key):
    year, q = key
    return f"{year}-{(year + 1) % 100:02d} Q{q}"


@dataclass
class Figure:
    """Promised and delivered for one measure over some contracts."""

    promised: Decimal | None = None
    delivered: Decimal | None = None
    contracts: int = 0

    @property
    def percent_of_promise(self):
        if self.promised in (None, 0) or self.delivered is None:
            return None
        return float(self.delivered * 100 / self.promised)


@dataclass
class Landing:
    """Where the delivered figures of a measure fell, in its units (people, hours, £)."""

    delivered: Decimal = Decimal(0)
    most_deprived_10: Decimal = Decimal(0)
    most_deprived_20: Decimal = Decimal(0)
    neighbourhood_unknown: Decimal = Decimal(0)  # sectors outside the shipped indices
    council_only: Decimal = Decimal(0)  # placed by a council, not a neighbourhood
    not_placed: Decimal = Decimal(0)

    def share(self, part):
        amount = getattr(self, part)
        return float(amount * 100 / self.delivered) if self.delivered else 0.0


@dataclass
class MeasureReport:
    measure: object
    total: Figure
    by_buyer: list = field(default_factory=list)  # [(label, Figure)]
    by_supplier: list = field(default_factory=list)  # [(label, Figure)]
    by_contract: list = field(default_factory=list)  # [(contract row, Figure)]
    by_quarter: list = field(default_factory=list)  # [(quarter label, delivered)]
    by_council: list = field(default_factory=list)  # [(council where it fell, delivered)]
    landing: Landing | None = None  # None for a percentage (a share has no place)

    @property
    def estimate_pence(self):
        return social_value.estimate_pence(self.measure, self.total.delivered)


@dataclass
class Report:
    measures: list  # [MeasureReport]
    quarters: list  # [quarter label], in order
    contracts: int
    # What it is kept under (``report_from_sums``), so that a page can keep what it made of it
    # under the same key; None when it was not kept.
    key: object = field(default=None, compare=False, repr=False)

    def measure(self, measure_id):
        return next((m for m in self.measures if m.measure.id == measure_id), None)


@dataclass(frozen=True)
class ContractRow:
    id: int
    title: str
    buyer: str
    supplier: str


def _commitments(buyer_ids, supplier_id, measure_ids, contract_ids):
    buyer, supplier = sa.orm.aliased(Organisation), sa.orm.aliased(Organisation)
    stmt = (
        sa.select(
            SocialValueCommitment.id,
            SocialValueCommitment.contract_id,
            SocialValueCommitment.measure_id,
            SocialValueCommitment.promised,
            SocialValueCommitment.value_type,
            SocialValueCommitment.aggregation,
            Contract.buyer_id,
            Contract.supplier_id,
            Opportunity.title,
            sa.func.coalesce(buyer.trading_name, buyer.name).label("buyer_name"),
            sa.func.coalesce(supplier.trading_name, supplier.name).label("supplier_name"),
            # What its records come to (``lots.awards.figures``); NULL where none is stored.
            SocialValueFigures.periods.label("figure_periods"),
            SocialValueFigures.delivered.label("figure_delivered"),
            SocialValueFigures.quarters.label("figure_quarters"),
            SocialValueFigures.landing.label("figure_landing"),
            SocialValueFigures.councils.label("figure_councils"),
        )
        .join(Contract, Contract.id == SocialValueCommitment.contract_id)
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .join(buyer, buyer.id == Contract.buyer_id)
        .join(supplier, supplier.id == Contract.supplier_id)
        .outerjoin(SocialValueFigures, SocialValueFigures.commitment_id == SocialValueCommitment.id)
        .order_by(Contract.id, SocialValueCommitment.id)
    )
    if buyer_ids is not None:
        stmt = stmt.where(Contract.buyer_id.in_(list(buyer_ids)))
    if supplier_id is not None:
        stmt = stmt.where(Contract.supplier_id == supplier_id)
    if measure_ids is not None:
        stmt = stmt.where(SocialValueCommitment.measure_id.in_(list(measure_ids)))
    if contract_ids is not None:
        stmt = stmt.where(Contract.id.in_(list(contract_ids)))
    return db.session.execute(stmt).all()


# Kept here under their old names for the pages and tests that use them.
LANDING_PARTS = figures.LANDING_PARTS
_landing_parts = figures.landing_parts
_councils = figures.councils_of


def _figures(commitment_rows):
    """{commitment id: (delivered, {quarter: amount}, {part: amount}, {council: amount})} from
    the figures kept with the delivery records (``lots.awards.figures``, read with the
    commitments); those of a commitment with none stored (nothing recorded since the figures
    were kept) worked out from its records."""
    stored, missing = {}, []
    for r in commitment_rows:
        if r.figure_periods is None:
            missing.append(r.id)
        else:
            stored[r.id] = figures.read_values(
                r.figure_delivered, r.figure_quarters, r.figure_landing, r.figure_councils
            )
    if missing:
        stored.update((i, figures.read(f)) for i, f in figures.fresh(missing).items())
    return stored


BREAKDOWNS = frozenset({"buyer", "supplier", "contract"})


def report(
    buyer_ids=None, supplier_id=None, measure_ids=None, contract_ids=None, breakdowns=BREAKDOWNS
):
    """The report over the contracts chosen (a buyer's, a supplier's, a place's buyers', or
    every contract), for ``measure_ids`` in that order (else every measure any of them uses).
    ``breakdowns`` says which of by buyer, by supplier and by contract to work out (a page asks
    only for those it shows: at thousands of contracts they are most of the time); the others
    are left empty. By buyer only, over buyers (a place's page, the operator's dashboard), it is
    read from the sums kept per buyer and measure (``report_from_sums``); otherwise from each
    commitment's figures (``report_from_commitments``). Both give the same figures."""
    if supplier_id is None and contract_ids is None and set(breakdowns) <= {"buyer"}:
        return report_from_sums(buyer_ids, measure_ids)
    if contract_ids is None:
        return kept_report_from_commitments(buyer_ids, supplier_id, measure_ids, breakdowns)
    return report_from_commitments(buyer_ids, supplier_id, measure_ids, contract_ids, breakdowns)


def _labels(buyer_ids, supplier_id):
    """(contract id, buyer id, supplier id, title, buyer's name, supplier's name) of each
    contract chosen, in order: what a report from commitments names them by."""
    buyer, supplier = sa.orm.aliased(Organisation), sa.orm.aliased(Organisation)
    stmt = (
        sa.select(
            Contract.id,
            Contract.buyer_id,
            Contract.supplier_id,
            Opportunity.title,
            sa.func.coalesce(buyer.trading_name, buyer.name),
            sa.func.coalesce(supplier.trading_name, supplier.name),
        )
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .join(buyer, buyer.id == Contract.buyer_id)
        .join(supplier, supplier.id == Contract.supplier_id)
        .order_by(Contract.id)
    )
    if buyer_ids is not None:
        stmt = stmt.where(Contract.buyer_id.in_(list(buyer_ids)))
    if supplier_id is not None:
        stmt = stmt.where(Contract.supplier_id == supplier_id)
    return tuple(tuple(row) for row in db.session.execute(stmt))


def kept_report_from_commitments(
    buyer_ids=None, supplier_id=None, measure_ids=None, breakdowns=BREAKDOWNS
):
    """``report_from_commitments`` (a buyer's or a supplier's dashboard, a CSV with every
    breakdown), kept in this process (``KEPT_COMMITMENTS``) under everything it depends on: the
    contracts chosen with their buyers, suppliers, titles and names (read each time: a row a
    contract, far cheaper than its commitments' figures), the coverage rows of their buyers'
    measures (whose stamps change with any change to those buyers' commitments, figures and
    sums, whatever wrote them), and the measures as the library holds them. Not kept when a
    commitment of those buyers has no stored figures (worked out from its records, which carry
    no stamp)."""
    labels = _labels(buyer_ids, supplier_id)
    buyers = sorted({row[1] for row in labels})
    coverage, _ = _coverage(buyers, measure_ids)
    measure_list = sorted({row[1] for row in coverage})
    measures = social_value.get_many(measure_list)
    key = (
        "commitments",
        None if buyer_ids is None else tuple(sorted(buyer_ids)),
        supplier_id,
        None if measure_ids is None else tuple(measure_ids),
        tuple(sorted(breakdowns)),
        labels,
        tuple(coverage),
        tuple(measures[m] for m in measure_list),
    )
    kept = KEPT_COMMITMENTS.get(key)
    if kept is not None:
        return kept
    made = report_from_commitments(buyer_ids, supplier_id, measure_ids, None, breakdowns)
    if all(n == stored for _, _, n, stored, _ in coverage):
        made.key = key
        KEPT_COMMITMENTS.put(key, made)
    return made


def report_from_commitments(
    buyer_ids=None, supplier_id=None, measure_ids=None, contract_ids=None, breakdowns=BREAKDOWNS
):
    """``report`` from a row per commitment (its stored figures, else worked out from its
    records)."""
    rows = _commitments(buyer_ids, supplier_id, measure_ids, contract_ids)
    stored = _figures(rows)
    measures = {}
    order = list(measure_ids) if measure_ids is not None else sorted({r.measure_id for r in rows})
    for measure_id in order:
        measures[measure_id] = social_value.get(measure_id)
    per_measure = defaultdict(list)  # measure -> [(row, promised, delivered, quarters, landing)]
    quarters_seen = set()
    for r in rows:
        delivered, quarters, landing, councils = stored[r.id]
        quarters_seen.update(quarters)
        per_measure[r.measure_id].append((r, r.promised, delivered, quarters, landing, councils))
    quarter_keys = sorted(quarters_seen)
    reports = []
    for measure_id in order:
        measure = measures[measure_id] or social_value.Measure(
            measure_id, measure_id, "", "", "decimal", "sum"
        )
        items = per_measure.get(measure_id, [])
        value_type = measure.value_type

        def figure(chosen, value_type=value_type):
            return Figure(
                promised=social_value.combine(value_type, [i[1] for i in chosen]),
                delivered=social_value.combine(value_type, [i[2] for i in chosen]),
                contracts=len(chosen),
            )

        groups_buyer, groups_supplier = defaultdict(list), defaultdict(list)
        for item in items:
            if "buyer" in breakdowns:
                groups_buyer[item[0].buyer_name].append(item)
            if "supplier" in breakdowns:
                groups_supplier[item[0].supplier_name].append(item)
        landing = None
        if value_type != "percentage":
            landing = Landing(
                delivered=social_value.combine(value_type, [i[2] for i in items]) or Decimal(0),
                **{
                    part: social_value.combine(value_type, [i[4][part] for i in items])
                    or Decimal(0)
                    for part in LANDING_PARTS
                },
            )
        reports.append(
            MeasureReport(
                measure=measure,
                total=figure(items),
                by_buyer=[(name, figure(g)) for name, g in sorted(groups_buyer.items())],
                by_supplier=[(name, figure(g)) for name, g in sorted(groups_supplier.items())],
                by_contract=[
                    (
                        ContractRow(
                            i[0].contract_id, i[0].title, i[0].buyer_name, i[0].supplier_name
                        ),
                        Figure(i[1], i[2], 1),
                    )
                    for i in items
                ]
                if "contract" in breakdowns
                else [],
                by_quarter=[
                    (
                        quarter_label(q),
                        social_value.combine(value_type, [i[3].get(q) for i in items]),
                    )
                    for q in quarter_keys
                ],
                landing=landing,
                by_council=[]
                if value_type == "percentage"
                else sorted(
                    (
                        (n, social_value.combine(value_type, [i[5].get(n) for i in items]))
                        for n in {n for i in items for n in i[5]}
                    ),
                    key=lambda pair: (-(pair[1] or 0), pair[0]),
                ),
            )
        )
    return Report(
        measures=reports,
        quarters=[quarter_label(q) for q in quarter_keys],
        contracts=len({r.contract_id for r in rows}),
    )


# --- Read from the sums kept per buyer and measure ----------------------------------------------


class Kept:
    """What was worked out from the sums, kept in this process (each app, so each database,
    its own) under keys that name everything it depends on: the last ``size`` used."""

    def __init__(self, name, size=64):
        self.name, self.size = name, size
        self.lock = threading.Lock()

    def _store(self):
        return current_app.extensions.setdefault(self.name, OrderedDict())

    def get(self, key):
        store = self._store()
        with self.lock:
            found = store.get(key)
            if found is not None:
                store.move_to_end(key)
            return found

    def put(self, key, value):
        store = self._store()
        with self.lock:
            store[key] = value
            store.move_to_end(key)
            while len(store) > self.size:
                store.popitem(last=False)


KEPT = Kept("insight.reports")
KEPT_RETURNS = Kept("insight.return_counts", size=8)
# The organisations' dashboards and the CSV downloads (``kept_report_from_commitments``).
KEPT_COMMITMENTS = Kept("insight.commitment_reports", size=32)


def _coverage(buyer_ids, measure_ids):
    """[(buyer id, measure id, commitments, of them with stored figures, stamp)] of the buyers
    and measures chosen, in order: a few rows kept by the database's triggers
    (``SocialValueCoverage``), whatever wrote the commitments, figures and sums. And {buyer id:
    name} of the buyers with commitments among them, read in the same query."""
    v = SocialValueCoverage
    stmt = (
        sa.select(
            v.buyer_id,
            v.measure_id,
            v.commitments,
            v.figured,
            v.stamp,
            sa.func.coalesce(Organisation.trading_name, Organisation.name),
        )
        .outerjoin(Organisation, Organisation.id == v.buyer_id)
        .order_by(v.buyer_id, v.measure_id)
    )
    if buyer_ids is not None:
        stmt = stmt.where(v.buyer_id.in_(list(buyer_ids)))
    if measure_ids is not None:
        stmt = stmt.where(v.measure_id.in_(list(measure_ids)))
    rows = db.session.execute(stmt).all()
    names = {row[0]: row[5] for row in rows if row[2]}
    return [tuple(row[:5]) for row in rows], names


def _contracts(buyer_ids, measure_ids):
    """How many contracts have a commitment to one of the measures (of the buyers chosen)."""
    c = SocialValueCommitment
    stmt = sa.select(sa.func.count(sa.distinct(c.contract_id)))
    if buyer_ids is not None:
        stmt = stmt.join(Contract, Contract.id == c.contract_id).where(
            Contract.buyer_id.in_(list(buyer_ids))
        )
    if measure_ids is not None:
        stmt = stmt.where(c.measure_id.in_(list(measure_ids)))
    return db.session.execute(stmt).scalar_one()


def _cells(buyer_ids, measure_ids, coverage):
    """{(buyer id, measure id): {(dimension, key): (exact sum, n)}} of the contracts chosen,
    read from the sums kept (``lots.awards.figures``); for a buyer's measure whose sums do not
    cover every one of its commitments (figures not stored yet, sums lost), added up here from
    the commitments' figures, as the sums would be. And whether any was."""
    pairs = {(b, m): (n, stored) for b, m, n, stored, _ in coverage if n}
    stmt = sa.select(
        SocialValueSum.buyer_id,
        SocialValueSum.measure_id,
        SocialValueSum.dimension,
        SocialValueSum.key,
        SocialValueSum.amount,
        SocialValueSum.n,
    )
    if buyer_ids is not None:
        stmt = stmt.where(SocialValueSum.buyer_id.in_(list(buyer_ids)))
    if measure_ids is not None:
        stmt = stmt.where(SocialValueSum.measure_id.in_(list(measure_ids)))
    cells = defaultdict(dict)
    for buyer_id, measure_id, dimension, key, amount, n in db.session.execute(stmt):
        cells[buyer_id, measure_id][dimension, key] = (Decimal(amount), n)
    behind = sorted(
        pair
        for pair, (n, stored) in pairs.items()
        if not (n == stored == cells.get(pair, {}).get(("commitments", ""), (0, 0))[1])
    )
    for pair in set(cells) - set(pairs):  # no commitments left: nothing to count
        del cells[pair]
    if behind:
        rows = _commitments(
            sorted({b for b, _ in behind}), None, sorted({m for _, m in behind}), None
        )
        rows = [r for r in rows if (r.buyer_id, r.measure_id) in set(behind)]
        worked_out = _figures(rows)
        sums = figures.Sums()
        for r in rows:
            sums.add(r.buyer_id, r.measure_id, r.promised, worked_out[r.id])
        for pair in behind:
            cells.pop(pair, None)
        for (buyer_id, measure_id, dimension, key), (amount, n) in sums.rows.items():
            if n:
                cells[buyer_id, measure_id][dimension, key] = (amount, n)
    return cells, bool(behind)


def _total(value_type, cells, dimension, key=""):
    """``social_value.combine`` of the figures that these cells add up."""
    found = [c[dimension, key] for c in cells if (dimension, key) in c]
    with localcontext(social_value.EXACT):
        total = sum((amount for amount, _ in found), Decimal(0))
    return social_value.combine_total(value_type, total, sum(n for _, n in found))


def _figure(value_type, cells):
    return Figure(
        promised=_total(value_type, cells, "promised"),
        delivered=_total(value_type, cells, "delivered"),
        contracts=sum(c.get(("commitments", ""), (0, 0))[1] for c in cells),
    )


def report_from_sums(buyer_ids=None, measure_ids=None):
    """``report`` with the breakdown by buyer only, over the contracts of ``buyer_ids`` (else
    every contract): from the sums kept per buyer and measure, so a few hundred rows whatever
    the number of contracts. The same figures as ``report_from_commitments``.

    What it works out is kept (in this process, ``KEPT``) under a key made of everything it
    depends on: the buyers and measures chosen, the coverage rows read (their stamps change
    with any change to the commitments, figures and sums of a buyer's measure, and their counts
    say whether the sums cover every commitment), the buyers' names and the measures as the
    library holds them. A report that had to work a buyer's measure out from its records is not
    kept (its records carry no stamp)."""
    coverage, names = _coverage(buyer_ids, measure_ids)
    order = (
        list(measure_ids)
        if measure_ids is not None
        else sorted({m for _, m, n, _, _ in coverage if n})
    )
    measures = social_value.get_many(order)
    key = (
        None if buyer_ids is None else tuple(sorted(buyer_ids)),
        tuple(order),
        tuple(coverage),
        tuple(sorted(names.items())),
        tuple(measures[m] for m in order),
    )
    kept = KEPT.get(key)
    if kept is not None:
        return kept
    cells, worked_out = _cells(buyer_ids, measure_ids, coverage)
    contracts = _contracts(buyer_ids, measure_ids) if cells else 0
    made = _report_from_cells(cells, names, order, measures, contracts)
    if not worked_out:
        made.key = key
        KEPT.put(key, made)
    return made


def _report_from_cells(cells, names, order, measures, contracts):
    quarter_keys = sorted(
        {
            figures.quarter_of_key(key)
            for c in cells.values()
            for dimension, key in c
            if dimension == "quarter"
        }
    )
    reports = []
    for measure_id in order:
        measure = measures[measure_id] or social_value.Measure(
            measure_id, measure_id, "", "", "decimal", "sum"
        )
        value_type = measure.value_type
        mine = {b: c for (b, m), c in sorted(cells.items()) if m == measure_id}
        by_buyer = defaultdict(list)
        for buyer_id, c in mine.items():
            by_buyer[names[buyer_id]].append(c)
        chosen = list(mine.values())
        councils = {key for c in chosen for dimension, key in c if dimension == "council"}
        reports.append(
            MeasureReport(
                measure=measure,
                total=_figure(value_type, chosen),
                by_buyer=[(name, _figure(value_type, g)) for name, g in sorted(by_buyer.items())],
                by_quarter=[
                    (
                        quarter_label(q),
                        _total(value_type, chosen, "quarter", figures.quarter_key(q)),
                    )
                    for q in quarter_keys
                ],
                landing=None
                if value_type == "percentage"
                else Landing(
                    delivered=_total(value_type, chosen, "delivered") or Decimal(0),
                    **{
                        part: _total(value_type, chosen, "landing", part) or Decimal(0)
                        for part in LANDING_PARTS
                    },
                ),
                by_council=[]
                if value_type == "percentage"
                else sorted(
                    ((n, _total(value_type, chosen, "council", n)) for n in councils),
                    key=lambda pair: (-(pair[1] or 0), pair[0]),
                ),
            )
        )
    return Report(
        measures=reports, quarters=[quarter_label(q) for q in quarter_keys], contracts=contracts
    )


# --- Returns, by where they stand --------------------------------------------------------------

STANDING_ORDER = ("upcoming", "due", "overdue", "submitted", "queried", "accepted")


def return_counts(on, buyer_id=None, supplier_id=None):
    """{standing: number of returns} (``STANDING_ORDER``; a queried return past its due date
    counts as overdue) of a buyer's, a supplier's or every contract, on the day ``on``: the
    returns still moving counted by where they stand (from their index), the accepted ones'
    number read from the counts kept as they are accepted (acceptance is final). Every
    contract's are kept (``KEPT_RETURNS``) under the day and the buyers' return stamps
    (``SocialValueReturnStamp``: any change to a return or a count changes its buyer's)."""
    if buyer_id is None and supplier_id is None:
        s = SocialValueReturnStamp
        rows = db.session.execute(sa.select(s.buyer_id, s.stamp).order_by(s.buyer_id))
        key = (on, tuple(tuple(r) for r in rows))
        kept = KEPT_RETURNS.get(key)
        if kept is None:
            kept = _return_counts(on, None, None)
            KEPT_RETURNS.put(key, kept)
        return dict(kept)
    return _return_counts(on, buyer_id, supplier_id)


def _return_counts(on, buyer_id, supplier_id):
    counts = _standing_counts(on, buyer_id, supplier_id, accepted=False)
    n = SocialValueReturnCount
    stmt = sa.select(sa.func.coalesce(sa.func.sum(n.accepted), 0))
    if buyer_id is not None:
        stmt = stmt.where(n.buyer_id == buyer_id)
    if supplier_id is not None:
        stmt = stmt.where(n.supplier_id == supplier_id)
    counts["accepted"] = int(db.session.execute(stmt).scalar_one())
    return counts


def return_counts_from_returns(on, buyer_id=None, supplier_id=None):
    """``return_counts`` counted from every return, the accepted ones included."""
    return _standing_counts(on, buyer_id, supplier_id, accepted=True)


def _standing_counts(on, buyer_id, supplier_id, accepted):
    r = SocialValueReturn
    standing = sa.case(
        (r.status == ReturnStatus.ACCEPTED, "accepted"),
        (r.status == ReturnStatus.SUBMITTED, "submitted"),
        (sa.and_(r.status == ReturnStatus.QUERIED, r.due_on < on), "overdue"),
        (r.status == ReturnStatus.QUERIED, "queried"),
        (r.period_end > on, "upcoming"),
        (r.due_on < on, "overdue"),
        else_="due",
    ).label("standing")
    stmt = sa.select(standing, sa.func.count()).select_from(r).group_by(standing)
    if not accepted:
        stmt = stmt.where(r.status != ReturnStatus.ACCEPTED)  # the partial index's rows
    if buyer_id is not None or supplier_id is not None:
        stmt = stmt.join(Contract, Contract.id == r.contract_id)
        if buyer_id is not None:
            stmt = stmt.where(Contract.buyer_id == buyer_id)
        if supplier_id is not None:
            stmt = stmt.where(Contract.supplier_id == supplier_id)
    counts = dict.fromkeys(STANDING_ORDER, 0)
    counts.update(dict(db.session.execute(stmt).all()))
    return counts
