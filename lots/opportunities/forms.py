"""Forms for the lots pages. They parse what was typed (money, whole numbers, dates and hours)
and keep it for redisplay; the services own the rules about the values."""

import re
from datetime import datetime, time, timezone
from decimal import Decimal, InvalidOperation

from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms import Form as SubForm
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from app.fields import GovDateField
from app.forms import Form, strip_whitespace, submit
from app.reference import geography, social_value
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
BLANK_QUESTION_ROWS = 3
BLANK_PRICE_LINES = 3
MAX_ROWS = 40


def hour_label(hour):
    if hour == 12:
        return "Midday"
    return f"{hour % 12 or 12}{'am' if hour < 12 else 'pm'}"


HOUR_CHOICES = [(str(h), hour_label(h)) for h in HOURS]


# --- Parsing -----------------------------------------------------------------------------------


def pounds_to_pence(text):
    """'£1,500.50' -> 150050. Raises ValueError for anything that is not an amount of money."""
    cleaned = (text or "").replace(",", "").replace("£", "").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if (
        not amount.is_finite()
        or amount < 0
        or amount.as_tuple().exponent < -2
        or amount >= Decimal(10) ** 11
    ):
        raise ValueError(text)
    return int(amount * 100)


def pence_to_pounds(pence):
    if pence is None:
        return ""
    return f"{pence // 100}" if pence % 100 == 0 else f"{pence / 100:.2f}"


def whole_number(text):
    cleaned = (text or "").replace(",", "").strip()
    if not re.fullmatch(r"\d{1,9}", cleaned):
        raise ValueError(text)
    return int(cleaned)


def to_utc(day, hour):
    """A date and an hour in Europe/London, as a UTC datetime."""
    if day is None:
        return None
    return datetime.combine(day, time(int(hour)), tzinfo=local_tz()).astimezone(timezone.utc)


def local_parts(moment):
    """(date, hour) in Europe/London of a stored UTC datetime."""
    local = to_local(moment)
    return (local.date(), str(local.hour)) if local else (None, "12")


def _number_check(message, minimum=0, maximum=None, optional=False):
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


def _text(label, description=None, validators=(), **render_kw):
    return StringField(
        label,
        description=description,
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=list(validators),
        render_kw=render_kw or None,
    )


def one_kind_of_newline(value):
    """Browsers send CRLF from a textarea: store \n, so an unchanged text compares equal."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def _area(label, description=None, validators=(), count=None):
    widget = GovCharacterCount() if count else GovTextArea()
    return TextAreaField(
        label,
        description=description,
        widget=widget,
        filters=[strip_whitespace, one_kind_of_newline],
        validators=list(validators),
    )


def _choices(labels):
    return [(member.value, label) for member, label in labels.items()]


def _region_choices(empty):
    return [("", empty)] + [(r.code, r.name) for r in geography.regions()]


def _local_authority_choices(empty):
    return [("", empty)] + [(la.code, la.name) for la in geography.local_authorities()]


def _area_choices():
    return (
        [("", "No, open to suppliers anywhere")]
        + [(r.code, f"{r.name} (region)") for r in geography.regions()]
        + [(la.code, la.name) for la in geography.local_authorities()]
    )


def _hour(label):
    return SelectField(
        label, choices=HOUR_CHOICES, default="12", widget=GovSelect(), validate_choice=False
    )


def _valid_hour(field):
    if field.data not in {value for value, _ in HOUR_CHOICES}:
        raise ValidationError("Select a time")


# --- Buyers -------------------------------------------------------------------------------------


class BuyerApprovalForm(Form):
    contact_name = _text(
        "Contact name",
        "The person we and suppliers should contact about your opportunities",
        validators=[
            InputRequired(message="Enter a contact name"),
            Length(max=200, message="Contact name must be 200 characters or fewer"),
        ],
        autocomplete="name",
        spellcheck="false",
    )
    contact_email = _text(
        "Contact email address",
        validators=[
            InputRequired(message="Enter a contact email address"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            Email(
                message="Enter an email address in the correct format, like name@example.com",
                check_deliverability=False,
            ),
        ],
        autocomplete="email",
        spellcheck="false",
    )
    contact_phone = _text(
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
    reason = _area("Reason (needed to reject)", "The buyer will see it")
    submit = submit("Save decision")


class LotScopeForm(Form):
    cpv_codes = _area(
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


# --- Drafting -----------------------------------------------------------------------------------


class NewOpportunityForm(Form):
    lot_id = RadioField(
        "Which lot is it under?",
        widget=GovRadioInput(),
        choices=[],
        invalid_choice_message="Select the lot",
    )
    kind = RadioField(
        "What kind of competition is it?",
        widget=GovRadioInput(),
        choices=_choices(KIND_LABELS),
        invalid_choice_message="Select a mini-competition or a quick quote",
    )
    title = _text(
        "Title",
        "Say what you are buying, like ‘Befriending for older people in Leeds’",
        validators=[
            InputRequired(message="Enter a title"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )
    submit = submit("Create draft")

    def __init__(self, *args, lots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lot_id.choices = [(str(lot.id), f"{lot.label} ({lot.dps.name})") for lot in lots]


class DetailsForm(Form):
    title = _text(
        "Title",
        validators=[
            InputRequired(message="Enter a title"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )
    summary = _area(
        "Summary",
        "One or two sentences, shown in search results",
        count=600,
        validators=[
            InputRequired(message="Enter a summary"),
            Length(max=600, message="Summary must be 600 characters or fewer"),
        ],
    )
    description = _area(
        "Full description",
        "What you need, for whom, and how you will measure success",
        validators=[InputRequired(message="Enter a full description")],
    )
    estimated_value = _text(
        "Estimated value",
        "In pounds, excluding VAT, for the whole contract",
        validators=[InputRequired(message="Enter the estimated value")],
        inputmode="decimal",
        spellcheck="false",
    )
    contract_start = GovDateField(
        "Contract start date (optional)",
        name_for_errors="Contract start date",
        description="For example, 1 4 2027",
    )
    contract_months = _text(
        "Contract length in months (optional)",
        validators=[
            _number_check(
                "Enter the contract length as a whole number of months, like 12",
                minimum=1,
                maximum=240,
                optional=True,
            )
        ],
        inputmode="numeric",
    )
    location_type = RadioField(
        "Where will the work be done?",
        widget=GovRadioInput(),
        choices=_choices(LOCATION_LABELS),
        default=LocationType.NATIONAL.value,
        invalid_choice_message="Select where the work will be done",
    )
    location_region = SelectField(
        "Region",
        choices=_region_choices("Select a region"),
        widget=GovSelect(),
        validate_choice=False,
    )
    location_local_authority = SelectField(
        "Local authority",
        choices=_local_authority_choices("Select a local authority"),
        widget=GovSelect(),
        validate_choice=False,
    )
    reserved = SelectMultipleField(
        "Reserve this competition (optional)",
        widget=GovCheckboxesInput(),
        description="Below the threshold, you can reserve a competition. Select all that apply",
        choices=[
            ("vcse", "For VCSE organisations only"),
            ("sme", "For small and medium-sized enterprises (SMEs) only"),
        ],
    )
    reserved_area_code = SelectField(
        "Reserve for suppliers based in an area?",
        choices=_area_choices,
        widget=GovSelect(),
        validate_choice=False,
    )
    contact_name = _text(
        "Contact name",
        validators=[Length(max=200, message="Contact name must be 200 characters or fewer")],
        autocomplete="name",
        spellcheck="false",
    )
    contact_email = _text(
        "Contact email address",
        "We send suppliers’ questions here",
        validators=[
            Optional(),
            Email(
                message="Enter an email address in the correct format, like name@example.com",
                check_deliverability=False,
            ),
        ],
        autocomplete="email",
        spellcheck="false",
    )
    submit = submit("Save and continue")

    @classmethod
    def initial(cls, o):
        return {
            "title": o.title,
            "summary": o.summary,
            "description": o.description,
            "estimated_value": pence_to_pounds(o.estimated_value_pence)
            if o.estimated_value_pence and o.estimated_value_pence > 1
            else "",
            "contract_start": o.contract_start,
            "contract_months": str(o.contract_months) if o.contract_months else "",
            "location_type": o.location_type.value,
            "location_region": o.location_code if o.location_type == LocationType.REGION else "",
            "location_local_authority": o.location_code
            if o.location_type == LocationType.LOCAL_AUTHORITY
            else "",
            "reserved": [
                name for name, on in (("vcse", o.reserved_vcse), ("sme", o.reserved_sme)) if on
            ],
            "reserved_area_code": o.reserved_area_code or "",
            "contact_name": o.contact_name or "",
            "contact_email": o.contact_email or "",
        }

    def validate_estimated_value(self, field):
        try:
            value = pounds_to_pence(field.data)
        except ValueError:
            raise ValidationError(
                "Enter the estimated value as an amount of money, like 40000"
            ) from None
        if value <= 0:
            raise ValidationError("Estimated value must be more than £0")

    def validate_location_region(self, field):
        if self.location_type.data == LocationType.REGION and not field.data:
            raise ValidationError("Select the region")

    def validate_location_local_authority(self, field):
        if self.location_type.data == LocationType.LOCAL_AUTHORITY and not field.data:
            raise ValidationError("Select the local authority")

    def values(self):
        location = LocationType(self.location_type.data)
        code = {
            LocationType.REGION: self.location_region.data,
            LocationType.LOCAL_AUTHORITY: self.location_local_authority.data,
        }.get(location)
        return {
            "title": self.title.data,
            "summary": self.summary.data,
            "description": self.description.data,
            "estimated_value_pence": pounds_to_pence(self.estimated_value.data),
            "contract_start": self.contract_start.data,
            "contract_months": whole_number(self.contract_months.data)
            if self.contract_months.data
            else None,
            "location_type": location,
            "location_code": code or None,
            "reserved_vcse": "vcse" in (self.reserved.data or []),
            "reserved_sme": "sme" in (self.reserved.data or []),
            "reserved_area_code": self.reserved_area_code.data or None,
            "contact_name": self.contact_name.data or None,
            "contact_email": (self.contact_email.data or "").lower() or None,
        }


def _weight(label):
    return _text(
        label,
        validators=[
            InputRequired(message=f"Enter the {label.lower()} weighting"),
            _number_check(
                f"Enter the {label.lower()} weighting as a whole number from 0 to 100", maximum=100
            ),
        ],
        inputmode="numeric",
    )


class EvaluationForm(Form):
    price_weight = _weight("Price")
    quality_weight = _weight("Quality")
    social_value_weight = _weight("Social value")
    tie_break = RadioField(
        "If two bids have the same total score",
        widget=GovRadioInput(),
        choices=list(TIE_BREAKS.items()),
        default="quality",
        invalid_choice_message="Select how a tie is broken",
    )
    submit = submit("Save and continue")

    @classmethod
    def initial(cls, o):
        return {
            "price_weight": str(o.price_weight),
            "quality_weight": str(o.quality_weight),
            "social_value_weight": str(o.social_value_weight),
            "tie_break": o.tie_break,
        }

    def values(self):
        return {
            "price_weight": whole_number(self.price_weight.data),
            "quality_weight": whole_number(self.quality_weight.data),
            "social_value_weight": whole_number(self.social_value_weight.data),
            "tie_break": self.tie_break.data,
        }


class QuestionRow(SubForm):
    kind = SelectField(
        "Type of question",
        choices=_choices(QUESTION_KIND_LABELS),
        default=QuestionKind.QUALITY.value,
        widget=GovSelect(),
        validate_choice=False,
    )
    text = TextAreaField(
        "Question", widget=GovTextArea(), filters=[strip_whitespace, one_kind_of_newline]
    )
    guidance = TextAreaField(
        "Guidance for bidders (optional)",
        widget=GovTextArea(),
        filters=[strip_whitespace, one_kind_of_newline],
    )
    word_limit = StringField(
        "Word limit (optional)",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        description="From 10 to 5,000 words",
    )
    weight = StringField(
        "Weighting, % of the total score",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        description="Leave blank for a pass or fail question",
    )
    remove = BooleanField("Remove this question", widget=GovCheckboxInput())

    @property
    def is_used(self):
        return bool(self.text.data) and not self.remove.data

    def validate_kind(self, field):
        if self.text.data and field.data not in {k.value for k in QuestionKind}:
            raise ValidationError("Select the type of question")

    def validate_word_limit(self, field):
        if not self.is_used or not field.data:
            return
        try:
            value = whole_number(field.data)
        except ValueError:
            value = None
        if value is None or not 10 <= value <= 5000:
            raise ValidationError("Enter a word limit from 10 to 5,000, or leave it blank")

    def validate_weight(self, field):
        if not self.is_used or self.kind.data == QuestionKind.PASS_FAIL:
            return
        if not field.data:
            raise ValidationError("Enter the weighting of this scored question")
        try:
            value = whole_number(field.data)
        except ValueError:
            value = None
        if value is None or value > 100:
            raise ValidationError("Enter the weighting as a whole number from 0 to 100")

    def value(self):
        kind = QuestionKind(self.kind.data)
        return {
            "kind": kind.value,
            "text": self.text.data,
            "guidance": self.guidance.data or None,
            "word_limit": whole_number(self.word_limit.data) if self.word_limit.data else None,
            "weight": None if kind == QuestionKind.PASS_FAIL else whole_number(self.weight.data),
        }


class QuestionsForm(Form):
    questions = FieldList(FormField(QuestionRow), max_entries=MAX_ROWS)
    submit = submit("Save and continue")

    @classmethod
    def initial(cls, o):
        rows = [
            {
                "kind": q.kind.value,
                "text": q.text,
                "guidance": q.guidance or "",
                "word_limit": str(q.word_limit) if q.word_limit else "",
                "weight": "" if q.weight is None else str(q.weight),
            }
            for q in o.questions
        ]
        return {"questions": rows + [{}] * BLANK_QUESTION_ROWS}

    def values(self):
        return [row.form.value() for row in self.questions if row.form.is_used]


class PriceLine(SubForm):
    description = StringField("What is priced", widget=GovTextInput(), filters=[strip_whitespace])
    unit = StringField(
        "Unit, like ‘hour’ or ‘visit’", widget=GovTextInput(), filters=[strip_whitespace]
    )
    quantity = StringField("Estimated quantity", widget=GovTextInput(), filters=[strip_whitespace])

    def validate_quantity(self, field):
        if not self.description.data:
            return
        try:
            value = whole_number(field.data)
        except ValueError:
            value = 0
        if value < 1:
            raise ValidationError("Enter the estimated quantity as a whole number, like 52")

    def validate_unit(self, field):
        if self.description.data and not field.data:
            raise ValidationError("Enter the unit, like hour or visit")


class PriceScheduleForm(Form):
    schedule = RadioField(
        "How should bidders give their price?",
        widget=GovRadioInput(),
        choices=[
            ("total", "One total price for the whole contract"),
            ("lines", "A price for each line of a schedule"),
        ],
        default="total",
        invalid_choice_message="Select how bidders give their price",
    )
    lines = FieldList(FormField(PriceLine), max_entries=MAX_ROWS)
    submit = submit("Save and continue")

    @classmethod
    def initial(cls, o):
        lines = [
            {
                "description": line.get("description", ""),
                "unit": line.get("unit", ""),
                "quantity": str(line.get("quantity", "")),
            }
            for line in o.price_schedule or []
        ]
        return {
            "schedule": "lines" if lines else "total",
            "lines": lines + [{}] * BLANK_PRICE_LINES,
        }

    def validate_schedule(self, field):
        if field.data == "lines" and not any(line.form.description.data for line in self.lines):
            raise ValidationError("Add at least one line, or choose one total price")

    def values(self):
        if self.schedule.data != "lines":
            return []
        return [
            {
                "description": line.form.description.data,
                "unit": line.form.unit.data,
                "quantity": whole_number(line.form.quantity.data),
            }
            for line in self.lines
            if line.form.description.data
        ]


class SocialValueForm(Form):
    measures = SelectMultipleField(
        "Social value measures", choices=[], validate_choice=False, widget=GovCheckboxesInput()
    )
    submit = submit("Save and continue")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.measures.choices = [(m.id, m.name) for m in social_value.all_measures()]

    @classmethod
    def initial(cls, o):
        return {"measures": list(o.social_value_measures or [])}

    def validate_measures(self, field):
        if any(social_value.get(value) is None for value in field.data or []):
            raise ValidationError("Select social value measures from the list")


class DeadlinesForm(Form):
    question_date = GovDateField(
        "Date", name_for_errors="The date for questions", description="For example, 11 12 2026"
    )
    question_hour = _hour("Time")
    submission_date = GovDateField(
        "Date", name_for_errors="The date for bids", description="For example, 18 12 2026"
    )
    submission_hour = _hour("Time")
    submit = submit("Save and continue")

    @classmethod
    def initial(cls, o):
        q_date, q_hour = local_parts(o.question_deadline)
        s_date, s_hour = local_parts(o.submission_deadline)
        return {
            "question_date": q_date,
            "question_hour": q_hour,
            "submission_date": s_date,
            "submission_hour": s_hour,
        }

    def validate_question_hour(self, field):
        _valid_hour(field)

    def validate_submission_hour(self, field):
        _valid_hour(field)

    def validate_question_date(self, field):
        question = (
            to_utc(field.data, self.question_hour.data)
            if field.data and self.question_hour.data.isdigit()
            else None
        )
        bids = (
            to_utc(self.submission_date.data, self.submission_hour.data)
            if self.submission_date.data and self.submission_hour.data.isdigit()
            else None
        )
        if question and bids and question >= bids:
            raise ValidationError("The deadline for questions must be before the deadline for bids")

    def values(self):
        return {
            "question_deadline": to_utc(self.question_date.data, self.question_hour.data),
            "submission_deadline": to_utc(self.submission_date.data, self.submission_hour.data),
        }


class TenderDocumentForm(Form):
    file = FileField(
        "Upload a tender document",
        widget=GovFileInput(),
        validators=[FileRequired(message="Select a file to upload")],
    )
    submit = submit("Upload file")

    def __init__(self, *args, max_bytes, **kwargs):
        super().__init__(*args, **kwargs)
        from app.documents.uploads import describe_size

        self.file.description = (
            "For example, the specification or the draft contract. PDF, "
            "Word, Excel, OpenDocument, CSV, PNG or JPEG, smaller than "
            f"{describe_size(max_bytes)}"
        )


class PublishForm(Form):
    acknowledge_bank_holiday = BooleanField(
        "I want the deadline to be on this day", widget=GovCheckboxInput()
    )
    submit = submit("Publish")


class ApproveForm(Form):
    decision = RadioField(
        "Your decision",
        widget=GovRadioInput(),
        choices=[
            ("approve", "Approve it for publishing"),
            ("return", "Return it to the buyer to change"),
        ],
        invalid_choice_message="Select approve or return",
    )
    reason = _area("Comments (optional)", "Tell the buyer what to change")
    submit = submit("Save decision")


# --- After publication --------------------------------------------------------------------------


class AmendForm(Form):
    change = _area(
        "Describe the change",
        "Every invited supplier is told, and it is listed with its date on the opportunity page",
        validators=[InputRequired(message="Describe the change")],
    )
    summary = _area(
        "Summary",
        count=600,
        validators=[
            InputRequired(message="Enter a summary"),
            Length(max=600, message="Summary must be 600 characters or fewer"),
        ],
    )
    description = _area(
        "Full description", validators=[InputRequired(message="Enter a full description")]
    )
    contract_start = GovDateField(
        "Contract start date (optional)",
        name_for_errors="Contract start date",
        description="For example, 1 4 2027",
    )
    contract_months = _text(
        "Contract length in months (optional)",
        validators=[
            _number_check(
                "Enter the contract length as a whole number of months, like 12",
                minimum=1,
                maximum=240,
                optional=True,
            )
        ],
        inputmode="numeric",
    )
    contact_name = _text(
        "Contact name",
        validators=[Length(max=200, message="Contact name must be 200 characters or fewer")],
        spellcheck="false",
    )
    contact_email = _text(
        "Contact email address",
        validators=[
            Optional(),
            Email(
                message="Enter an email address in the correct format, like name@example.com",
                check_deliverability=False,
            ),
        ],
        spellcheck="false",
    )
    submit = submit("Publish the change")

    @classmethod
    def initial(cls, o):
        return {
            "summary": o.summary,
            "description": o.description,
            "contract_start": o.contract_start,
            "contract_months": str(o.contract_months) if o.contract_months else "",
            "contact_name": o.contact_name or "",
            "contact_email": o.contact_email or "",
        }

    def values(self):
        return {
            "summary": self.summary.data,
            "description": self.description.data,
            "contract_start": self.contract_start.data,
            "contract_months": whole_number(self.contract_months.data)
            if self.contract_months.data
            else None,
            "contact_name": self.contact_name.data or None,
            "contact_email": (self.contact_email.data or "").lower() or None,
        }


class ExtendForm(Form):
    submission_date = GovDateField(
        "Date", name_for_errors="The new date for bids", description="For example, 8 1 2027"
    )
    submission_hour = _hour("Time")
    question_date = GovDateField(
        "Date",
        name_for_errors="The new date for questions",
        description="Leave blank to keep the deadline for questions",
    )
    question_hour = _hour("Time")
    reason = _area("Why are you extending it? (optional)", "Every invited supplier is told")
    submit = submit("Extend the deadline")

    @classmethod
    def initial(cls, o):
        s_date, s_hour = local_parts(o.submission_deadline)
        return {"submission_date": s_date, "submission_hour": s_hour, "question_hour": "12"}

    def validate_submission_date(self, field):
        if field.data is None and not field.errors:
            raise ValidationError("Enter the new date for bids")

    def validate_submission_hour(self, field):
        _valid_hour(field)

    def validate_question_hour(self, field):
        _valid_hour(field)

    def values(self):
        return {
            "new_deadline": to_utc(self.submission_date.data, self.submission_hour.data),
            "new_question_deadline": to_utc(self.question_date.data, self.question_hour.data),
            "reason": self.reason.data or None,
        }


class CancelForm(Form):
    reason = _area(
        "Why are you cancelling it?", "Everyone can see this reason on the opportunity page"
    )
    submit = submit("Cancel the opportunity")


class AnswerForm(Form):
    answer = _area("Your answer", validators=[InputRequired(message="Enter your answer")])
    audience = RadioField(
        "Who should see the answer?",
        widget=GovRadioInput(),
        choices=[
            ("everyone", "Every invited supplier, without saying who asked"),
            ("asker", "Only the supplier who asked, because it is about them alone"),
        ],
        invalid_choice_message="Select who should see the answer",
    )
    submit = submit("Send answer")


class AskQuestionForm(Form):
    organisation_id = HiddenField()
    question = _area(
        "Your question",
        "The buyer answers every invited supplier without saying "
        "who asked, unless it concerns only you",
        count=5000,
    )
    submit = submit("Send question")
