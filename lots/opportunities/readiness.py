"""What stops a draft being published: the one place these rules live. The task list, the check
page, sending for approval and publishing all ask ``problems``."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app

from app.errors import ServiceError
from app.extensions import db
from app.money import money
from app.timeutil import format_date, to_local, utcnow
from dps import thresholds
from dps.models import Category, Lot, ReservationBasis
from dps.thresholds import value_including_vat
from dps.working_days import bank_holiday_name
from lots.opportunities import conditions
from lots.opportunities.models import (
    LocationType,
    OpportunityKind,
    QuestionAbout,
    QuestionKind,
)

__all__ = ["value_including_vat"]


def threshold_pence(buyer, category=Category.SERVICES, light_touch=False):
    """The threshold, VAT included, for this buyer and kind of contract."""
    return thresholds.threshold_pence(category, light_touch, buyer.buyer_type)


def threshold_of(opportunity, lot=None):
    """The call-off's threshold: works, light-touch services (a light-touch lot's services), or
    the buyer's own."""
    lot = lot or db.session.get(Lot, opportunity.lot_id)
    return threshold_pence(opportunity.buyer, opportunity.category, lot.light_touch)


def is_above_threshold(opportunity, lot=None):
    return value_including_vat(opportunity.estimated_value_pence or 0) >= threshold_of(
        opportunity, lot
    )


def reservation_bases(opportunity, lot=None):
    """The call-off's reservation bases in law: its lot's, and the below-threshold ones the buyer
    chose (they may combine). Recorded on the call-off when it is published."""
    if opportunity.published_at is not None and opportunity.reservation_bases:
        return [ReservationBasis(b) for b in opportunity.reservation_bases]
    lot = lot or db.session.get(Lot, opportunity.lot_id)
    bases = [lot.reservation_basis] if lot.reservation_basis else []
    for chosen, basis in (
        (opportunity.reserved_vcse, ReservationBasis.BELOW_THRESHOLD_VCSE),
        (opportunity.reserved_sme, ReservationBasis.BELOW_THRESHOLD_SME),
        (opportunity.reserved_area_code, ReservationBasis.BELOW_THRESHOLD_AREA),
    ):
        if chosen and basis not in bases:
            bases.append(basis)
    return bases


@dataclass(frozen=True)
class Notices:
    above_threshold: bool
    threshold_pence: int
    notice_from_pence: int
    value_including_vat_pence: int
    mandatory: tuple


def notices(opportunity):
    """Which notices the law makes mandatory for this call-off, in plain words. Above the
    threshold: tender, contract award and contract details notices; below it, from £12,000
    (central government) or £30,000 (other bodies) including VAT, the tender notice and the
    contract details notice; under that, none."""
    lot = db.session.get(Lot, opportunity.lot_id)
    value = value_including_vat(opportunity.estimated_value_pence or 0)
    threshold = threshold_of(opportunity, lot)
    notice_from = thresholds.notice_threshold_pence(opportunity.buyer.buyer_type)
    if value >= threshold:
        mandatory = (
            "A tender notice (UK4), which publishing this opportunity gives",
            "A contract award notice (UK6) before you enter the contract",
            "A contract details notice (UK7) within 30 days of entering the contract",
        )
    elif value >= notice_from:
        mandatory = (
            "A tender notice (UK4), which publishing this opportunity gives",
            "A contract details notice (UK7) within 30 days of entering the contract",
        )
    else:
        mandatory = ()
    return Notices(value >= threshold, threshold, notice_from, value, mandatory)


def earliest_deadline(now, days):
    """``days`` calendar days after ``now`` in London, at the same time on the clock: across
    the spring clock change that is an hour less than ``days`` x 24 hours, across the autumn
    one an hour more."""
    return to_local(now) + timedelta(days=days)


# The dates a buyer sets that ``too_far_ahead`` bounds.
DATED = ("submission_deadline", "question_deadline", "contract_start", "contract_months")


def too_far_ahead(values, now=None):
    """The dates among ``values`` (an opportunity's fields by name) that are further ahead than
    configuration allows, as {field: message}. Deadlines only ever move later, so a year typed
    wrong (9999) would otherwise be forever: a deadline falls at most ``DEADLINE_MAX_DAYS_AHEAD``
    days from today (in London, any time that day), and a contract starts within
    ``CONTRACT_MAX_YEARS`` years and lasts at most that long. Checked when a draft is saved,
    before it is published, and when a published opportunity is amended or its deadline
    extended."""
    config = current_app.config
    today = to_local(now or utcnow()).date()
    days, years = config["DEADLINE_MAX_DAYS_AHEAD"], config["CONTRACT_MAX_YEARS"]
    last_day = today + timedelta(days=days)
    found = {}
    for name, what in (
        ("submission_deadline", "The deadline for bids"),
        ("question_deadline", "The deadline for questions"),
    ):
        moment = values.get(name)
        if moment is not None and to_local(moment).date() > last_day:
            found[name] = (
                f"{what} must be within {days} days of today, on or before {format_date(last_day)}"
            )
    start, latest_start = values.get("contract_start"), _years_after(today, years)
    if start is not None and start > latest_start:
        found["contract_start"] = (
            f"The contract must start within {years} years, on or before "
            f"{format_date(latest_start)}"
        )
    months = values.get("contract_months")
    if months is not None and months > years * 12:
        found["contract_months"] = (
            f"The contract can last at most {years} years: enter {years * 12} months or fewer"
        )
    return found


def refuse_too_far_ahead(values, now=None):
    """Raise the first of ``too_far_ahead``'s refusals as a ServiceError naming its field."""
    for name, message in too_far_ahead(values, now).items():
        raise ServiceError(message, name)


def _years_after(day, years):
    year = day.year + years
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def problems(opportunity, now=None, acknowledge_bank_holiday=False):
    """Everything that stops publication, as {field: message}. The one place these rules live."""
    with db.session.no_autoflush:
        return _problems(opportunity, now or utcnow(), acknowledge_bank_holiday)


def _problems(opportunity, now, acknowledge_bank_holiday):
    config = current_app.config
    found = {}
    lot = db.session.get(Lot, opportunity.lot_id)
    for name, label in (
        ("title", "a title"),
        ("summary", "a summary"),
        ("description", "a full description"),
    ):
        if not (getattr(opportunity, name) or "").strip():
            found[name] = f"Enter {label}"
    value = opportunity.estimated_value_pence or 0
    if not lot.min_value_pence <= value <= lot.max_value_pence:
        found["estimated_value_pence"] = (
            f"Estimated value must be between {money(lot.min_value_pence)} and "
            f"{money(lot.max_value_pence)}, the value band of {lot.label}"
        )
    weights = (
        opportunity.price_weight,
        opportunity.quality_weight,
        opportunity.social_value_weight,
    )
    if any(w is None or w < 0 for w in weights) or sum(w or 0 for w in weights) != 100:
        found["weights"] = "Price, quality and social value weightings must add up to 100"
    elif opportunity.social_value_weight < config["SOCIAL_VALUE_MIN_WEIGHT"]:
        found["social_value_weight"] = (
            f"Social value must be weighted at least {config['SOCIAL_VALUE_MIN_WEIGHT']}%"
        )
    scored = {QuestionKind.QUALITY: 0, QuestionKind.SOCIAL_VALUE: 0}
    counts = {QuestionKind.QUALITY: 0, QuestionKind.SOCIAL_VALUE: 0}
    for q in opportunity.questions:
        if q.kind in scored:
            scored[q.kind] += q.weight or 0
            counts[q.kind] += 1
    if "weights" not in found:
        if (
            opportunity.quality_weight
            and scored[QuestionKind.QUALITY] != opportunity.quality_weight
        ):
            found["questions"] = (
                f"Quality questions' weightings must add up to {opportunity.quality_weight}%"
            )
        elif (
            opportunity.social_value_weight
            and scored[QuestionKind.SOCIAL_VALUE] != opportunity.social_value_weight
        ):
            found["questions"] = (
                f"Social value questions' weightings must add up to "
                f"{opportunity.social_value_weight}%"
            )
    if opportunity.kind == OpportunityKind.QUICK_QUOTE:
        if counts[QuestionKind.QUALITY] != 1:
            found["questions"] = "A quick quote has exactly one quality question"
        if opportunity.price_schedule:
            found["price_schedule"] = "A quick quote asks for one total price"
    threshold = threshold_of(opportunity, lot)
    reserved = thresholds.call_off_problem(
        reservation_bases(opportunity, lot),
        value,
        threshold,
        lot.light_touch and opportunity.category == Category.SERVICES,
        opportunity.contract_months,
    )
    if reserved:
        found[reserved[0]] = reserved[1]
    about_supplier = [
        q
        for q in opportunity.questions
        if q.kind == QuestionKind.PASS_FAIL and q.about == QuestionAbout.SUPPLIER
    ]
    if (
        about_supplier
        and opportunity.category != Category.WORKS
        and value_including_vat(value) < threshold
    ):
        found.setdefault(
            "questions",
            "A call-off below the threshold cannot ask pass/fail questions about the supplier "
            "(a selection stage), except for works. Ask about the bid instead, or remove "
            f"‘{about_supplier[0].text}’",
        )
    found.update(conditions.problems(opportunity, to_local(now).date()))
    if opportunity.location_type != LocationType.NATIONAL and not opportunity.location_code:
        found["location_code"] = "Choose the region or local authority"
    deadline = opportunity.submission_deadline
    if deadline is None:
        found["submission_deadline"] = "Enter the deadline for bids"
    else:
        minimum_days = (
            config["QUICK_QUOTE_MIN_DAYS"]
            if opportunity.kind == OpportunityKind.QUICK_QUOTE
            else config["MIN_TENDER_DAYS"]
        )
        local = to_local(deadline)
        if deadline < earliest_deadline(now, minimum_days):
            found["submission_deadline"] = (
                f"The deadline for bids must be at least {minimum_days} days after publication"
            )
        elif local.minute or local.second:
            found["submission_deadline"] = "The deadline must be on the hour, like 12pm or 3pm"
        else:
            holiday = bank_holiday_name(local.date(), opportunity.dps.calendar)
            if holiday and not acknowledge_bank_holiday:
                found["submission_deadline"] = (
                    f"The deadline falls on a bank holiday ({holiday}). Choose another day, or "
                    "confirm you want it"
                )
            elif local.weekday() >= 5 and not acknowledge_bank_holiday:
                found["submission_deadline"] = (
                    "The deadline falls at a weekend. Choose a working day, or confirm you want it"
                )
    if (
        opportunity.question_deadline is not None
        and deadline is not None
        and (opportunity.question_deadline >= deadline or opportunity.question_deadline <= now)
    ):
        found["question_deadline"] = (
            "The deadline for questions must be after publication and before the deadline for bids"
        )
    # Saving a draft refuses these too; a draft saved under a longer limit is caught here.
    found.update(too_far_ahead({name: getattr(opportunity, name) for name in DATED}, now))
    return found
