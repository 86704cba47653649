"""Amounts in alert settings are whole pounds: typed the way people write them, read with
``app.money``, and written back the same way."""

import pytest
from werkzeug.datastructures import MultiDict

from notifications import preferences
from notifications.forms import PreferencesForm
from notifications.models import AlertFrequency, AlertKind, AlertSubscription


def typed(app, value):
    """The lowest value box with ``value`` typed: (pence, errors)."""
    with app.test_request_context(method="POST"):
        form = PreferencesForm(formdata=MultiDict({"min_value": value}), meta={"csrf": False})
        form.min_value.validate(form)
        return form.min_value.pence, form.min_value.errors


@pytest.mark.parametrize(
    "value, pence",
    [("25000", 2_500_000), ("£25,000", 2_500_000), (" 1,500 ", 150_000), ("0", 0), ("", None)],
)
def test_whole_pounds_are_read_as_pence(app, value, pence):
    assert typed(app, value) == (pence, [])


@pytest.mark.parametrize("value", ["£", ",", " £ "])
def test_a_pound_sign_on_its_own_is_no_amount(app, value):
    assert typed(app, value) == (None, [])


@pytest.mark.parametrize("value", ["lots", "25000.50", "-5", "£25k", "25.000,00"])
def test_anything_else_is_refused_with_the_same_words(app, value):
    assert typed(app, value) == (
        None,
        ["Lowest value (£) must be an amount in pounds, like 25000"],
    )


@pytest.mark.parametrize(
    "low, high, words",
    [
        (1_000_000, 5_000_000, "£10,000 to £50,000"),
        (1_000_000, None, "£10,000 or more"),
        (None, 150_000_000, "Up to £1,500,000"),
        (None, None, "Any value"),
    ],
)
def test_the_summary_writes_the_amounts_as_people_do(app, low, high, words):
    sub = AlertSubscription(
        kind=AlertKind.SEARCH,
        frequency=AlertFrequency.DAILY,
        min_value_pence=low,
        max_value_pence=high,
    )
    assert dict(preferences.describe(sub))["Value"] == words
