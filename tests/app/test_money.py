"""Money is parsed and shown in one place (app.money)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.money import money, parse_pence, pence_to_pounds


@pytest.mark.parametrize(
    "typed, pence",
    [
        ("1500", 150000),
        ("£1,500.50", 150050),
        (" 0.5 ", 50),
        ("£0", 0),
        ("99999999999.99", 9999999999999),
    ],
)
def test_what_people_type_is_read_as_pence(typed, pence):
    assert parse_pence(typed) == pence


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "abc",
        "-5",
        "1.005",
        "1e3x",
        "NaN",
        "Infinity",
        "100000000000",
        "1e3",
        "+5",
        "1_000",
        "£",
        "1.",
        "1,5.5.5",
    ],
)
def test_anything_else_is_refused(typed):
    with pytest.raises(ValueError) as refused:
        parse_pence(typed)
    assert refused.value.args == (typed,)  # parse_pence's own refusal, naming what was typed


def test_whole_pounds_refuse_pence():
    assert parse_pence("25,000", whole_pounds=True) == 2500000
    with pytest.raises(ValueError) as refused:
        parse_pence("25000.50", whole_pounds=True)
    assert refused.value.args == ("25000.50",)


@pytest.mark.parametrize(
    "pence, shown, field",
    [
        (150050, "£1,500.50", "1500.50"),
        (150000, "£1,500", "1500"),
        (5, "£0.05", "0.05"),
        (0, "£0", "0"),
    ],
)
def test_pence_are_shown_as_people_write_them(pence, shown, field):
    assert money(pence) == shown
    assert pence_to_pounds(pence) == field


def test_nothing_is_said_plainly():
    assert money(None) == "Not given"
    assert pence_to_pounds(None) == ""


@given(st.integers(min_value=0, max_value=10**13 - 1))
def test_what_a_form_shows_reads_back_as_the_same_amount(pence):
    assert parse_pence(pence_to_pounds(pence)) == pence
    assert parse_pence(money(pence)) == pence
