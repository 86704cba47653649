"""Forms for the supplier's pages.

The questionnaire's form is built from its definition (one source of truth): which request values
belong to each question, how a stored answer is put back in the boxes, which conditional questions
are revealed inside the radio that asks for them, and how a condition reads in plain English.
Nothing here decides whether an answer is acceptable: the engine and the services do.
"""

from dataclasses import dataclass, field
from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from wtforms import BooleanField, RadioField, StringField, TextAreaField

from app.forms import Form, submit
from app.money import money
from app.widgets import GovCheckboxInput, GovRadioInput

# The radio that reveals the file input of a document question.
UPLOAD = "upload"
YES_NO = (("yes", "Yes"), ("no", "No"))


# --- Simple forms ---------------------------------------------------------------------------------


class StartForm(Form):
    # validate_choice=False: the view says which organisations may be chosen, the service the rest.
    organisation_id = RadioField(
        "Which organisation is applying?", widget=GovRadioInput(), validate_choice=False
    )
    submit = submit("Start application")


class LotsForm(Form):
    """Only carries the CSRF token and the errors: the checkboxes are drawn from the lots."""

    lots = StringField("Lots")
    submit = submit("Save and continue")


class DeclarationForm(Form):
    declaration_name = StringField(
        "Your full name",
        widget=GovTextInput(),
        render_kw={"autocomplete": "name", "spellcheck": "false"},
    )
    declaration_role = StringField(
        "Your role in the organisation",
        widget=GovTextInput(),
        description="For example, chief executive or chair of trustees",
    )
    confirm = BooleanField(
        "I confirm that I have read the declaration and it is true for my organisation",
        widget=GovCheckboxInput(),
    )
    submit = submit("Accept and submit application")


class ClarificationForm(Form):
    answer = TextAreaField("Your answer", widget=GovTextArea())
    submit = submit("Send your answer")


class RenewalForm(Form):
    # Asked only of holders of lots reserved for supported employment providers or public
    # service mutuals (the view leaves them out otherwise); the service checks the values.
    workforce_percent = StringField(
        "What percentage of your workforce are disabled or disadvantaged today?",
        description="As a whole number from 0 to 100. Lots reserved for supported employment "
        "providers need at least 30%",
        widget=GovTextInput(),
    )
    mutual_conditions = RadioField(
        "Does your organisation still meet the conditions of a public service mutual?",
        description="Its objective is a public service mission; it reinvests its profits or "
        "shares them on participatory principles; it is owned or managed by its employees or "
        "members",
        choices=YES_NO,
        widget=GovRadioInput(),
        validate_choice=False,
    )
    confirm = BooleanField(
        "I confirm that these answers are still correct", widget=GovCheckboxInput()
    )
    submit = submit("Renew our declaration")

    def values(self):
        """The service's keyword arguments; a percentage that is not a whole number is None,
        which the service refuses with its message."""
        text = (self.workforce_percent.data or "").strip().rstrip("%").strip()
        return {
            "workforce_percent": int(text) if text.isdigit() else None,
            "mutual_conditions": {"yes": True, "no": False}.get(self.mutual_conditions.data),
        }


class ConfirmForm(Form):
    submit = submit("Yes, leave this lot")


class PageErrors:
    """Problems on a page that is not drawn by a WTForms form (the question pages, check your
    answers), in the shape base.html reads: ``errors`` maps the id of the field to link to, to
    its messages. The error summary and the "Error:" title then come for free."""

    _fields = {}

    def __init__(self, problems=None):
        self.problems = dict(problems or {})

    @property
    def errors(self):
        return {anchor: [message] for anchor, message in self.problems.items()}


# --- The questionnaire's form ---------------------------------------------------------------------


@dataclass
class QuestionField:
    """One question as the page draws it."""

    question: object
    value: object = None  # what the boxes show: text, a list, or [day, month, year]
    error: str | None = None
    anchor: str = ""  # the id the error summary links to
    condition: str | None = None  # "Only answer this if ...", when not revealed by a radio
    documents: list = field(default_factory=list)
    children: dict = field(default_factory=dict)  # option value -> [QuestionField]

    @property
    def options(self):
        if self.question.type == "yes_no":
            return [_Choice(value, label) for value, label in YES_NO]
        return list(self.question.options)

    def revealed_by(self, value):
        return self.children.get(value, [])


@dataclass(frozen=True)
class _Choice:
    value: str
    label: str
    hint: str | None = None
    exclusive: bool = False


def raw_answers(section, form):
    """What the page sent for every question of the section, in the shape the engine parses.
    A document question carries the chosen document's id ("" when uploading a new file)."""
    raw = {}
    for question in section.questions:
        if question.type == "multiple_choice":
            raw[question.id] = form.getlist(question.id)
        elif question.type == "date":
            raw[question.id] = [
                form.get(f"{question.id}-{part}", "") for part in ("day", "month", "year")
            ]
        else:
            value = form.get(question.id, "")
            raw[question.id] = "" if question.type == "document" and value == UPLOAD else value
    return raw


def new_files(section, files):
    """[(question, file)] for document questions given a new file."""
    found = []
    for question in section.questions:
        if question.type == "document":
            upload = files.get(file_input(question))
            if upload is not None and upload.filename:
                found.append((question, upload))
    return found


def file_input(question):
    return f"{question.id}-file"


def stored_as_typed(question, value):
    """A stored answer as a person would type it, to fill the boxes."""
    if value is None:
        return None
    if question.type == "money":
        return money(value).removeprefix("£")  # "1,500" or "1,500.50"
    if question.type == "date":
        try:
            day = date.fromisoformat(value)
        except (TypeError, ValueError):
            return None
        return [str(day.day), str(day.month), str(day.year)]
    if question.type == "multiple_choice":
        return list(value)
    return str(value)


def typed_values(section, answers):
    return {q.id: stored_as_typed(q, answers.get(q.id)) for q in section.questions}


def revealing_parent(definition, section, question):
    """(parent id, option value) when the question can be revealed inside the radio option that
    asks for it: its condition is one answer to a yes/no or single choice question earlier in
    the same section."""
    condition = question.show_if
    if not condition or set(condition) != {"question", "equals"}:
        return None
    parent = definition.by_id.get(condition["question"])
    if (
        parent is None
        or parent.section_id != section.id
        or parent.type not in ("yes_no", "single_choice")
    ):
        return None
    values = (
        [v for v, _ in YES_NO] if parent.type == "yes_no" else [o.value for o in parent.options]
    )
    if condition["equals"] not in values:
        return None
    return parent.id, condition["equals"]


def build_fields(definition, section, values, errors, documents=(), upload_errors=()):
    """The section's questions as the page draws them: top-level fields, each conditional
    question placed inside the radio option that reveals it where it can be."""
    fields = {}
    for question in section.questions:
        item = QuestionField(question, values.get(question.id), errors.get(question.id))
        if question.type == "document":
            item.documents = list(documents)
        item.anchor = _anchor(item, question.id in upload_errors)
        fields[question.id] = item
    top = []
    for question in section.questions:
        item = fields[question.id]
        parent = revealing_parent(definition, section, question)
        if parent is not None:
            fields[parent[0]].children.setdefault(parent[1], []).append(item)
            continue
        if question.show_if:
            item.condition = (
                f"Only answer this if {describe_condition(definition, question.show_if)}."
            )
        top.append(item)
    return top


def _anchor(item, upload_failed):
    question = item.question
    if question.type == "date":
        return f"{question.id}-day"
    if question.type == "document" and (upload_failed or not item.documents):
        return file_input(question)
    return question.id


def page_problems(fields):
    """{anchor: message} for the error summary, in the order the questions appear on the page."""
    ordered = {}

    def walk(items):
        for item in items:
            if item.error:
                ordered[item.anchor] = item.error
            for option in item.options:
                walk(item.revealed_by(option.value))

    walk(fields)
    return ordered


def _answer_label(question, value):
    if question.type == "yes_no":
        return dict(YES_NO).get(value, value)
    return question.option_label(value)


def describe_condition(definition, condition):
    """A show_if condition in plain English: "you answered ‘Yes’ to ‘Is your organisation ...’"."""
    if "any" in condition:
        return " or ".join(describe_condition(definition, c) for c in condition["any"])
    parent = definition.question(condition["question"])
    name = f"‘{parent.label}’"
    if "equals" in condition:
        return f"you answered ‘{_answer_label(parent, condition['equals'])}’ to {name}"
    if "in" in condition:
        answers = " or ".join(f"‘{_answer_label(parent, v)}’" for v in condition["in"])
        return f"you answered {answers} to {name}"
    if "includes" in condition:
        return f"you selected ‘{_answer_label(parent, condition['includes'])}’ for {name}"
    if "any_except" in condition:
        return (
            f"you selected anything other than "
            f"‘{_answer_label(parent, condition['any_except'])}’ for {name}"
        )
    return f"you answered {name}"
