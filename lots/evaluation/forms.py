"""Forms for evaluating bids. They parse what was typed and keep it for redisplay; the services
(lots.evaluation.services, scores, results) own the rules."""

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea
from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from app.forms import Form, strip_whitespace, submit
from app.widgets import GovCheckboxInput, GovRadioInput
from lots.evaluation.scoring import scale_labels
from lots.opportunities.forms import one_kind_of_newline


def text_area(label, description=None, validators=()):
    return TextAreaField(
        label,
        description=description,
        widget=GovTextArea(),
        filters=[strip_whitespace, one_kind_of_newline],
        validators=list(validators),
    )


def scale_choices(scale_max):
    """[("0", "0 – Unacceptable"), ...] for the published scale."""
    labels = scale_labels(scale_max)
    return [(str(n), f"{n} – {labels[n]}" if n in labels else str(n)) for n in range(scale_max + 1)]


class ActionForm(Form):
    """A button that changes something: CSRF only."""


# --- The buyer's evaluation page ----------------------------------------------------------------


class AssignEvaluatorForm(Form):
    evaluator = SelectField(
        "Colleague",
        widget=GovSelect(),
        choices=[],
        validate_choice=False,
        description="Only colleagues with the evaluator role are listed. Owners can do everything.",
    )
    moderator = BooleanField(
        "Make them the moderator",
        widget=GovCheckboxInput(),
        description="The moderator agrees one score per answer after everyone has scored",
    )
    submit = submit("Add evaluator")

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.evaluator.choices = [("", "Select a colleague")] + [
            (str(user.id), f"{user.name} ({user.email})") for user in colleagues
        ]

    def validate_evaluator(self, field):
        if not field.data or field.data not in {v for v, _ in field.choices if v}:
            raise ValidationError("Select a colleague with the evaluator role")


class ExcludeForm(Form):
    reason = text_area(
        "Why is this bid excluded?",
        "The supplier will read this reason",
        validators=[InputRequired(message="Enter the reason. The supplier will see it")],
    )
    submit = submit("Exclude the bid")


class ReinstateForm(Form):
    reason = text_area(
        "Why are you reinstating this bid?",
        validators=[InputRequired(message="Enter the reason for reinstating the bid")],
    )
    submit = submit("Reinstate the bid")


class ClearPriceForm(Form):
    reason = text_area(
        "Why is this price acceptable?",
        "For example, the supplier’s explanation of how it can deliver at this price",
        validators=[InputRequired(message="Record why the price is acceptable")],
    )
    submit = submit("Clear the price")


# --- Evaluators ---------------------------------------------------------------------------------


class DeclarationForm(Form):
    conflict = RadioField(
        "Do you have a conflict of interest?",
        widget=GovRadioInput(),
        choices=[
            ("no", "No, I have no conflict of interest"),
            ("yes", "Yes, I have a conflict of interest"),
        ],
        invalid_choice_message="Select whether you have a conflict of interest",
    )
    details = text_area(
        "If you have a conflict, describe it",
        "For example, you work with or for a bidder, or a close relative does. "
        "If you declare a conflict you will not see the bids.",
    )
    submit = submit("Make my declaration")


def score_form(
    questions,
    scale_max,
    reason_label="Reason for your score",
    data=None,
    submit_label="Save scores",
):
    """A form with a score (radios on the published scale) and a comment per question:
    ``score_<id>`` and ``comment_<id>``."""
    choices = scale_choices(scale_max)

    class ScoreForm(Form):
        pass

    for q in questions:
        setattr(
            ScoreForm,
            f"score_{q.id}",
            RadioField(
                "Score",
                widget=GovRadioInput(),
                choices=choices,
                invalid_choice_message="Choose a score",
            ),
        )
        setattr(
            ScoreForm,
            f"comment_{q.id}",
            text_area(
                reason_label, validators=[InputRequired(message="Give a reason for the score")]
            ),
        )
    ScoreForm.submit = submit(submit_label)
    return ScoreForm(data=data or {})
