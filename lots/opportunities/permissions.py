"""Who may do what with buyers and their opportunities: the one place this stage's permission
rules live. Views ask the questions (``is_*``, ``may_*``); services call the guards
(``require_*``), which raise ``app.errors.NotAllowed`` (a 403 on a page).

Owners of a buyer organisation hold every buyer role; other members hold the roles given to them
(buyer, evaluator, approver). The DPS operator (an administrator) approves buyers and says what
each lot covers. Suppliers invited to an opportunity ask questions and read its tender documents.
"""

import sqlalchemy as sa

from app.errors import NotAllowed
from app.extensions import db
from app.organisations.models import Membership, Role
from app.permissions import is_admin, is_member, membership
from lots.opportunities.models import (
    PUBLIC_STATUSES,
    BuyerRole,
    BuyerRoleName,
    Invitation,
)
from lots.opportunities.queries import OPPORTUNITY_SUBJECT

# --- Buyer organisations ------------------------------------------------------------------------


def buyer_roles(user, organisation_id):
    m = membership(user, organisation_id)
    if m is None:
        return set()
    if m.role == Role.OWNER:
        return set(BuyerRoleName)
    return set(
        db.session.execute(
            sa.select(BuyerRole.role).where(BuyerRole.membership_id == m.id)
        ).scalars()
    )


def has_buyer_role(user, organisation_id, role):
    return BuyerRoleName(role) in buyer_roles(user, organisation_id)


def require_buyer_role(user, organisation_id, role, message=None):
    if not has_buyer_role(user, organisation_id, role):
        raise NotAllowed(message or f"You need the {role} role in this buyer organisation")


def may_see_buyer_area(user, organisation_id):
    """Every member of a buyer organisation sees its pages; what each may do there is below."""
    return is_member(user, organisation_id)


def is_buyer_owner(user, organisation_id):
    """Owners ask for approval, join a DPS and give colleagues their roles."""
    m = membership(user, organisation_id)
    return m is not None and m.role == Role.OWNER


def require_buyer_owner(user, organisation_id, message):
    if not is_buyer_owner(user, organisation_id):
        raise NotAllowed(message)


def drafted_by(user, opportunity):
    """Whether ``user`` drafted the opportunity: someone else must approve it."""
    return getattr(user, "id", None) == opportunity.created_by_id


def require_another_approver(user, opportunity):
    if drafted_by(user, opportunity):
        raise NotAllowed("Someone other than the person who drafted it must approve it")


# --- The DPS operator ---------------------------------------------------------------------------


def is_operator(user):
    """The DPS operator approves buyers and says what each lot covers."""
    return is_admin(user)


def require_operator(user, message):
    if not is_operator(user):
        raise NotAllowed(message)


# --- Everyone, and invited suppliers ------------------------------------------------------------


def of_buyer(user, opportunity):
    """Whether the person belongs to the opportunity's buyer, who see its drafts (as a preview)
    and its tender documents."""
    return is_member(user, opportunity.buyer_id)


def may_see_opportunity(user, opportunity):
    """A published (or later) opportunity is public; a draft only its buyer's members see."""
    return opportunity.status in PUBLIC_STATUSES or of_buyer(user, opportunity)


def is_invited(organisation_id, opportunity_id):
    return (
        db.session.execute(
            sa.select(Invitation.id).where(
                Invitation.organisation_id == organisation_id,
                Invitation.opportunity_id == opportunity_id,
            )
        ).first()
        is not None
    )


def require_invited_member(user, organisation_id, opportunity_id, message):
    """The person acts for a supplier organisation that is invited to the opportunity."""
    if not is_member(user, organisation_id):
        raise NotAllowed("You are not a member of this organisation")
    if not is_invited(organisation_id, opportunity_id):
        raise NotAllowed(message)


def user_is_invited(user_id, opportunity_id):
    """Whether the person belongs to any organisation invited to the opportunity."""
    return (
        db.session.execute(
            sa.select(Invitation.id)
            .join(Membership, Membership.organisation_id == Invitation.organisation_id)
            .where(Membership.user_id == user_id, Invitation.opportunity_id == opportunity_id)
        ).first()
        is not None
    )


def invited_supplier_may_read(user, document):
    """Who else may read the tender documents attached to an opportunity: every member of an
    invited supplier (the buyer's own members read them as the owner organisation). A document
    reader, registered by ``lots.init_app``."""
    if document.subject_type != OPPORTUNITY_SUBJECT or document.subject_id is None:
        return False
    return user_is_invited(user.id, document.subject_id)
