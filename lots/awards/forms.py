"""Forms for the award decision and for recording social value delivered. They parse what was
typed and keep it for redisplay; the services (lots.awards.services, delivery) own the rules."""

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from wtforms import RadioField, SelectField, StringField
from wtforms.validators import InputRequired, ValidationError

from app.fields import GovDateField
from app.forms import Form, strip_whitespace, submit
from app.widgets import GovRadioInput
from lots.evaluation.forms import text_area

# --- Award ---------------------------------------------------------------------------------------


class AwardDecisionForm(Form):
    decision = RadioField(
        "Your decision",
        id="award-decision",
        widget=GovRadioInput(),
        choices=[
            ("confirm", "Confirm the award"),
            ("return", "Return it to the buyer to look at again"),
            ("no_suitable_bid", "Record that no bid was suitable"),
        ],
        invalid_choice_message="Select confirm, return or no suitable bid",
    )
    reason = text_area(
        "Reason",
        "Needed to return the award, or to record that no bid was "
        "suitable. Every bidder reads a reason for no suitable bid.",
    )
    submit = submit("Save decision")


class ReasonOnlyForm(Form):
    """The preferred bidder's documents: the buyer's actions, with a reason when they were not
    given (``lots.awards.evidence``)."""

    reason = text_area(
        "Why the documents were not given, or not adequate",
        "The bidder reads this. Needed only to move to the next-ranked bidder.",
    )


# --- Contracts -----------------------------------------------------------------------------------


class DeliveryForm(Form):
    commitment = SelectField("Measure", widget=GovSelect(), choices=[], validate_choice=False)
    period_start = GovDateField(
        "Start of the period",
        name_for_errors="The start of the period",
        description="For example, 1 4 2027",
        validators=[InputRequired(message="Enter the start of the period")],
    )
    period_end = GovDateField(
        "End of the period",
        name_for_errors="The end of the period",
        description="For example, 30 6 2027",
        validators=[InputRequired(message="Enter the end of the period")],
    )
    delivered = StringField(
        "Amount delivered",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[InputRequired(message="Enter the amount delivered")],
        render_kw={"inputmode": "decimal", "spellcheck": "false"},
    )
    note = text_area("Note (optional)", "How it was measured, or anything that explains the figure")
    submit = submit("Record delivery")

    def __init__(self, *args, commitments=(), measure_name=str, **kwargs):
        super().__init__(*args, **kwargs)
        self.commitment.choices = [(str(c.id), measure_name(c.measure_id)) for c in commitments]

    def validate_commitment(self, field):
        if field.data not in {v for v, _ in field.choices}:
            raise ValidationError("Select the measure")
