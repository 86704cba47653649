"""The draft's "What bidders must hold" page: parses what was typed; the rules are in
``lots.opportunities.requirements``."""

from wtforms import RadioField, SelectMultipleField

from app.forms import Form, money_check, submit, text_field, whole_number
from app.money import parse_pence, pence_to_pounds
from app.widgets import GovCheckboxesInput, GovRadioInput
from lots.opportunities.requirements import EVIDENCE_LABELS, INSURANCE, POLICIES

LEVEL_HINT = "Leave empty if you do not ask for it. In pounds, like 5,000,000."


def _level(name):
    return text_field(
        f"{name}: the least cover",
        LEVEL_HINT,
        validators=[money_check(f"Enter the {name.lower()} as an amount, like 5,000,000", True)],
        inputmode="decimal",
        spellcheck="false",
    )


class RequirementsForm(Form):
    employers_liability = _level(INSURANCE["employers_liability"])
    public_liability = _level(INSURANCE["public_liability"])
    professional_indemnity = _level(INSURANCE["professional_indemnity"])
    policies = SelectMultipleField(
        "Policies bidders must have in place",
        description="Select all that apply.",
        choices=[(key, words) for key, (_q, _ok, words) in POLICIES.items()],
        widget=GovCheckboxesInput(),
    )
    evidence_from_winner_only = RadioField(
        "When must bidders give the documents?",
        widget=GovRadioInput(),
        choices=[
            ("no", "With their bids, as their selection answers show"),
            ("yes", "Only the preferred bidder, before the award: bidders only declare"),
        ],
        default="no",
        invalid_choice_message="Select when bidders give the documents",
    )
    evidence = SelectMultipleField(
        "Documents the preferred bidder gives before the award",
        description="Only if the preferred bidder gives them. Select all that apply.",
        choices=[(k.value, words) for k, words in EVIDENCE_LABELS.items()],
        widget=GovCheckboxesInput(),
    )
    evidence_days = text_field(
        "Working days the preferred bidder has to give them",
        "From the day you ask. 5 is usual.",
        inputmode="numeric",
        spellcheck="false",
    )
    submit = submit("Save and continue")

    @classmethod
    def initial(cls, requirements):
        if requirements is None:
            return {"evidence_days": "5", "evidence_from_winner_only": "no"}
        data = {
            key: pence_to_pounds(getattr(requirements, f"{key}_pence"))
            if getattr(requirements, f"{key}_pence")
            else ""
            for key in INSURANCE
        }
        data.update(
            policies=list(requirements.policies or []),
            evidence_from_winner_only="yes" if requirements.evidence_from_winner_only else "no",
            evidence=list(requirements.evidence or []),
            evidence_days=str(requirements.evidence_days),
        )
        return data

    def values(self):
        try:
            days = whole_number(self.evidence_days.data or "5")
        except ValueError:
            days = -1  # the service says what is wrong
        return {
            **{
                f"{key}_pence": parse_pence(getattr(self, key).data)
                if getattr(self, key).data
                else None
                for key in INSURANCE
            },
            "policies": list(self.policies.data or []),
            "evidence_from_winner_only": self.evidence_from_winner_only.data == "yes",
            "evidence": list(self.evidence.data or []),
            "evidence_days": days,
        }
