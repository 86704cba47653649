"""Spend lines added up (``SpendSummary``), so that reports stay fast however many lines there
are, and always agree with the lines behind them: every service that adds spend lines or
changes their supplier refreshes the sums it touched, in its own transaction (a buyer's whole
sums after a file is imported; one supplier name's after a match is decided or a contract's
months are added). ``differences`` compares the sums with the lines, for tests and the
benchmark.

Five dimensions, each from one grouped INSERT ... SELECT over the lines:

- ``year``: by supplier and financial year (the years table, and the totals);
- ``month``: by supplier and month (a year's quarters and top suppliers);
- ``category``, ``department``, ``lot``: by supplier, financial year and that column.

And from those, the same in the same transaction by kind of supplier (``SpendClassSum``: each
supplier's sums netted, then added up by ``reports.class_of`` of its kind; for every source
together and for each, since a supplier is netted within what a report covers), which is what a
report (of every source or of one) reads: a few hundred rows a buyer rather than one a
supplier. They hold the classification of when they were built (``SpendClassSumsBuilt``,
``spend.kinds``); when a fact behind it changes, reports count from the supplier sums until
``rebuild_stale`` builds them again (queued after that change's commit, and by the recoverer).
"""

import logging
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.organisations.models import Organisation
from lots.awards.models import Contract
from spend import kinds, reports
from spend.models import (
    ALL_SOURCES,
    SpendClassSum,
    SpendClassSumsBuilt,
    SpendLine,
    SpendSummary,
)

log = logging.getLogger(__name__)

DIMENSIONS = ("year", "month", "category", "department", "lot")
SUPPLIER = (
    SpendLine.source,
    SpendLine.organisation_id,
    SpendLine.supplier_key,
    SpendLine.redacted,
)


def _month(dialect):
    if dialect == "postgresql":
        return sa.cast(sa.func.date_trunc("month", SpendLine.paid_on), sa.Date)
    return sa.func.date(SpendLine.paid_on, "start of month")


def _financial_year(dialect):
    """1 April of the financial year a line falls in."""
    if dialect == "postgresql":
        return sa.cast(
            sa.func.date_trunc("year", SpendLine.paid_on - sa.text("interval '3 months'"))
            + sa.text("interval '3 months'"),
            sa.Date,
        )
    return sa.func.date(SpendLine.paid_on, "-3 months", "start of year", "+3 months")


def _select(dimension, dialect, where):
    if dimension == "month":
        period, value, join = _month(dialect), sa.null(), None
    elif dimension == "year":
        period, value, join = _financial_year(dialect), sa.null(), None
    else:
        period = _financial_year(dialect)
        if dimension == "lot":
            value = sa.cast(Contract.lot_id, sa.String)
            join = (Contract, Contract.id == SpendLine.contract_id)
        else:
            value = getattr(SpendLine, dimension)
            join = None
    stmt = sa.select(
        SpendLine.buyer_id,
        sa.literal(dimension),
        period,
        value,
        *SUPPLIER,
        sa.func.min(SpendLine.supplier_name),
        sa.func.sum(SpendLine.amount_pence),
        sa.func.count(),
    ).where(*where)
    if join is not None:
        stmt = stmt.select_from(SpendLine).outerjoin(*join)
    grouped = (period,) if dimension in ("year", "month") else (period, value)
    return stmt.group_by(SpendLine.buyer_id, *grouped, *SUPPLIER)


COLUMNS = (
    "buyer_id",
    "dimension",
    "period",
    "value",
    "source",
    "organisation_id",
    "supplier_key",
    "redacted",
    "supplier_name",
    "amount_pence",
    "lines",
)


def refresh(buyer_id, supplier_keys=None):
    """Make ``buyer_id``'s sums (only those of ``supplier_keys``, when given) agree with its
    lines, in the session's transaction."""
    db.session.flush()
    dialect = db.session.get_bind().dialect.name
    _lock(buyer_id, dialect)
    line_where = [SpendLine.buyer_id == buyer_id]
    sum_where = [SpendSummary.buyer_id == buyer_id]
    by_kind = None
    if supplier_keys is not None:
        keys = sorted({k or "" for k in supplier_keys})
        line_where.append(_keyed(SpendLine.supplier_key, keys))
        sum_where.append(_keyed(SpendSummary.supplier_key, keys))
        by_kind = _by_kind_before(buyer_id, keys, dialect)
    db.session.execute(sa.delete(SpendSummary).where(*sum_where))
    for dimension in DIMENSIONS:
        db.session.execute(
            sa.insert(SpendSummary).from_select(
                [getattr(SpendSummary, c) for c in COLUMNS],
                _select(dimension, dialect, line_where),
            )
        )
    if supplier_keys is None or by_kind == "build":
        build_class_sums(buyer_id)
    elif by_kind is not None:
        _by_kind_after(buyer_id, dialect, *by_kind)
    # Else built with another classification: left to ``rebuild_stale`` (not read meanwhile).


def _keyed(column, keys):
    """``column`` is one of the normalised names ``keys`` ("" for none), as an index can find."""
    named = [k for k in keys if k]
    return sa.or_(
        column.in_(named) if named else sa.false(),
        sa.or_(column.is_(None), column == "") if "" in keys else sa.false(),
    )


def _lock(buyer_id, dialect):
    """One writer of a buyer's sums at a time (each deletes them and writes them again): on
    PostgreSQL a lock held to the end of the transaction; SQLite has one writer anyway."""
    if dialect == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(0x5350454E, buyer_id)))


def rebuild_all():
    """Every buyer's sums from its lines (the migration's, and a repair)."""
    for buyer_id in db.session.execute(sa.select(SpendLine.buyer_id).distinct()).scalars():
        refresh(buyer_id)


# --- By kind of supplier --------------------------------------------------------------------------


def _quarter_start(dialect):
    """The first day of the quarter of a month's sums (financial quarters are calendar ones)."""
    month = SpendSummary.period
    if dialect == "postgresql":
        return sa.cast(sa.func.date_trunc("quarter", month), sa.Date)
    back = (sa.cast(sa.func.strftime("%m", month), sa.Integer) - 1) % 3
    return sa.func.date(month, "start of month", sa.func.printf("-%d months", back))


def _class_selects(buyer_id, dialect, suppliers=None, where=()):
    """(dimension, select of (source, period, value, class, spend, counted, suppliers, lines)) of
    one buyer's sums by kind, from its supplier sums (those ``where`` picks) classified as the
    product classifies now (``suppliers``: by default all of them): for each dimension, the rows
    of every source together (``ALL_SOURCES``: each supplier netted over all its lines), then
    each source's (netted over that source's lines)."""
    if suppliers is None:
        suppliers = reports._suppliers([buyer_id], None, per_buyer=False)
    if not suppliers.classes:
        return []
    summed = SpendSummary
    given = reports._given(summed)
    specs = (
        ("year", "year", {"period": summed.period}),
        ("quarter", "month", {"period": _quarter_start(dialect)}),
        ("category", "category", {"period": summed.period, "value": given}),
        ("department", "department", {"period": summed.period, "value": given}),
        ("lot", "lot", {"period": summed.period, "value": summed.value}),
    )
    out = []
    for dimension, source_dimension, keys in specs:
        for each in (False, True):
            by = {"source": sa.cast(summed.source, sa.String)} if each else {}
            stmt = reports.by_class_select(
                suppliers, source_dimension, [buyer_id], None, by | keys, where
            )
            # The same columns for all: the source first, no value where none (both added after
            # the grouping).
            cols = list(stmt.subquery("by_class").c)
            source = cols.pop(0) if each else sa.literal(ALL_SOURCES, sa.String)
            value = cols.pop(1) if "value" in keys else sa.null()
            out.append((dimension, sa.select(source, cols[0], value, *cols[1:])))
    return out


CLASS_COLUMNS = ("source", "period", "value", "cls", "spend", "counted", "suppliers", "lines")


def build_class_sums(buyer_id):
    """Make ``buyer_id``'s sums by kind agree with its supplier sums and the classification that
    holds now, in the session's transaction."""
    dialect = db.session.get_bind().dialect.name
    connection = db.session.connection()
    # The stamp first: facts read after it are at least as new, so a change made meanwhile
    # leaves these sums marked as built before it.
    stamp = kinds.current() or kinds.bump(connection)
    db.session.execute(sa.delete(SpendClassSum).where(SpendClassSum.buyer_id == buyer_id))
    db.session.execute(
        sa.delete(SpendClassSumsBuilt).where(SpendClassSumsBuilt.buyer_id == buyer_id)
    )
    for dimension, stmt in _class_selects(buyer_id, dialect):
        inner = stmt.subquery("rows")
        db.session.execute(
            sa.insert(SpendClassSum).from_select(
                ["buyer_id", "dimension", *CLASS_COLUMNS],
                sa.select(sa.literal(buyer_id), sa.literal(dimension), *inner.c),
            )
        )
    db.session.execute(sa.insert(SpendClassSumsBuilt).values(buyer_id=buyer_id, stamp=stamp))


def _of_suppliers(idents):
    """The sums of these suppliers (``reports._ident``s), as an index can find them."""
    summed = SpendSummary
    orgs = [int(i[1:]) for i in idents if i.startswith("o")]
    names = [i[1:] for i in idents if i.startswith("n")]
    return sa.or_(
        sa.and_(summed.organisation_id.in_(orgs), summed.redacted.is_(False))
        if orgs
        else sa.false(),
        sa.and_(
            summed.organisation_id.is_(None),
            summed.redacted.is_(False),
            _keyed(summed.supplier_key, names),
        )
        if names
        else sa.false(),
        summed.redacted.is_(True) if "r" in idents else sa.false(),
    )


def _contributions(buyer_id, dialect, suppliers, idents):
    """{(dimension, source, period, value, class): [spend, counted, suppliers, lines]} of these
    suppliers' sums by kind."""
    out = {}
    for dimension, stmt in _class_selects(buyer_id, dialect, suppliers, [_of_suppliers(idents)]):
        for source, period, value, cls, *figures in db.session.execute(stmt).all():
            at = (dimension, _plain(source), _plain(period), value, int(cls))
            out[at] = [int(f) for f in figures]
    return out


def _by_kind_before(buyer_id, keys, dialect):
    """Before a few suppliers' sums change (a match, a contract's months): "build" when the
    buyer's sums by kind were never built, None when they were built with another
    classification (``rebuild_stale`` builds them), else what the suppliers the change touches
    (by the lines they have now and the sums they had) gave them, for ``_by_kind_after``."""
    stamp = kinds.current()
    built = db.session.get(SpendClassSumsBuilt, buyer_id)
    if built is None:
        return "build"
    if stamp is None or built.stamp != stamp:
        return None
    idents = {
        reports._ident(org_id, key, redacted)
        for org_id, key, redacted in db.session.execute(
            sa.select(SpendLine.organisation_id, SpendLine.supplier_key, SpendLine.redacted)
            .where(SpendLine.buyer_id == buyer_id, _keyed(SpendLine.supplier_key, keys))
            .distinct()
        )
    }
    summed = SpendSummary
    idents |= set(
        db.session.execute(
            sa.select(reports._ident_of(summed))
            .where(
                summed.buyer_id == buyer_id,
                summed.dimension == "year",
                _keyed(summed.supplier_key, keys),
            )
            .distinct()
        ).scalars()
    )
    if not idents:
        return ((), None, {})
    found = reports._Classified(per_buyer=False)
    found.classify((buyer_id, i) for i in idents)
    classes = {
        (buyer_id, i): reports.class_of(found.kinds[found.of[(buyer_id, i)]]) for i in idents
    }
    suppliers = reports._Suppliers(found.kinds, found.names, found.of, classes)
    return (idents, suppliers, _contributions(buyer_id, dialect, suppliers, idents))


def _by_kind_after(buyer_id, dialect, idents, suppliers, before):
    """Take what the suppliers gave the sums by kind before the change out of them, and put in
    what they give now."""
    if not idents:
        return
    after = _contributions(buyer_id, dialect, suppliers, idents)
    summed = SpendClassSum
    delta = {}
    for at in before.keys() | after.keys():
        old, new = before.get(at, [0, 0, 0, 0]), after.get(at, [0, 0, 0, 0])
        if old != new:
            delta[at] = [n - o for n, o in zip(new, old, strict=True)]
    if not delta:
        return
    rows = db.session.execute(sa.select(summed).where(summed.buyer_id == buyer_id)).scalars()
    held = {(r.dimension, r.source, _plain(r.period), r.value, r.cls): r for r in rows}
    for at, change in delta.items():
        row = held.get(at)
        if row is None:
            dimension, source, period, value, cls = at
            row = SpendClassSum(
                buyer_id=buyer_id,
                dimension=dimension,
                source=source,
                period=date.fromisoformat(period),
                value=value,
                cls=cls,
                spend=0,
                counted=0,
                suppliers=0,
                lines=0,
            )
            db.session.add(row)
        row.spend += change[0]
        row.counted += change[1]
        row.suppliers += change[2]
        row.lines += change[3]
        if row.lines == 0:  # no supplier left in it
            db.session.delete(row)
    db.session.flush()


def stale_buyers():
    """The buyers with spend whose sums by kind were built with another classification (or not
    built at all)."""
    stamp = kinds.current()
    built = SpendClassSumsBuilt
    stale = sa.select(built.buyer_id)
    if stamp is not None:
        stale = stale.where(built.stamp != stamp)
    missing = sa.select(Organisation.id).where(
        ~sa.exists().where(built.buyer_id == Organisation.id),
        sa.exists().where(SpendSummary.buyer_id == Organisation.id),
    )
    return sorted(set(db.session.execute(sa.union(stale, missing)).scalars()))


def rebuild_stale():
    """Job (queued after a change of the facts behind a classification, and by the recoverer):
    build again the sums by kind of every buyer whose are out of date, a buyer a transaction.
    Safe to run again, or at the same time as an import (each buyer's sums have one writer at a
    time)."""
    done = 0
    for buyer_id in stale_buyers():
        _lock(buyer_id, db.session.get_bind().dialect.name)
        build_class_sums(buyer_id)
        db.session.commit()
        done += 1
    return done


def recover_class_sums(now, idle):
    """Recoverer (``app.recovery``): queue ``rebuild_stale`` when a buyer's sums by kind are out
    of date (the job queued after the change was lost, or the change was made without it)."""
    from app.queue import enqueue  # noqa: PLC0415

    if not stale_buyers():
        return 0
    enqueue(rebuild_stale, job_id="spend-rebuild-class-sums")
    return 1


def class_differences(buyer_id):
    """Rows where the stored sums by kind and a fresh count from the supplier sums disagree:
    [] when they are consistent (and built with the classification that holds now)."""
    dialect = db.session.get_bind().dialect.name
    summed = SpendClassSum
    stored = sorted(
        (
            (dimension, *map(_plain, row))
            for dimension, *row in db.session.execute(
                sa.select(summed.dimension, *[getattr(summed, c) for c in CLASS_COLUMNS]).where(
                    summed.buyer_id == buyer_id
                )
            ).all()
        ),
        key=_sortable,
    )
    fresh = sorted(
        (
            (dimension, *map(_plain, row))
            for dimension, stmt in _class_selects(buyer_id, dialect)
            for row in db.session.execute(stmt).all()
        ),
        key=_sortable,
    )
    out = [pair for pair in zip(stored, fresh, strict=False) if pair[0] != pair[1]]
    if len(stored) != len(fresh):
        out.append(("rows", len(stored), len(fresh)))
    if buyer_id in stale_buyers() and fresh:
        out.append(("built with another classification", buyer_id))
    return out


def _plain(value):
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def differences(buyer_id):
    """Rows where the stored sums and the lines disagree: [] when they are consistent."""
    dialect = db.session.get_bind().dialect.name
    stored = [
        tuple(r)
        for r in db.session.execute(
            sa.select(*[getattr(SpendSummary, c) for c in COLUMNS]).where(
                SpendSummary.buyer_id == buyer_id
            )
        ).all()
    ]
    fresh = []
    for dimension in DIMENSIONS:
        fresh += [
            tuple(r)
            for r in db.session.execute(
                _select(dimension, dialect, [SpendLine.buyer_id == buyer_id])
            ).all()
        ]
    fresh = sorted(fresh, key=_sortable)
    stored = sorted(stored, key=_sortable)
    normal = [_normal(r) for r in stored]
    computed = [_normal(r) for r in fresh]
    return [pair for pair in zip(normal, computed, strict=False) if pair[0] != pair[1]] + (
        [] if len(normal) == len(computed) else [("rows", len(normal), len(computed))]
    )


def _normal(row):
    out = []
    for value in row:
        if hasattr(value, "value"):  # an enum
            value = value.value
        out.append(str(value) if value is not None else None)
    return tuple(out)


def _sortable(row):
    return tuple("" if v is None else str(getattr(v, "value", v)) for v in row)
