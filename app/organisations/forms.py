"""Organisation forms. The profile forms only carry what was typed: the services own every rule
about the details (required fields, number formats, word limits) and report all problems at once."""

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Email, InputRequired, Length

from app.forms import Form, submit
from app.organisations.models import (
    BALANCE_SHEET_BAND_LABELS,
    BUYER_TYPE_LABELS,
    KIND_LABELS,
    ROLE_LABELS,
    STAFF_BAND_LABELS,
    SUPPLIER_TYPE_LABELS,
    TURNOVER_BAND_LABELS,
    Role,
)
from app.organisations.services import BUYER_FIELDS, SUPPLIER_FIELDS
from app.reference import geography
from app.widgets import GovRadioInput


def _labels(labels):
    return {member.value: label for member, label in labels.items()}


def _text(label, description=None, **render_kw):
    return StringField(
        label, description=description, widget=GovTextInput(), render_kw=render_kw or None
    )


def _radios(label, choices, description=None):
    # validate_choice=False: the service says what is missing, in its own words.
    return RadioField(
        label,
        description=description or "",
        choices=choices,
        widget=GovRadioInput(),
        validate_choice=False,
    )


def _local_authority_choices():
    return {
        "": "Select a local authority",
        **{la.code: la.name for la in geography.local_authorities()},
    }


def _region_choices():
    return {region.code: region.name for region in geography.regions()}


class DetailsForm(Form):
    fields = ()

    def details(self):
        """What was typed, for the service to check and clean."""
        return {name: getattr(self, name).data for name in self.fields}


class KindForm(Form):
    kind = RadioField(
        "What kind of organisation are you adding?",
        widget=GovRadioInput(),
        choices=_labels(KIND_LABELS),
        invalid_choice_message="Select whether your organisation is a supplier or a buyer",
    )
    submit = submit("Continue")


class SupplierForm(DetailsForm):
    fields = SUPPLIER_FIELDS

    name = _text(
        "Legal name",
        "As registered with the Charity Commission, OSCR, the Charity "
        "Commission for Northern Ireland or Companies House",
        autocomplete="organization",
        spellcheck="false",
    )
    trading_name = _text(
        "Trading name (optional)", "If you work under a different name", spellcheck="false"
    )
    supplier_type = _radios("Type of organisation", _labels(SUPPLIER_TYPE_LABELS))
    charity_number = _text(
        "Charity number",
        "A registered charity or CIO must give its number. For example, "
        "1234567 (England and Wales), SC012345 (Scotland) or NIC123456 "
        "(Northern Ireland)",
        spellcheck="false",
    )
    company_number = _text(
        "Company number",
        "A company, including a CIC, must give its Companies House number. "
        "It is 8 characters, for example 01234567 or SC123456",
        spellcheck="false",
    )
    society_number = _text(
        "Mutuals Public Register number (optional)",
        "A co-operative or community benefit society registered with the Financial Conduct "
        "Authority gives its registration number. For example, 31234R or RS007372",
        spellcheck="false",
    )
    address = TextAreaField(
        "Address", widget=GovTextArea(), render_kw={"autocomplete": "street-address"}
    )
    postcode = _text("Postcode", autocomplete="postal-code", spellcheck="false")
    local_authority_code = SelectField(
        "Local authority",
        description="The council area your organisation is based in",
        choices=_local_authority_choices,
        widget=GovSelect(),
        validate_choice=False,
    )
    staff_band = _radios(
        "How many paid staff does your organisation have?",
        _labels(STAFF_BAND_LABELS),
        "Count part-time staff as well as full-time. Do not count volunteers",
    )
    turnover_band = _radios(
        "What is your organisation’s annual turnover?",
        _labels(TURNOVER_BAND_LABELS),
        "Your total income in your most recent accounts",
    )
    balance_sheet_band = _radios(
        "What is your organisation’s balance sheet total?",
        _labels(BALANCE_SHEET_BAND_LABELS),
        "Answer only if your turnover is in the top band: the total assets in your most recent "
        "accounts. It can still make you a small or medium-sized enterprise (SME)",
    )
    description = TextAreaField(
        "What does your organisation do?",
        description="Buyers will read this. Say who you work with, what you do and where",
        widget=GovCharacterCount(),
    )
    website = _text(
        "Website (optional)",
        "For example, https://www.example.org",
        autocomplete="url",
        spellcheck="false",
    )
    directory_email = _text(
        "Email address to show in the supplier directory (optional)",
        "Buyers and other suppliers looking for partners will see it. Leave "
        "it empty to show no email address",
        spellcheck="false",
    )
    directory_phone = _text(
        "Phone number to show in the supplier directory (optional)",
        "Leave it empty to show no phone number",
    )
    # Drawn in the template as a single GOV.UK checkbox (no fieldset).
    directory_show_website = BooleanField("Show our website in the supplier directory")
    submit = submit("Save")


class BuyerForm(DetailsForm):
    fields = BUYER_FIELDS

    name = _text("Organisation name", autocomplete="organization", spellcheck="false")
    buyer_type = _radios("Type of organisation", _labels(BUYER_TYPE_LABELS))
    region_code = _radios(
        "Region",
        _region_choices,
        "Where your organisation is based. If you buy across the UK, "
        "choose where your head office is",
    )
    submit = submit("Save")


class InviteForm(Form):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        description="We will email them a link to join. They need an account with this address",
        validators=[
            InputRequired(message="Enter the email address of the person you want to invite"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            Email(
                message="Enter an email address in the correct format, like name@example.com",
                check_deliverability=False,
            ),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    role = RadioField(
        "What can they do?",
        widget=GovRadioInput(),
        default=Role.MEMBER.value,
        choices=_labels(ROLE_LABELS),
        invalid_choice_message="Select what they can do",
    )
    submit = submit("Send invitation")


class ConfirmForm(Form):
    """A confirmation page's button. A refusal from the service is shown against it."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


def confirm_form(label):
    form = ConfirmForm()
    form.submit.label.text = label
    return form
