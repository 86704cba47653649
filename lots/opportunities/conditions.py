"""A call-off's contract conditions: its payment terms and whether the Real Living Wage is a
condition, chosen on the draft and frozen at publication (with the rate in force that day).

- **Payment terms.** The buyer pays undisputed invoices within ``payment_terms_days``: 30 by
  default (``PAYMENT_TERMS_DAYS``), fewer if the buyer chooses, never more than 30 under this
  product's policy. The winner must pay its own subcontractors within 30 days too (30-day terms
  flow down the supply chain).
- **Real Living Wage.** When it is a condition, everyone working on the contract is paid at least
  the Real Living Wage: the London rate where the work is in London (or, for a call-off with no
  place of work, where the buyer is), the UK rate elsewhere, as announced on or before the day of
  publication (the project's rates and any the operator has loaded: ``dps.services.wage_rates``).

The contract record copies both from the call-off when it is entered (``lots.awards.contracts``).
"""

from flask import current_app

from app.errors import ServiceError
from app.money import money
from app.reference import geography, living_wage
from dps.services import wage_rates
from lots.opportunities.models import LocationType

MAX_PAYMENT_TERMS_DAYS = 30  # this product's policy: never longer than 30 days
SUBCONTRACT_PAYMENT_DAYS = 30  # what flows down to subcontractors
FIELD = "payment_terms_days"


def default_payment_terms_days():
    return min(current_app.config["PAYMENT_TERMS_DAYS"], MAX_PAYMENT_TERMS_DAYS)


def check_payment_terms(days):
    """A number of days from 1 to 30, or a ServiceError about the payment terms."""
    if days is None or isinstance(days, bool) or not isinstance(days, int):
        raise ServiceError("Enter the payment terms as a whole number of days, like 30", FIELD)
    if not 1 <= days <= MAX_PAYMENT_TERMS_DAYS:
        raise ServiceError(
            f"Payment terms must be between 1 and {MAX_PAYMENT_TERMS_DAYS} days. This service "
            f"does not allow terms longer than {MAX_PAYMENT_TERMS_DAYS} days",
            FIELD,
        )
    return days


def in_london(opportunity):
    """The work is in London (a London region or local authority); for a call-off with no place
    of work, the buyer is a London authority (its local authority, else its region)."""
    if opportunity.location_type == LocationType.REGION and opportunity.location_code:
        return opportunity.location_code == living_wage.LONDON_REGION
    if opportunity.location_type == LocationType.LOCAL_AUTHORITY and opportunity.location_code:
        region = geography.region_for_local_authority(opportunity.location_code)
        return region is not None and region.code == living_wage.LONDON_REGION
    buyer = opportunity.buyer
    region = geography.region_for_local_authority(buyer.local_authority_code)
    code = region.code if region else buyer.region_code
    return code == living_wage.LONDON_REGION


def rate_for(opportunity, day):
    """(rate, london) that a Real Living Wage condition would state if published on ``day``;
    rate is None before the first rate held."""
    return wage_rates.rate_on(day), in_london(opportunity)


def problems(opportunity, day):
    """What in the conditions stops publication on ``day``, as {field: message}."""
    found = {}
    try:
        check_payment_terms(opportunity.payment_terms_days)
    except ServiceError as exc:
        found[FIELD] = str(exc)
    if opportunity.real_living_wage and wage_rates.rate_on(day) is None:
        found["real_living_wage"] = (
            "No Real Living Wage rate is known for this date, so it cannot be a condition"
        )
    return found


def freeze(opportunity, day):
    """At publication: the Real Living Wage rate in force on ``day`` for the call-off's place,
    written on the call-off (and cleared when it is not a condition)."""
    if not opportunity.real_living_wage:
        opportunity.living_wage_rate_pence = None
        opportunity.living_wage_rate_year = None
        opportunity.living_wage_london = None
        return
    rate, london = rate_for(opportunity, day)
    if rate is None:
        raise ServiceError(problems(opportunity, day)["real_living_wage"], "real_living_wage")
    opportunity.living_wage_rate_pence = rate.pence(london)
    opportunity.living_wage_rate_year = rate.year
    opportunity.living_wage_london = london


def frozen(record):
    """The conditions of a published call-off or a contract (same column names), as the audit
    log, a bid's snapshot and pages state them."""
    return {
        "payment_terms_days": record.payment_terms_days,
        "subcontract_payment_days": SUBCONTRACT_PAYMENT_DAYS,
        "real_living_wage": bool(record.real_living_wage),
        "living_wage_rate_pence": record.living_wage_rate_pence,
        "living_wage_rate_year": record.living_wage_rate_year,
        "living_wage_area": None
        if record.living_wage_rate_pence is None
        else ("London" if record.living_wage_london else "UK"),
    }


def statements(record):
    """The conditions in plain English: [(name, sentence)]; empty for a call-off published
    before conditions were recorded."""
    if record.payment_terms_days is None:
        return []
    days = record.payment_terms_days
    out = [
        (
            "Payment terms",
            f"The buyer pays undisputed invoices within {days} day{'s' if days != 1 else ''}. "
            f"The supplier must pay its subcontractors within {SUBCONTRACT_PAYMENT_DAYS} days: "
            f"{SUBCONTRACT_PAYMENT_DAYS}-day payment terms flow down the supply chain.",
        )
    ]
    if not record.real_living_wage:
        out.append(("Real Living Wage", "Not a condition of this contract."))
    elif record.living_wage_rate_pence is None:
        out.append(
            (
                "Real Living Wage",
                "A condition: everyone working on the contract is paid at least the Real "
                "Living Wage (the rate in force when the opportunity is published).",
            )
        )
    else:
        area = "London rate" if record.living_wage_london else "UK rate"
        out.append(
            (
                "Real Living Wage",
                f"A condition: everyone working on the contract, including subcontracted staff, "
                f"is paid at least the Real Living Wage, {money(record.living_wage_rate_pence)} "
                f"an hour ({area}, {record.living_wage_rate_year}).",
            )
        )
    return out
