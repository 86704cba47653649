"""Organisations: creating and changing them, and who belongs to them. Each function is one
transaction: check the guards, change the rows, write the audit event and any email, commit.

Rules kept here:
- whoever creates an organisation becomes its owner;
- only owners change the profile, invite, withdraw invitations, remove people and hand over
  ownership (``app.permissions`` decides; a refusal is a 403);
- an organisation always keeps at least one owner;
- an invitation is accepted once, before it expires, by the person it was sent to.
"""

import functools
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app import permissions
from app.accounts.models import User
from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.extensions import db
from app.organisations import identifiers, queries
from app.organisations.models import (
    BuyerType,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    StaffBand,
    SupplierType,
    TurnoverBand,
)
from app.outbox.services import queue_email
from app.reference import geography
from app.timeutil import format_date, utcnow
from app.unitofwork import commit
from app.urls import absolute_url

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
    "address",
    "postcode",
    "local_authority_code",
    "staff_band",
    "turnover_band",
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


class OrganisationError(ValueError):
    """A rule stopped the change; the message is fit to show the user."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.field = field


class InvalidDetails(OrganisationError):
    """The organisation's details have problems: ``errors`` maps each field to its message."""

    def __init__(self, errors):
        self.errors = dict(errors)
        super().__init__(next(iter(self.errors.values())), next(iter(self.errors)))


class InvitationProblem(OrganisationError):
    """An invitation link that cannot be used. ``reason`` is one of: invalid, expired, revoked,
    accepted, wrong_email, already_member."""

    def __init__(self, reason, invitation=None):
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


def _transaction(service):
    """A refusal (a broken rule, a 403) leaves nothing behind: the transaction is rolled back,
    which also releases any row lock the service took."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except Exception:
            db.session.rollback()
            raise

    return wrapper


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


@_transaction
def create_supplier(actor, details):
    """Register a supplier organisation; ``actor`` becomes its owner."""
    return _create(actor, OrganisationKind.SUPPLIER, clean_supplier_details(details))


@_transaction
def create_buyer(actor, details):
    """Register a buyer organisation; ``actor`` becomes its owner."""
    return _create(actor, OrganisationKind.BUYER, clean_buyer_details(details))


@_transaction
def update_organisation(actor, organisation, details):
    """Change an organisation's profile. Its kind never changes."""
    organisation = _lock(organisation.id)
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


# --- Invitations --------------------------------------------------------------------------------


def _normalise_email(email):
    return (email or "").strip().lower()


@_transaction
def invite_member(actor, organisation, email, role=Role.MEMBER):
    """Invite someone by email to join as a member or owner. Returns (invitation, token): the
    token is in the emailed link and is never stored, only its hash."""
    organisation = _lock(organisation.id)
    permissions.require_manage_organisation(actor, organisation.id)
    email = _normalise_email(email)
    if "@" not in email or len(email) > 320:
        raise OrganisationError(
            "Enter an email address in the correct format, like name@example.com", "email"
        )
    role = _choice(Role, role)
    if role is None:
        raise OrganisationError("Select what they can do", "role")
    already = db.session.execute(
        sa.select(Membership)
        .join(Membership.user)
        .where(Membership.organisation_id == organisation.id, User.email == email)
    ).scalar_one_or_none()
    if already is not None:
        raise OrganisationError(
            f"{email} is already a member of {organisation.display_name}", "email"
        )
    if queries.pending_invitations(organisation.id, email=email):
        raise OrganisationError(
            f"You have already invited {email}. Cancel that invitation to send a new one", "email"
        )

    token = secrets.token_urlsafe(32)
    days = current_app.config["INVITE_VALID_DAYS"]
    invitation = Invitation(
        organisation_id=organisation.id,
        email=email,
        role=role,
        token_hash=queries.hash_token(token),
        invited_by_id=actor.id,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    record(
        E.INVITE_MEMBER,
        subject=invitation,
        organisation=organisation,
        actor=actor,
        detail={"email": email, "role": role.value},
    )
    queue_email(
        email,
        "invite_member",
        {
            "organisation_name": organisation.display_name,
            "inviter_name": actor.name,
            "role": role.value,
            "email": email,
            "accept_url": absolute_url("organisations.accept_invitation", token=token),
            "valid_days": days,
            "expires_on": format_date(invitation.expires_at),
        },
        idempotency_key=f"invite:{invitation.id}",
    )
    commit()
    return invitation, token


def open_invitation(token, user=None):
    """The invitation a link is for, if it can still be accepted (by ``user``, when given).
    Raises InvitationProblem saying why not. Changes nothing."""
    return _usable_invitation(queries.invitation_for_token(token), user)


def _usable_invitation(invitation, user):
    if invitation is None:
        raise InvitationProblem("invalid")
    if invitation.is_accepted:
        raise InvitationProblem("accepted", invitation)
    if invitation.is_revoked:
        raise InvitationProblem("revoked", invitation)
    if invitation.is_expired():
        raise InvitationProblem("expired", invitation)
    if user is not None:
        if not permissions.can_accept_invitation(user, invitation):
            raise InvitationProblem("wrong_email", invitation)
        if permissions.is_member(user, invitation.organisation_id):
            raise InvitationProblem("already_member", invitation)
    return invitation


@_transaction
def accept_invitation(user, token):
    """Join the organisation with the invited role. Returns the new membership."""
    invitation = db.session.execute(
        sa.select(Invitation)
        .where(Invitation.token_hash == queries.hash_token(token or ""))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    _usable_invitation(invitation, user)
    membership = Membership(
        user_id=user.id, organisation_id=invitation.organisation_id, role=invitation.role
    )
    db.session.add(membership)
    invitation.accepted_at = utcnow()
    db.session.flush()
    record(
        E.ACCEPT_INVITATION,
        subject=invitation,
        organisation=invitation.organisation,
        actor=user,
        detail={
            "membership_id": membership.id,
            "role": invitation.role.value,
            "email": invitation.email,
        },
    )
    commit()
    return membership


@_transaction
def revoke_invitation(actor, invitation):
    """Withdraw an invitation so its link stops working."""
    organisation = _lock(invitation.organisation_id)
    permissions.require_manage_organisation(actor, organisation.id)
    invitation = _reload(Invitation, invitation.id)
    if invitation is None or invitation.is_accepted:
        raise OrganisationError("This invitation has already been accepted")
    if invitation.is_revoked:
        raise OrganisationError("This invitation has already been cancelled")
    invitation.revoked_at = utcnow()
    record(
        E.REVOKE_INVITATION,
        subject=invitation,
        organisation=organisation,
        actor=actor,
        detail={"email": invitation.email, "role": invitation.role.value},
    )
    commit()
    return invitation


# --- Members ------------------------------------------------------------------------------------


def _lock(organisation_id):
    """The organisation, locked for this transaction, so two owners changing members at once
    cannot both pass the "keeps an owner" check."""
    organisation = db.session.execute(
        sa.select(Organisation)
        .where(Organisation.id == organisation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if organisation is None:
        raise OrganisationError("This organisation no longer exists")
    return organisation


def _reload(model, row_id):
    return db.session.execute(
        sa.select(model).where(model.id == row_id).execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _check_keeps_an_owner(organisation, losing):
    """Refuse a change that would take away the organisation's last owner."""
    if losing.role != Role.OWNER:
        return
    others = db.session.execute(
        sa.select(sa.func.count())
        .select_from(Membership)
        .where(
            Membership.organisation_id == organisation.id,
            Membership.role == Role.OWNER,
            Membership.id != losing.id,
        )
    ).scalar_one()
    if others == 0:
        raise OrganisationError(
            f"{organisation.display_name} must have an owner. Make someone else an owner first"
        )


@_transaction
def remove_member(actor, membership):
    """Take someone out of an organisation (an owner may remove themselves if another owner
    remains). They are told by email, unless they removed themselves."""
    organisation = _lock(membership.organisation_id)
    permissions.require_manage_organisation(actor, organisation.id)
    membership = _reload(Membership, membership.id)
    if membership is None:
        raise OrganisationError("This person is no longer a member")
    _check_keeps_an_owner(organisation, membership)
    user = membership.user
    record(
        E.REMOVE_MEMBER,
        subject=user,
        organisation=organisation,
        actor=actor,
        detail={"membership_id": membership.id, "email": user.email, "role": membership.role.value},
    )
    if user.id != actor.id:
        queue_email(
            user.email,
            "member_removed",
            {
                "name": user.name,
                "organisation_name": organisation.display_name,
            },
            idempotency_key=f"member_removed:{membership.id}",
        )
    db.session.delete(membership)
    commit()
    return user


@_transaction
def transfer_ownership(actor, membership, stay_owner=False):
    """Make a member an owner. The owner handing over becomes a member unless ``stay_owner``."""
    organisation = _lock(membership.organisation_id)
    permissions.require_manage_organisation(actor, organisation.id)
    membership = _reload(Membership, membership.id)
    if membership is None:
        raise OrganisationError("This person is no longer a member")
    if membership.user_id == actor.id:
        raise OrganisationError("You are already an owner")
    if membership.role == Role.OWNER:
        raise OrganisationError(f"{membership.user.name} is already an owner")
    own = permissions.membership(actor, organisation.id)
    membership.role = Role.OWNER
    if not stay_owner:
        db.session.flush()
        _check_keeps_an_owner(organisation, own)
        own.role = Role.MEMBER
    record(
        E.TRANSFER_OWNERSHIP,
        subject=membership.user,
        organisation=organisation,
        actor=actor,
        detail={
            "membership_id": membership.id,
            "to_email": membership.user.email,
            "from_email": actor.email,
            "previous_owner_stays_owner": bool(stay_owner),
        },
    )
    queue_email(
        membership.user.email,
        "ownership_transferred",
        {
            "name": membership.user.name,
            "organisation_name": organisation.display_name,
            "previous_owner_name": actor.name,
            "organisation_url": absolute_url(
                "organisations.view_organisation", organisation_id=organisation.id
            ),
        },
        idempotency_key=f"ownership_transferred:{membership.id}:{utcnow():%Y%m%dT%H%M%S%f}",
    )
    commit()
    return membership
