"""The pipeline's forms: a buyer's planned call-off and engagement event, a supplier's
interest. They parse what was typed and keep it for redisplay; the services own the rules."""

from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import HiddenField, RadioField, SelectField
from wtforms.validators import InputRequired, Length, ValidationError

from app.fields import GovDateField
from app.forms import Form, money_check, submit, text_field
from app.money import parse_pence
from app.numbers import whole_number
from app.widgets import GovRadioInput
from lots.opportunities.forms import (
    check_hour,
    choices_of,
    contact_name_field,
    email_field,
    hour_field,
    number_check,
    text_area,
    title_field,
    to_utc,
)
from lots.pipeline.models import BID_INTENT_LABELS, QUARTER_MONTHS


def quarter_value(year, quarter):
    return f"{year}-{quarter}"


class ItemForm(Form):
    lot_id = RadioField(
        "Which lot will it be under?",
        widget=GovRadioInput(),
        choices=[],
        invalid_choice_message="Select the lot",
    )
    title = title_field("Say what you plan to buy, like ‘Befriending for older people in Leeds’")
    description = text_area(
        "Description",
        "What you expect to need, for whom, and anything suppliers could do to get ready",
        validators=[
            InputRequired(message="Enter a description"),
            Length(max=5000, message="Description must be 5,000 characters or fewer"),
        ],
    )
    estimated_value = text_field(
        "Estimated value",
        "In pounds, excluding VAT, for the whole contract",
        validators=[
            InputRequired(message="Enter the estimated value"),
            money_check("Enter the estimated value as an amount in pounds, like 40,000"),
        ],
        inputmode="decimal",
        spellcheck="false",
    )
    expected = SelectField(
        "When do you expect to publish the call-off?",
        widget=GovSelect(),
        choices=[],
        validate_choice=False,
    )
    contact_name = contact_name_field()
    contact_email = email_field(
        "Contact email address",
        "Suppliers may write here with questions about the planned work",
        [InputRequired(message="Enter a contact email address")],
    )
    submit = submit("Add to the pipeline")

    def __init__(self, *args, lots=(), quarters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lot_id.choices = [(str(lot.id), f"{lot.label} ({lot.dps.name})") for lot in lots]
        self.expected.choices = [("", "Select a quarter")] + [
            (quarter_value(y, q), f"{QUARTER_MONTHS[q]} {y}") for y, q in quarters
        ]

    def validate_contact_name(self, field):
        if not field.data:
            raise ValidationError("Enter a contact name")

    def validate_expected(self, field):
        if field.data not in {value for value, _ in self.expected.choices if value}:
            raise ValidationError("Select the quarter you expect to publish it in")

    def values(self):
        year, quarter = (int(part) for part in self.expected.data.split("-"))
        return {
            "title": self.title.data,
            "description": self.description.data,
            "estimated_value_pence": parse_pence(self.estimated_value.data),
            "expected_year": year,
            "expected_quarter": quarter,
            "contact_name": self.contact_name.data,
            "contact_email": self.contact_email.data,
        }


class InterestForm(Form):
    organisation_id = HiddenField()
    intent = RadioField(
        "How would you expect to bid? (optional)",
        widget=GovRadioInput(),
        choices=choices_of(BID_INTENT_LABELS),
        default="undecided",
        invalid_choice_message="Select how you would expect to bid",
    )
    submit = submit("Register interest")


class OrganisationForm(Form):
    """A button acting for one of the person's organisations (withdrawing interest, booking)."""

    organisation_id = HiddenField()
    submit = submit("Continue")


class EventForm(Form):
    date = GovDateField(
        "Date", name_for_errors="The date of the event", description="For example, 14 1 2027"
    )
    hour = hour_field("Time")
    place = text_field(
        "Where (optional if you give a link)",
        "The address, or leave it blank for an online event",
        validators=[Length(max=500, message="Where must be 500 characters or fewer")],
    )
    link = text_field(
        "Link to join online (optional if you give a place)",
        validators=[Length(max=500, message="The link must be 500 characters or fewer")],
        spellcheck="false",
    )
    details = text_area(
        "What it is about (optional)",
        validators=[Length(max=5000, message="What it is about must be 5,000 characters or fewer")],
    )
    capacity = text_field(
        "Number of places",
        validators=[
            InputRequired(message="Enter the number of places"),
            number_check("Enter the number of places as a whole number, like 20", minimum=1),
        ],
        inputmode="numeric",
    )
    submit = submit("Add the event and invite interested suppliers")

    def validate_hour(self, field):
        check_hour(field)

    def validate_date(self, field):
        if field.data is None and not field.errors:
            raise ValidationError("Enter the date of the event")

    def values(self):
        return {
            "starts_at": to_utc(self.date.data, self.hour.data),
            "place": self.place.data,
            "link": self.link.data,
            "details": self.details.data,
            "capacity": whole_number(self.capacity.data),
        }


class WithdrawForm(Form):
    reason = text_area(
        "Why are you withdrawing it?",
        "Shown on the item's page, so suppliers who were getting ready know",
        validators=[InputRequired(message="Enter why you are withdrawing it")],
    )
    submit = submit("Withdraw it")
