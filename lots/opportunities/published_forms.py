"""Forms for a published opportunity: the buyer's changes (an amendment, a later deadline,
cancelling it) and answers to suppliers' questions, and an invited supplier's question."""

from wtforms import BooleanField, HiddenField, RadioField
from wtforms.validators import InputRequired, ValidationError

from app.fields import GovDateField
from app.forms import Form, describe_files, file_field, submit
from app.widgets import GovCheckboxInput, GovRadioInput
from lots.opportunities import forms as shared
from lots.opportunities.forms import check_hour, hour_field, local_parts, text_area, to_utc
from lots.opportunities.question_forms import PriceScheduleForm


class AmendForm(Form):
    change = text_area(
        "Describe the change",
        "Every invited supplier is told, and it is listed with its date on the opportunity page",
        validators=[InputRequired(message="Describe the change")],
    )
    summary = shared.summary_field()
    description = shared.description_field()
    contract_start = shared.contract_start_field()
    contract_months = shared.contract_months_field()
    contact_name = shared.contact_name_field()
    contact_email = shared.contact_email_field()
    submit = submit("Publish the change")

    @classmethod
    def initial(cls, o):
        return shared.amendable_initial(o)

    def values(self):
        return shared.amendable_values(self)


class AmendPriceScheduleForm(PriceScheduleForm):
    """Changing the price schedule of a published opportunity: an amendment that returns every
    submitted bid to its supplier (the service refuses it unconfirmed)."""

    change = text_area(
        "Describe the change",
        "Every invited supplier is told, and it is listed with its date on the opportunity page",
        validators=[InputRequired(message="Describe the change")],
    )
    reopen_bids = BooleanField(
        "I understand that every bid already submitted will be returned to its supplier to "
        "price again and resubmit before the deadline",
        widget=GovCheckboxInput(),
    )
    submit = submit("Publish the change")


class ReplaceDocumentForm(Form):
    """Replacing a published tender document: an amendment."""

    change = text_area(
        "Describe the change",
        "Every invited supplier is told, and it is listed with its date on the opportunity page",
        validators=[InputRequired(message="Describe the change")],
    )
    file = file_field("Upload the new version")
    submit = submit("Replace the document")

    def __init__(self, *args, max_bytes, **kwargs):
        super().__init__(*args, **kwargs)
        describe_files(self.file, max_bytes)


class ExtendForm(Form):
    submission_date = GovDateField(
        "Date", name_for_errors="The new date for bids", description="For example, 8 1 2027"
    )
    submission_hour = hour_field("Time")
    question_date = GovDateField(
        "Date",
        name_for_errors="The new date for questions",
        description="Leave blank to keep the deadline for questions",
    )
    question_hour = hour_field("Time")
    reason = text_area("Why are you extending it? (optional)", "Every invited supplier is told")
    submit = submit("Extend the deadline")

    @classmethod
    def initial(cls, o):
        s_date, s_hour = local_parts(o.submission_deadline)
        return {"submission_date": s_date, "submission_hour": s_hour, "question_hour": "12"}

    def validate_submission_date(self, field):
        if field.data is None and not field.errors:
            raise ValidationError("Enter the new date for bids")

    def validate_submission_hour(self, field):
        check_hour(field)

    def validate_question_hour(self, field):
        check_hour(field)

    def values(self):
        return {
            "new_deadline": to_utc(self.submission_date.data, self.submission_hour.data),
            "new_question_deadline": to_utc(self.question_date.data, self.question_hour.data),
            "reason": self.reason.data or None,
        }


class CancelForm(Form):
    reason = text_area(
        "Why are you cancelling it?", "Everyone can see this reason on the opportunity page"
    )
    submit = submit("Cancel the opportunity")


class AnswerForm(Form):
    answer = text_area("Your answer", validators=[InputRequired(message="Enter your answer")])
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
    question = text_area(
        "Your question",
        "The buyer answers every invited supplier without saying "
        "who asked, unless it concerns only you",
        count=5000,
    )
    submit = submit("Send question")
