"""The form an owner makes an API token with."""

from wtforms import SelectMultipleField
from wtforms.validators import DataRequired, InputRequired, Length

from app.forms import Form, submit, text_field
from app.widgets import GovCheckboxesInput
from publishing.api.models import SCOPE_LABELS
from publishing.api.tokens import NAME_MAX


class NewTokenForm(Form):
    name = text_field(
        "Name",
        "Say what will use it, so you can tell tokens apart, like ‘Our tendering system’",
        validators=[
            DataRequired(message="Enter a name for the token"),
            Length(max=NAME_MAX, message=f"The name must be {NAME_MAX} characters or fewer"),
        ],
    )
    scopes = SelectMultipleField(
        "What may it do?",
        widget=GovCheckboxesInput(),
        description="Select all that apply. Anyone can read what is published without a token",
        choices=[(scope.value, label) for scope, label in SCOPE_LABELS.items()],
        validators=[InputRequired(message="Select at least one thing the token may do")],
    )
    submit = submit("Create token")
