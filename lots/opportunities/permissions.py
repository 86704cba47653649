"""Who may act for a buyer. Owners of a buyer organisation hold every buyer role; other members
hold the roles given to them (buyer, evaluator, approver)."""

import sqlalchemy as sa

from app.extensions import db
from app.organisations.models import Membership, Role
from lots.opportunities.models import BuyerRole, BuyerRoleName


def buyer_roles(user, organisation_id):
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    membership = db.session.execute(
        sa.select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation_id
        )
    ).scalar_one_or_none()
    if membership is None:
        return set()
    if membership.role == Role.OWNER:
        return set(BuyerRoleName)
    return set(
        db.session.execute(
            sa.select(BuyerRole.role).where(BuyerRole.membership_id == membership.id)
        ).scalars()
    )


def has_buyer_role(user, organisation_id, role):
    return BuyerRoleName(role) in buyer_roles(user, organisation_id)
