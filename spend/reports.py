"""The figures of a spend report: of a buyer's spend (or the whole DPS's), the share that reaches
VCSEs, SMEs, local suppliers and suppliers in the most deprived neighbourhoods, by financial year,
quarter, category and department, and the top suppliers.

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
shares add up and never pass 100%); ``report`` reads the figures from the spend lines with one
grouped query.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.extensions import db
from app.organisations.models import Organisation
from app.timeutil import to_local, utcnow
from spend import classify
from spend.models import SpendLine, SpendSource

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
    "suppliers": "Supplier",
}
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
    for (key, supplier), amount in net.items():
        row = out.get(key)
        if row is None:
            row = out[key] = Summary(key=key, label=label_of(key))
        row.spend += amount
        row.lines += lines[(key, supplier)]
        if amount <= 0:
            continue
        row.counted += amount
        row.suppliers += 1
        kind = kind_of(supplier)
        for name, _label in MEASURES:
            value = getattr(kind, name)
            part = "unknown" if value is None else "yes" if value else "no"
            m = row.measures[name]
            setattr(m, part, getattr(m, part) + amount)
            setattr(m, f"suppliers_{part}", getattr(m, f"suppliers_{part}") + 1)
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
    suppliers: list  # Summary, biggest first, each with its kind and name
    total_spend: int
    total_lines: int
    kinds: dict  # supplier -> Kind
    names: dict  # supplier -> name

    def table(self, name):
        return {
            "years": list(self.years.values()),
            "quarters": list(self.quarters.values()),
            "categories": list(self.categories.values()),
            "departments": list(self.departments.values()),
            "suppliers": self.suppliers,
        }[name]


def _supplier(org_id, key, redacted, name):
    if redacted:
        return ("redacted",)
    if org_id is not None:
        return ("organisation", org_id)
    return ("name", key or (name or "").casefold())


def _grouped(extra, buyer_ids, source, where=()):
    """Rows of (buyer, organisation, name key, redacted, a name, *extra, pence, lines): the lines
    added up by supplier and ``extra``, in the database."""
    supplier = (
        SpendLine.buyer_id,
        SpendLine.organisation_id,
        SpendLine.supplier_key,
        SpendLine.redacted,
    )
    stmt = (
        sa.select(
            *supplier,
            sa.func.min(SpendLine.supplier_name),
            *extra,
            sa.func.sum(SpendLine.amount_pence),
            sa.func.count(),
        )
        .group_by(*supplier, *extra)
        .where(*where)
    )
    if buyer_ids is not None:
        stmt = stmt.where(SpendLine.buyer_id.in_(list(buyer_ids)))
    if source is not None:
        stmt = stmt.where(SpendLine.source == SpendSource(source))
    return db.session.execute(stmt).all()


def report(buyer_ids=None, year=None, source=None, today=None):
    """The report of these buyers' spend (None: every buyer's), its period tables of the
    financial ``year`` (by default ``default_year``). Three grouped queries: by supplier and
    month, then the year's by supplier and category, and by supplier and department."""
    rows = _grouped(
        (sa.extract("year", SpendLine.paid_on), sa.extract("month", SpendLine.paid_on)),
        buyer_ids,
        source,
    )
    buyers = (
        {
            b.id: b
            for b in db.session.execute(
                sa.select(Organisation).where(Organisation.id.in_({r[0] for r in rows}))
            ).scalars()
        }
        if rows
        else {}
    )
    districts = {buyer_id: classify.area_districts(b) for buyer_id, b in buyers.items()}
    facts = classify.facts_of(r[1] for r in rows)
    org_names = (
        {
            org_id: name
            for org_id, name in db.session.execute(
                sa.select(Organisation.id, Organisation.name).where(
                    Organisation.id.in_(list(facts))
                )
            ).all()
        }
        if facts
        else {}
    )

    # A supplier is counted per buyer (local depends on the buyer's area).
    per_buyer = buyer_ids is None or len(buyer_ids) > 1
    kinds, names = {}, {}

    def supplier_of(buyer_id, org_id, key, redacted, name):
        who = _supplier(org_id, key, redacted, name)
        supplier = (buyer_id, who) if per_buyer else who
        if supplier not in kinds:
            kinds[supplier] = classify.kind_for(facts.get(org_id), districts.get(buyer_id))
            names[supplier] = (
                "Redacted payments"
                if redacted
                else org_names.get(org_id) or name or "Unnamed supplier"
            )
            if per_buyer:
                names[supplier] += f", paid by {buyers[buyer_id].display_name}"
        return supplier

    items = [(supplier_of(*r[:5]), date(int(r[5]), int(r[6]), 1), int(r[7]), r[8]) for r in rows]

    def kind_of(supplier):
        return kinds[supplier]

    years = summarise(
        ((financial_year(day), s, a, c) for s, day, a, c in items), kind_of, year_label
    )
    today = today or to_local(utcnow()).date()
    if year is None:
        year = default_year(years, today)
    in_year = [i for i in items if financial_year(i[1]) == year]
    quarters = summarise(
        ((quarter_of(day), s, a, c) for s, day, a, c in in_year),
        kind_of,
        lambda q: f"Q{q} {year_label(year)}",
    )
    by_supplier = summarise(((s, s, a, c) for s, _day, a, c in in_year), kind_of)
    tables = {}
    if year is not None:
        within = (
            SpendLine.paid_on >= date(year, 4, 1),
            SpendLine.paid_on < date(year + 1, 4, 1),
        )
        for name, column in (
            ("categories", SpendLine.category),
            ("departments", SpendLine.department),
        ):
            grouped = _grouped((column,), buyer_ids, source, within)
            table = summarise(
                ((r[5] or "Not given", supplier_of(*r[:5]), int(r[6]), r[7]) for r in grouped),
                kind_of,
            )
            tables[name] = dict(sorted(table.items(), key=lambda kv: -kv[1].spend))
    suppliers = sorted(by_supplier.values(), key=lambda r: (-r.spend, names[r.key]))[:TOP_SUPPLIERS]
    for row in suppliers:
        row.label = names[row.key]
        row.kind = kinds[row.key]
    return Report(
        years=years,
        year=year,
        quarters=quarters,
        categories=tables.get("categories", {}),
        departments=tables.get("departments", {}),
        suppliers=suppliers,
        total_spend=int(sum(r[7] for r in rows)),
        total_lines=sum(r[8] for r in rows),
        kinds=kinds,
        names=names,
    )


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
