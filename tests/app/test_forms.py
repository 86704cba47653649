"""The shared form helpers: a trimmed GOV.UK text input and the money validator."""

import pytest
from werkzeug.datastructures import MultiDict

from app.forms import Form, money_check, text_field


class PriceForm(Form):
    class Meta:
        csrf = False

    name = text_field("Name", "Your name", spellcheck="false")
    price = text_field("Price", validators=[money_check("Enter the price, like 250")])
    extra = text_field("Extra (optional)", validators=[money_check("Enter an amount", True)])


@pytest.mark.parametrize(
    ("price", "extra", "errors"),
    [
        ("£1,500.50", "", {}),
        ("250", "12.5", {}),
        ("two hundred", "", {"price": ["Enter the price, like 250"]}),
        ("-1", "", {"price": ["Enter the price, like 250"]}),
        ("", "", {"price": ["Enter the price, like 250"]}),
        ("1.001", "x", {"price": ["Enter the price, like 250"], "extra": ["Enter an amount"]}),
    ],
)
def test_money_check(app, price, extra, errors):
    with app.test_request_context(method="POST"):
        form = PriceForm(formdata=MultiDict({"name": " Sam ", "price": price, "extra": extra}))
        form.validate()
        assert form.errors == errors
        assert form.name.data == "Sam"  # trimmed


def test_text_field_renders_its_description_and_attributes(app):
    with app.test_request_context():
        html = str(PriceForm(formdata=None).name())
    assert 'spellcheck="false"' in html
    assert "Your name" in html
