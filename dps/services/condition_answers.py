"""A lot condition's answer: read from what a page sent (``parse_answer``), checked against the
lot on a day (``check``: the office's postcode in the lot's areas, the wage against the rate that
must be paid that day, a charter signed, a commitment given), and put back in words
(``describe``) or in a form's fields (``answer_as_raw``). What each kind of condition asks is in
``dps.services.lot_conditions``."""

import re
from dataclasses import dataclass

from app.money import money
from app.organisations.identifiers import normalise_postcode
from app.reference import deprivation, geography
from app.timeutil import format_date
from dps.hooks import lot_areas
from dps.models import (
    ConditionKind,
)
from dps.services import wage_rates
from dps.services.clock import today

APPLICATION = "application"
RENEWAL = "renewal"
CHANGE = "change"
YES_NO = ("yes", "no")
_MONEY = re.compile(r"^£?\s*(\d{1,3})(?:\.(\d{1,2}))?$")


# --- Answers: parsing what a page sent ------------------------------------------------------------


def field_name(condition, part):
    """The request field for one part of a condition's answer: ``c12-postcode``."""
    return f"c{condition.id}-{part}"


def parse_pence(text):
    match = _MONEY.match((text or "").strip().replace(",", ""))
    if not match:
        return None
    pounds, pence = match.groups()
    return int(pounds) * 100 + int((pence or "0").ljust(2, "0"))


def parse_answer(condition, raw, stage=APPLICATION):
    """(answer, {field: message}) from ``raw`` ({part: value}; "document" an id or None). The
    answer keeps every part that was given well, so nothing typed is lost."""
    answer, errors = {}, {}

    def need(part, message):
        value = (raw.get(part) or "").strip() if isinstance(raw.get(part), str) else raw.get(part)
        if value in (None, ""):
            errors[field_name(condition, part)] = message
            return None
        answer[part] = value
        return value

    def choice(part, message):
        value = need(part, message)
        if value is not None and value not in YES_NO:
            errors[field_name(condition, part)] = message
            answer.pop(part, None)
            return None
        return value

    kind = condition.kind
    if kind == ConditionKind.OFFICE_IN_AREA:
        need("address", "Enter the address of your office")
        postcode = need("postcode", "Enter the postcode of your office")
        if postcode is not None:
            full = normalise_postcode(postcode)
            if not full:
                errors[field_name(condition, "postcode")] = "Enter a real postcode, like E15 4BQ"
                answer.pop("postcode")
            else:
                answer["postcode"] = full
    elif kind == ConditionKind.LIVING_WAGE:
        accredited = choice(
            "accredited", "Select yes if you are an accredited Living Wage Employer"
        )
        if accredited == "no":
            text = raw.get("lowest_rate")
            text = "" if text is None else str(text).strip()
            pence = parse_pence(text)
            if not text:
                errors[field_name(condition, "lowest_rate")] = (
                    "Enter the lowest hourly rate you pay staff on this work"
                )
            elif pence is None or pence <= 0:
                errors[field_name(condition, "lowest_rate")] = (
                    "Enter the hourly rate in pounds and pence, like 14.80"
                )
                answer["lowest_rate_typed"] = text
            else:
                answer["lowest_rate_pence"] = pence
    elif kind == ConditionKind.CHARTER:
        choice("signed", f"Select yes if you have signed up to the {condition.title}")
    elif kind == ConditionKind.WORKFORCE:
        need("description", "Describe how you recruit from and reflect the community")
        if stage == RENEWAL:
            need("report", "Tell us what you have done since you last told us")
    elif kind == ConditionKind.YES_NO:
        choice("answer", "Select yes or no")
    if raw.get("document"):
        answer["document"] = raw["document"]
    return answer, errors


# --- Checks ---------------------------------------------------------------------------------------


def _area_label(area_type, code):
    if area_type == "national":
        return "the UK"
    if area_type == "region":
        region = geography.region(code)
        return region.name if region else code
    la = geography.local_authority(code)
    return la.name if la else code


def postcode_in_areas(postcode, areas):
    """(inside, where): whether the postcode lies in any of ``areas`` ([(type, code)]) by the
    project's postcode data, and the local authority it was found in (None when unknown). A lot
    with no areas recorded covers the whole UK."""
    place = deprivation.lookup(postcode)
    if place.lad_code is None:
        return None, None
    la = geography.local_authority_by_gss(place.lad_code)
    if not areas:
        return True, la
    for area_type, code in areas:
        if area_type == "national":
            return True, la
        if area_type == "local_authority" and place.lad_code in geography.district_gss_codes(code):
            return True, la
        if area_type == "region" and la is not None and la.region_code == code:
            return True, la
    return False, la


@dataclass(frozen=True)
class Check:
    """The result of checking one answer against a condition for one lot."""

    met: bool
    reason: str  # why not, in words the supplier and the operator read; or what was found


def check(condition, lot, answer, *, on=None, stage=APPLICATION):
    """Whether ``answer`` meets ``condition`` for ``lot`` on the day ``on``."""
    on = on or today()
    answer = answer or {}
    _, errors = parse_answer(condition, answer_as_raw(condition, answer), stage)
    if errors:
        return Check(False, f"{condition.name}: {next(iter(errors.values()))}")
    if condition.evidence_required and not answer.get("document"):
        return Check(False, f"{condition.name}: upload your evidence")
    kind = condition.kind
    if kind == ConditionKind.OFFICE_IN_AREA:
        areas = lot_areas(lot.id)
        inside, la = postcode_in_areas(answer["postcode"], areas)
        if inside is None:
            return Check(False, f"We cannot find the postcode {answer['postcode']}")
        where = ", ".join(sorted(_area_label(t, c) for t, c in areas)) or "the UK"
        if not inside:
            found = f" (it is in {la.name})" if la else ""
            return Check(
                False,
                f"{lot.label} needs an office in {where}. {answer['postcode']} is not in "
                f"the area{found}.",
            )
        return Check(True, f"{answer['postcode']} is in {la.name if la else where}")
    if kind == ConditionKind.LIVING_WAGE:
        if answer["accredited"] == "yes":
            if not answer.get("document"):
                return Check(False, "Upload evidence of your Living Wage Foundation accreditation")
            return Check(True, "An accredited Living Wage Employer")
        rate = wage_rates.must_pay_on(on)
        if rate is None:
            return Check(True, "No living wage rate is known for this date")
        needed = rate.pence(condition.london)
        paid = answer["lowest_rate_pence"]
        if paid < needed:
            return Check(
                False,
                f"{lot.label} needs staff on its work to be paid at least the {condition.name}, "
                f"{money(needed)} an hour ({rate.year}) from {format_date(rate.pay_by)}. The "
                f"lowest rate declared is {money(paid)}.",
            )
        return Check(True, f"Pays at least {money(needed)} an hour ({rate.year})")
    if kind == ConditionKind.CHARTER:
        if answer["signed"] != "yes":
            return Check(False, f"{lot.label} needs you to have signed up to the {condition.title}")
        return Check(True, f"Signed up to the {condition.title}")
    if kind == ConditionKind.WORKFORCE:
        return Check(True, "Commitment described")
    if answer["answer"] != "yes":
        return Check(False, f"{lot.label} needs the answer ‘yes’ to: {condition.title}")
    return Check(True, "Yes")


def answer_as_raw(condition, answer):
    """A stored answer in the shape ``parse_answer`` reads (to check it again)."""
    raw = dict(answer)
    if "lowest_rate_pence" in answer:
        raw["lowest_rate"] = money(answer["lowest_rate_pence"]).removeprefix("£")
    return raw


def describe(condition, answer):
    """An answer in words, for check your answers and the operator's pages."""
    answer = answer or {}
    kind = condition.kind
    if not answer:
        return "Not answered"
    if kind == ConditionKind.OFFICE_IN_AREA:
        return f"{answer.get('address', '')}, {answer.get('postcode', '')}".strip(", ")
    if kind == ConditionKind.LIVING_WAGE:
        if answer.get("accredited") == "yes":
            return "An accredited Living Wage Employer"
        if "lowest_rate_pence" in answer:
            return f"Not accredited. Lowest hourly rate paid: {money(answer['lowest_rate_pence'])}"
        return "Not accredited"
    if kind == ConditionKind.CHARTER:
        return "Signed up" if answer.get("signed") == "yes" else "Not signed up"
    if kind == ConditionKind.WORKFORCE:
        text = answer.get("description", "")
        return f"{text} Report: {answer['report']}" if answer.get("report") else text
    return {"yes": "Yes", "no": "No"}.get(answer.get("answer"), "Not answered")
