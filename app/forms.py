"""Shared form helpers: GOV.UK widgets and plain-English validators. Whole numbers and ids typed
into a form or a query string are parsed and bounded by ``app.numbers`` (re-exported here)."""

import unicodedata

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.gov_form_base import GovIterableBase
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovFileInput,
    GovPasswordInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import Form as WTForm
from wtforms import PasswordField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Email, InputRequired, Length, ValidationError

from app.documents.uploads import describe_size
from app.money import parse_pence
from app.numbers import DATABASE_INT_MAX, database_id, optional_id, whole_number

__all__ = ["DATABASE_INT_MAX", "database_id", "optional_id", "whole_number"]

ACCEPTED_FILES = "PDF, Word, Excel, OpenDocument, CSV, PNG or JPEG"
CHOICE_MESSAGES = {
    "radio": "Select one of the options",
    "checkbox": "Select from the options given",
    "select": "Select an option from the list",
}


class Checked:
    """What every field of every form gets, when it is made (before it reads the request):

    - a choice that was never offered (a tampered radio, checkbox or select, or a value that
      cannot be coerced) gets a plain message, not WTForms' "Not a valid choice" (a field's own
      ``invalid_choice_message`` says it better where there is one);
    - a name or a title (a text box whose name ends in ``name`` or ``title``) refuses hidden
      formatting characters (``hidden_characters_check``);
    - radios, checkboxes and date boxes keep their label as the fieldset's legend when a template
      passes its own ``fieldset`` params (``with_legend``)."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        plain_choice_messages(field)
        field.widget = with_legend(field.widget)
        if is_name_or_title(field):
            field.validators = [*field.validators, hidden_characters_check]
        return field


class Form(FlaskForm):
    """Every form: CSRF on, rendered with GOV.UK widgets, its fields ``Checked``."""

    class Meta(Checked):
        pass


class SubForm(WTForm):
    """The rows of a FieldList (questions, price lines, partners): ``Checked`` as a Form is."""

    class Meta(Checked):
        pass


class LegendFromLabel:
    """Every fieldset has a legend (WCAG 1.3.1). GOV.UK Frontend WTF makes the field's label the
    legend only when the template gives no ``fieldset`` of its own, so a template that passes one
    just to size the legend (``{'fieldset': {'legend': {'classes': ...}}}``) would get a fieldset
    with no legend at all. This fills in the label wherever the legend has no text."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        fieldset = params.get("fieldset")
        if isinstance(fieldset, dict):
            legend = dict(fieldset.get("legend") or {})
            if not (legend.get("text") or legend.get("html")):
                legend["text"] = field.label.text
            params["fieldset"] = {**fieldset, "legend": legend}
        return params


_WITH_LEGEND = {}


def with_legend(widget):
    """The same widget, with ``LegendFromLabel``, for the widgets that draw a fieldset."""
    kind = type(widget)
    if not issubclass(kind, (GovIterableBase, GovDateInput)) or issubclass(kind, LegendFromLabel):
        return widget
    if kind not in _WITH_LEGEND:
        _WITH_LEGEND[kind] = type(kind.__name__, (LegendFromLabel, kind), {})
    labelled = object.__new__(_WITH_LEGEND[kind])
    labelled.__dict__.update(vars(widget))
    return labelled


# Format characters (Unicode category Cf) are invisible and change how the text around them is
# shown: right-to-left and left-to-right overrides, embeddings, isolates and marks, zero-width
# spaces and joiners, word joiners, byte order marks, soft hyphens. In a name or a title they
# let "Acme" and "Ac\u200bme" differ, or show a name backwards.
def hidden_characters(text):
    return [ch for ch in text or "" if unicodedata.category(ch) == "Cf"]


def is_name_or_title(field):
    return (
        isinstance(field, StringField)
        and not isinstance(field, (PasswordField, TextAreaField))
        and field.short_name.endswith(("name", "title"))
    )


def hidden_characters_check(form, field):
    """Refused, not removed: a silent change to a name would make what is stored differ, unseen,
    from what the person believes they typed. Retyping (rather than pasting) removes them."""
    if isinstance(field.data, str) and hidden_characters(field.data):
        raise ValidationError(
            f"{field.label.text} must not include hidden formatting characters (such as a "
            "right-to-left mark or a zero-width space): type it again rather than pasting it"
        )


def plain_choice_messages(field):
    if not isinstance(field, SelectField):  # radios and checkboxes are SelectFields too
        return
    widget = type(field.widget).__name__
    kind = "radio" if "Radio" in widget else "checkbox" if "Checkbox" in widget else "select"
    field.invalid_choice_message = field.invalid_choice_message or CHOICE_MESSAGES[kind]
    field.invalid_value_message = field.invalid_value_message or CHOICE_MESSAGES[kind]


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
