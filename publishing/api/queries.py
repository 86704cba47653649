"""Reads for the API that the pages' own queries do not give in pages of a fixed size."""

import sqlalchemy as sa

from app.extensions import db
from dps.models import Dps, Lot
from lots.awards.models import Contract
from lots.opportunities.models import Opportunity, OpportunityStatus

PER_PAGE = 20
DRAFT_STATUSES = (
    OpportunityStatus.DRAFT,
    OpportunityStatus.AWAITING_APPROVAL,
    OpportunityStatus.APPROVED,
)


def opportunities_by_id(ids):
    """The opportunities with these ids, in the order given."""
    if not ids:
        return []
    found = {
        o.id: o
        for o in db.session.execute(sa.select(Opportunity).where(Opportunity.id.in_(ids))).scalars()
    }
    return [found[i] for i in ids if i in found]


def lots(dps_id=None):
    stmt = sa.select(Lot).join(Dps, Dps.id == Lot.dps_id).order_by(Dps.name, Lot.number)
    if dps_id is not None:
        stmt = stmt.where(Lot.dps_id == dps_id)
    return db.session.execute(stmt).scalars().all()


def contracts_page(page, buyer_id=None, supplier_id=None, per_page=PER_PAGE):
    """(contracts, total): a page of the contracts register, newest first, as the register
    orders it."""
    stmt = sa.select(Contract)
    if buyer_id is not None:
        stmt = stmt.where(Contract.buyer_id == buyer_id)
    if supplier_id is not None:
        stmt = stmt.where(Contract.supplier_id == supplier_id)
    total = db.session.execute(sa.select(sa.func.count()).select_from(stmt.subquery())).scalar_one()
    rows = (
        db.session.execute(
            stmt.order_by(Contract.entered_at.desc(), Contract.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        .scalars()
        .all()
    )
    return rows, total


def drafts_of(organisation_id):
    """The organisation's call-offs not yet published, newest first."""
    return (
        db.session.execute(
            sa.select(Opportunity)
            .where(
                Opportunity.buyer_id == organisation_id,
                Opportunity.status.in_(DRAFT_STATUSES),
            )
            .order_by(Opportunity.id.desc())
        )
        .scalars()
        .all()
    )


def draft_of(organisation_id, opportunity_id):
    """The organisation's draft (or one awaiting or given approval), or None."""
    o = db.session.get(Opportunity, opportunity_id)
    if o is None or o.buyer_id != organisation_id or o.status not in DRAFT_STATUSES:
        return None
    return o
