"""The procurement thresholds and what the law lets a lot or a call-off be reserved for at a value:
the one place these rules and figures (configuration, VAT included) are read.

Above the threshold the Procurement Act 2023 allows only two reservations: supported employment
providers (s32) and public service mutuals (s33: light-touch services, a contract of at most 5
years). Below it a buyer may reserve for VCSEs, SMEs and/or suppliers in an area."""

from flask import current_app

from app.money import money
from app.organisations.models import BuyerType
from dps.models import (
    ABOVE_THRESHOLD_BASES,
    LOT_BASIS,
    RESERVED_LABELS,
    Category,
    ReservationBasis,
    ReservedFor,
)


def value_including_vat(value_pence):
    return value_pence * (100 + current_app.config["VAT_RATE_PERCENT"]) // 100


def threshold_pence(category=Category.SERVICES, light_touch=False, buyer_type=None):
    """The threshold, including VAT, for a contract of this category. Works and light-touch
    services have their own; otherwise it depends on the buyer, and with no buyer (a lot, which
    any buyer may use) it is the lowest of them."""
    config = current_app.config
    if category == Category.WORKS:
        return config["THRESHOLD_WORKS_PENCE"]
    if light_touch and category == Category.SERVICES:
        return config["THRESHOLD_LIGHT_TOUCH_PENCE"]
    if buyer_type == BuyerType.CENTRAL_GOVERNMENT:
        return config["THRESHOLD_CENTRAL_GOVERNMENT_PENCE"]
    if buyer_type is not None:
        return config["THRESHOLD_OTHER_PUBLIC_PENCE"]
    return min(config["THRESHOLD_CENTRAL_GOVERNMENT_PENCE"], config["THRESHOLD_OTHER_PUBLIC_PENCE"])


def is_above_threshold(value_pence, category=Category.SERVICES, light_touch=False, buyer_type=None):
    """Whether a value (excluding VAT, as the product stores it) reaches the threshold."""
    return value_including_vat(value_pence) >= threshold_pence(category, light_touch, buyer_type)


def notice_threshold_pence(buyer_type):
    """Below the threshold, the value (including VAT) from which notices are mandatory."""
    config = current_app.config
    if buyer_type == BuyerType.CENTRAL_GOVERNMENT:
        return config["NOTICE_THRESHOLD_CENTRAL_GOVERNMENT_PENCE"]
    return config["NOTICE_THRESHOLD_OTHER_PENCE"]


def lot_problem(reserved_for, category, light_touch, max_value_pence):
    """What stops a lot with these settings, as (field, message), or None."""
    reserved_for, category = ReservedFor(reserved_for), Category(category)
    if light_touch and category != Category.SERVICES:
        return "light_touch", "Only a lot for services can be for light-touch services"
    basis = LOT_BASIS.get(reserved_for)
    if basis == ReservationBasis.S33_PUBLIC_SERVICE_MUTUAL and not light_touch:
        return (
            "light_touch",
            "A lot reserved for public service mutuals must be for light-touch services "
            "(section 33 of the Procurement Act 2023)",
        )
    if basis is None or basis in ABOVE_THRESHOLD_BASES:
        return None
    threshold = threshold_pence(category, light_touch)
    if value_including_vat(max_value_pence) >= threshold:
        return (
            "reserved_for",
            f"A lot {RESERVED_LABELS[reserved_for].lower()} must stay below the threshold "
            f"({money(threshold)} including VAT for this kind of contract), but its largest "
            f"value is {money(value_including_vat(max_value_pence))} including VAT. Lower "
            "the largest value, or reserve it for supported employment providers or public "
            "service mutuals",
        )
    return None


def call_off_problem(bases, value_pence, threshold, light_touch, contract_months):
    """What stops a call-off reserved on these bases, as (field, message), or None."""
    config = current_app.config
    bases = [ReservationBasis(b) for b in bases]
    below_only = [b for b in bases if b not in ABOVE_THRESHOLD_BASES]
    if below_only and value_including_vat(value_pence) >= threshold:
        return (
            "reserved",
            f"Only a call-off below the threshold ({money(threshold)} including VAT) can be "
            f"reserved for VCSEs, SMEs or an area. This one is worth "
            f"{money(value_including_vat(value_pence))} including VAT",
        )
    if ReservationBasis.S33_PUBLIC_SERVICE_MUTUAL in bases:
        longest = config["MUTUAL_MAX_CONTRACT_MONTHS"]
        if not light_touch:
            return (
                "reserved",
                "A call-off reserved for public service mutuals must be for light-touch services",
            )
        if contract_months is None or contract_months > longest:
            return (
                "contract_months",
                f"A contract reserved for public service mutuals can last at most {longest} "
                f"months ({longest // 12} years). Enter how long the contract lasts",
            )
    return None
