"""The figures of a spend report: of a buyer's spend (or the whole DPS's), the share that reaches
VCSEs, SMEs, local suppliers and suppliers in the most deprived neighbourhoods, by financial year,
quarter, category, department and lot (the DPS's contracts), the trend from year to year, and the
top suppliers.

How the shares are counted:

- Each supplier's lines in a row of a table are added up first, credit notes included. A supplier
  whose credits come to more than its payments in that row counts for nothing there: the shares
  are of the **spend counted** (the sum of the suppliers whose net spend is above nothing), which
  is the row's whole spend less those net credits, both shown.
- Each measure's share is of that spend: the part with suppliers that are (yes), the part with
  suppliers that are not (no) and the part not known (unclassified: redacted, not matched to an
  organisation, or a place that cannot be found). The three add up to the whole.
- A redacted line is one unclassified supplier for the counts of suppliers; a name not matched
  is one supplier per normalised name.

``summarise`` does the counting on rows of figures, so it is tested on its own (with hypothesis:
shares add up and never pass 100%); ``report`` reads the figures from the sums kept in step with
the spend lines (``spend.summaries``), so a page stays fast at a million lines.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.organisations.models import Organisation
from app.timeutil import to_local, utcnow
from dps.models import Lot
from spend import classify, kinds
from spend.models import (
    ALL_SOURCES,
    SpendClassSum,
    SpendClassSumsBuilt,
    SpendKindsStamp,
    SpendSource,
    SpendSummary,
)

MEASURES = (
    ("vcse", "VCSE"),
    ("sme", "SME"),
    ("local", "Local"),
    ("deprived_10", "Most deprived 10%"),
    ("deprived_20", "Most deprived 20%"),
)
TABLES = {
    "years": "Financial year",
    "quarters": "Quarter",
    "categories": "Category",
    "departments": "Department",
    "lots": "Lot",
    "suppliers": "Supplier",
}
NOT_THROUGH_DPS = "Not through the DPS"
TOP_SUPPLIERS = 20


def financial_year(day):
    """The UK public sector's financial year starting in April: 2024 for 2024-25."""
    return day.year if day.month >= 4 else day.year - 1


def year_label(start_year):
    return f"{start_year}-{(start_year + 1) % 100:02d}"


def quarter_of(day):
    """1 (April to June) to 4 (January to March)."""
    return (day.month - 4) % 12 // 3 + 1


@dataclass
class Measure:
    yes: int = 0
    no: int = 0
    unknown: int = 0
    suppliers_yes: int = 0
    suppliers_no: int = 0
    suppliers_unknown: int = 0

    def share(self, part, total):
        return 100 * part / total if total else 0.0


@dataclass
class Summary:
    """One row of a table: a year, a quarter, a category, a department or a supplier."""

    key: object
    label: str
    spend: int = 0  # every line, credits included
    counted: int = 0  # the suppliers with net spend above nothing
    lines: int = 0
    suppliers: int = 0  # suppliers counted
    measures: dict = field(default_factory=lambda: {name: Measure() for name, _ in MEASURES})
    kind: object = None  # a supplier's Kind (the suppliers table)

    @property
    def net_credits(self):
        return self.counted - self.spend

    def share(self, measure, part="yes"):
        return 100 * getattr(self.measures[measure], part) / self.counted if self.counted else 0.0

    def supplier_share(self, measure, part="yes"):
        m = self.measures[measure]
        return 100 * getattr(m, f"suppliers_{part}") / self.suppliers if self.suppliers else 0.0


def summarise(items, kind_of, label_of=str):
    """Rows of (table key, supplier, amount in pence, lines) → {key: Summary}, in key order.
    ``kind_of(supplier)`` is that supplier's ``classify.Kind``."""
    net = defaultdict(int)
    lines = defaultdict(int)
    for key, supplier, amount, count in items:
        net[(key, supplier)] += amount
        lines[(key, supplier)] += count
    out = {}
    # Per supplier, which of (yes, no, unknown) it is for each measure, as places in a row's
    # flat lists of amounts and of suppliers (three a measure): worked out once a supplier.
    places = {}
    amounts, counts = {}, {}
    for (key, supplier), amount in net.items():
        row = out.get(key)
        if row is None:
            row = out[key] = Summary(key=key, label=label_of(key))
            amounts[key] = [0] * (3 * len(MEASURES))
            counts[key] = [0] * (3 * len(MEASURES))
        row.spend += amount
        row.lines += lines[(key, supplier)]
        if amount <= 0:
            continue
        row.counted += amount
        row.suppliers += 1
        where = places.get(supplier)
        if where is None:
            kind = kind_of(supplier)
            where = places[supplier] = tuple(
                3 * i + (2 if value is None else 0 if value else 1)
                for i, value in enumerate(getattr(kind, name) for name, _label in MEASURES)
            )
        row_amounts, row_counts = amounts[key], counts[key]
        for place in where:
            row_amounts[place] += amount
            row_counts[place] += 1
    for key, row in out.items():
        row_amounts, row_counts = amounts[key], counts[key]
        for i, (name, _label) in enumerate(MEASURES):
            m = row.measures[name]
            m.yes, m.no, m.unknown = row_amounts[3 * i : 3 * i + 3]
            m.suppliers_yes, m.suppliers_no, m.suppliers_unknown = row_counts[3 * i : 3 * i + 3]
    return dict(sorted(out.items(), key=lambda kv: _order(kv[0])))


def _order(key):
    return (0, key) if isinstance(key, (int, tuple)) else (1, str(key).casefold())


def default_year(years, today):
    """The last whole financial year with spend; else the current one; else the earliest."""
    current = financial_year(today)
    for choice in (
        [y for y in years if y < current],
        [y for y in years if y == current],
    ):
        if choice:
            return max(choice)
    return min(years) if years else None


# --- Reading the lines ----------------------------------------------------------------------------


@dataclass
class Report:
    years: dict
    year: int | None  # the financial year the other tables are of
    quarters: dict
    categories: dict
    departments: dict
    lots: dict  # the DPS's contracts by lot; the rest of the spend as NOT_THROUGH_DPS
    suppliers: list  # Summary, biggest first, each with its kind and name
    total_spend: int
    total_lines: int
    kinds: dict  # supplier -> Kind
    names: dict  # supplier -> name
    # {category: {class_of a kind: the year's spend counted with suppliers of that kind}}
    category_classes: dict = field(default_factory=dict)
    # behind(category) -> [(supplier, net pence)]: who is behind a category's spend in the year
    behind: object = None

    def table(self, name):
        return {
            "years": list(self.years.values()),
            "quarters": list(self.quarters.values()),
            "categories": list(self.categories.values()),
            "departments": list(self.departments.values()),
            "lots": list(self.lots.values()),
            "suppliers": self.suppliers,
        }[name]

    def trend(self):
        """[(measure name, label, [(year label, share, change in points from the year before or
        None)])]: each measure's share of spend year by year."""
        out = []
        for name, label in MEASURES:
            points, before = [], None
            for row in self.years.values():
                share = row.share(name)
                points.append((row.label, share, None if before is None else share - before))
                before = share
            out.append((name, label, points))
        return out


def _supplier(org_id, key, redacted, name=None):
    """A supplier's key in the tables: redacted payments are one supplier, a matched name is its
    organisation, any other name is one supplier per normalised name."""
    if redacted:
        return ("redacted",)
    if org_id is not None:
        return ("organisation", org_id)
    return ("name", key or "")


def _ident(org_id, key, redacted):
    """``_supplier`` as one text, as ``_ident_of`` writes it in SQL."""
    if redacted:
        return "r"
    if org_id is not None:
        return f"o{org_id}"
    return f"n{key or ''}"


def _ident_of(summed):
    return sa.case(
        (summed.redacted, sa.literal("r")),
        (
            summed.organisation_id.is_not(None),
            sa.literal("o").concat(sa.cast(summed.organisation_id, sa.String)),
        ),
        else_=sa.literal("n").concat(sa.func.coalesce(summed.supplier_key, "")),
    )


def class_of(kind):
    """A ``Kind`` as one number: for each measure (in ``MEASURES`` order, a power of three each)
    0 yes, 1 no, 2 not known. The database adds spend up by these numbers."""
    return sum(
        3**i * (2 if value is None else 0 if value else 1)
        for i, value in enumerate(getattr(kind, name) for name, _label in MEASURES)
    )


def answers_of(cls):
    """{measure: True, False or None} of a ``class_of`` number."""
    return {name: (True, False, None)[cls // 3**i % 3] for i, (name, _label) in enumerate(MEASURES)}


def _scope(summed, dimension, buyer_ids, source):
    where = [summed.dimension == dimension]
    if buyer_ids is not None:
        where.append(summed.buyer_id.in_(list(buyer_ids)))
    if source is not None:
        where.append(summed.source == SpendSource(source))
    return where


def _run(stmt):
    # Through the connection: plain rows, without the ORM's loading.
    return db.session.connection().execute(stmt).all()


@dataclass
class _Suppliers:
    """The suppliers of a report, classified: ``kinds`` and ``names`` by the supplier's key in
    the tables, ``of`` that key by (buyer, ``_ident``), ``classes`` ``class_of`` its kind by
    (buyer, ``_ident``)."""

    kinds: dict
    names: dict
    of: dict
    classes: dict

    def relation(self):
        """The classes as a table the database can join: (buyer_id, ident, cls)."""
        keys = list(self.classes)
        if db.session.get_bind().dialect.name == "postgresql":
            stmt = sa.text(
                "SELECT * FROM unnest(CAST(:buyers AS integer[]), CAST(:idents AS text[]),"
                " CAST(:classes AS integer[])) AS k(buyer_id, ident, cls)"
            ).bindparams(
                buyers=[b for b, _ in keys],
                idents=[i for _, i in keys],
                classes=[self.classes[k] for k in keys],
            )
        else:
            stmt = sa.text(
                "SELECT json_extract(value, '$[0]') AS buyer_id,"
                " json_extract(value, '$[1]') AS ident, json_extract(value, '$[2]') AS cls"
                " FROM json_each(:kinds)"
            ).bindparams(kinds=json.dumps([[b, i, self.classes[(b, i)]] for b, i in keys]))
        return stmt.columns(
            sa.column("buyer_id", sa.Integer),
            sa.column("ident", sa.String),
            sa.column("cls", sa.Integer),
        ).subquery("kinds")


def _suppliers(buyer_ids, source, per_buyer, period=None):
    """The suppliers of these buyers' spend (in the financial year starting on ``period``, or in
    any), classified."""
    summed = SpendSummary
    supplier = (summed.buyer_id, summed.organisation_id, summed.supplier_key, summed.redacted)
    stmt = (
        sa.select(*supplier, sa.func.min(summed.supplier_name))
        .where(*_scope(summed, "year", buyer_ids, source))
        .group_by(*supplier)
    )
    if period is not None:
        stmt = stmt.where(summed.period == period)
    rows = _run(stmt)
    supplier_of, kinds, names, _buyers = _classifier(rows, per_buyer)
    of, classes = {}, {}
    for buyer_id, org_id, key, redacted, name in rows:
        at = (buyer_id, _ident(org_id, key, redacted))
        of[at] = supplier_of(buyer_id, org_id, key, redacted, name)
        classes[at] = class_of(kinds[of[at]])
    return _Suppliers(kinds, names, of, classes)


def _per_supplier(dimension, buyer_ids, source, key, where=()):
    """Each supplier's lines of ``dimension`` added up by ``key`` (an expression of the sums):
    a subquery of (buyer_id, ident, key, net, lines)."""
    return _per_supplier_by(dimension, buyer_ids, source, {"key": key}, where)


def _per_supplier_by(dimension, buyer_ids, source, keys, where=()):
    """Each supplier's lines of ``dimension`` added up by ``keys`` ({name: expression of the
    sums}): a subquery of (buyer_id, ident, *keys, net, lines)."""
    summed = SpendSummary
    base = (
        sa.select(
            summed.buyer_id.label("buyer_id"),
            _ident_of(summed).label("ident"),
            *[expression.label(name) for name, expression in keys.items()],
            summed.amount_pence,
            summed.lines,
        )
        .where(*_scope(summed, dimension, buyer_ids, source), *where)
        .subquery("summed")
    )
    grouped = [base.c.buyer_id, base.c.ident, *[base.c[name] for name in keys]]
    return (
        sa.select(
            *grouped,
            sa.func.sum(base.c.amount_pence).label("net"),
            sa.func.sum(base.c.lines).label("lines"),
        )
        .group_by(*grouped)
        .subquery("per_supplier")
    )


def by_class_select(suppliers, dimension, buyer_ids, source, keys, where=()):
    """A select of (*keys, class, spend, spend counted, suppliers counted, lines): each
    supplier's lines added up by ``keys`` ({name: expression of the sums}) first (its credits set
    against its payments), then those added up by the supplier's class (``class_of``)."""
    per = _per_supplier_by(dimension, buyer_ids, source, keys, where)
    classes = suppliers.relation()
    counted = per.c.net > 0
    grouped = [per.c[name] for name in keys]
    return (
        sa.select(
            *grouped,
            classes.c.cls,
            sa.func.sum(per.c.net),
            sa.func.sum(sa.case((counted, per.c.net), else_=0)),
            sa.func.sum(sa.case((counted, 1), else_=0)),
            sa.func.sum(per.c.lines),
        )
        .select_from(
            per.join(
                classes,
                sa.and_(classes.c.buyer_id == per.c.buyer_id, classes.c.ident == per.c.ident),
            )
        )
        .group_by(*grouped, classes.c.cls)
    )


def _by_class(suppliers, dimension, buyer_ids, source, key, where=()):
    """Rows of (key, class, spend, spend counted, suppliers counted, lines): each supplier's
    lines added up by ``key`` first (its credits set against its payments), then those added up
    by the supplier's class (``class_of``), all in the database."""
    if not suppliers.classes:
        return []
    stmt = by_class_select(suppliers, dimension, buyer_ids, source, {"key": key}, where)
    return [(k, int(c), int(a), int(b), int(n), int(lines)) for k, c, a, b, n, lines in _run(stmt)]


def tabled(rows, label_of=str):
    """Rows of ``_by_class`` → {key: Summary}, in key order: what ``summarise`` makes of the
    same suppliers' figures."""
    out = {}
    answers = {}
    for key, cls, spend, counted, suppliers, lines in rows:
        row = out.get(key)
        if row is None:
            row = out[key] = Summary(key=key, label=label_of(key))
        row.spend += spend
        row.counted += counted
        row.suppliers += suppliers
        row.lines += lines
        if cls not in answers:
            answers[cls] = answers_of(cls)
        for name, value in answers[cls].items():
            part = "unknown" if value is None else "yes" if value else "no"
            m = row.measures[name]
            setattr(m, part, getattr(m, part) + counted)
            setattr(m, f"suppliers_{part}", getattr(m, f"suppliers_{part}") + suppliers)
    return dict(sorted(out.items(), key=lambda kv: _order(kv[0])))


def _read_buyers(ids):
    return {
        b.id: (b.display_name, classify.area_districts(b))
        for b in db.session.execute(sa.select(Organisation).where(Organisation.id.in_(ids)))
        .scalars()
        .all()
    }


def _read_names(ids):
    return dict(
        db.session.execute(
            sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
        ).all()
    )


def _classifier(rows, per_buyer):
    """For rows of (buyer, organisation, name key, redacted, a name): (supplier_of, kinds, names,
    buyers). ``supplier_of(buyer, organisation, name key, redacted, name)`` is the supplier's key
    in the tables (with the buyer when ``per_buyer``: local depends on the buyer's area),
    classifying it the first time into ``kinds`` and naming it in ``names``; ``buyers`` is
    {id: (display name, the districts of its area)} of the rows' buyers. The facts are read once
    a process while they stay as they are (``spend.kinds``)."""
    rows = list(rows)
    stamp = kinds.current()
    buyers = kinds.cached("buyers", {r[0] for r in rows}, stamp, _read_buyers)
    facts = kinds.cached(
        "facts", {r[1] for r in rows if r[1] is not None}, stamp, classify.facts_of
    )
    # Names matched to no organisation, classified from the public registers loaded.
    listed = kinds.cached(
        "listed",
        {r[2] for r in rows if r[1] is None and not r[3] and r[2]},
        stamp,
        classify.register_facts_of,
    )
    org_names = kinds.cached("names", set(facts), stamp, _read_names)
    found, names = {}, {}

    def supplier_of(buyer_id, org_id, key, redacted, name):
        who = _supplier(org_id, key, redacted, name)
        supplier = (buyer_id, who) if per_buyer else who
        if supplier not in found:
            known = facts.get(org_id) if org_id is not None else listed.get(key)
            area = buyers.get(buyer_id)
            found[supplier] = classify.kind_for(
                None if redacted else known, area[1] if area else None
            )
            names[supplier] = (
                "Redacted payments"
                if redacted
                else org_names.get(org_id) or name or "Unnamed supplier"
            )
            if per_buyer:
                names[supplier] += f", paid by {buyers[buyer_id][0]}"
        return supplier

    return supplier_of, found, names, buyers


class _Classified:
    """The suppliers of a report read from the stored sums by kind, classified only as they are
    named (the top suppliers, those behind a gap): ``of``, ``kinds`` and ``names`` as
    ``_Suppliers``'s, filled in by ``classify`` ([(buyer, ident)])."""

    def __init__(self, per_buyer, source=None):
        self.per_buyer = per_buyer
        self.source = source  # the names of unmatched suppliers are read from its lines
        self.of, self.kinds, self.names = {}, {}, {}

    def classify(self, pairs):
        wanted = [p for p in set(pairs) if p not in self.of]
        if not wanted:
            return
        named = {}
        unmatched = [(b, i[1:]) for b, i in wanted if i.startswith("n")]
        if unmatched:
            summed = SpendSummary
            for buyer_id, key, name in _run(
                sa.select(summed.buyer_id, summed.supplier_key, sa.func.min(summed.supplier_name))
                .where(
                    summed.dimension == "year",
                    summed.buyer_id.in_({b for b, _k in unmatched}),
                    summed.organisation_id.is_(None),
                    summed.redacted.is_(False),
                    sa.func.coalesce(summed.supplier_key, "").in_({k for _b, k in unmatched}),
                    True if self.source is None else summed.source == SpendSource(self.source),
                )
                .group_by(summed.buyer_id, summed.supplier_key)
            ):
                # No key and an empty key are one supplier: the first of their names.
                names = [n for n in (name, named.get((buyer_id, key or ""))) if n is not None]
                named[(buyer_id, key or "")] = min(names) if names else None
        rows = []
        for buyer_id, ident in wanted:
            if ident == "r":
                rows.append((buyer_id, None, None, True, None))
            elif ident.startswith("o"):
                rows.append((buyer_id, int(ident[1:]), None, False, None))
            else:
                key = ident[1:]
                rows.append((buyer_id, None, key or None, False, named.get((buyer_id, key))))
        supplier_of, found, names, _buyers = _classifier(rows, self.per_buyer)
        for (buyer_id, ident), row in zip(wanted, rows, strict=True):
            supplier = supplier_of(*row)
            self.of[(buyer_id, ident)] = supplier
            self.kinds.setdefault(supplier, found[supplier])
            self.names.setdefault(supplier, names[supplier])


def _given(summed):
    """A category's or department's name, "Not given" for none."""
    return sa.case(
        (sa.or_(summed.value.is_(None), summed.value == ""), sa.literal("Not given")),
        else_=summed.value,
    )


def _quarter(summed, year):
    return sa.case(
        (summed.period < date(year, 7, 1), 1),
        (summed.period < date(year, 10, 1), 2),
        (summed.period < date(year + 1, 1, 1), 3),
        else_=4,
    )


def _lot_label(buyer_ids, source, start):
    """The lot's label of a row of the lot dimension (``NOT_THROUGH_DPS`` for spend not through
    a contract of the DPS), as an expression of the sums."""
    summed = SpendSummary
    values = _run(
        sa.select(summed.value)
        .where(*_scope(summed, "lot", buyer_ids, source), summed.period == start)
        .where(summed.value.is_not(None))
        .distinct()
    )
    titles = lot_titles({int(v) for (v,) in values})
    mapping = {str(lot_id): title for lot_id, title in titles.items()}
    if not mapping:
        return sa.literal(NOT_THROUGH_DPS)
    return sa.case(mapping, value=summed.value, else_=sa.literal(NOT_THROUGH_DPS))


def stored_current(buyer_ids, stamp=None):
    """Whether the sums by kind (``SpendClassSum``) of these buyers (None: every buyer) were
    built with the classification that holds now: each buyer with spend has them, built under
    the stamp that holds now (``spend.kinds``)."""
    # One round trip: the stamp, and whether any buyer's are stale or missing.
    held = (
        sa.select(SpendKindsStamp.stamp).limit(1).scalar_subquery()
        if stamp is None
        else sa.literal(stamp, sa.BigInteger)
    )
    built = SpendClassSumsBuilt
    stale = sa.select(built.buyer_id).where(built.stamp != held)
    missing = sa.select(Organisation.id).where(
        ~sa.exists().where(built.buyer_id == Organisation.id),
        sa.exists().where(SpendSummary.buyer_id == Organisation.id),
    )
    if buyer_ids is not None:
        ids = list(buyer_ids)
        stale = stale.where(built.buyer_id.in_(ids))
        missing = missing.where(Organisation.id.in_(ids))
    now, any_stale, any_missing = _run(sa.select(held, stale.exists(), missing.exists()))[0]
    return now is not None and not any_stale and not any_missing


def _stored_source(source):
    """``SpendClassSum.source`` of a report of ``source`` (None: every source)."""
    return ALL_SOURCES if source is None else SpendSource(source).value


def _stored(dimension, buyer_ids, key, where=(), source=None):
    """Rows of (key, class, spend, spend counted, suppliers counted, lines) of the stored sums
    by kind of ``source`` (None: every source): what ``_by_class`` counts from the supplier
    sums."""
    summed = SpendClassSum
    stmt = sa.select(
        key,
        summed.cls,
        sa.func.sum(summed.spend),
        sa.func.sum(summed.counted),
        sa.func.sum(summed.suppliers),
        sa.func.sum(summed.lines),
    ).where(summed.dimension == dimension, summed.source == _stored_source(source), *where)
    if buyer_ids is not None:
        stmt = stmt.where(summed.buyer_id.in_(list(buyer_ids)))
    stmt = stmt.group_by(key, summed.cls)
    return [(k, int(c), int(a), int(b), int(n), int(lines)) for k, c, a, b, n, lines in _run(stmt)]


def report(buyer_ids=None, year=None, source=None, today=None, only=None):
    """The report of these buyers' spend (None: every buyer's), its period tables of the
    financial ``year`` (by default ``default_year``). Read from the sums by kind of supplier
    (``SpendClassSum``: a few hundred rows a buyer) while they were built with the
    classification that holds now (for every source, or for one), else from the supplier sums kept
    with the lines (``spend.summaries``), added up in the database by supplier and then by the
    kind of supplier (``class_of``), the suppliers classified here. ``only``: the names of the
    tables wanted (of ``TABLES``; a download wants one), the years always; None for all."""
    wanted = _wanted(only)
    if stored_current(buyer_ids):
        return _stored_report(buyer_ids, year, today, wanted, source)
    # A supplier is counted per buyer (local depends on the buyer's area).
    per_buyer = buyer_ids is None or len(buyer_ids) > 1
    suppliers = _suppliers(buyer_ids, source, per_buyer)
    summed = SpendSummary
    years = tabled(
        [
            (financial_year(day), *rest)
            for day, *rest in _by_class(suppliers, "year", buyer_ids, source, summed.period)
        ],
        year_label,
    )
    today = today or to_local(utcnow()).date()
    if year is None:
        year = default_year(years, today)
    tables = {}
    category_classes = {}
    if year is not None:
        start, end = date(year, 4, 1), date(year + 1, 4, 1)
        if "quarters" in wanted:
            tables["quarters"] = tabled(
                _by_class(
                    suppliers,
                    "month",
                    buyer_ids,
                    source,
                    _quarter(summed, year),
                    [summed.period >= start, summed.period < end],
                ),
                lambda q: f"Q{q} {year_label(year)}",
            )
        in_year = [summed.period == start]
        for name, dimension in (("categories", "category"), ("departments", "department")):
            if name not in wanted:
                continue
            rows = _by_class(suppliers, dimension, buyer_ids, source, _given(summed), in_year)
            tables[name] = _by_spend(tabled(rows))
            if name == "categories":
                category_classes = _by_key_and_class(rows)
        if "lots" in wanted:
            lots = _by_class(
                suppliers, "lot", buyer_ids, source, _lot_label(buyer_ids, source, start), in_year
            )
            tables["lots"] = _lots_table(lots)
        if "suppliers" in wanted:
            tables["suppliers"] = _top_suppliers(suppliers, buyer_ids, source, start)
    return _report(years, year, tables, suppliers, category_classes, buyer_ids, source)


def _by_spend(table):
    return dict(sorted(table.items(), key=lambda kv: -kv[1].spend))


def _lots_table(rows):
    return dict(
        sorted(tabled(rows).items(), key=lambda kv: (kv[0] == NOT_THROUGH_DPS, -kv[1].spend))
    )


def _wanted(only):
    if only is None:
        return frozenset(TABLES)
    unknown = set(only) - set(TABLES)
    if unknown:
        raise ValueError(f"no such table: {sorted(unknown)}")
    return frozenset(only)


def _stored_report(buyer_ids, year, today, wanted, source=None):
    """``report`` (of every source, or of one) from the sums by kind: the suppliers classified
    only as they are named."""
    per_buyer = buyer_ids is None or len(buyer_ids) > 1
    suppliers = _Classified(per_buyer, source)
    summed = SpendClassSum
    years = tabled(
        [
            (financial_year(day), *rest)
            for day, *rest in _stored("year", buyer_ids, summed.period, source=source)
        ],
        year_label,
    )
    today = today or to_local(utcnow()).date()
    if year is None:
        year = default_year(years, today)
    tables = {}
    category_classes = {}
    if year is not None:
        start, end = date(year, 4, 1), date(year + 1, 4, 1)
        if "quarters" in wanted:
            quarters = _stored(
                "quarter",
                buyer_ids,
                summed.period,
                [summed.period >= start, summed.period < end],
                source,
            )
            tables["quarters"] = tabled(
                [(quarter_of(day), *rest) for day, *rest in quarters],
                lambda q: f"Q{q} {year_label(year)}",
            )
        in_year = [summed.period == start]
        for name, dimension in (("categories", "category"), ("departments", "department")):
            if name not in wanted:
                continue
            rows = _stored(dimension, buyer_ids, summed.value, in_year, source)
            tables[name] = _by_spend(tabled(rows))
            if name == "categories":
                category_classes = _by_key_and_class(rows)
        if "lots" in wanted:
            tables["lots"] = _stored_lots(suppliers, buyer_ids, start, source)
    # Every buyer's supplier sums, read by buyer: the index of the sums leads with the buyer (and
    # every buyer with spend has its sums by kind built, or this report would not be read here).
    scope = buyer_ids
    if year is not None and "suppliers" in wanted:
        scope = _built_buyers() if buyer_ids is None else buyer_ids
        tables["suppliers"] = _top_suppliers(suppliers, scope, source, date(year, 4, 1))
    return _report(years, year, tables, suppliers, category_classes, scope, source)


def _built_buyers():
    return [b for (b,) in _run(sa.select(SpendClassSumsBuilt.buyer_id))]


def _stored_lots(suppliers, buyer_ids, start, source=None):
    """The lots table of the year starting on ``start`` from the sums by kind."""
    summed = SpendClassSum
    lots = _stored("lot", buyer_ids, summed.value, [summed.period == start], source)
    titles = lot_titles({int(v) for v, *_rest in lots if v is not None})
    labels = {v: titles.get(int(v), NOT_THROUGH_DPS) if v else NOT_THROUGH_DPS for v, *_ in lots}
    if len(set(labels.values())) == len(labels):
        return _lots_table([(labels[v], *rest) for v, *rest in lots])
    # Two lots (or a lot gone and the spend not through the DPS) under one label: each
    # supplier is netted over the label, so count it from the supplier sums.
    counted = _suppliers(buyer_ids, source, suppliers.per_buyer, period=start)
    return _lots_table(
        _by_class(
            counted,
            "lot",
            buyer_ids,
            source,
            _lot_label(buyer_ids, source, start),
            [SpendSummary.period == start],
        )
    )


def _report(years, year, tables, suppliers, category_classes, buyer_ids, source):
    """The ``Report`` of the tables both ways of counting make ({name: table}, the periods'
    only when there is a ``year``), who is behind a category read from the supplier sums."""
    behind = None
    if year is not None:
        start = date(year, 4, 1)

        def behind(category):
            return _suppliers_in(suppliers, buyer_ids, source, start, category)

    return Report(
        years=years,
        year=year,
        quarters=tables.get("quarters", {}),
        categories=tables.get("categories", {}),
        departments=tables.get("departments", {}),
        lots=tables.get("lots", {}),
        suppliers=tables.get("suppliers", []),
        total_spend=sum(r.spend for r in years.values()),
        total_lines=sum(r.lines for r in years.values()),
        kinds=suppliers.kinds,
        names=suppliers.names,
        category_classes=category_classes,
        behind=behind,
    )


def kind_of_class(cls):
    """A ``Kind`` as far as a ``class_of`` number tells it: VCSE, SME and local (what a gap
    asks of a supplier)."""
    answers = answers_of(cls)
    return classify.Kind(vcse=answers["vcse"], sme=answers["sme"], local=answers["local"])


def _by_key_and_class(rows):
    """{key: {class: spend counted}} of rows of ``_by_class``."""
    out = {}
    for key, cls, _spend, counted, _suppliers, _lines in rows:
        out.setdefault(key, {})
        out[key][cls] = out[key].get(cls, 0) + counted
    return out


def _top_suppliers(suppliers, buyer_ids, source, start):
    """The ``TOP_SUPPLIERS`` biggest suppliers of the year starting on ``start``, each a
    ``Summary`` with its kind and name."""
    summed = SpendSummary
    per = _per_supplier("year", buyer_ids, source, sa.literal(0), [summed.period == start])
    biggest = sa.select(per).order_by(per.c.net.desc())
    read = 5 * TOP_SUPPLIERS
    found = [(b, i, int(net), int(lines)) for b, i, _key, net, lines in _run(biggest.limit(read))]
    if len(found) > TOP_SUPPLIERS:
        # Those that can be among the top: the biggest, and any as big as the last of them
        # (named in order of name when their spend is the same).
        least = found[TOP_SUPPLIERS - 1][2]
        if len(found) == read and found[-1][2] >= least:
            found = [
                (b, i, int(net), int(lines))
                for b, i, _key, net, lines in _run(biggest.where(per.c.net >= least))
            ]
        found = [row for row in found if row[2] >= least]
    if isinstance(suppliers, _Classified):
        suppliers.classify((b, i) for b, i, _net, _lines in found)
    rows = [(suppliers.of[(b, i)], net, lines) for b, i, net, lines in found]
    rows.sort(key=lambda r: (-r[1], suppliers.names[r[0]]))
    table = summarise(
        ((s, s, net, lines) for s, net, lines in rows[:TOP_SUPPLIERS]), suppliers.kinds.__getitem__
    )
    out = sorted(table.values(), key=lambda r: (-r.spend, suppliers.names[r.key]))
    for row in out:
        row.label = suppliers.names[row.key]
        row.kind = suppliers.kinds[row.key]
    return out


def _suppliers_in(suppliers, buyer_ids, source, start, category):
    """[(supplier, net pence)] of one category in the year starting on ``start``."""
    summed = SpendSummary
    given = _given(summed)
    per = _per_supplier(
        "category", buyer_ids, source, given, [summed.period == start, given == category]
    )
    found = [(b, i, int(net)) for b, i, _key, net, _lines in _run(sa.select(per))]
    if isinstance(suppliers, _Classified):
        suppliers.classify((b, i) for b, i, _net in found)
    return [(suppliers.of[(b, i)], net) for b, i, net in found]


# --- A place's buyers side by side ---------------------------------------------------------------

PLACE_TOTAL = "All buyers in the place"


@dataclass
class PlaceSpend:
    """A place's buyers side by side in one financial year: a row per buyer (every buyer in the
    place, those with no spend in the year too) and the place's total, each a ``Summary``."""

    years: list  # the financial years any of the buyers has spend in, oldest first
    year: int | None
    buyers: list  # Summary per buyer (key: its id), in name order
    total: Summary

    def rows(self):
        return [*self.buyers, self.total]


def by_buyer(buyer_ids, year=None, source=None, today=None):
    """The shares of each of ``buyer_ids``'s spend in the financial ``year`` (by default
    ``default_year`` of their spend), and of all of it: each buyer's row is the figures of its
    own report's year (local by its own area), and the total adds the buyers' suppliers up, a
    supplier counted once per buyer that pays it, as the whole DPS's report does."""
    buyer_ids = sorted(set(buyer_ids))
    stored = bool(buyer_ids) and stored_current(buyer_ids)
    summed = SpendClassSum if stored else SpendSummary
    if stored:
        of_source = summed.source == _stored_source(source)
    else:
        of_source = True if source is None else summed.source == SpendSource(source)
    periods = (
        _run(
            sa.select(summed.period)
            .where(summed.dimension == "year", summed.buyer_id.in_(buyer_ids))
            .where(of_source)
            .distinct()
        )
        if buyer_ids
        else []
    )
    years = sorted({financial_year(p) for (p,) in periods})
    today = today or to_local(utcnow()).date()
    if year is None:
        year = default_year(years, today)
    rows = []
    if year is not None and buyer_ids:
        start = date(year, 4, 1)
        if stored:
            rows = _stored("year", buyer_ids, summed.buyer_id, [summed.period == start], source)
        else:
            suppliers = _suppliers(buyer_ids, source, per_buyer=True, period=start)
            rows = _by_class(
                suppliers, "year", buyer_ids, source, summed.buyer_id, [summed.period == start]
            )
    per_buyer = tabled(rows)
    organisations = (
        db.session.execute(sa.select(Organisation).where(Organisation.id.in_(buyer_ids)))
        .scalars()
        .all()
    )
    buyers = []
    for organisation in sorted(organisations, key=lambda o: o.display_name.casefold()):
        row = per_buyer.get(organisation.id) or Summary(key=organisation.id, label="")
        row.label = organisation.display_name
        buyers.append(row)
    total = tabled([(None, *r[1:]) for r in rows], lambda _: PLACE_TOTAL).get(None)
    return PlaceSpend(
        years=years,
        year=year,
        buyers=buyers,
        total=total or Summary(key=None, label=PLACE_TOTAL),
    )


def lot_titles(lot_ids):
    """{lot id: "Lot 3: Homecare: north patch"}."""
    if not lot_ids:
        return {}
    return {
        lot.id: f"Lot {lot.number}: {lot.title}"
        for lot in db.session.execute(sa.select(Lot).where(Lot.id.in_(list(lot_ids)))).scalars()
    }


def kind_label(kind):
    """'VCSE, SME, local' or 'Unclassified'."""
    if not kind.classified:
        return "Unclassified"
    parts = [
        "VCSE" if kind.vcse else None,
        "SME" if kind.sme else ("Large" if kind.sme is False else None),
        "local" if kind.local else None,
    ]
    return ", ".join(p for p in parts if p) or "Not a VCSE or SME"
