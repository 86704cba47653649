"""Forms for a draft opportunity, section by section (its details, evaluation criteria, social
value measures, deadlines and tender documents; the questions and the price schedule are in
``question_forms``), and for publishing it or approving it."""

from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField
from wtforms.validators import InputRequired, ValidationError

from app.fields import GovDateField
from app.forms import Form, describe_files, file_field, submit
from app.money import parse_pence, pence_to_pounds
from app.reference import geography, social_value
from app.widgets import GovCheckboxesInput, GovCheckboxInput, GovRadioInput
from lots.opportunities.forms import (
    KIND_LABELS,
    LOCATION_LABELS,
    TIE_BREAKS,
    amendable_initial,
    amendable_values,
    check_hour,
    choices_of,
    contact_email_field,
    contact_name_field,
    contract_months_field,
    contract_start_field,
    description_field,
    hour_field,
    local_parts,
    number_check,
    summary_field,
    text_area,
    text_field,
    title_field,
    to_utc,
    whole_number,
)
from lots.opportunities.models import LocationType


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
        choices=choices_of(KIND_LABELS),
        invalid_choice_message="Select a mini-competition or a quick quote",
    )
    title = title_field("Say what you are buying, like ‘Befriending for older people in Leeds’")
    submit = submit("Create draft")

    def __init__(self, *args, lots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lot_id.choices = [(str(lot.id), f"{lot.label} ({lot.dps.name})") for lot in lots]


class DetailsForm(Form):
    title = title_field()
    summary = summary_field("One or two sentences, shown in search results")
    description = description_field("What you need, for whom, and how you will measure success")
    estimated_value = text_field(
        "Estimated value",
        "In pounds, excluding VAT, for the whole contract",
        validators=[InputRequired(message="Enter the estimated value")],
        inputmode="decimal",
        spellcheck="false",
    )
    contract_start = contract_start_field()
    contract_months = contract_months_field()
    location_type = RadioField(
        "Where will the work be done?",
        widget=GovRadioInput(),
        choices=choices_of(LOCATION_LABELS),
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
    contact_name = contact_name_field(autocomplete="name")
    contact_email = contact_email_field("We send suppliers’ questions here", autocomplete="email")
    submit = submit("Save and continue")

    @classmethod
    def initial(cls, o):
        return {
            **amendable_initial(o),
            "title": o.title,
            "estimated_value": pence_to_pounds(o.estimated_value_pence)
            if o.estimated_value_pence and o.estimated_value_pence > 1
            else "",
            "location_type": o.location_type.value,
            "location_region": o.location_code if o.location_type == LocationType.REGION else "",
            "location_local_authority": o.location_code
            if o.location_type == LocationType.LOCAL_AUTHORITY
            else "",
            "reserved": [
                name for name, on in (("vcse", o.reserved_vcse), ("sme", o.reserved_sme)) if on
            ],
            "reserved_area_code": o.reserved_area_code or "",
        }

    def validate_estimated_value(self, field):
        try:
            value = parse_pence(field.data)
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
            **amendable_values(self),
            "title": self.title.data,
            "estimated_value_pence": parse_pence(self.estimated_value.data),
            "location_type": location,
            "location_code": code or None,
            "reserved_vcse": "vcse" in (self.reserved.data or []),
            "reserved_sme": "sme" in (self.reserved.data or []),
            "reserved_area_code": self.reserved_area_code.data or None,
        }


def _weight(label):
    return text_field(
        label,
        validators=[
            InputRequired(message=f"Enter the {label.lower()} weighting"),
            number_check(
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
    score_scale_max = RadioField(
        "Scale evaluators score each answer on",
        widget=GovRadioInput(),
        description="Published with the opportunity and fixed once it is published",
        choices=[
            ("5", "0 to 5: unacceptable, poor, weak, satisfactory, good, excellent"),
            ("10", "0 to 10: for finer distinctions between answers"),
        ],
        default="5",
        invalid_choice_message="Select the scoring scale",
    )
    submit = submit("Save and continue")

    @classmethod
    def initial(cls, o):
        return {
            "price_weight": str(o.price_weight),
            "quality_weight": str(o.quality_weight),
            "social_value_weight": str(o.social_value_weight),
            "tie_break": o.tie_break,
            "score_scale_max": str(o.score_scale_max),
        }

    def values(self):
        return {
            "price_weight": whole_number(self.price_weight.data),
            "quality_weight": whole_number(self.quality_weight.data),
            "social_value_weight": whole_number(self.social_value_weight.data),
            "tie_break": self.tie_break.data,
            "score_scale_max": int(self.score_scale_max.data),
        }


class SocialValueForm(Form):
    measures = SelectMultipleField(
        "Social value measures", choices=[], validate_choice=False, widget=GovCheckboxesInput()
    )
    submit = submit("Save and continue")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Retired measures stay listed (the service refuses one the draft did not have).
        self.measures.choices = [
            (m.id, m.name) for m in social_value.all_measures(include_retired=True)
        ]

    @classmethod
    def initial(cls, o):
        return {"measures": list(o.social_value_measures or [])}

    def validate_measures(self, field):
        if any(social_value.get(value) is None for value in field.data or []):
            raise ValidationError("Select social value measures from the list")


class ConditionsForm(Form):
    """The contract's conditions. The service (``lots.opportunities.conditions``) owns the rule
    on payment terms; this parses what was typed."""

    payment_terms_days = text_field(
        "Payment terms, in days",
        "How many days you take to pay an undisputed invoice. 30 days at most: this service "
        "does not allow longer terms. You may choose fewer.",
        validators=[
            InputRequired(message="Enter the payment terms in days"),
            number_check("Enter the payment terms as a whole number of days, like 30"),
        ],
        inputmode="numeric",
        spellcheck="false",
    )
    real_living_wage = RadioField(
        "Is paying the Real Living Wage a condition of the contract?",
        widget=GovRadioInput(),
        choices=[("yes", "Yes"), ("no", "No")],
        default="no",
        invalid_choice_message="Select yes if the Real Living Wage is a condition",
    )
    submit = submit("Save and continue")

    @classmethod
    def initial(cls, o):
        return {
            "payment_terms_days": str(o.payment_terms_days),
            "real_living_wage": "yes" if o.real_living_wage else "no",
        }

    def values(self):
        return {
            "payment_terms_days": whole_number(self.payment_terms_days.data),
            "real_living_wage": self.real_living_wage.data == "yes",
        }


class DeadlinesForm(Form):
    question_date = GovDateField(
        "Date", name_for_errors="The date for questions", description="For example, 11 12 2026"
    )
    question_hour = hour_field("Time")
    submission_date = GovDateField(
        "Date", name_for_errors="The date for bids", description="For example, 18 12 2026"
    )
    submission_hour = hour_field("Time")
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
        check_hour(field)

    def validate_submission_hour(self, field):
        check_hour(field)

    def validate_question_date(self, field):
        question = to_utc(field.data, self.question_hour.data)
        bids = to_utc(self.submission_date.data, self.submission_hour.data)
        if question and bids and question >= bids:
            raise ValidationError("The deadline for questions must be before the deadline for bids")

    def values(self):
        return {
            "question_deadline": to_utc(self.question_date.data, self.question_hour.data),
            "submission_deadline": to_utc(self.submission_date.data, self.submission_hour.data),
        }


class TenderDocumentForm(Form):
    file = file_field("Upload a tender document")
    submit = submit("Upload file")

    def __init__(self, *args, max_bytes, **kwargs):
        super().__init__(*args, **kwargs)
        describe_files(
            self.file, max_bytes, "For example, the specification or the draft contract. "
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
    reason = text_area("Comments (optional)", "Tell the buyer what to change")
    submit = submit("Save decision")
