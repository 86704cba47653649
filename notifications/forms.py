"""Forms for alert preferences and following a search. They parse what was typed; the rules
about the values live in notifications.preferences."""

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import InputRequired, Length, ValidationError

from app.forms import Form, SubForm, email_field, strip_whitespace, submit
from app.money import parse_pence
from app.reference import cpv, geography
from app.widgets import GovCheckboxesInput, GovCheckboxInput, GovRadioInput
from notifications.models import AlertFrequency
from notifications.preferences import FREQUENCY_LABELS, MAX_LOCAL_AUTHORITIES


def _pounds(form, field):
    """A whole number of pounds ("£25,000"), kept on the field as ``pence`` (None when empty)."""
    field.pence = None
    if not (field.data or "").replace(",", "").replace("£", "").strip():
        return
    try:
        field.pence = parse_pence(field.data, whole_pounds=True)
    except ValueError:
        raise ValidationError(
            f"{field.label.text} must be an amount in pounds, like 25000"
        ) from None


def frequency_choices(with_never=True):
    return [
        (f.value, FREQUENCY_LABELS[f])
        for f in AlertFrequency
        if with_never or f != AlertFrequency.NEVER
    ]


def local_authority_choices():
    return [("", "None")] + [(la.code, la.name) for la in geography.local_authorities()]


class LocalAuthorityRow(SubForm):
    """One "Local authority N" select; the page adds and removes rows by posting back, so it
    works without JavaScript. Whether the code is known is the service's rule."""

    code = SelectField(
        "Local authority",
        widget=GovSelect(),
        choices=local_authority_choices,
        validate_choice=False,
    )


class PreferencesForm(Form):
    frequency = RadioField(
        "How often do you want emails about new opportunities?",
        widget=GovRadioInput(),
        choices=frequency_choices(),
        validators=[InputRequired(message="Choose how often you want emails")],
    )
    admitted_lots = BooleanField(
        "Opportunities in the lots your organisation is admitted to", widget=GovCheckboxInput()
    )
    lot_ids = SelectMultipleField(
        "Other lots you might join", widget=GovCheckboxesInput(), coerce=int, choices=[]
    )
    cpv_divisions = SelectMultipleField(
        "Categories of work", widget=GovCheckboxesInput(), choices=[]
    )
    regions = SelectMultipleField("Regions", widget=GovCheckboxesInput(), choices=[])
    # One more than the service allows, so choosing too many is refused with a message rather
    # than the extra rows being dropped.
    local_authorities = FieldList(
        FormField(LocalAuthorityRow), min_entries=1, max_entries=MAX_LOCAL_AUTHORITIES + 1
    )
    min_value = StringField(
        "Lowest value (£)", widget=GovTextInput(), filters=[strip_whitespace], validators=[_pounds]
    )
    max_value = StringField(
        "Highest value (£)", widget=GovTextInput(), filters=[strip_whitespace], validators=[_pounds]
    )
    keywords = StringField(
        "Keywords",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[Length(max=500, message="Keywords must be 500 characters or fewer")],
        description="Separate them with commas, like befriending, lunch club. "
        "An opportunity that mentions any of them matches.",
    )
    submit = submit("Save your alert settings")

    def set_choices(self, other_lots):
        self.lot_ids.choices = other_lots
        self.cpv_divisions.choices = [(d.division, d.description) for d in cpv.divisions()]
        self.regions.choices = [(r.code, r.name) for r in geography.regions()]

    def local_authority_codes(self):
        """What each row holds, blanks included, so a refusal can name the row."""
        return [(row.form.code.data or "").strip() for row in self.local_authorities]

    def set_local_authority_codes(self, codes):
        """Show these rows (at least one), keeping everything else as it is."""
        codes = list(codes) or [""]
        while self.local_authorities.entries:
            self.local_authorities.pop_entry()
        for code in codes:
            self.local_authorities.append_entry({"code": code})

    def add_local_authority_error(self, index, message):
        """A refusal shown against one row's select (``local_authorities-0-code``)."""
        entries = self.local_authorities.entries
        index = min(max(index or 0, 0), len(entries) - 1)
        field = entries[index].form.code
        field.errors = list(field.errors or []) + [message]
        entries[index].form._errors = None
        self.local_authorities.errors = [entry.form.errors for entry in entries]
        self._errors = None


class FollowSearchForm(Form):
    email = email_field(
        description="We will send a link to this address to confirm it first, "
        "unless it is the address you signed in with."
    )
    frequency = RadioField(
        "How often do you want emails?",
        widget=GovRadioInput(),
        choices=frequency_choices(with_never=False),
        validators=[InputRequired(message="Choose how often you want emails")],
    )
    submit = submit("Get emails")
