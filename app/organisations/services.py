"""Organisations: registering them and changing their details. Each function is one
transaction: check the guards, change the rows, write the audit event, commit. Who belongs to an
organisation is ``app.organisations.invitations`` (joining) and ``app.organisations.members``
(leaving, ownership).

Rules kept here:
- whoever creates an organisation becomes its owner;
- only owners change the profile (``app.permissions`` decides; a refusal is a 403);
- a profile's details are checked all at once, and every problem is reported against its field.
"""

import re

from flask import current_app

from app import permissions
from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.money import money
from app.organisations import identifiers
from app.organisations.locking import locked_organisation, one_transaction
from app.organisations.models import (
    BalanceSheetBand,
    BuyerType,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    StaffBand,
    SupplierType,
    TurnoverBand,
    sme_bands,
)
from app.reference import geography
from app.unitofwork import commit

NEEDS_CHARITY_NUMBER = frozenset({SupplierType.CHARITY, SupplierType.CIO})
NEEDS_COMPANY_NUMBER = frozenset(
    {
        SupplierType.CIC,
        SupplierType.COMPANY_LIMITED_BY_GUARANTEE,
        SupplierType.SOCIAL_ENTERPRISE_COMPANY,
    }
)
DESCRIPTION_MAX_WORDS = 150
DESCRIPTION_MAX_CHARS = 2000
ADDRESS_MAX_CHARS = 1000

SUPPLIER_FIELDS = (
    "name",
    "trading_name",
    "supplier_type",
    "charity_number",
    "company_number",
    "society_number",
    "address",
    "postcode",
    "local_authority_code",
    "staff_band",
    "turnover_band",
    "balance_sheet_band",
    "description",
    "website",
    "directory_email",
    "directory_phone",
    "directory_show_website",
)
BUYER_FIELDS = ("name", "buyer_type", "region_code")

CHARITY_NUMBER_FORMAT = (
    "Enter a charity number in the correct format, like 1234567, SC012345 or NIC123456"
)
COMPANY_NUMBER_FORMAT = "Enter a company number in the correct format, like 01234567 or SC123456"
SOCIETY_NUMBER_FORMAT = (
    "Enter a Mutuals Public Register number in the correct format, like 31234R or RS007372"
)


class InvalidDetails(ServiceError):
    """The organisation's details have problems: ``errors`` maps each field to its message (the
    first is the refusal's own message and field)."""

    def __init__(self, errors):
        self.errors = dict(errors)
        super().__init__(next(iter(self.errors.values())), next(iter(self.errors)))


# --- Details ------------------------------------------------------------------------------------


def _text(details, key):
    value = details.get(key)
    return "" if value is None else str(value).strip()


def _choice(enum_cls, value):
    try:
        return enum_cls(value)
    except ValueError:
        return None


def _name(errors, details, key, missing, label, max_chars=300):
    value = _text(details, key)
    if not value and missing:
        errors[key] = missing
    elif len(value) > max_chars:
        errors[key] = f"{label} must be {max_chars:,} characters or fewer"
    return value or None


def clean_supplier_details(details):
    """Return the columns for a supplier's profile, or raise InvalidDetails with every problem."""
    errors = {}
    values = {
        "name": _name(
            errors, details, "name", "Enter the legal name of your organisation", "Legal name"
        ),
        "trading_name": _name(errors, details, "trading_name", None, "Trading name"),
    }

    supplier_type = _choice(SupplierType, _text(details, "supplier_type"))
    if supplier_type is None:
        errors["supplier_type"] = "Select the type of organisation"
    values["supplier_type"] = supplier_type

    raw = _text(details, "charity_number")
    charity_number = identifiers.normalise_charity_number(raw) if raw else None
    if raw and charity_number is None:
        errors["charity_number"] = CHARITY_NUMBER_FORMAT
    elif not raw and supplier_type in NEEDS_CHARITY_NUMBER:
        errors["charity_number"] = "Enter your charity number: a registered charity or CIO has one"
    values["charity_number"] = charity_number

    raw = _text(details, "company_number")
    company_number = identifiers.normalise_company_number(raw) if raw else None
    if raw and company_number is None:
        errors["company_number"] = COMPANY_NUMBER_FORMAT
    elif not raw and supplier_type in NEEDS_COMPANY_NUMBER:
        errors["company_number"] = "Enter your company number: a company, including a CIC, has one"
    values["company_number"] = company_number

    # Optional: a co-operative or community benefit society registered with the FCA has one.
    raw = _text(details, "society_number")
    society_number = identifiers.normalise_society_number(raw) if raw else None
    if raw and society_number is None:
        errors["society_number"] = SOCIETY_NUMBER_FORMAT
    values["society_number"] = society_number

    values["address"] = _name(
        errors,
        details,
        "address",
        "Enter your organisation’s address",
        "Address",
        ADDRESS_MAX_CHARS,
    )

    raw = _text(details, "postcode")
    postcode = identifiers.normalise_postcode(raw) if raw else None
    if not raw:
        errors["postcode"] = "Enter a postcode"
    elif postcode is None:
        errors["postcode"] = "Enter a full UK postcode, like SW1A 1AA"
    values["postcode"] = postcode

    authority = geography.local_authority(_text(details, "local_authority_code"))
    if authority is None or not authority.covers_area_once:
        errors["local_authority_code"] = "Select your local authority"
        values["local_authority_code"] = values["region_code"] = None
    else:
        values["local_authority_code"] = authority.code
        values["region_code"] = geography.region_for_local_authority(authority.code).code

    values["staff_band"] = _choice(StaffBand, _text(details, "staff_band"))
    if values["staff_band"] is None:
        errors["staff_band"] = "Select how many staff your organisation employs"
    values["turnover_band"] = _choice(TurnoverBand, _text(details, "turnover_band"))
    if values["turnover_band"] is None:
        errors["turnover_band"] = "Select your organisation’s annual turnover"
    # The balance sheet total decides SME status only when the turnover is over the limit.
    raw = _text(details, "balance_sheet_band")
    values["balance_sheet_band"] = _choice(BalanceSheetBand, raw)
    if raw and values["balance_sheet_band"] is None:
        errors["balance_sheet_band"] = "Select your organisation’s balance sheet total"
    elif values["turnover_band"] is not None and values["turnover_band"] not in sme_bands()[1]:
        if values["balance_sheet_band"] is None:
            errors["balance_sheet_band"] = (
                "Select your organisation’s balance sheet total: with a turnover over "
                f"{money(current_app.config['SME_TURNOVER_MAX_PENCE'])} it decides whether "
                "you are an SME"
            )
    else:
        values["balance_sheet_band"] = None  # not needed: the turnover decides

    description = _text(details, "description")
    if not description:
        errors["description"] = "Describe what your organisation does"
    elif identifiers.word_count(description) > DESCRIPTION_MAX_WORDS:
        errors["description"] = f"Description must be {DESCRIPTION_MAX_WORDS} words or fewer"
    elif len(description) > DESCRIPTION_MAX_CHARS:
        errors["description"] = f"Description must be {DESCRIPTION_MAX_CHARS:,} characters or fewer"
    values["description"] = description or None

    raw = _text(details, "website")
    website = identifiers.normalise_website(raw) if raw else None
    if raw and website is None:
        errors["website"] = (
            "Enter a website address in the correct format, like https://www.example.org"
        )
    elif website and len(website) > 500:
        errors["website"] = "Website address must be 500 characters or fewer"
    values["website"] = website

    email = _text(details, "directory_email").lower()
    if email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        errors["directory_email"] = (
            "Enter an email address in the correct format, like name@example.com"
        )
    elif len(email) > 320:
        errors["directory_email"] = "Email address must be 320 characters or fewer"
    values["directory_email"] = email or None
    phone = _text(details, "directory_phone")
    if phone and not re.fullmatch(r"\+?[0-9 ()-]{7,20}", phone):
        errors["directory_phone"] = "Enter a phone number, like 0113 496 0000"
    values["directory_phone"] = phone or None
    values["directory_show_website"] = bool(details.get("directory_show_website")) and bool(website)

    if errors:
        raise InvalidDetails(errors)
    return values


def clean_buyer_details(details):
    """Return the columns for a buyer's profile, or raise InvalidDetails with every problem."""
    errors = {}
    values = {"name": _name(errors, details, "name", "Enter the name of your organisation", "Name")}
    values["buyer_type"] = _choice(BuyerType, _text(details, "buyer_type"))
    if values["buyer_type"] is None:
        errors["buyer_type"] = "Select the type of organisation"
    region = geography.region(_text(details, "region_code"))
    if region is None:
        errors["region_code"] = "Select the region where your organisation is based"
    values["region_code"] = region.code if region else None
    if errors:
        raise InvalidDetails(errors)
    return values


def _create(actor, kind, values):
    permissions.require(permissions.can_create_organisation(actor))
    organisation = Organisation(kind=kind, **values)
    db.session.add(organisation)
    db.session.flush()
    db.session.add(Membership(user_id=actor.id, organisation_id=organisation.id, role=Role.OWNER))
    record(
        E.CREATE_ORGANISATION,
        subject=organisation,
        organisation=organisation,
        actor=actor,
        detail={"kind": kind.value, "name": organisation.name},
    )
    commit()
    return organisation


@one_transaction
def create_supplier(actor, details):
    """Register a supplier organisation; ``actor`` becomes its owner."""
    return _create(actor, OrganisationKind.SUPPLIER, clean_supplier_details(details))


@one_transaction
def create_buyer(actor, details):
    """Register a buyer organisation; ``actor`` becomes its owner."""
    return _create(actor, OrganisationKind.BUYER, clean_buyer_details(details))


@one_transaction
def update_organisation(actor, organisation, details):
    """Change an organisation's profile. Its kind never changes."""
    organisation = locked_organisation(organisation.id)
    permissions.require_manage_organisation(actor, organisation.id)
    if organisation.is_supplier:
        values = clean_supplier_details(details)
    else:
        values = clean_buyer_details(details)
    changed = sorted(key for key, value in values.items() if getattr(organisation, key) != value)
    if not changed:
        commit()  # nothing to save: just release the lock
        return organisation
    for key in changed:
        setattr(organisation, key, values[key])
    record(
        E.UPDATE_ORGANISATION,
        subject=organisation,
        organisation=organisation,
        actor=actor,
        detail={"changed": changed},
    )
    commit()
    return organisation
