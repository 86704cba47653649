"""Radios, checkboxes and a date are each a fieldset whose legend is the field's label (app/widgets.py),
also when a template passes a fieldset only to size its legend; a field with no description gets
no empty hint."""

from bs4 import BeautifulSoup
from wtforms import RadioField, SelectMultipleField

from app.fields import GovDateField
from app.forms import Form
from app.widgets import GovCheckboxesInput, GovRadioInput

SIZED = {"fieldset": {"legend": {"classes": "govuk-fieldset__legend--m"}}}


class QuestionsForm(Form):
    class Meta:
        csrf = False

    colour = RadioField("Which colour?", widget=GovRadioInput(), choices=[("red", "Red")])
    extras = SelectMultipleField(
        "Which extras?", widget=GovCheckboxesInput(), choices=[("a", "A")], description="Any"
    )
    starts = GovDateField("When does it start?")


def _fieldset(html):
    return BeautifulSoup(str(html), "lxml").select_one("fieldset")


def test_a_legend_sized_by_the_template_keeps_the_label_as_its_text(app):
    with app.test_request_context():
        form = QuestionsForm()
        rendered = [form.colour(params=SIZED), form.extras(params=SIZED), form.starts(params=SIZED)]
    legends = [_fieldset(html).select_one("legend") for html in rendered]
    assert [" ".join(legend.get_text().split()) for legend in legends] == [
        "Which colour?",
        "Which extras?",
        "When does it start?",
    ]
    assert all("govuk-fieldset__legend--m" in legend["class"] for legend in legends)


def test_a_legend_given_by_the_template_is_kept(app):
    with app.test_request_context():
        html = QuestionsForm().colour(params={"fieldset": {"legend": {"text": "Pick one"}}})
    assert _fieldset(html).select_one("legend").get_text().strip() == "Pick one"


def test_no_empty_hint_describes_the_fieldset(app):
    with app.test_request_context():
        form = QuestionsForm()
        colour, extras = _fieldset(form.colour()), _fieldset(form.extras())
    assert colour.select(".govuk-hint") == [] and not colour.get("aria-describedby")
    assert extras.select_one(".govuk-hint").get_text().strip() == "Any"
