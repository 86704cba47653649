"""Reading awards: an opportunity's award, its contract, the contracts register, a bidder's
letters, and a contract's social value promised and delivered."""

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.extensions import db
from app.organisations.models import Organisation
from dps.models import Lot
from lots.awards.delivery import delivered_so_far
from lots.awards.models import Award, AwardLetter, Contract, SocialValueReturn
from lots.awards.permissions import may_read_returns
from lots.opportunities.models import Opportunity


def award_of(opportunity_id):
    return db.session.get(Award, opportunity_id)


def contract_of(opportunity_id):
    return db.session.execute(
        sa.select(Contract).where(Contract.opportunity_id == opportunity_id)
    ).scalar_one_or_none()


def contracts_register(buyer_id=None, supplier_id=None):
    """The register's contracts (every contract entered, its standstill over), newest first: all
    of them, or a buyer's or a supplier's."""
    stmt = _register(sa.select(Contract), buyer_id, supplier_id)
    return db.session.execute(stmt).scalars().all()


def _register(stmt, buyer_id, supplier_id):
    stmt = stmt.order_by(Contract.entered_at.desc(), Contract.id.desc())
    if buyer_id is not None:
        stmt = stmt.where(Contract.buyer_id == buyer_id)
    if supplier_id is not None:
        stmt = stmt.where(Contract.supplier_id == supplier_id)
    return stmt


REGISTER_BATCH = 500  # contracts fetched at a time from the server-side cursor


def every_registered_contract(buyer_id=None, supplier_id=None, batch=REGISTER_BATCH):
    """The register's contracts as rows of what it shows (names as the register shows them),
    in its order, read through a server-side cursor ``batch`` at a time: for the download."""
    buyer, supplier = aliased(Organisation), aliased(Organisation)
    stmt = _register(
        sa.select(
            Contract.id,
            Contract.opportunity_id,
            Opportunity.reference,
            Opportunity.title,
            sa.func.coalesce(buyer.trading_name, buyer.name).label("buyer_name"),
            sa.func.coalesce(supplier.trading_name, supplier.name).label("supplier_name"),
            Contract.supplier_is_vcse,
            Contract.supplier_is_sme,
            Contract.value_pence,
            Contract.start_date,
            Contract.end_date,
            Lot.number.label("lot_number"),
            Lot.title.label("lot_title"),
            Contract.payment_terms_days,
            Contract.real_living_wage,
            Contract.entered_at,
        )
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .join(buyer, buyer.id == Contract.buyer_id)
        .join(supplier, supplier.id == Contract.supplier_id)
        .join(Lot, Lot.id == Contract.lot_id),
        buyer_id,
        supplier_id,
    )
    result = db.session.execute(stmt.execution_options(yield_per=batch))
    try:
        yield from result
    finally:
        result.close()


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


def returns_readable_by(user, organisation_id):
    """The organisation's returns that ``user`` may open: all of them for the supplier's people
    and the buyer's buyers, none for a buyer's evaluator or approver."""
    return [r for r in returns_of(organisation_id) if may_read_returns(user, r.contract)]


def returns_of(organisation_id):
    """The social value returns of the organisation's contracts, as supplier or buyer, the
    earliest due first."""
    return (
        db.session.execute(
            sa.select(SocialValueReturn)
            .join(Contract, Contract.id == SocialValueReturn.contract_id)
            .where(
                sa.or_(
                    Contract.supplier_id == organisation_id, Contract.buyer_id == organisation_id
                )
            )
            .order_by(SocialValueReturn.due_on, SocialValueReturn.id)
        )
        .scalars()
        .all()
    )


def delivered_by_period(contract):
    """{(commitment id, period start): delivered} of the accepted returns and recorded periods."""
    return {
        (d.commitment_id, d.period_start): d.delivered
        for c in contract.commitments
        for d in c.deliveries
    }
