from wtforms import RadioField
from wtforms.validators import InputRequired

from app.documents.models import LIBRARY_PURPOSES, PURPOSE_LABELS
from app.fields import GovDateField
from app.forms import Form, describe_files, file_field, submit
from app.widgets import GovRadioInput


class UploadForm(Form):
    purpose = RadioField(
        "What is this document?",
        widget=GovRadioInput(),
        choices=[(p.value, PURPOSE_LABELS[p]) for p in LIBRARY_PURPOSES],
        validators=[InputRequired(message="Select what this document is")],
    )
    expires_on = GovDateField(
        "Expiry date (if it has one)",
        name_for_errors="Expiry date",
        description="For example, 31 3 2027. Insurance certificates "
        "have one. We will remind you before it expires",
    )
    file = file_field()
    submit = submit("Upload file")

    def __init__(self, *args, max_bytes, **kwargs):
        super().__init__(*args, **kwargs)
        describe_files(self.file, max_bytes)


class ConfirmForm(Form):
    submit = submit("Yes, delete it")
