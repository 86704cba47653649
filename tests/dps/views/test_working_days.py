"""Working days, as the decision clock counts them: weekends and the bank holidays of the DPS's
nation are skipped. The holidays come from the `holidays` library; these tests pin the rules that
differ between England and Wales, Scotland and Northern Ireland."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dps.working_days import (
    Calendar,
    add_working_days,
    bank_holiday_name,
    is_working_day,
    working_days_between,
)

ENG, SCT, NIR = Calendar.ENGLAND_AND_WALES, Calendar.SCOTLAND, Calendar.NORTHERN_IRELAND


def test_weekends_are_skipped():
    friday = date(2026, 11, 6)
    assert add_working_days(friday, 1, ENG) == date(2026, 11, 9)  # Monday
    assert add_working_days(date(2026, 11, 7), 1, ENG) == date(2026, 11, 9)  # from a Saturday
    assert add_working_days(friday, 0, ENG) == friday
    assert working_days_between(friday, date(2026, 11, 9), ENG) == 1
    assert working_days_between(date(2026, 11, 7), date(2026, 11, 8), ENG) == 0  # the weekend


def test_ten_working_days_from_a_monday_is_the_monday_fortnight():
    assert add_working_days(date(2026, 12, 7), 10, ENG) == date(2026, 12, 21)


@pytest.mark.parametrize(
    "calendar, due",
    [
        (ENG, date(2027, 1, 6)),
        (NIR, date(2027, 1, 6)),
        # Scotland also stops for 2 January (observed 4th).
        (SCT, date(2027, 1, 7)),
    ],
)
def test_christmas_and_new_year(calendar, due):
    # Christmas Day (Friday), Boxing Day (Saturday, observed Monday 28th), New Year's Day.
    received = date(2026, 12, 18)
    assert add_working_days(received, 10, calendar) == due
    assert working_days_between(received, due, calendar) == 10
    assert not is_working_day(date(2026, 12, 28), calendar)


def test_christmas_falling_at_a_weekend_is_observed_on_the_next_working_days():
    assert not is_working_day(date(2027, 12, 27), ENG) and not is_working_day(
        date(2027, 12, 28), ENG
    )
    assert add_working_days(date(2027, 12, 24), 1, ENG) == date(2027, 12, 29)


@pytest.mark.parametrize(
    "calendar, next_day",
    [
        (ENG, date(2026, 4, 7)),  # Good Friday and Easter Monday
        (NIR, date(2026, 4, 7)),
        (SCT, date(2026, 4, 6)),  # Easter Monday is not a bank holiday in Scotland
    ],
)
def test_easter(calendar, next_day):
    assert not is_working_day(date(2026, 4, 3), calendar)  # Good Friday is everywhere
    assert add_working_days(date(2026, 4, 2), 1, calendar) == next_day


def test_scotland_has_2_january_and_st_andrews_day():
    # 2 January: from New Year's Eve 2025, Thursday 1 and Friday 2 January are both holidays.
    assert add_working_days(date(2025, 12, 31), 1, SCT) == date(2026, 1, 5)
    assert add_working_days(date(2025, 12, 31), 1, ENG) == date(2026, 1, 2)
    # St Andrew's Day, Monday 30 November 2026.
    assert bank_holiday_name(date(2026, 11, 30), SCT) == "Saint Andrew's Day"
    assert add_working_days(date(2026, 11, 27), 1, SCT) == date(2026, 12, 1)
    assert add_working_days(date(2026, 11, 27), 1, ENG) == date(2026, 11, 30)
    # On a Sunday (2025) it moves to the Monday.
    assert not is_working_day(date(2025, 12, 1), SCT) and is_working_day(date(2025, 12, 1), ENG)
    # Scotland's summer bank holiday is the first Monday of August, not the last.
    assert not is_working_day(date(2026, 8, 3), SCT) and is_working_day(date(2026, 8, 31), SCT)
    assert is_working_day(date(2026, 8, 3), ENG) and not is_working_day(date(2026, 8, 31), ENG)


def test_northern_ireland_has_st_patricks_day_and_12_july():
    assert add_working_days(date(2026, 3, 16), 1, NIR) == date(2026, 3, 18)
    assert add_working_days(date(2026, 3, 16), 1, ENG) == date(2026, 3, 17)
    assert bank_holiday_name(date(2026, 3, 17), NIR) == "Saint Patrick's Day"
    # 12 July on a Monday (2027), and on a Sunday (2026: observed Monday 13th).
    assert add_working_days(date(2027, 7, 9), 1, NIR) == date(2027, 7, 13)
    assert add_working_days(date(2027, 7, 9), 1, ENG) == date(2027, 7, 12)
    assert add_working_days(date(2026, 7, 10), 1, NIR) == date(2026, 7, 14)
    assert is_working_day(date(2026, 3, 17), SCT) and is_working_day(date(2027, 7, 12), SCT)


def test_counting_backwards_is_negative():
    assert working_days_between(date(2026, 12, 21), date(2026, 12, 7), ENG) == -10
    assert working_days_between(date(2026, 12, 7), date(2026, 12, 7), ENG) == 0


def test_a_negative_number_of_days_is_refused():
    with pytest.raises(ValueError, match="days must not be negative"):
        add_working_days(date(2026, 12, 7), -1, ENG)


def test_the_calendar_may_be_given_by_its_stored_name():
    assert add_working_days(date(2026, 11, 27), 1, "scotland") == date(2026, 12, 1)


days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
calendars = st.sampled_from(list(Calendar))


@settings(max_examples=300, deadline=None)
@given(start=days, n=st.integers(min_value=0, max_value=60), calendar=calendars)
def test_counting_the_days_added_gives_them_back(start, n, calendar):
    end = add_working_days(start, n, calendar)
    assert working_days_between(start, end, calendar) == n
    assert working_days_between(end, start, calendar) == -n
    if n:
        # The deadline is itself a working day, and the day before it is one fewer.
        assert is_working_day(end, calendar)
        assert working_days_between(start, end - timedelta(days=1), calendar) == n - 1


@settings(max_examples=300, deadline=None)
@given(start=days, gap=st.integers(min_value=0, max_value=90), calendar=calendars)
def test_adding_the_days_between_reaches_the_last_working_day(start, gap, calendar):
    end = start + timedelta(days=gap)
    n = working_days_between(start, end, calendar)
    reached = add_working_days(start, n, calendar)
    assert reached <= end
    assert all(
        not is_working_day(reached + timedelta(days=i), calendar)
        for i in range(1, (end - reached).days + 1)
    )
    if is_working_day(end, calendar) and end > start:
        assert reached == end
