"""Who may see and change spend: the one place these rules live. Views ask (``may_*``);
services call the guards (``require_*``), which raise ``app.errors.NotAllowed``.

Every member of a buyer organisation sees its spend; those who hold the buyer role (owners hold
every role) upload spend files, set the buyer's area and work its review queue. The DPS operator
sees every buyer's spend and the whole DPS's, and works every review queue.
"""

from app.errors import NotAllowed
from app.extensions import db
from app.organisations.models import Organisation
from app.permissions import is_admin, is_member
from lots.opportunities.models import BuyerRoleName
from lots.opportunities.permissions import has_buyer_role


def _is_buyer(organisation_id):
    organisation = db.session.get(Organisation, organisation_id)
    return organisation is not None and organisation.is_buyer


def may_see_spend(user, buyer_id):
    return _is_buyer(buyer_id) and (is_admin(user) or is_member(user, buyer_id))


def may_manage_spend(user, buyer_id):
    """Upload spend files and set the buyer's area."""
    return _is_buyer(buyer_id) and has_buyer_role(user, buyer_id, BuyerRoleName.BUYER)


def may_review_matches(user, buyer_id):
    return _is_buyer(buyer_id) and (is_admin(user) or may_manage_spend(user, buyer_id))


def is_operator(user):
    return is_admin(user)


def require_manage_spend(user, buyer_id):
    if not may_manage_spend(user, buyer_id):
        raise NotAllowed("You need the buyer role in this organisation to change its spend")


def require_review_matches(user, buyer_id):
    if not may_review_matches(user, buyer_id):
        raise NotAllowed("Only the buyer or the DPS operator can review this buyer's matches")
