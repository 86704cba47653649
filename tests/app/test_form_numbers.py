"""Whole numbers, ids and choices from a form or a query string are bounded before they are used
(app/forms.py): a tampered 99999999999999 is a message or "not found", never a 500, and a choice
that was never offered gets a plain message, not WTForms' "Not a valid choice"."""

import re

import pytest
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovSelect
from werkzeug.datastructures import MultiDict
from wtforms import RadioField, SelectField, SelectMultipleField

from app.fields import GovDateField
from app.forms import DATABASE_INT_MAX, Form, database_id, optional_id, whole_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        ("1,000", 1000),
        (" 7 ", 7),
        (str(DATABASE_INT_MAX), DATABASE_INT_MAX),
        (str(DATABASE_INT_MAX + 1), None),
        ("99999999999999", None),
        ("-1", None),
        ("1.5", None),
        ("1e9", None),
        ("١٢", None),  # Arabic-Indic digits: isdigit() says yes, a database would not
        ("", None),
        (None, None),
    ],
)
def test_a_whole_number_is_digits_within_what_a_database_holds(text, expected):
    if expected is None:
        with pytest.raises(ValueError, match=f"^{re.escape(str(text))}$"):
            whole_number(text)
    else:
        assert whole_number(text) == expected


def test_whole_number_takes_a_range():
    assert whole_number("25", maximum=25) == 25
    with pytest.raises(ValueError, match="26"):
        whole_number("26", maximum=25)
    with pytest.raises(ValueError, match="0"):
        whole_number("0", minimum=1)


def test_an_id_is_from_1_to_the_largest_database_integer():
    assert database_id("5") == 5
    assert [optional_id(v) for v in ("0", "99999999999999", "x", "-3", None)] == [None] * 5
    with pytest.raises(ValueError, match="99999999999999"):
        database_id("99999999999999")


class ChoicesForm(Form):
    class Meta:
        csrf = False

    colour = RadioField("Colour", widget=GovRadioInput(), choices=[("red", "Red")])
    size = SelectField("Size", widget=GovSelect(), choices=[("s", "Small")])
    extras = SelectMultipleField("Extras", widget=GovCheckboxesInput(), choices=[("a", "A")])
    mood = RadioField(
        "Mood", widget=GovRadioInput(), choices=[("ok", "OK")], invalid_choice_message="Say how"
    )
    number = RadioField("Number", widget=GovRadioInput(), choices=[(1, "One")], coerce=int)


def test_a_choice_never_offered_gets_a_plain_message(app):
    data = MultiDict(
        [("colour", "blue"), ("size", "xl"), ("extras", "zzz"), ("mood", "x"), ("number", "x")]
    )
    with app.test_request_context(method="POST", data=data):
        form = ChoicesForm()
        assert not form.validate()
    assert form.errors == {
        "colour": ["Select one of the options"],
        "size": ["Select an option from the list"],
        "extras": ["Select from the options given"],
        "mood": ["Say how"],
        "number": ["Select one of the options"],
    }


class DateForm(Form):
    class Meta:
        csrf = False

    day = GovDateField("Start date")


@pytest.mark.parametrize(
    "parts",
    [("99999999999999", "1", "2027"), ("1", "99999999999999", "2027"), ("001", "1", "2027")],
)
def test_a_huge_day_or_month_is_not_a_real_date(app, parts):
    with app.test_request_context(method="POST", data=MultiDict([("day", p) for p in parts])):
        form = DateForm()
        assert not form.validate()
    assert form.errors == {"day": ["Start date must be a real date"]}
