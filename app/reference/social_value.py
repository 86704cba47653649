"""Social value measures a buyer can ask bidders to commit to, with units, value types and the
rule that adds up their reporting periods.

The measures live in the ``social_value_measures`` table (``app.measures``): the project's own
open list (``data/measures_open.csv``, not the National TOMs, mapped to the UK Government Social
Value Model) seeded by the migration that made the table, plus any the operator adds or imports.
This module reads them as ``Measure`` values, so callers need not know where they are kept.

Each measure has a **value type**, which says what a commitment or a delivery may be:

- ``count``: whole things (people, apprenticeships), 0 or more;
- ``money``: pounds and pence (a whole number of pence), 0 or more, excluding VAT;
- ``decimal``: a measured quantity such as hours, weeks, FTE or tonnes, 0 or more, to 2 places;
- ``percentage``: a level or share from 0 to 100, to 2 places.

and an **aggregation**, which says what "delivered so far" is over the periods recorded:

- ``sum``: the periods add up (hours, money, starts);
- ``latest``: a level measured at the end of each period (staff in post, % paid the Real Living
  Wage): the latest period's value, never the sum;
- ``average``: the mean of the periods (shares of invoices, waste or mileage);
- ``maximum``: the highest period.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext

import sqlalchemy as sa

from app.errors import ServiceError
from app.extensions import db
from app.measures.models import (
    AGGREGATIONS,
    VALUE_TYPES,
    MeasureStatus,
    SocialValueMeasure,
    SocialValueProxy,
)
from app.measures.open_list import policy_outcomes

__all__ = ["AGGREGATIONS", "VALUE_TYPES"]

# How each rule reads on a contract's page.
AGGREGATION_LABELS = {
    "sum": "Total of all periods",
    "latest": "Latest period",
    "average": "Average of the periods",
    "maximum": "Highest period",
}
MAX_QUANTITY = Decimal(10) ** 12  # quantities fit NUMERIC(14, 2)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Proxy:
    """A money value per unit, as the operator set it: an estimate with its source."""

    pence_per_unit: Decimal
    source: str
    year: int
    licence: str = ""


@dataclass(frozen=True)
class Measure:
    id: str
    name: str
    definition: str
    unit: str  # what it is counted in, as a page says it ("people", "hours", "weeks", "£")
    value_type: str
    aggregation: str = "sum"
    unit_kind: str = ""  # one of app.measures.models.UNITS
    direction: str = "more"
    ppn002_missions: str = ""
    ppn0620_outcomes: str = ""
    evidence: str = ""
    asks_postcode_sectors: bool = False
    status: str = "active"
    source: str = ""
    licence: str = ""
    proxy: Proxy | None = None

    @property
    def theme(self):
        """SV-EMP-01 -> EMP; an imported measure with another pattern of id has none."""
        parts = self.id.split("-")
        return parts[1] if len(parts) > 2 else "OTHER"

    @property
    def aggregation_label(self):
        return AGGREGATION_LABELS.get(self.aggregation, self.aggregation)

    @property
    def retired(self):
        return self.status == MeasureStatus.RETIRED.value

    @property
    def outcomes(self):
        """[(model, key, label)] for the policy outcomes it serves: PPN 002 missions first."""
        known = policy_outcomes()
        keys = self.ppn002_missions.split() + self.ppn0620_outcomes.split()
        return [(known.get(k, ("", k))[0], k, known.get(k, ("", k))[1]) for k in keys]


THEMES = {
    "EMP": "Jobs and employment",
    "SKL": "Skills and training",
    "SC": "Supply chain and local spend",
    "COM": "Communities and volunteering",
    "WB": "Health and wellbeing",
    "FW": "Fair work",
    "ENV": "Environment and net zero",
    "OTHER": "Other measures",
}


def as_measure(row):
    proxy = row.proxy
    return Measure(
        id=row.id,
        name=row.name,
        definition=row.definition or "",
        unit=row.unit_label or row.unit,
        value_type=row.value_type,
        aggregation=row.aggregation,
        unit_kind=row.unit,
        direction=row.direction,
        ppn002_missions=row.ppn002_missions or "",
        ppn0620_outcomes=row.ppn0620_outcomes or "",
        evidence=row.evidence or "",
        asks_postcode_sectors=bool(row.asks_postcode_sectors),
        status=MeasureStatus(row.status).value,
        source=row.source or "",
        licence=row.licence or "",
        proxy=Proxy(proxy.pence_per_unit, proxy.source, proxy.year, proxy.licence or "")
        if proxy is not None
        else None,
    )


def all_measures(include_retired=False):
    """The measures buyers may choose from (active ones, unless ``include_retired``), in id
    order."""
    stmt = (
        sa.select(SocialValueMeasure)
        .options(sa.orm.selectinload(SocialValueMeasure.proxy))
        .order_by(SocialValueMeasure.id)
    )
    if not include_retired:
        stmt = stmt.where(SocialValueMeasure.status == MeasureStatus.ACTIVE)
    return [as_measure(r) for r in db.session.execute(stmt).scalars()]


def get(measure_id):
    """The measure, retired or not; None for an id the table does not hold."""
    if not isinstance(measure_id, str) or not measure_id:
        return None
    row = db.session.get(SocialValueMeasure, measure_id)
    return as_measure(row) if row is not None else None


def get_many(measure_ids):
    """{id: the measure, or None for an id the table does not hold} in one query."""
    wanted = [m for m in measure_ids if isinstance(m, str) and m]
    found = {}
    if wanted:
        stmt = (
            sa.select(SocialValueMeasure)
            .options(sa.orm.joinedload(SocialValueMeasure.proxy))
            .where(SocialValueMeasure.id.in_(wanted))
        )
        found = {r.id: as_measure(r) for r in db.session.execute(stmt).scalars()}
    return {m: found.get(m) for m in measure_ids}


def proxy_for(measure_id):
    row = db.session.get(SocialValueProxy, measure_id)
    return Proxy(row.pence_per_unit, row.source, row.year, row.licence or "") if row else None


def theme_name(theme):
    return THEMES.get(theme, theme.title())


# --- Values ------------------------------------------------------------------------------------


def parse_number(value):
    """What a person typed as a Decimal ("1,250.50", "£500", " 3 "), or None if it is not a
    finite number."""
    try:
        number = Decimal(str(value).strip().replace(",", "").replace("£", ""))
    except (InvalidOperation, AttributeError, TypeError):
        return None
    return number if number.is_finite() else None


def check_value(measure, value, field, not_a_number):
    """``value`` as the Decimal the measure's value type allows; else a ServiceError about
    ``field``. ``not_a_number`` is the message for something that is not a number at all."""
    number = parse_number(value)
    if number is None:
        raise ServiceError(not_a_number, field)
    name = f"‘{measure.name}’"
    kind = measure.value_type
    if kind == "count":
        if number < 0 or number != number.to_integral_value() or number >= MAX_QUANTITY:
            raise ServiceError(f"Enter a whole number of {measure.unit} for {name}, like 2", field)
    elif kind == "money":
        if number < 0 or number != number.quantize(CENT) or number >= MAX_QUANTITY:
            raise ServiceError(
                f"Enter an amount of money in pounds and pence for {name}, like £500 or £1,250.50",
                field,
            )
    elif kind == "percentage":
        if not 0 <= number <= 100:
            raise ServiceError(f"Enter a percentage from 0 to 100 for {name}", field)
        if number != number.quantize(CENT):
            raise ServiceError(
                f"Enter the percentage for {name} with at most 2 decimal places", field
            )
    elif number < 0 or number >= MAX_QUANTITY or number != number.quantize(CENT):
        raise ServiceError(
            f"Enter a number of {measure.unit} of 0 or more for {name}, with at most 2 decimal "
            "places",
            field,
        )
    return number


def aggregate(rule, values):
    """What periods' values (in period order) come to under ``rule``. Nothing recorded is 0 for
    a sum and None (nothing to say yet) for the others."""
    values = list(values)
    if rule == "sum":
        return sum(values, Decimal(0))
    if not values:
        return None
    if rule == "latest":
        return values[-1]
    if rule == "maximum":
        return max(values)
    if rule == "average":
        return (sum(values, Decimal(0)) / len(values)).quantize(CENT, ROUND_HALF_UP)
    raise ValueError(f"unknown aggregation {rule!r}")


# Wide enough that adding figures up never rounds (each figure has at most 28 significant
# digits, the default context's): a sum is then exact whatever order its figures come in, and
# is rounded once, at the end, to the default context.
EXACT = Context(prec=120)


def exact_sum(values):
    """The exact sum of decimals, in any order."""
    with localcontext(EXACT):
        return sum(values, Decimal(0))


def combine(value_type, values):
    """What several contracts' figures for one measure (each already aggregated by the
    measure's own rule) come to together: people, hours, money and levels add up across
    contracts; percentages (shares and levels of each contract) are averaged, never added.
    Contracts with nothing to say (None) are left out; None if none has anything."""
    values = [v for v in values if v is not None]
    return combine_total(value_type, exact_sum(values), len(values))


def combine_total(value_type, total, n):
    """``combine`` of ``n`` figures whose exact sum is ``total``: so sums kept ahead
    (``lots.awards.figures``) come to the same as the figures themselves."""
    if not n:
        return None
    if value_type == "percentage":
        return (total / n).quantize(CENT, ROUND_HALF_UP)
    return +total  # rounded once to the default context


def estimate_pence(measure, amount):
    """What ``amount`` of the measure is worth by the operator's proxy value, in whole pence: an
    estimate to show with its source. None without a proxy, without an amount, or for a level or
    share (a percentage has no money value per unit)."""
    if measure is None or measure.proxy is None or amount is None:
        return None
    if measure.value_type == "percentage":
        return None
    return int((Decimal(amount) * measure.proxy.pence_per_unit).quantize(Decimal(1), ROUND_HALF_UP))
