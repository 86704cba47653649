"""Reading awards: an opportunity's award, its contract, the contracts register, a bidder's
letters, and a contract's social value promised and delivered."""

import sqlalchemy as sa

from app.extensions import db
from lots.awards.delivery import delivered_so_far
from lots.awards.models import Award, AwardLetter, Contract


def award_of(opportunity_id):
    return db.session.get(Award, opportunity_id)


def contract_of(opportunity_id):
    return db.session.execute(
        sa.select(Contract).where(Contract.opportunity_id == opportunity_id)
    ).scalar_one_or_none()


def contracts_register(buyer_id=None, supplier_id=None):
    stmt = sa.select(Contract).order_by(Contract.entered_at.desc(), Contract.id.desc())
    if buyer_id is not None:
        stmt = stmt.where(Contract.buyer_id == buyer_id)
    if supplier_id is not None:
        stmt = stmt.where(Contract.supplier_id == supplier_id)
    return db.session.execute(stmt).scalars().all()


def letter_count(opportunity_id):
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(AwardLetter)
        .where(AwardLetter.opportunity_id == opportunity_id)
    ).scalar()


def promised_and_delivered(contract):
    """[(commitment, delivered so far)], each measure added up by its own rule (a percentage
    or a level is the latest period, never the sum of periods)."""
    return [(c, delivered_so_far(c)) for c in contract.commitments]
