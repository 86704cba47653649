"""Forms for a draft's questions for bidders and its price schedule: rows of a table, a few blank
ones at the end to add more."""

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea, GovTextInput
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from app.forms import Form, SubForm, strip_whitespace, submit
from app.widgets import GovCheckboxInput, GovRadioInput
from lots.opportunities.forms import (
    MAX_ROWS,
    QUESTION_KIND_LABELS,
    choices_of,
    one_kind_of_newline,
    whole_number,
)
from lots.opportunities.models import QUESTION_ABOUT_LABELS, QuestionAbout, QuestionKind

BLANK_QUESTION_ROWS = 3
BLANK_PRICE_LINES = 3


class QuestionRow(SubForm):
    kind = SelectField(
        "Type of question",
        choices=choices_of(QUESTION_KIND_LABELS),
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
    about = SelectField(
        "For a pass or fail question: what does it test?",
        choices=choices_of(QUESTION_ABOUT_LABELS),
        default=QuestionAbout.BID.value,
        widget=GovSelect(),
        validate_choice=False,
        description="Below the threshold, a call-off may not ask about the supplier (a "
        "selection stage) unless it is for works",
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
            "about": self.about.data if kind == QuestionKind.PASS_FAIL else QuestionAbout.BID.value,
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
                "about": q.about.value,
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
