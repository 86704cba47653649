"""What each social value commitment's delivery records come to (``SocialValueFigures``), kept
in step with them: every service that records delivery refreshes its commitments' figures in
its own transaction (``refresh``), so that reports across thousands of contracts read a row per
commitment rather than every period of every contract (``insight.reports``). ``fresh`` works a
commitment's figures out from its records, ``differences`` compares the two (tests, the
benchmark and ``flask social-value rebuild-figures``' check).

Per commitment, by the measure's own rule (``social_value.aggregate``: a sum, the latest
period, their average or the highest): delivered to date, delivered per financial quarter, and
where it landed: the parts in the most deprived 10% and 20% of neighbourhoods (people counted
by home postcode sector, shared evenly over their sectors), placed by council only, or not
placed, and the councils it fell in. Only accepted figures are recorded as delivery.

A second level, ``SocialValueSum``: those figures added up per buyer and measure (and quarter,
part of where it landed, council), changed by ``refresh`` in the same transaction as the
figures (what the commitment's old figures gave is taken off, what its new ones give is added,
exactly), so that a place's page and the operator's dashboard read a few hundred rows whatever
the number of contracts. ``sum_differences`` compares them with the figures."""

import json
import secrets
from collections import defaultdict
from decimal import Decimal, localcontext

import sqlalchemy as sa

from app.extensions import db
from app.reference import deprivation, geography, social_value
from lots.awards.models import (
    Contract,
    ReturnStatus,
    SocialValueCommitment,
    SocialValueCoverage,
    SocialValueDelivery,
    SocialValueFigures,
    SocialValueReturn,
    SocialValueReturnCount,
    SocialValueReturnLine,
    SocialValueSum,
)

LANDING_PARTS = (
    "most_deprived_10",
    "most_deprived_20",
    "neighbourhood_unknown",
    "council_only",
    "not_placed",
)
CHUNK = 2000  # commitments worked out at a time when rebuilding


def quarter_of(day):
    """(financial year's first calendar year, quarter 1 to 4) of a day: 2027-05-31 -> (2027, 1)."""
    year = day.year if day.month >= 4 else day.year - 1
    return year, (day.month - 4) % 12 // 3 + 1


def landing_parts(value, sectors, council):
    """How one period's figure splits: {part: amount}. People counted by home postcode sector
    are shared out evenly over their sectors, each sector taking its neighbourhoods' decile."""
    if sectors:
        n = len(sectors)
        deciles = [deprivation.sector_place(s)[1] for s in sectors]
        share = value / n
        return {
            "most_deprived_10": share * sum(1 for d in deciles if d is not None and d <= 1),
            "most_deprived_20": share * sum(1 for d in deciles if d is not None and d <= 2),
            "neighbourhood_unknown": share * sum(1 for d in deciles if d is None),
            "council_only": Decimal(0),
            "not_placed": Decimal(0),
        }
    parts = dict.fromkeys(LANDING_PARTS, Decimal(0))
    parts["council_only" if council else "not_placed"] = value
    return parts


def councils_of(value, sectors, council):
    """{council name: amount} of one period's figure: people by their home postcode sectors'
    councils (shared evenly), anything else by the council the supplier named."""
    if sectors:
        found = defaultdict(Decimal)
        for sector in sectors:
            la = geography.local_authority_by_gss(deprivation.sector_place(sector)[0])
            found[la.name if la else "Not known"] += value / len(sectors)
        return found
    if council:
        la = geography.local_authority(council)
        return {la.name if la else council: value}
    return {}


def deliveries(commitment_ids):
    """{commitment id: [(period end, delivered, sectors, council)]} in period order."""
    found = defaultdict(list)
    if not commitment_ids:
        return found
    line = SocialValueReturnLine
    stmt = (
        sa.select(
            SocialValueDelivery.commitment_id,
            SocialValueDelivery.period_end,
            SocialValueDelivery.delivered,
            # As text, decoded only where there are sectors (most figures have none).
            sa.cast(line.postcode_sectors, sa.Text),
            line.local_authority_code,
        )
        .outerjoin(
            line,
            sa.and_(
                line.return_id == SocialValueDelivery.return_id,
                line.commitment_id == SocialValueDelivery.commitment_id,
            ),
        )
        .where(SocialValueDelivery.commitment_id.in_(list(commitment_ids)))
        .order_by(SocialValueDelivery.commitment_id, SocialValueDelivery.period_start)
    )
    for commitment_id, period_end, delivered, sectors, council in db.session.execute(stmt):
        sectors = json.loads(sectors) if sectors and sectors != "[]" else []
        found[commitment_id].append((period_end, delivered, sectors, council))
    return found


def work_out(rule, periods):
    """(delivered, {quarter: amount}, {part: amount}, {council: amount}) of a commitment whose
    measure adds periods up by ``rule``, from its ``periods`` (as ``deliveries`` gives them)."""
    delivered = social_value.aggregate(rule, [d for _, d, _, _ in periods])
    by_quarter = defaultdict(list)
    for end, d, _, _ in periods:
        by_quarter[quarter_of(end)].append(d)
    quarters = {q: social_value.aggregate(rule, v) for q, v in sorted(by_quarter.items())}
    parts = [landing_parts(d, s, c) for _, d, s, c in periods]
    landing = {
        part: social_value.aggregate(rule, [p[part] for p in parts]) for part in LANDING_PARTS
    }
    period_councils = [councils_of(d, s, c) for _, d, s, c in periods]
    names = sorted({n for p in period_councils for n in p})
    councils = {
        n: social_value.aggregate(rule, [p.get(n, Decimal(0)) for p in period_councils])
        for n in names
    }
    return delivered, quarters, landing, councils


def _text(value):
    return None if value is None else str(value)


def _number(text):
    return None if text is None else Decimal(text)


def rule_of(measure_id, aggregation):
    known = social_value.get(measure_id)
    return aggregation or (known.aggregation if known else "sum")


def fresh(commitment_ids):
    """{commitment id: SocialValueFigures (not added to the session)} worked out from the
    delivery records of these commitments."""
    ids = sorted(set(commitment_ids))
    rows = db.session.execute(
        sa.select(
            SocialValueCommitment.id,
            SocialValueCommitment.measure_id,
            SocialValueCommitment.aggregation,
        ).where(SocialValueCommitment.id.in_(ids))
    ).all()
    periods = deliveries(ids)
    out = {}
    for commitment_id, measure_id, aggregation in rows:
        found = periods.get(commitment_id, [])
        delivered, quarters, landing, councils = work_out(rule_of(measure_id, aggregation), found)
        out[commitment_id] = SocialValueFigures(
            commitment_id=commitment_id,
            delivered=_text(delivered),
            periods=len(found),
            quarters=[[y, q, _text(v)] for (y, q), v in quarters.items()],
            landing={k: _text(v) for k, v in landing.items()},
            councils={k: _text(v) for k, v in councils.items()},
        )
    return out


def refresh(commitment_ids):
    """Make these commitments' figures agree with their delivery records, and their buyers'
    sums with the figures, in the session's transaction. A new commitment (nothing recorded
    yet) is refreshed when it is made, so that its promise is counted."""
    ids = sorted(set(commitment_ids))
    if not ids:
        return
    db.session.flush()
    owners = _owners(ids)
    lock_buyers({buyer_id for buyer_id, _, _ in owners.values()})
    old = {
        f.commitment_id: read(f)
        for f in db.session.execute(
            sa.select(SocialValueFigures).where(SocialValueFigures.commitment_id.in_(ids))
        ).scalars()
    }
    figures = fresh(ids)
    change = Sums()
    for commitment_id, worked_out in old.items():
        change.add(*owners[commitment_id], worked_out, sign=-1)
    for commitment_id, f in figures.items():
        change.add(*owners[commitment_id], read(f))
    db.session.execute(
        sa.delete(SocialValueFigures).where(SocialValueFigures.commitment_id.in_(ids))
    )
    db.session.add_all(figures.values())
    db.session.flush()
    change.apply()


def _owners(ids):
    """{commitment id: (buyer id, measure id, promised)}"""
    return {
        commitment_id: (buyer_id, measure_id, promised)
        for commitment_id, buyer_id, measure_id, promised in db.session.execute(
            sa.select(
                SocialValueCommitment.id,
                Contract.buyer_id,
                SocialValueCommitment.measure_id,
                SocialValueCommitment.promised,
            )
            .join(Contract, Contract.id == SocialValueCommitment.contract_id)
            .where(SocialValueCommitment.id.in_(ids))
        )
    }


SUMS_LOCK_SPACE = 0x5356  # "SV": the first key of the advisory locks on a buyer's sums


def lock_buyers(buyer_ids):
    """Serialise changes to these buyers' sums until the transaction ends (PostgreSQL: a
    transaction-level advisory lock per buyer, taken in order; SQLite has one writer)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for buyer_id in sorted(buyer_ids):
        db.session.execute(
            sa.text("SELECT pg_advisory_xact_lock(:space, :buyer)"),
            {"space": SUMS_LOCK_SPACE, "buyer": buyer_id},
        )


def contributions(promised, worked_out):
    """{(dimension, key): amount} that a commitment's figures (as ``read`` gives them) add to
    its buyer's sums for its measure; each counts once in its row's ``n``. A figure with nothing
    to say (None) adds nothing, as ``social_value.combine`` leaves it out."""
    delivered, quarters, landing, councils = worked_out
    found = {("commitments", ""): Decimal(0)}
    if promised is not None:
        found["promised", ""] = Decimal(promised)
    if delivered is not None:
        found["delivered", ""] = delivered
    for quarter, amount in quarters.items():
        if amount is not None:
            found["quarter", quarter_key(quarter)] = amount
    for part, amount in landing.items():
        if amount is not None:
            found["landing", part] = amount
    for name, amount in councils.items():
        if amount is not None:
            found["council", name] = amount
    return found


def quarter_key(quarter):
    """(2027, 1) -> "2027-1" """
    return f"{quarter[0]}-{quarter[1]}"


def quarter_of_key(key):
    year, q = key.split("-")
    return int(year), int(q)


class Sums:
    """Sums being added up or changed: {(buyer, measure, dimension, key): [amount, n]}."""

    def __init__(self):
        self.rows = defaultdict(lambda: [Decimal(0), 0])

    def add(self, buyer_id, measure_id, promised, worked_out, sign=1):
        with localcontext(social_value.EXACT):
            for (dimension, key), amount in contributions(promised, worked_out).items():
                row = self.rows[buyer_id, measure_id, dimension, key]
                row[0] += sign * amount
                row[1] += sign

    def apply(self):
        """Add these changes to the stored sums (the buyers' locks held); a row no commitment
        has a figure in any more is deleted. A buyer's measure whose sums turn out not to hold
        what the figures take off, or to count fewer commitments than figures (sums lost, or
        made before these figures), is added up again from the figures instead."""
        changed = {k: v for k, v in self.rows.items() if v[1] or v[0]}
        if not changed:
            return
        stored = {
            (s.buyer_id, s.measure_id, s.dimension, s.key): s
            for s in db.session.execute(
                sa.select(SocialValueSum).where(
                    SocialValueSum.buyer_id.in_(sorted({k[0] for k in changed})),
                    SocialValueSum.measure_id.in_(sorted({k[1] for k in changed})),
                )
            ).scalars()
        }
        after = {}
        with localcontext(social_value.EXACT):
            for k, (amount, n) in changed.items():
                row = stored.get(k)
                after[k] = (
                    (Decimal(row.amount) if row else Decimal(0)) + amount,
                    (row.n if row else 0) + n,
                )
        out_of_step = set()
        for k, (total, count) in after.items():
            pair = k[:2]
            commitments = pair + ("commitments", "")
            counted = (
                after[commitments][1]
                if commitments in after
                else getattr(stored.get(commitments), "n", 0)
            )
            if count < 0 or (count == 0 and total != 0) or count > counted:
                out_of_step.add(pair)
        for k, (total, count) in sorted(after.items()):
            if k[:2] in out_of_step:
                continue
            row = stored.get(k)
            if count == 0:
                if row is not None:
                    db.session.delete(row)
            elif row is None:
                db.session.add(
                    SocialValueSum(
                        buyer_id=k[0],
                        measure_id=k[1],
                        dimension=k[2],
                        key=k[3],
                        amount=str(total),
                        n=count,
                    )
                )
            else:
                row.amount, row.n = str(total), count
        db.session.flush()
        for buyer_id, measure_id in sorted(out_of_step):
            _sum_again(buyer_id, measure_id)


def _sum_again(buyer_id, measure_id):
    """One buyer's sums for one measure, from the stored figures."""
    db.session.execute(
        sa.delete(SocialValueSum).where(
            SocialValueSum.buyer_id == buyer_id, SocialValueSum.measure_id == measure_id
        )
    )
    db.session.add_all(
        _sum_rows(_sums_from_figures(buyer_ids=[buyer_id], measure_ids=[measure_id]))
    )
    db.session.flush()


def _sum_rows(wanted):
    return [
        SocialValueSum(
            buyer_id=k[0], measure_id=k[1], dimension=k[2], key=k[3], amount=str(amount), n=n
        )
        for k, (amount, n) in sorted(wanted.items())
    ]


def _sums_from_figures(buyer_ids=None, measure_ids=None):
    """Sums as they should be: the stored figures of every commitment that has them (a
    commitment with none is not in the sums; reports work it out from its records)."""
    wanted = Sums()
    stmt = (
        sa.select(
            Contract.buyer_id,
            SocialValueCommitment.measure_id,
            SocialValueCommitment.promised,
            SocialValueFigures,
        )
        .join(Contract, Contract.id == SocialValueCommitment.contract_id)
        .join(SocialValueFigures, SocialValueFigures.commitment_id == SocialValueCommitment.id)
    )
    if buyer_ids is not None:
        stmt = stmt.where(Contract.buyer_id.in_(list(buyer_ids)))
    if measure_ids is not None:
        stmt = stmt.where(SocialValueCommitment.measure_id.in_(list(measure_ids)))
    for buyer_id, measure_id, promised, f in db.session.execute(stmt):
        wanted.add(buyer_id, measure_id, promised, read(f))
    return {k: (amount, n) for k, (amount, n) in wanted.rows.items() if n}


def rebuild_sums():
    """Every buyer's sums from the stored figures, in one transaction (the buyers locked)."""
    lock_buyers(db.session.execute(sa.select(Contract.buyer_id).distinct()).scalars())
    wanted = _sums_from_figures()
    db.session.execute(sa.delete(SocialValueSum))
    db.session.add_all(_sum_rows(wanted))
    db.session.commit()


def sum_differences(buyer_ids=None):
    """(buyer, measure, dimension, key) of the sums that disagree with the stored figures: []
    when consistent."""
    wanted = _sums_from_figures(buyer_ids)
    stmt = sa.select(SocialValueSum)
    if buyer_ids is not None:
        stmt = stmt.where(SocialValueSum.buyer_id.in_(list(buyer_ids)))
    have = {
        (s.buyer_id, s.measure_id, s.dimension, s.key): (Decimal(s.amount), s.n)
        for s in db.session.execute(stmt).scalars()
    }
    return sorted(k for k in wanted.keys() | have.keys() if wanted.get(k) != have.get(k))


def rebuild_all():
    """Every commitment's figures from its records, then every buyer's sums from the figures,
    the accepted returns' numbers and the coverage (the migration's, and a repair)."""
    ids = list(
        db.session.execute(
            sa.select(SocialValueCommitment.id).order_by(SocialValueCommitment.id)
        ).scalars()
    )
    for start in range(0, len(ids), CHUNK):
        refresh(ids[start : start + CHUNK])
        db.session.commit()
    rebuild_sums()
    recount_returns()
    recount_coverage()


def differences(commitment_ids=None):
    """Commitments whose stored figures disagree with their records: [] when consistent."""
    if commitment_ids is None:
        commitment_ids = db.session.execute(sa.select(SocialValueCommitment.id)).scalars().all()
    ids = sorted(set(commitment_ids))
    wrong = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        stored = {
            f.commitment_id: f
            for f in db.session.execute(
                sa.select(SocialValueFigures).where(SocialValueFigures.commitment_id.in_(chunk))
            ).scalars()
        }
        for commitment_id, want in fresh(chunk).items():
            have = stored.get(commitment_id)
            if have is None or _plain(have) != _plain(want):
                wrong.append(commitment_id)
    return wrong


def _plain(f):
    return (f.delivered, f.periods, list(map(list, f.quarters)), dict(f.landing), dict(f.councils))


def read(f):
    """(delivered, {quarter: amount}, {part: amount}, {council: amount}) of stored figures, as
    ``work_out`` gives them."""
    return read_values(f.delivered, f.quarters, f.landing, f.councils)


def read_values(delivered, quarters, landing, councils):
    return (
        _number(delivered),
        {(y, q): _number(v) for y, q, v in quarters},
        {k: _number(v) for k, v in landing.items()},
        {k: _number(v) for k, v in councils.items()},
    )


def coverage_counted():
    """{(buyer id, measure id): (commitments, of them with stored figures)} counted from the
    rows, as the triggers keep them in ``SocialValueCoverage``."""
    return {
        (buyer_id, measure_id): (n, stored)
        for buyer_id, measure_id, n, stored in db.session.execute(
            sa.select(
                Contract.buyer_id,
                SocialValueCommitment.measure_id,
                sa.func.count(),
                sa.func.count(SocialValueFigures.commitment_id),
            )
            .join(Contract, Contract.id == SocialValueCommitment.contract_id)
            .outerjoin(
                SocialValueFigures,
                SocialValueFigures.commitment_id == SocialValueCommitment.id,
            )
            .group_by(Contract.buyer_id, SocialValueCommitment.measure_id)
        )
    }


def coverage_differences():
    """(buyer id, measure id) whose coverage the triggers kept disagrees with the rows: []
    when consistent (a row with nothing left counts as none)."""
    counted = coverage_counted()
    have = {
        (v.buyer_id, v.measure_id): (v.commitments, v.figured)
        for v in db.session.execute(sa.select(SocialValueCoverage)).scalars()
        if v.commitments or v.figured
    }
    return sorted(k for k in counted.keys() | have.keys() if counted.get(k) != have.get(k))


def recount_coverage():
    """The coverage rows that disagree with the rows set to their count, with new stamps (a
    repair: the triggers keep them; a database restored in part, or rows written with the
    triggers off)."""
    lock_buyers(db.session.execute(sa.select(Contract.buyer_id).distinct()).scalars())
    counted = coverage_counted()
    stored = {
        (v.buyer_id, v.measure_id): v
        for v in db.session.execute(sa.select(SocialValueCoverage)).scalars()
    }
    for pair in sorted(counted.keys() | stored.keys()):
        n, figured = counted.get(pair, (0, 0))
        row = stored.get(pair)
        if row is None:
            row = SocialValueCoverage(buyer_id=pair[0], measure_id=pair[1])
            db.session.add(row)
        elif (row.commitments, row.figured) == (n, figured):
            continue
        row.commitments, row.figured, row.stamp = n, figured, secrets.randbits(62)
    db.session.commit()


# --- Accepted returns, counted as they are accepted ---------------------------------------------


def count_accepted(contract):
    """One more of the contract's returns accepted, in the transaction that accepts it (its
    buyer's lock held, as for the sums)."""
    lock_buyers([contract.buyer_id])
    row = db.session.get(
        SocialValueReturnCount,
        (contract.buyer_id, contract.supplier_id),
        with_for_update=True,
    )
    if row is None:
        db.session.add(
            SocialValueReturnCount(
                buyer_id=contract.buyer_id, supplier_id=contract.supplier_id, accepted=1
            )
        )
    else:
        row.accepted += 1
    db.session.flush()


def _accepted_counted():
    """{(buyer id, supplier id): accepted returns}, counted from the returns."""
    return {
        (buyer_id, supplier_id): n
        for buyer_id, supplier_id, n in db.session.execute(
            sa.select(Contract.buyer_id, Contract.supplier_id, sa.func.count())
            .select_from(SocialValueReturn)
            .join(Contract, Contract.id == SocialValueReturn.contract_id)
            .where(SocialValueReturn.status == ReturnStatus.ACCEPTED)
            .group_by(Contract.buyer_id, Contract.supplier_id)
        )
    }


def recount_returns():
    """The accepted returns' numbers from the returns (a repair), in one transaction."""
    lock_buyers(db.session.execute(sa.select(Contract.buyer_id).distinct()).scalars())
    counted = _accepted_counted()
    db.session.execute(sa.delete(SocialValueReturnCount))
    db.session.add_all(
        SocialValueReturnCount(buyer_id=b, supplier_id=s, accepted=n)
        for (b, s), n in sorted(counted.items())
    )
    db.session.commit()


def return_count_differences():
    """(buyer id, supplier id) whose number of accepted returns disagrees with the returns."""
    counted = _accepted_counted()
    have = {
        (r.buyer_id, r.supplier_id): r.accepted
        for r in db.session.execute(sa.select(SocialValueReturnCount)).scalars()
        if r.accepted
    }
    return sorted(k for k in counted.keys() | have.keys() if counted.get(k) != have.get(k))
