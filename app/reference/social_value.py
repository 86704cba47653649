"""Social value measures a buyer can ask bidders to commit to, with units, value types and the
rule that adds up their reporting periods.

``data/social_value_measures.csv`` is the project's own open list of measures (not the National
TOMs), mapped to the UK Government Social Value Model's outcomes; written for this project.

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

import csv
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from app.errors import ServiceError

DATA = Path(__file__).resolve().parent / "data"

VALUE_TYPES = ("count", "money", "decimal", "percentage")
AGGREGATIONS = ("sum", "latest", "average", "maximum")
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
class Measure:
    id: str
    name: str
    definition: str
    unit: str
    value_type: str
    aggregation: str = "sum"

    @property
    def theme(self):
        """SV-EMP-01 -> EMP."""
        return self.id.split("-")[1]

    @property
    def aggregation_label(self):
        return AGGREGATION_LABELS.get(self.aggregation, self.aggregation)


THEMES = {
    "EMP": "Jobs and employment",
    "SKL": "Skills and training",
    "SC": "Supply chain and local spend",
    "COM": "Communities and volunteering",
    "WB": "Health and wellbeing",
    "FW": "Fair work",
    "ENV": "Environment and net zero",
}


@cache
def _measures():
    with open(DATA / "social_value_measures.csv", newline="", encoding="utf-8") as f:
        return {
            r["measure_id"]: Measure(
                r["measure_id"],
                r["measure"],
                r["definition"],
                r["unit"],
                r["value_type"],
                r["aggregation"],
            )
            for r in csv.DictReader(f)
        }


def all_measures():
    return list(_measures().values())


def get(measure_id):
    return _measures().get(measure_id)


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
