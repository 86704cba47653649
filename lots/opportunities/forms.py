"""What the opportunities' forms share: labels, parsing what was typed (whole numbers, dates and
hours), and the fields several forms ask for. The forms themselves are in ``buyer_forms`` (buyer
organisations and the operator's pages), ``draft_forms`` (a draft, section by section),
``question_forms`` (questions for bidders and the price schedule) and ``published_forms``
(changes after publication, and clarification questions). They parse what was typed and keep it
for redisplay; the services own the rules about the values."""

from datetime import datetime, time, timezone

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovSelect,
    GovTextArea,
)
from wtforms import SelectField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from app.fields import GovDateField
from app.forms import strip_whitespace, text_field, whole_number
from app.money import parse_pence as pounds_to_pence  # noqa: F401  (lots.bids.forms, for now)
from app.money import pence_to_pounds  # noqa: F401  (lots.bids.forms, for now)
from app.timeutil import local_tz, to_local
from lots.opportunities.models import LocationType, OpportunityKind, QuestionKind

KIND_LABELS = {
    OpportunityKind.MINI_COMPETITION: "Mini-competition",
    OpportunityKind.QUICK_QUOTE: "Quick quote",
}
QUESTION_KIND_LABELS = {
    QuestionKind.QUALITY: "Quality (scored)",
    QuestionKind.SOCIAL_VALUE: "Social value (scored)",
    QuestionKind.PASS_FAIL: "Pass or fail",
}
LOCATION_LABELS = {
    LocationType.NATIONAL: "Anywhere in the UK",
    LocationType.REGION: "A region",
    LocationType.LOCAL_AUTHORITY: "A local authority area",
}
TIE_BREAKS = {
    "quality": "The bid with the higher quality score wins",
    "price": "The bid with the lower price wins",
    "social_value": "The bid with the higher social value score wins",
}
HOURS = list(range(8, 21))  # 8am to 8pm, on the hour
MAX_ROWS = 40


def hour_label(hour):
    if hour == 12:
        return "Midday"
    return f"{hour % 12 or 12}{'am' if hour < 12 else 'pm'}"


HOUR_CHOICES = [(str(h), hour_label(h)) for h in HOURS]
HOUR_VALUES = {value for value, _label in HOUR_CHOICES}
# Where a service's deadline fields land on the deadline forms (a draft's and an extension's).
DEADLINE_FIELDS = {"submission_deadline": "submission_date", "question_deadline": "question_date"}


# --- Parsing -----------------------------------------------------------------------------------


def to_utc(day, hour):
    """A date and an hour in Europe/London, as a UTC datetime; None without a date, or for an
    hour that is not one of the choices (a tampered ``25`` is "Select a time", not a 500)."""
    if day is None or str(hour) not in HOUR_VALUES:
        return None
    return datetime.combine(day, time(int(hour)), tzinfo=local_tz()).astimezone(timezone.utc)


def local_parts(moment):
    """(date, hour) in Europe/London of a stored UTC datetime."""
    local = to_local(moment)
    return (local.date(), str(local.hour)) if local else (None, "12")


def one_kind_of_newline(value):
    """Browsers send CRLF from a textarea: store \n, so an unchanged text compares equal."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


# --- Fields ------------------------------------------------------------------------------------


def number_check(message, minimum=0, maximum=None, optional=False):
    def _check(form, field):
        if optional and not (field.data or "").strip():
            return
        try:
            value = whole_number(field.data)
        except ValueError:
            raise ValidationError(message) from None
        if value < minimum or (maximum is not None and value > maximum):
            raise ValidationError(message)

    return _check


def text_area(label, description=None, validators=(), count=None):
    widget = GovCharacterCount() if count else GovTextArea()
    return TextAreaField(
        label,
        description=description,
        widget=widget,
        filters=[strip_whitespace, one_kind_of_newline],
        validators=list(validators),
    )


def choices_of(labels):
    return [(member.value, label) for member, label in labels.items()]


def hour_field(label):
    return SelectField(
        label, choices=HOUR_CHOICES, default="12", widget=GovSelect(), validate_choice=False
    )


def check_hour(field):
    if field.data not in HOUR_VALUES:
        raise ValidationError("Select a time")


def email_field(label, description=None, validators=(), **render_kw):
    return text_field(
        label,
        description,
        validators=[
            *validators,
            Email(
                message="Enter an email address in the correct format, like name@example.com",
                check_deliverability=False,
            ),
        ],
        **render_kw,
        spellcheck="false",
    )


# The fields a draft's details and an amendment share (what an amendment can change).


def title_field(description=None):
    return text_field(
        "Title",
        description,
        validators=[
            InputRequired(message="Enter a title"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )


def summary_field(description=None):
    return text_area(
        "Summary",
        description,
        count=600,
        validators=[
            InputRequired(message="Enter a summary"),
            Length(max=600, message="Summary must be 600 characters or fewer"),
        ],
    )


def description_field(description=None):
    return text_area(
        "Full description",
        description,
        validators=[InputRequired(message="Enter a full description")],
    )


def contract_start_field():
    return GovDateField(
        "Contract start date (optional)",
        name_for_errors="Contract start date",
        description="For example, 1 4 2027",
    )


def contract_months_field():
    return text_field(
        "Contract length in months (optional)",
        validators=[
            number_check(
                "Enter the contract length as a whole number of months, like 12",
                minimum=1,
                maximum=240,
                optional=True,
            )
        ],
        inputmode="numeric",
    )


def contact_name_field(**render_kw):
    return text_field(
        "Contact name",
        validators=[Length(max=200, message="Contact name must be 200 characters or fewer")],
        **render_kw,
        spellcheck="false",
    )


def contact_email_field(description=None, **render_kw):
    return email_field("Contact email address", description, [Optional()], **render_kw)


def amendable_initial(o):
    """What the fields an amendment can change show of a stored opportunity."""
    return {
        "summary": o.summary,
        "description": o.description,
        "contract_start": o.contract_start,
        "contract_months": str(o.contract_months) if o.contract_months else "",
        "contact_name": o.contact_name or "",
        "contact_email": o.contact_email or "",
    }


def amendable_values(form):
    """Those fields' values, as the services take them."""
    return {
        "summary": form.summary.data,
        "description": form.description.data,
        "contract_start": form.contract_start.data,
        "contract_months": whole_number(form.contract_months.data)
        if form.contract_months.data
        else None,
        "contact_name": form.contact_name.data or None,
        "contact_email": (form.contact_email.data or "").lower() or None,
    }
