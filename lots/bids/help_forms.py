"""Forms of the help-to-bid pages: a partner board post, a message, an answer; the preferred
bidder's documents. Each parses what was typed; the services own the rules."""

from govuk_frontend_wtf.wtforms_widgets import GovTextArea
from wtforms import HiddenField, SelectMultipleField, TextAreaField

from app.forms import Form, strip_whitespace, submit
from app.widgets import GovCheckboxesInput
from lots.bids.partnering import OFFER_LABELS


def _area(label, description=None):
    return TextAreaField(
        label, description=description, widget=GovTextArea(), filters=[strip_whitespace]
    )


class PostForm(Form):
    offers = SelectMultipleField(
        "How could your organisation take part?",
        description="Select all that apply.",
        choices=[(k.value, words) for k, words in OFFER_LABELS.items()],
        widget=GovCheckboxesInput(),
    )
    could_bring = _area(
        "What could your organisation bring?",
        "Skills, staff, places you work, people you reach, accreditations. Do not include "
        "contact details: others write to you through this service.",
    )
    submit = submit("Put us on the board")


class ContactForm(Form):
    message = _area(
        "Your message",
        "Say who you are and what you have in mind. Your email address is not sent: you each "
        "see the other’s only when they agree.",
    )
    submit = submit("Send message")


class AnswerForm(Form):
    decision = HiddenField()


class WithdrawForm(Form):
    pass


class EvidenceForm(Form):
    documents = SelectMultipleField(
        "Documents you are giving",
        description="Select them from your organisation’s document library.",
        choices=[],
        coerce=str,
        widget=GovCheckboxesInput(),
        validate_choice=False,
    )
    note = _area("A note to the buyer (optional)")
    submit = submit("Give these documents")
