"""Shared form helpers: GOV.UK widgets and plain-English validators, and the one place a whole
number or an id typed into a form or a query string is parsed and bounded."""

import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length, ValidationError

from app.documents.uploads import describe_size
from app.money import parse_pence

ACCEPTED_FILES = "PDF, Word, Excel, OpenDocument, CSV, PNG or JPEG"
# The largest PostgreSQL integer: every id and whole number from a form or a query string is
# bounded by it (and usually by much less) before it reaches a query, so a tampered
# 99999999999999 is "not found" or a message, never a 500.
DATABASE_INT_MAX = 2**31 - 1
CHOICE_MESSAGES = {
    "radio": "Select one of the options",
    "checkbox": "Select from the options given",
    "select": "Select an option from the list",
}


class Form(FlaskForm):
    """Every form: CSRF on, rendered with GOV.UK widgets. A choice that was never offered (a
    tampered radio, checkbox or select) gets a plain message, not WTForms' "Not a valid choice"
    (a field's own ``invalid_choice_message`` says it better where there is one)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            # Before the field reads the request, so a value that cannot be coerced (a tampered
            # id in a choice of ids) gets the plain message too.
            field = super().bind_field(form, unbound_field, options)
            plain_choice_messages(field)
            return field


def plain_choice_messages(field):
    if not isinstance(field, SelectField):  # radios and checkboxes are SelectFields too
        return
    widget = type(field.widget).__name__
    kind = "radio" if "Radio" in widget else "checkbox" if "Checkbox" in widget else "select"
    field.invalid_choice_message = field.invalid_choice_message or CHOICE_MESSAGES[kind]
    field.invalid_value_message = field.invalid_value_message or CHOICE_MESSAGES[kind]


def whole_number(text, minimum=0, maximum=DATABASE_INT_MAX):
    """Digits (commas allowed between them), or an int already, as an int from ``minimum`` to
    ``maximum``; ValueError for anything else, a sign or a decimal point included."""
    if isinstance(text, int) and not isinstance(text, bool) and text >= 0:
        text = str(text)
    cleaned = (text or "").replace(",", "").strip() if isinstance(text, str) else ""
    if not re.fullmatch(r"[0-9]{1,10}", cleaned):
        raise ValueError(text)
    value = int(cleaned)
    if not minimum <= value <= (maximum if maximum is not None else DATABASE_INT_MAX):
        raise ValueError(text)
    return value


def database_id(text):
    """An id from a form field or a query string: a whole number a database can hold, else
    ValueError, so ``request.args.get(name, type=database_id)`` is None for a tampered one."""
    return whole_number(text, minimum=1)


def optional_id(text):
    """``database_id``, or None for anything that is not one."""
    try:
        return database_id(text)
    except ValueError:
        return None


def strip_whitespace(value):
    """People paste addresses with a space at either end; that is not a mistake worth an error."""
    return value.strip() if isinstance(value, str) else value


def text_field(label, description=None, validators=(), **render_kw):
    """A GOV.UK text input that trims what was typed; ``render_kw`` become the input's attributes
    (``inputmode="numeric"``, ``spellcheck="false"``)."""
    return StringField(
        label,
        description=description,
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=list(validators),
        render_kw=render_kw or None,
    )


def money_check(message, optional=False):
    """A validator: the field holds an amount of money (``app.money.parse_pence``), or, when
    ``optional``, nothing."""

    def _check(form, field):
        if optional and not field.data:
            return
        try:
            parse_pence(field.data)
        except ValueError:
            raise ValidationError(message) from None

    return _check


def email_field(label="Email address", description=None):
    return StringField(
        label,
        description=description,
        widget=GovTextInput(),
        filters=[strip_whitespace],
        validators=[
            InputRequired(message="Enter your email address"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            Email(
                message="Enter an email address in the correct format, like name@example.com",
                check_deliverability=False,
            ),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


def password_field(
    label="Password",
    message="Enter your password",
    autocomplete="current-password",
    description=None,
):
    return PasswordField(
        label,
        description=description,
        widget=GovPasswordInput(),
        validators=[InputRequired(message=message)],
        render_kw={"autocomplete": autocomplete},
    )


def submit(label="Continue"):
    return SubmitField(label, widget=GovSubmitInput())


def add_error(form, field_name, message):
    field = getattr(form, field_name, None)
    if field is None:
        return
    field.errors = list(field.errors or []) + [message]
    form._errors = None  # WTForms caches form.errors; rebuild it with this message


class ConfirmForm(Form):
    """A form that is only a button (and its CSRF token)."""

    submit = submit("Continue")


def file_field(label="Upload a file"):
    """A required GOV.UK file input (its hint is set by ``describe_files`` when the form is made,
    since it names the size limit from the configuration)."""
    return FileField(
        label, widget=GovFileInput(), validators=[FileRequired(message="Select a file to upload")]
    )


def describe_files(field, max_bytes, example=""):
    """The hint of a file input: ``example`` (a sentence on what the file might be), then the
    kinds of file taken and the size limit."""
    field.description = f"{example}{ACCEPTED_FILES}, smaller than {describe_size(max_bytes)}"


class OneFileForm(Form):
    """One required file and its button. The hint names the kinds of file taken and the size
    limit, after ``example`` (a sentence on what the file might be) when there is one."""

    example = ""
    file = file_field()
    submit = submit("Upload file")

    def __init__(self, *args, max_bytes, **kwargs):
        super().__init__(*args, **kwargs)
        describe_files(self.file, max_bytes, self.example)
