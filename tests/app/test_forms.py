"""The shared form helpers: a trimmed GOV.UK text input, the money validator, and the legend every
fieldset keeps."""

import pytest
from bs4 import BeautifulSoup
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput
from werkzeug.datastructures import MultiDict
from wtforms import RadioField, SelectMultipleField

from app.fields import GovDateField
from app.forms import Form, money_check, text_field
from tests.pages import fieldsets_without_legend


def soup_of(html):
    return BeautifulSoup(html, "lxml")


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


class GroupedForm(Form):
    class Meta:
        csrf = False

    choice = RadioField("Where is the work?", choices=[("here", "Here")], widget=GovRadioInput())
    many = SelectMultipleField(
        "Who may bid?", choices=[("vcse", "VCSEs")], widget=GovCheckboxesInput()
    )
    day = GovDateField("Start date")
    own = RadioField("Own legend", choices=[("a", "A")], widget=GovRadioInput())


def test_a_fieldset_sized_by_its_template_keeps_its_label_as_the_legend(app):
    sized = {"fieldset": {"legend": {"classes": "govuk-fieldset__legend--s"}}}
    with app.test_request_context():
        form = GroupedForm()
        html = "".join(
            str(field(params=sized)) for field in (form.choice, form.many, form.day)
        ) + str(form.own(params={"fieldset": {"legend": {"text": "Said by the page"}}}))
    assert fieldsets_without_legend(html) == []
    legends = [" ".join(legend.get_text().split()) for legend in soup_of(html)("legend")]
    assert legends == ["Where is the work?", "Who may bid?", "Start date", "Said by the page"]
    assert all(
        "govuk-fieldset__legend--s" in legend["class"] for legend in soup_of(html)("legend")[:3]
    )


def test_the_check_every_page_gets_finds_a_fieldset_with_no_legend():
    assert fieldsets_without_legend('<fieldset class="x"><div>Pick</div></fieldset>') != []
    assert fieldsets_without_legend("<fieldset><legend> </legend></fieldset>") != []
    assert fieldsets_without_legend("<fieldset><legend><h1> </h1></legend></fieldset>") != []
    assert fieldsets_without_legend("<fieldset>\n <legend><h1>Name</h1></legend></fieldset>") == []
