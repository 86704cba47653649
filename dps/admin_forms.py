"""Forms for the operator's pages. They parse what was typed (numbers, money, dates) and keep it
for redisplay; the services own the rules about the values."""

from decimal import Decimal, InvalidOperation

from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import BooleanField, RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Length, StopValidation, ValidationError

from app.documents.uploads import describe_size
from app.fields import GovDateField
from app.forms import (
    Form,
    OneFileForm,
    money_check,
    strip_whitespace,
    submit,
    text_field,
    whole_number,
)
from app.money import parse_pence
from app.widgets import GovCheckboxesInput, GovCheckboxInput, GovRadioInput
from dps.models import (
    CATEGORY_LABELS,
    REGIME_LABELS,
    RESERVED_LABELS,
    Category,
    ExclusionOutcome,
    LotDecision,
    Regime,
    ReservedFor,
)
from dps.working_days import CALENDAR_LABELS, Calendar


def _labels(labels):
    return [(member.value, label) for member, label in labels.items()]


def _area(label, description=None, validators=()):
    return TextAreaField(
        label,
        description=description,
        widget=GovTextArea(),
        filters=[strip_whitespace],
        validators=list(validators),
    )


def _radios(label, choices, message, description=None, default=None):
    return RadioField(
        label,
        description=description,
        choices=choices,
        default=default,
        widget=GovRadioInput(),
        invalid_choice_message=message,
    )


def required_date(message):
    """A date must be given; a date typed wrongly already says what is wrong with it."""

    def _check(form, field):
        if field.data is None and not field.process_errors:
            raise StopValidation(message)

    return _check


def _whole_number_check(message, optional=False, minimum=None, too_small=None):
    def _check(form, field):
        if optional and not field.data:
            return
        try:
            value = whole_number(field.data)
        except ValueError:
            raise ValidationError(message) from None
        if minimum is not None and value < minimum:
            raise ValidationError(too_small)

    return _check


class DpsForm(Form):
    name = text_field(
        "Name",
        validators=[
            InputRequired(message="Enter the name of the DPS"),
            Length(max=200, message="Name must be 200 characters or fewer"),
        ],
        spellcheck="true",
    )
    slug = text_field(
        "Web address name",
        "Lower case letters, numbers and hyphens, like yorkshire-community-services. "
        "It becomes part of the DPS’s web address and cannot be changed later",
        validators=[
            InputRequired(message="Enter a web address name"),
            Length(max=80, message="Web address name must be 80 characters or fewer"),
        ],
        spellcheck="false",
    )
    summary = text_field(
        "Summary",
        "One sentence, shown in lists of DPSs",
        validators=[
            InputRequired(message="Enter a summary"),
            Length(max=500, message="Summary must be 500 characters or fewer"),
        ],
    )
    description = _area(
        "Description",
        "What the DPS buys, for whom and where",
        validators=[InputRequired(message="Enter a description")],
    )
    who_may_join = _area(
        "Who may join",
        "The conditions for admission. They are fixed for the life of the DPS",
        validators=[InputRequired(message="Enter who may join")],
    )
    regime = _radios(
        "Which rules does it follow?",
        _labels(REGIME_LABELS),
        "Select which rules the DPS follows",
        description="A DPS set up from 24 February 2025 is a dynamic market under "
        "the Procurement Act 2023",
        default=Regime.PROCUREMENT_ACT_2023.value,
    )
    starts_on = GovDateField(
        "Start date",
        name_for_errors="Start date",
        description="For example, 1 1 2026",
        validators=[required_date("Enter the start date")],
    )
    ends_on = GovDateField(
        "End date",
        name_for_errors="End date",
        description="For example, 31 12 2030",
        validators=[required_date("Enter the end date")],
    )
    admission_days = text_field(
        "Time limit to decide an application, in working days",
        "Usually 10. You can extend one application, up to 15 working days, if you record why",
        validators=[
            InputRequired(message="Enter the time limit in working days"),
            _whole_number_check("Enter the time limit as a whole number of working days, like 10"),
        ],
        inputmode="numeric",
    )
    calendar = _radios(
        "Which bank holidays do working days skip?",
        _labels(CALENDAR_LABELS),
        "Select which bank holidays working days skip",
        default=Calendar.ENGLAND_AND_WALES.value,
    )
    winner_fee_percent = text_field(
        "Fee charged to winning suppliers (optional)",
        "A percentage of contract value, up to 5, like 1.5. Only a dynamic market under the "
        "Procurement Act 2023 may charge one. Leave blank for no fee",
        validators=[],
        inputmode="decimal",
    )
    submit = submit("Create DPS")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.admission_days.data is None:
            self.admission_days.data = "10"

    def validate_winner_fee_percent(self, field):
        if not field.data:
            return
        try:
            value = Decimal(field.data.replace("%", "").strip())
        except InvalidOperation:
            raise ValidationError("Enter the fee as a percentage, like 1.5") from None
        if not value.is_finite():
            raise ValidationError("Enter the fee as a percentage, like 1.5")

    def values(self):
        fee = self.winner_fee_percent.data
        return {
            "name": self.name.data,
            "slug": self.slug.data,
            "summary": self.summary.data,
            "description": self.description.data,
            "who_may_join": self.who_may_join.data,
            "regime": self.regime.data,
            "starts_on": self.starts_on.data,
            "ends_on": self.ends_on.data,
            "admission_days": whole_number(self.admission_days.data),
            "calendar": self.calendar.data,
            "winner_fee_percent": Decimal(fee.replace("%", "").strip()) if fee else None,
        }


class LotForm(Form):
    number = text_field(
        "Lot number",
        validators=[
            InputRequired(message="Enter the lot number"),
            _whole_number_check(
                "Enter the lot number as a whole number, like 3",
                minimum=1,
                too_small="Lot number must be 1 or more",
            ),
        ],
        inputmode="numeric",
    )
    title = text_field(
        "Title",
        validators=[
            InputRequired(message="Enter the lot’s title"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )
    description = _area(
        "Description",
        "What work the lot covers, and where",
        validators=[InputRequired(message="Enter a description of the lot")],
    )
    min_value = text_field(
        "Smallest contract value (optional)",
        "In pounds, excluding VAT. Leave blank for £0",
        validators=[
            money_check("Enter the smallest value as an amount of money, like 5000", optional=True)
        ],
        inputmode="decimal",
    )
    max_value = text_field(
        "Largest contract value",
        "In pounds, excluding VAT",
        validators=[
            InputRequired(message="Enter the largest contract value"),
            money_check("Enter the largest value as an amount of money, like 250000"),
        ],
        inputmode="decimal",
    )
    category = _radios(
        "What does the lot buy?",
        _labels(CATEGORY_LABELS),
        "Select goods, services or works",
        description="Works contracts have a higher threshold (£5,193,000 including VAT)",
        default=Category.SERVICES.value,
    )
    light_touch = BooleanField(
        "These are light-touch services (like social care, health, education or community "
        "services), with their own threshold of £663,540 including VAT",
        widget=GovCheckboxInput(),
    )
    reserved_for = _radios(
        "Who may apply for this lot?",
        _labels(RESERVED_LABELS),
        "Select who may apply for this lot",
        description="Only a lot whose largest value (with VAT) is below the threshold may be "
        "reserved for VCSE organisations. Above it, the law allows reserving only for "
        "supported employment providers or, for light-touch services, public service mutuals",
        default=ReservedFor.NONE.value,
    )
    cap_group = text_field(
        "Lot group (optional)",
        "For lots split into areas (patches): give each patch the same group "
        "name, like Homecare patches",
        validators=[Length(max=80, message="Lot group must be 80 characters or fewer")],
    )
    cap_per_provider = text_field(
        "Most lots of the group one provider may hold (optional)",
        "For example, 1 to spread the work across providers",
        validators=[
            _whole_number_check("Enter the most lots as a whole number, like 1", optional=True)
        ],
        inputmode="numeric",
    )
    submit = submit("Add lot")

    def values(self):
        return {
            "number": whole_number(self.number.data),
            "title": self.title.data,
            "description": self.description.data,
            "min_value_pence": parse_pence(self.min_value.data) if self.min_value.data else 0,
            "max_value_pence": parse_pence(self.max_value.data),
            "reserved_for": self.reserved_for.data,
            "category": self.category.data,
            "light_touch": bool(self.light_touch.data),
            "cap_group": self.cap_group.data or None,
            "cap_per_provider": whole_number(self.cap_per_provider.data)
            if self.cap_per_provider.data
            else None,
        }


class ClarificationForm(Form):
    question = _area("Your question", "The supplier will see it and answer in the service")
    submit = submit("Send question")


class ExtendForm(Form):
    days = text_field(
        "How many working days in all?",
        "Up to 15, and more than the application has now. Leave it empty for 15",
        validators=[
            _whole_number_check(
                "Enter the number of working days as a whole number, like 15", optional=True
            ),
        ],
        inputmode="numeric",
    )
    reason = _area("Why does this application need longer?", "The supplier will see this reason")
    submit = submit("Extend the time limit")


DECISION_CHOICES = [(LotDecision.ADMITTED.value, "Admit"), (LotDecision.REJECTED.value, "Reject")]


class DecideForm(Form):
    decision = RadioField(
        "Your decision",
        choices=DECISION_CHOICES,
        widget=GovRadioInput(),
        invalid_choice_message="Select admit or reject",
    )
    reason = _area("Reasons for your decision", "The supplier will see these")
    submit = submit("Save decision")


EXCLUSION_CHOICES = [("excluded", "Exclude"), ("debarred", "Debar")]


class ExcludeForm(Form):
    kind = RadioField(
        "Exclude or debar?",
        choices=EXCLUSION_CHOICES,
        widget=GovRadioInput(),
        invalid_choice_message="Select exclude or debar",
    )
    reason = _area("Reason", "The supplier will see this reason")
    submit = submit("Exclude supplier")


class ReasonForm(Form):
    reason = _area("Reason", "The supplier will see this reason")
    submit = submit("Continue")


class ConfirmForm(Form):
    submit = submit("Confirm")


EXCLUSION_OUTCOME_CHOICES = [
    (ExclusionOutcome.EXCLUDED.value, "Excluded"),
    (ExclusionOutcome.SELF_CLEANED.value, "Not excluded because of self-cleaning"),
]


class ExclusionDecisionForm(Form):
    outcome = _radios(
        "Your decision on the exclusion grounds",
        EXCLUSION_OUTCOME_CHOICES,
        "Select excluded, or not excluded because of self-cleaning",
    )
    reasons = _area(
        "Reasons for your decision",
        "Say what the supplier declared and the self-cleaning evidence you relied on: "
        "compensation paid, cooperation with investigators, changes to stop it happening again",
    )
    submit = submit("Record exclusion decision")


class DebarmentListForm(OneFileForm):
    example = (
        "A CSV file with a header line: supplier_name, company_number, charity_number, grounds, "
        "from_date, to_date. "
    )
    submit = submit("Load debarment list")

    def __init__(self, *args, max_bytes, **kwargs):
        super().__init__(*args, max_bytes=max_bytes, **kwargs)
        self.file.label.text = "Upload the debarment list"
        self.file.description = (
            f"{self.example}Dates like 2026-03-01. CSV saved as UTF-8, smaller than "
            f"{describe_size(max_bytes)}"
        )


MATCH_REVIEW_CHOICES = [
    ("confirm", "Yes: it is the same organisation. Debar it"),
    ("dismiss", "No: it is a different organisation"),
]


class MatchReviewForm(Form):
    decision = _radios(
        "Is this the organisation on the debarment list?",
        MATCH_REVIEW_CHOICES,
        "Select yes or no",
    )
    reason = _area(
        "Reasons for your decision",
        "For example, what you checked: the registered address, directors or trustees",
    )
    submit = submit("Save decision")


class GuidanceForm(Form):
    """The operator's guidance on one question: three parts, each optional, plain text. The
    service (``dps.services.guidance``) owns the length rule; this parses what was typed."""

    good_answer = _area(
        "What a good answer covers",
        "What the evaluators look for, in plain English. Leave a blank line between paragraphs.",
    )
    common_mistakes = _area("Common mistakes", "What makes answers lose marks or fail.")
    example = _area("An example answer", "A short answer that would score well.")
    submit = submit("Save guidance")

    def values(self):
        return {
            name: getattr(self, name).data or ""
            for name in ("good_answer", "common_mistakes", "example")
        }


CONDITION_CHOICES = (
    ("office_in_area", "An office in the lot’s area"),
    ("living_wage", "The Real Living Wage"),
    ("london_living_wage", "The London Living Wage"),
    ("charter", "A charter suppliers sign up to"),
    ("workforce", "A commitment to recruit from and reflect the community"),
    ("yes_no", "Another condition, as a yes or no question"),
)


class ConditionForm(Form):
    """A condition of membership added to lots that already exist."""

    kind = RadioField(
        "What must suppliers meet?",
        choices=CONDITION_CHOICES,
        validators=[InputRequired(message="Select the kind of condition")],
        widget=GovRadioInput(),
    )
    title = text_field(
        "Name of the charter, or the yes or no question",
        "Only for a charter (like UNISON Ethical Care Charter) or a yes or no question",
        validators=[Length(max=200, message="Keep it to 200 characters or fewer")],
    )
    guidance = _area(
        "Guidance for suppliers (optional)", "Shown beside the condition when suppliers answer it"
    )
    evidence_required = BooleanField(
        "Suppliers must upload evidence (always asked for an office and a charter)",
        widget=GovCheckboxInput(),
    )
    lots = SelectMultipleField(
        "Which lots does it apply to?",
        description="Select all that apply",
        choices=[],
        coerce=int,
        validators=[InputRequired(message="Select at least one lot")],
        widget=GovCheckboxesInput(),
    )
    submit = submit("Add the condition")

    def values(self):
        kind = self.kind.data
        return {
            "kind": "living_wage" if kind == "london_living_wage" else kind,
            "london": kind == "london_living_wage",
            "title": self.title.data or "",
            "guidance": self.guidance.data or "",
            "evidence_required": bool(self.evidence_required.data),
        }
