"""Forms for buyer organisations (asking the DPS operator for approval, joining a DPS) and for the
operator's pages (deciding a buyer's approval, what a lot covers)."""

from wtforms import RadioField, SelectMultipleField
from wtforms.validators import InputRequired, Length, ValidationError

from app.forms import Form, submit, text_field
from app.reference import geography
from app.widgets import GovCheckboxesInput, GovRadioInput
from lots.opportunities.forms import email_field, text_area


class BuyerApprovalForm(Form):
    contact_name = text_field(
        "Contact name",
        "The person we and suppliers should contact about your opportunities",
        validators=[
            InputRequired(message="Enter a contact name"),
            Length(max=200, message="Contact name must be 200 characters or fewer"),
        ],
        autocomplete="name",
        spellcheck="false",
    )
    contact_email = email_field(
        "Contact email address",
        validators=[
            InputRequired(message="Enter a contact email address"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
        ],
        autocomplete="email",
    )
    contact_phone = text_field(
        "Contact phone number (optional)",
        validators=[Length(max=40, message="Phone number must be 40 characters or fewer")],
        autocomplete="tel",
    )
    submit = submit("Ask for approval")


class JoinDpsForm(Form):
    dps_id = RadioField(
        "Which DPS do you want to buy through?",
        widget=GovRadioInput(),
        choices=[],
        invalid_choice_message="Select a DPS to join",
    )
    submit = submit("Join")

    def __init__(self, *args, dps_list=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.dps_id.choices = [(str(d.id), d.name) for d in dps_list]


class DecideBuyerForm(Form):
    decision = RadioField(
        "Your decision",
        widget=GovRadioInput(),
        choices=[("approve", "Approve: they can publish opportunities"), ("reject", "Reject")],
        invalid_choice_message="Select approve or reject",
    )
    reason = text_area("Reason (needed to reject)", "The buyer will see it")
    submit = submit("Save decision")


class LotScopeForm(Form):
    cpv_codes = text_area(
        "CPV codes", "One a line, like 85311000-2. Suppliers find opportunities by these categories"
    )
    areas = SelectMultipleField(
        "Where the lot covers", widget=GovCheckboxesInput(), choices=[], validate_choice=False
    )
    submit = submit("Save")

    def __init__(self, *args, extra_areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.areas.choices = (
            [("national:UK", "The whole UK")]
            + [(f"region:{r.code}", r.name) for r in geography.regions()]
            + list(extra_areas)
        )

    def validate_areas(self, field):
        allowed = {value for value, _ in self.areas.choices}
        if any(value not in allowed for value in field.data or []):
            raise ValidationError("Select areas from the list")

    def values(self):
        codes = [line.strip() for line in (self.cpv_codes.data or "").splitlines()]
        areas = [tuple(value.split(":", 1)) for value in self.areas.data or [] if ":" in value]
        return {"cpv_codes": [c for c in codes if c], "areas": areas}
