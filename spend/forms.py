"""The spend pages' forms: the spend file, which column is which, a match to review, the area."""

from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import RadioField, SelectField

from app.documents.uploads import describe_size
from app.forms import Form, OneFileForm, submit
from app.reference import geography
from app.widgets import GovRadioInput
from spend import parsing


class SpendFileForm(OneFileForm):
    submit = submit("Upload spend file")

    def __init__(self, *args, max_bytes, **kwargs):
        super().__init__(*args, max_bytes=max_bytes, **kwargs)
        self.file.label.text = "Upload a spend file"
        self.file.description = (
            "A CSV file of payments, such as the one you publish under the Transparency Code, "
            "with a line naming its columns. You will choose which column is which next. "
            f"Smaller than {describe_size(max_bytes)}"
        )


FIELD_HINTS = {
    "date": "The day the payment was made",
    "supplier": "Who was paid",
    "amount": "In pounds. Credit notes as negative amounts or in brackets",
    "category": "Optional. Such as the expense type or purpose",
    "department": "Optional. Such as the directorate or expense area",
    "supplier_id": "Optional. Such as a company, charity or VAT number",
    "reference": "Optional. Such as a transaction or invoice number",
    "redacted": "Optional. A column that marks payments to people whose names are withheld",
}


def columns_form(headers, **kwargs):
    """A form with one select per field, offering the file's columns."""
    choices = [("", "Not in this file")] + [
        (str(i), parsing.column_label(headers, i)) for i in range(len(headers))
    ]

    class ColumnsForm(Form):
        id_kind = RadioField(
            "What are the supplier numbers?",
            choices=list(parsing.ID_KINDS.items()),
            widget=GovRadioInput(),
            validate_choice=False,
        )
        submit = submit("Import spend")

    for name, label in parsing.FIELDS.items():
        setattr(
            ColumnsForm,
            name,
            SelectField(
                label,
                description=FIELD_HINTS[name],
                choices=choices,
                widget=GovSelect(),
            ),
        )
    return ColumnsForm(**kwargs)


class ReviewForm(Form):
    decision = RadioField(
        "Is this the same organisation?",
        choices=[
            ("accept", "Yes: count this spend as theirs"),
            ("reject", "No: it is a different organisation"),
        ],
        widget=GovRadioInput(),
        invalid_choice_message="Select yes or no",
    )
    submit = submit("Save decision")


class AreaForm(Form):
    area = SelectField(
        "Local authority",
        widget=GovSelect(),
    )
    submit = submit("Save area")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.area.choices = (
            [("", "Choose a local authority")]
            + [(la.code, la.name) for la in geography.local_authorities()]
            + [
                (la.code, f"{la.name} (county)")
                for la in geography.local_authorities(current_only=False)
                if la.current and la.tier == "upper tier"
            ]
        )
