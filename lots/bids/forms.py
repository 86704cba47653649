"""Forms for a supplier's bid. They parse what was typed (money, quantities, shares of the work)
and keep it for redisplay; the bid service owns every rule about the values (word limits,
what is complete, who may bid, the deadline).

Some forms are made for one opportunity (a field per pass/fail question, per price line, per
social value measure). Each such field is named after the key ``submitting.problems`` uses for it
(``pass-fail-12``, ``line-0``, ``social-value-SV-EMP-01``), so a problem links straight to its box.
"""

from govuk_frontend_wtf.wtforms_widgets import GovTextArea, GovTextInput
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from app.errors import ServiceError
from app.forms import Form, OneFileForm, SubForm, optional_id, strip_whitespace, submit
from app.money import parse_pence, pence_to_pounds
from app.widgets import GovCheckboxInput, GovRadioInput
from lots.bids.models import PartnerRole
from lots.bids.services import commitment
from lots.opportunities.forms import one_kind_of_newline, whole_number

ROLE_LABELS = {
    PartnerRole.CONSORTIUM_MEMBER.value: "Consortium member",
    PartnerRole.SUBCONTRACTOR.value: "Subcontractor",
}
MAX_PARTNERS = 20


class StartBidForm(Form):
    submit = submit("Start a bid")


class AnswerForm(Form):
    """One quality or social value question. A long answer is kept: the limit is checked when
    the bid is submitted, with the count the server makes."""

    answer = TextAreaField("Your answer", widget=GovTextArea(), filters=[one_kind_of_newline])
    submit = submit("Save and continue")


class CopyAnswerForm(Form):
    answer = RadioField(
        "Which answer do you want to copy?",
        widget=GovRadioInput(),
        choices=[],
        validate_choice=False,
    )
    submit = submit("Copy this answer")

    def __init__(self, *args, earlier=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.answer.choices = [(a["key"], a["question"] or "A question") for a in earlier]

    def validate_answer(self, field):
        if field.data not in {value for value, _ in self.answer.choices}:
            raise ValidationError("Select the answer you want to copy")


# --- Forms made for one opportunity --------------------------------------------------------------


def _yes_or_no(form, field):
    if field.data not in (None, "", "yes", "no"):
        raise ValidationError("Select yes or no")


def _yes_no(label):
    return RadioField(
        label,
        widget=GovRadioInput(),
        choices=[("yes", "Yes"), ("no", "No")],
        validate_choice=False,
        validators=[_yes_or_no],
    )


def pass_fail_form(questions, data=None):
    """A yes/no for each pass/fail question; leaving one unanswered is saved as unanswered."""

    class PassFailForm(Form):
        submit = submit("Save and continue")

        def values(self):
            return {
                name.removeprefix("pass-fail-"): (self[name].data or "") for name in self._names
            }

    names = []
    for question in questions:
        name = f"pass-fail-{question.id}"
        setattr(PassFailForm, name, _yes_no(question.text))
        names.append(name)
    PassFailForm._names = names
    return PassFailForm(data=data)


def _money(message):
    def _check(form, field):
        if not field.data:
            return
        try:
            parse_pence(field.data)
        except ValueError:
            raise ValidationError(message) from None

    return _check


def price_form(schedule, bid):
    """One total price, or a unit price for each line of the schedule, in pounds."""

    class PriceForm(Form):
        submit = submit("Save and continue")

    if schedule:
        for i, line in enumerate(schedule):
            label = f"{line.get('description')}: price per {line.get('unit') or 'unit'}"
            setattr(
                PriceForm,
                f"line-{i}",
                StringField(
                    label,
                    widget=GovTextInput(),
                    filters=[strip_whitespace],
                    description=f"Estimated quantity: {line.get('quantity'):,}"
                    if isinstance(line.get("quantity"), int)
                    else None,
                    validators=[
                        _money(
                            f"Enter the price per {line.get('unit') or 'unit'} for "
                            f"{line.get('description')} as an amount of money, like "
                            "£25 or £25.50"
                        )
                    ],
                ),
            )
        data = {
            f"line-{i}": pence_to_pounds(bid.line_prices.get(str(i))) for i in range(len(schedule))
        }
    else:
        PriceForm.total_price = StringField(
            "Your total price",
            widget=GovTextInput(),
            filters=[strip_whitespace],
            description="In pounds, excluding VAT, for the whole contract",
            validators=[
                _money("Enter your total price as an amount of money, like £12,500 or £12,500.50")
            ],
        )
        data = {"total_price": pence_to_pounds(bid.total_price_pence)}

    def values(form):
        if schedule:
            return {
                "line_prices": {
                    str(i): (
                        parse_pence(form[f"line-{i}"].data) if form[f"line-{i}"].data else None
                    )
                    for i in range(len(schedule))
                }
            }
        return {
            "total_price_pence": parse_pence(form.total_price.data)
            if form.total_price.data
            else None
        }

    PriceForm.values = values
    return PriceForm(data=data)


def _quantity_check(measure):
    """The measure's value type, checked as the service checks it (one rule, two callers)."""

    def _check(form, field):
        if not field.data:
            return
        try:
            commitment(measure.id, field.data)
        except ServiceError as exc:
            raise ValidationError(str(exc)) from None

    return _check


def social_value_form(measures, bid):
    """A quantity for each social value measure the buyer asked for (0 if none)."""

    class SocialValueCommitmentsForm(Form):
        submit = submit("Save and continue")

    for measure in measures:
        setattr(
            SocialValueCommitmentsForm,
            f"social-value-{measure.id}",
            StringField(
                measure.name,
                widget=GovTextInput(),
                filters=[strip_whitespace],
                description=measure.definition,
                validators=[_quantity_check(measure)],
            ),
        )

    def values(form):
        return {
            m.id: form[f"social-value-{m.id}"].data.replace(",", "").replace("£", "")
            for m in measures
        }

    SocialValueCommitmentsForm.values = values
    return SocialValueCommitmentsForm(
        data={f"social-value-{m.id}": bid.social_value.get(m.id, "") for m in measures}
    )


# --- Partners --------------------------------------------------------------------------------


class PartnerRow(SubForm):
    organisation_id = HiddenField()
    name = StringField("Organisation name", widget=GovTextInput(), filters=[strip_whitespace])
    role = RadioField(
        "What is their role?",
        widget=GovRadioInput(),
        choices=list(ROLE_LABELS.items()),
        validate_choice=False,
    )
    share_percent = StringField(
        "Share of the work",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        description="A whole number from 1 to 99",
    )

    @property
    def is_used(self):
        return bool(self.name.data or self.organisation_id.data)

    def validate_role(self, field):
        if self.is_used and field.data not in ROLE_LABELS:
            raise ValidationError("Select whether this is a consortium member or a subcontractor")

    def validate_share_percent(self, field):
        if not self.is_used:
            return
        try:
            value = whole_number(field.data)
        except ValueError:
            value = 0
        if not 1 <= value <= 99:
            raise ValidationError("Enter the share of the work as a whole number from 1 to 99")

    def value(self):
        return {
            "organisation_id": optional_id(self.organisation_id.data),
            "name": self.name.data,
            "role": self.role.data,
            "share_percent": whole_number(self.share_percent.data),
        }


class PartnersForm(Form):
    partners = FieldList(FormField(PartnerRow), min_entries=1, max_entries=MAX_PARTNERS)
    query = StringField(
        "Search the supplier directory",
        widget=GovTextInput(),
        filters=[strip_whitespace],
        description="Type part of the organisation’s name",
    )
    submit = submit("Save and continue")

    @classmethod
    def initial(cls, bid):
        return {
            "partners": [
                {
                    "organisation_id": str(p.partner_organisation_id or ""),
                    "name": p.name,
                    "role": p.role.value,
                    "share_percent": str(p.share_percent),
                }
                for p in bid.partners
            ]
        }

    def rows(self):
        return [
            {
                "organisation_id": row.form.organisation_id.data or "",
                "name": row.form.name.data or "",
                "role": row.form.role.data,
                "share_percent": row.form.share_percent.data or "",
            }
            for row in self.partners
        ]

    def values(self):
        return [row.form.value() for row in self.partners if row.form.is_used]

    def row(self, index):
        """The index-th partner's boxes (the first's, when there is no such row)."""
        entries = self.partners.entries
        return entries[index if 0 <= index < len(entries) else 0].form

    def row_errors_changed(self):
        """After an error was added to a row's box: gather the errors the summary lists."""
        self.partners.errors = [entry.form.errors for entry in self.partners.entries]
        self._errors = None


class AttachmentForm(OneFileForm):
    example = "For example, a method statement, a policy or a CV. "


class SubmitBidForm(Form):
    # The declaration: the service refuses a submission without it (lots.bids.submitting).
    conditions_confirmed = BooleanField(
        "I confirm that, if we win, we accept the contract conditions above",
        widget=GovCheckboxInput(),
    )
    submit = submit("Submit bid")


class WithdrawBidForm(Form):
    submit = submit("Withdraw bid")


def wish_pledge_form(offered_wishes, bid):
    """What the bidder pledges to each wish it may pledge against (blank for none). The service
    checks each against the wish's measure, what it still wants and what the bid commits to."""

    class WishPledgesForm(Form):
        submit = submit("Save and continue")

    for wish in offered_wishes:
        setattr(
            WishPledgesForm,
            f"wish-{wish.id}",
            StringField(wish.title, widget=GovTextInput(), filters=[strip_whitespace]),
        )

    def values(form):
        return {
            str(w.id): (form[f"wish-{w.id}"].data or "").replace(",", "").replace("£", "")
            for w in offered_wishes
        }

    WishPledgesForm.values = values
    pledged = bid.wish_pledges or {}
    return WishPledgesForm(
        data={f"wish-{w.id}": pledged.get(str(w.id), "") for w in offered_wishes}
    )
