"""Working days: weekdays that are not bank holidays in the chosen UK nation.

Bank holidays come from the `holidays` library (never a hand-written list). ``GB`` needs a
subdivision, or Easter Monday and the August bank holiday go missing. Every function takes the
calendar of the DPS's nation, with no default: a calculation that forgot it (the standstill once
did) would count a Scottish or Northern Irish bank holiday as a working day.
"""

import enum
from datetime import timedelta
from functools import lru_cache

import holidays


class Calendar(enum.StrEnum):
    ENGLAND_AND_WALES = "england-and-wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"


CALENDAR_LABELS = {
    Calendar.ENGLAND_AND_WALES: "England and Wales",
    Calendar.SCOTLAND: "Scotland",
    Calendar.NORTHERN_IRELAND: "Northern Ireland",
}
_SUBDIVISIONS = {
    Calendar.ENGLAND_AND_WALES: "ENG",
    Calendar.SCOTLAND: "SCT",
    Calendar.NORTHERN_IRELAND: "NIR",
}


@lru_cache(maxsize=64)
def _bank_holidays(calendar, year):
    return frozenset(holidays.GB(subdiv=_SUBDIVISIONS[Calendar(calendar)], years=year).keys())


def is_bank_holiday(day, calendar):
    return day in _bank_holidays(Calendar(calendar).value, day.year)


def is_working_day(day, calendar):
    return day.weekday() < 5 and not is_bank_holiday(day, calendar)


def add_working_days(start, days, calendar):
    """The date ``days`` working days after ``start`` (``start`` itself does not count: an
    application received on a Monday with 10 days has its deadline on the Monday fortnight)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, calendar):
            counted += 1
    return day


def working_days_between(start, end, calendar):
    """Working days after ``start`` up to and including ``end`` (negative if ``end`` is earlier)."""
    if end < start:
        return -working_days_between(end, start, calendar)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, calendar):
            count += 1
    return count


def bank_holiday_name(day, calendar):
    names = holidays.GB(subdiv=_SUBDIVISIONS[Calendar(calendar)], years=day.year)
    return names.get(day)
