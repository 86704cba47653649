"""Real Living Wage hourly rates, UK and London, read once from ``data/real_living_wage.csv``
(rates and dates are facts; attribute them as "Real Living Wage rates: Living Wage Foundation").

A rate is in force from its announcement until the next one. The London rate applies to London
(the ITL1 region ``TLI``); the UK rate everywhere else. Showing a rate does not make a supplier an
accredited Living Wage Employer, and no page may imply that it does.
"""

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
LONDON_REGION = "TLI"


@dataclass(frozen=True)
class Rate:
    year: str  # "2025-26"
    announced_on: date
    uk_pence: int
    london_pence: int
    pay_by: date | None = None  # the Living Wage Foundation's "implement by" date, when known

    def pence(self, london):
        return self.london_pence if london else self.uk_pence


def _announced(value):
    """ "2025-10-22", or "2014-11" for a month-precision row (taken as the month's first day)."""
    parts = [int(p) for p in value.split("-")]
    return date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)


@cache
def rates():
    """Every rate, oldest first."""
    with open(DATA / "real_living_wage.csv", newline="", encoding="utf-8") as f:
        return tuple(
            sorted(
                (
                    Rate(
                        year=row["rate_year"],
                        announced_on=_announced(row["announced_on"]),
                        uk_pence=int(row["uk_pence_per_hour"]),
                        london_pence=int(row["london_pence_per_hour"]),
                        pay_by=date.fromisoformat(row["implement_by"])
                        if row.get("implement_by")
                        else None,
                    )
                    for row in csv.DictReader(f)
                ),
                key=lambda r: r.announced_on,
            )
        )


def rate_on(day):
    """The rate in force on ``day`` (the latest announced on or before it), or None before the
    first one we hold."""
    found = None
    for rate in rates():
        if rate.announced_on <= day:
            found = rate
    return found
