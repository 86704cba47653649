"""The selection questionnaire engine: one definition drives the form, the check of stored answers
and the check-your-answers page.

A definition is data (JSON), versioned in the database: sections of questions, each with a type,
whether it is required, help text, and an optional condition (``show_if``) on an earlier answer.
Answers are a dict of question id to a JSON value:

| type            | stored value                 |
| yes_no          | "yes" or "no"                |
| single_choice   | one option value             |
| multiple_choice | a list of option values      |
| text            | a string (``max_words``)     |
| number          | an integer                   |
| money           | an integer number of pence   |
| date            | "YYYY-MM-DD"                 |
| document        | a document id                |
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from app.errors import ServiceError
from app.fields import real_date_parts
from app.money import money, pence_to_pounds
from app.numbers import database_id
from app.timeutil import format_date

TYPES = {
    "yes_no",
    "single_choice",
    "multiple_choice",
    "text",
    "number",
    "money",
    "date",
    "document",
}
EXCLUSION_GROUNDS = ("mandatory", "discretionary")
# Definitions stored before questions named their exclusion ground: the standard sections say it.
_GROUND_SECTIONS = {
    "mandatory_exclusions": "mandatory",
    "discretionary_exclusions": "discretionary",
}
_WORD = re.compile(r"[^\W_]", re.UNICODE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class AnswerError(ServiceError):
    """The answer cannot be accepted; the message is fit for the error summary, and the field is
    the question's id."""


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    hint: str | None = None
    exclusive: bool = False  # "None of these": cannot be chosen with another option


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: str
    section_id: str
    required: bool = True
    hint: str | None = None
    options: tuple = ()
    max_words: int | None = None
    multiline: bool = False
    minimum: int | None = None
    maximum: int | None = None
    purpose: str | None = None
    show_if: dict | None = None
    short_label: str | None = None
    # For a document question: the date question whose answer is the document's expiry date.
    expires_from: str | None = None
    # "mandatory" or "discretionary": a "yes", or any option but the exclusive "none of these",
    # declares an exclusion ground the operator must decide on.
    exclusion_ground: str | None = None

    @property
    def summary_label(self):
        return self.short_label or self.label

    def option_label(self, value):
        for option in self.options:
            if option.value == value:
                return option.label
        return value


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str | None
    questions: tuple


@dataclass
class Definition:
    name: str
    version: int
    sections: list
    declaration: str = ""
    by_id: dict = field(default_factory=dict)

    def question(self, question_id):
        return self.by_id[question_id]

    def section(self, section_id):
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)


def load(data):
    """Build a Definition from its JSON form, checking it is well made."""
    sections, by_id = [], {}
    for s in data["sections"]:
        questions = []
        for q in s["questions"]:
            if q["type"] not in TYPES:
                raise ValueError(f"question {q['id']}: unknown type {q['type']}")
            if q["id"] in by_id:
                raise ValueError(f"question {q['id']} defined twice")
            question = Question(
                id=q["id"],
                type=q["type"],
                label=q["label"],
                section_id=s["id"],
                required=q.get("required", True),
                hint=q.get("hint"),
                options=tuple(
                    Option(o["value"], o["label"], o.get("hint"), o.get("exclusive", False))
                    for o in q.get("options", [])
                ),
                max_words=q.get("max_words"),
                multiline=q.get("multiline", False),
                minimum=q.get("min"),
                maximum=q.get("max"),
                purpose=q.get("purpose"),
                show_if=q.get("show_if"),
                short_label=q.get("short_label"),
                expires_from=q.get("expires_from"),
                exclusion_ground=q.get("exclusion_ground"),
            )
            if question.exclusion_ground not in (None, *EXCLUSION_GROUNDS):
                raise ValueError(f"question {q['id']}: unknown exclusion ground")
            if question.type in ("single_choice", "multiple_choice") and not question.options:
                raise ValueError(f"question {q['id']} needs options")
            if question.show_if and any(
                parent not in by_id for parent in _condition_questions(question.show_if)
            ):
                raise ValueError(f"question {q['id']} depends on a later or unknown question")
            by_id[question.id] = question
            questions.append(question)
        sections.append(Section(s["id"], s["title"], s.get("intro"), tuple(questions)))
    return Definition(data["name"], data["version"], sections, data.get("declaration", ""), by_id)


def count_words(text):
    """Words as a person counts them: runs of characters between spaces that hold a letter or
    digit ("well-being" is one word; a lone dash is none)."""
    return sum(1 for token in (text or "").split() if _WORD.search(token))


def is_shown(definition, question, answers):
    """Whether a question applies, given the answers so far (conditions chain)."""
    return question.show_if is None or _holds(definition, question.show_if, answers)


def _holds(definition, condition, answers):
    """A condition is {"question": id, <test>} or {"any": [conditions]}. Tests: equals, in,
    includes (a multiple-choice answer contains a value), any_except (it holds anything else)."""
    if "any" in condition:
        return any(_holds(definition, c, answers) for c in condition["any"])
    parent = definition.question(condition["question"])
    if not is_shown(definition, parent, answers):
        return False
    value = answers.get(parent.id)
    if "equals" in condition:
        return value == condition["equals"]
    if "in" in condition:
        return value in condition["in"]
    if "includes" in condition:
        return isinstance(value, list) and condition["includes"] in value
    if "any_except" in condition:
        return isinstance(value, list) and any(v != condition["any_except"] for v in value)
    return True


def _condition_questions(condition):
    if "any" in condition:
        return [q for c in condition["any"] for q in _condition_questions(c)]
    return [condition["question"]]


def visible_questions(definition, section, answers):
    return [q for q in section.questions if is_shown(definition, q, answers)]


def parse(question, raw):
    """Turn what was submitted for a question into its stored value (None when blank).

    ``raw`` is a string, a list of strings (multiple choice; date as [day, month, year]),
    or an int (document id). Raises AnswerError with a GOV.UK-style message."""
    name = question.summary_label
    if question.type == "multiple_choice":
        values = [v for v in (raw or []) if v]
        allowed = {o.value for o in question.options}
        if any(v not in allowed for v in values):
            raise AnswerError(f"Select from the options for {name.lower()}", question.id)
        exclusive = [o for o in question.options if o.exclusive and o.value in values]
        if exclusive and len(values) > 1:
            raise AnswerError(
                f"Select ‘{exclusive[0].label}’ on its own, or only the options that apply",
                question.id,
            )
        return list(dict.fromkeys(values)) or None
    if question.type == "date":
        parts = [str(p).strip() for p in (list(raw or []) + ["", "", ""])[:3]]
        if not any(parts):
            return None
        missing = [n for n, v in zip(("day", "month", "year"), parts) if not v]
        if missing:
            raise AnswerError(f"{name} must include a {' and a '.join(missing)}", question.id)
        if not real_date_parts(parts):
            raise AnswerError(f"{name} must be a real date", question.id)
        try:
            return date(int(parts[2]), int(parts[1]), int(parts[0])).isoformat()
        except ValueError as exc:
            raise AnswerError(f"{name} must be a real date", question.id) from exc
    if question.type == "document":
        if raw in (None, ""):
            return None
        try:
            return database_id(raw)
        except (TypeError, ValueError) as exc:
            raise AnswerError(f"Select a document for {name.lower()}", question.id) from exc
    text = "" if raw is None else str(raw)
    text = _CONTROL.sub("", text).strip()
    if not text:
        return None
    if question.type == "yes_no":
        if text not in ("yes", "no"):
            raise AnswerError(f"Select yes or no for {name.lower()}", question.id)
        return text
    if question.type == "single_choice":
        if text not in {o.value for o in question.options}:
            raise AnswerError(f"Select one option for {name.lower()}", question.id)
        return text
    if question.type == "text":
        if len(text) > 20000:
            raise AnswerError(f"{name} must be 20,000 characters or fewer", question.id)
        if question.max_words and count_words(text) > question.max_words:
            raise AnswerError(f"{name} must be {question.max_words} words or fewer", question.id)
        return text
    if question.type == "number":
        cleaned = text.replace(",", "")
        if not re.fullmatch(r"-?\d+", cleaned):
            raise AnswerError(f"{name} must be a whole number, like 12", question.id)
        return _in_range(question, int(cleaned), name)
    if question.type == "money":
        cleaned = text.replace(",", "").replace("£", "").strip()
        try:
            amount = Decimal(cleaned)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount.as_tuple().exponent < -2:
            raise AnswerError(
                f"{name} must be an amount of money, like 25000 or 25000.50", question.id
            )
        if amount < 0:
            raise AnswerError(f"{name} must be £0 or more", question.id)
        pence = int(amount * 100)
        if pence > 10**13:
            raise AnswerError(f"{name} must be less than £100 billion", question.id)
        return _in_range(question, pence, name, money)
    raise AnswerError(f"Unknown question type {question.type}", question.id)


def _in_range(question, value, name, shown=str):
    # Limits of a money question are stored in pence: say them in pounds.
    if question.minimum is not None and value < question.minimum:
        raise AnswerError(f"{name} must be {shown(question.minimum)} or more", question.id)
    if question.maximum is not None and value > question.maximum:
        raise AnswerError(f"{name} must be {shown(question.maximum)} or less", question.id)
    return value


def check_stored(question, value):
    """Re-check a stored value against the definition. Returns an error message or None."""
    if value is None:
        return None
    try:
        if question.type == "multiple_choice":
            raw = value if isinstance(value, list) else [value]
        elif question.type == "date":
            d = date.fromisoformat(str(value))
            raw = [d.day, d.month, d.year]
        elif question.type == "money":
            if not isinstance(value, int):
                return f"{question.summary_label} is not a valid amount"
            raw = pence_to_pounds(value)
        else:
            raw = value
        parse(question, raw)
    except (AnswerError, ValueError) as exc:
        return str(exc)
    return None


def missing_message(question):
    if question.type in ("yes_no", "single_choice"):
        return f"Select an answer for {question.summary_label.lower()}"
    if question.type == "multiple_choice":
        return f"Select at least one option for {question.summary_label.lower()}"
    if question.type == "document":
        return f"Upload or choose a document for {question.summary_label.lower()}"
    return f"Enter {question.summary_label.lower()}"


def section_errors(definition, section, answers):
    """Problems that stop a section being complete: {question_id: message}."""
    errors = {}
    for question in visible_questions(definition, section, answers):
        value = answers.get(question.id)
        if value in (None, "", []):
            if question.required:
                errors[question.id] = missing_message(question)
            continue
        problem = check_stored(question, value)
        if problem:
            errors[question.id] = problem
    return errors


def section_status(definition, section, answers):
    """'not_started', 'in_progress' or 'completed', for the task list."""
    visible = visible_questions(definition, section, answers)
    answered = [q for q in visible if answers.get(q.id) not in (None, "", [])]
    if not answered:
        return "not_started"
    return "in_progress" if section_errors(definition, section, answers) else "completed"


def all_errors(definition, answers):
    errors = {}
    for section in definition.sections:
        errors.update(section_errors(definition, section, answers))
    return errors


def relevant_answers(definition, answers):
    """Only answers to questions that apply (hidden ones are dropped), in definition order."""
    result = {}
    for section in definition.sections:
        for question in visible_questions(definition, section, answers):
            if answers.get(question.id) not in (None, "", []):
                result[question.id] = answers[question.id]
    return result


def display_value(question, value, documents=None):
    """How an answer reads on the check-your-answers page (plain text)."""
    if value in (None, "", []):
        return "Not answered"
    if question.type == "yes_no":
        return "Yes" if value == "yes" else "No"
    if question.type == "single_choice":
        return question.option_label(value)
    if question.type == "multiple_choice":
        return ", ".join(question.option_label(v) for v in value)
    if question.type == "money":
        return money(value)
    if question.type == "number":
        return f"{value:,}"
    if question.type == "date":
        return format_date(date.fromisoformat(value))
    if question.type == "document":
        doc = (documents or {}).get(value)
        return doc.original_filename if doc is not None else f"Document {value}"
    return str(value)


def _ground_of(definition, question):
    if any(q.exclusion_ground for q in definition.by_id.values()):
        return question.exclusion_ground
    if question.type in ("yes_no", "multiple_choice"):
        return _GROUND_SECTIONS.get(question.section_id)
    return None


def declared_grounds(definition, answers):
    """The exclusion grounds the answers declare: {"mandatory": [labels], "discretionary":
    [labels]}, each label as the supplier chose it ("Fraud", "Tax or social security not paid")."""
    grounds = {kind: [] for kind in EXCLUSION_GROUNDS}
    for section in definition.sections:
        for question in visible_questions(definition, section, answers):
            kind = _ground_of(definition, question)
            value = answers.get(question.id)
            if kind is None or value in (None, "", []):
                continue
            if question.type == "yes_no":
                if value == "yes":
                    grounds[kind].append(question.summary_label)
            elif question.type == "multiple_choice":
                exclusive = {o.value for o in question.options if o.exclusive}
                grounds[kind].extend(question.option_label(v) for v in value if v not in exclusive)
    return grounds
