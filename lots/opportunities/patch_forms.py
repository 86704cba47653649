"""The operator's form for a set of patch lots, made in one step."""

from wtforms import BooleanField, RadioField

from app.forms import Form, submit, text_field
from app.reference import geography
from app.widgets import GovCheckboxInput, GovRadioInput
from dps.models import ConditionKind
from lots.opportunities.forms import text_area
from lots.opportunities.patches import Patch

WAGE_CHOICES = (
    ("none", "No living wage condition"),
    ("uk", "The Real Living Wage"),
    ("london", "The London Living Wage"),
)


def _authority(text):
    """A local authority's code from its name or code; the text itself when unknown (the service
    names it in its refusal)."""
    text = text.strip()
    if geography.local_authority(text.upper()):
        return text.upper()
    found = [la for la in geography.local_authorities() if la.name.casefold() == text.casefold()]
    return found[0].code if found else text


class PatchSetForm(Form):
    group = text_field(
        "Name of the set of patches",
        "Every patch's name starts with it, like ‘Homecare patches’",
    )
    description = text_area("What the patches buy", "The same for every patch")
    max_value = text_field("Most a call-off under a patch may be worth, in pounds")
    cpv_codes = text_area("CPV codes", "One a line, like 85312000-9. The same for every patch")
    patches = text_area(
        "Patches",
        "One a line: the patch's name, a colon, then its local authorities separated by commas. "
        "For example, ‘North: Newham’ or ‘East: Barking and Dagenham, Havering’",
    )
    cap_per_provider = text_field(
        "Most patches one provider may hold", "Usually 1, so the work spreads across providers"
    )
    office = BooleanField("An office in the patch's area", widget=GovCheckboxInput())
    wage = RadioField("Living wage", choices=WAGE_CHOICES, default="none", widget=GovRadioInput())
    charter = text_field(
        "A charter every provider signs up to (optional)",
        "Its name, like UNISON Ethical Care Charter. Providers upload evidence",
    )
    workforce = BooleanField(
        "A commitment to recruit from and reflect the community", widget=GovCheckboxInput()
    )
    other = text_field(
        "Another condition, as a yes or no question (optional)",
        "Providers must answer yes and upload evidence",
    )
    submit = submit("Create the patches")

    def values(self):
        patches = []
        for line in (self.patches.data or "").splitlines():
            if not line.strip():
                continue
            name, _, areas = line.partition(":")
            codes = tuple(_authority(a) for a in areas.split(",") if a.strip())
            patches.append(Patch(name.strip(), codes))
        conditions = []
        if self.office.data:
            conditions.append({"kind": ConditionKind.OFFICE_IN_AREA})
        if self.wage.data in ("uk", "london"):
            conditions.append(
                {"kind": ConditionKind.LIVING_WAGE, "london": self.wage.data == "london"}
            )
        if (self.charter.data or "").strip():
            conditions.append({"kind": ConditionKind.CHARTER, "title": self.charter.data})
        if self.workforce.data:
            conditions.append({"kind": ConditionKind.WORKFORCE})
        if (self.other.data or "").strip():
            conditions.append(
                {"kind": ConditionKind.YES_NO, "title": self.other.data, "evidence_required": True}
            )
        cap = (self.cap_per_provider.data or "").strip()
        value = (self.max_value.data or "").strip().replace(",", "").lstrip("£")
        return {
            "group": self.group.data,
            "description": self.description.data or "",
            "max_value_pence": int(float(value) * 100) if _number(value) else -1,
            "cpv_codes": [c.strip() for c in (self.cpv_codes.data or "").splitlines()],
            "patches": patches,
            "cap_per_provider": int(cap) if cap.isdigit() else None,
            "conditions": conditions,
        }


def _number(text):
    try:
        return float(text) >= 0
    except ValueError:
        return False
