"""Reads for the pipeline: the public list and its filters, a buyer's items, a supplier's
interest and bookings, and who is interested (no commits)."""

from dataclasses import dataclass

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.organisations.models import Membership, Organisation
from dps.models import Dps, Lot
from lots.pipeline.models import (
    EngagementEvent,
    EventBooking,
    PipelineInterest,
    PipelineItem,
)

PAGE_SIZE = 50


def item(item_id):
    return db.session.get(PipelineItem, item_id)


def event(event_id):
    return db.session.get(EngagementEvent, event_id)


@dataclass(frozen=True)
class Filters:
    dps_id: int | None = None
    lot_id: int | None = None
    buyer_id: int | None = None


def _int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def parse(args):
    """The public page's filters from its URL: anything not a whole number is ignored."""
    return Filters(_int(args.get("dps")), _int(args.get("lot")), _int(args.get("buyer")))


def listed(filters=Filters(), limit=PAGE_SIZE):
    """(items, total): items anyone may see (not withdrawn), soonest expected first."""
    stmt = sa.select(PipelineItem).where(PipelineItem.withdrawn_at.is_(None))
    if filters.dps_id:
        stmt = stmt.where(PipelineItem.dps_id == filters.dps_id)
    if filters.lot_id:
        stmt = stmt.where(PipelineItem.lot_id == filters.lot_id)
    if filters.buyer_id:
        stmt = stmt.where(PipelineItem.buyer_id == filters.buyer_id)
    total = db.session.execute(sa.select(sa.func.count()).select_from(stmt.subquery())).scalar()
    items = (
        db.session.execute(
            stmt.order_by(
                PipelineItem.expected_year, PipelineItem.expected_quarter, PipelineItem.id
            ).limit(limit)
        )
        .scalars()
        .all()
    )
    return items, total


def filter_choices():
    """(dps, lots, buyers) that have listed items: [(id, label)] each, for the filters."""
    live = sa.select(PipelineItem).where(PipelineItem.withdrawn_at.is_(None)).subquery()
    dps = db.session.execute(
        sa.select(Dps.id, Dps.name).where(Dps.id.in_(sa.select(live.c.dps_id))).order_by(Dps.name)
    ).all()
    lots = db.session.execute(
        sa.select(Lot).where(Lot.id.in_(sa.select(live.c.lot_id))).order_by(Lot.dps_id, Lot.number)
    ).scalars()
    buyers = db.session.execute(
        sa.select(Organisation.id, Organisation.name)
        .where(Organisation.id.in_(sa.select(live.c.buyer_id)))
        .order_by(Organisation.name)
    ).all()
    return list(dps), [(lot.id, lot.label) for lot in lots], list(buyers)


def items_of_lot(lot_id):
    items, _ = listed(Filters(lot_id=lot_id), limit=20)
    return items


def items_of_buyer(buyer_id):
    return (
        db.session.execute(
            sa.select(PipelineItem)
            .where(PipelineItem.buyer_id == buyer_id)
            .order_by(
                PipelineItem.withdrawn_at.is_not(None),
                PipelineItem.expected_year,
                PipelineItem.expected_quarter,
                PipelineItem.id,
            )
        )
        .scalars()
        .all()
    )


def interest_counts(item_ids):
    """{item id: organisations interested}."""
    if not item_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(PipelineInterest.item_id, sa.func.count())
            .where(PipelineInterest.item_id.in_(list(item_ids)))
            .group_by(PipelineInterest.item_id)
        ).all()
    )


def interests(item_id):
    return (
        db.session.execute(
            sa.select(PipelineInterest)
            .join(Organisation, Organisation.id == PipelineInterest.organisation_id)
            .where(PipelineInterest.item_id == item_id)
            .order_by(sa.func.lower(Organisation.name))
        )
        .scalars()
        .all()
    )


def interest_of(item_id, organisation_id):
    return db.session.execute(
        sa.select(PipelineInterest).where(
            PipelineInterest.item_id == item_id,
            PipelineInterest.organisation_id == organisation_id,
        )
    ).scalar_one_or_none()


def booking_of(event_id, user_id):
    return db.session.execute(
        sa.select(EventBooking).where(
            EventBooking.event_id == event_id, EventBooking.user_id == user_id
        )
    ).scalar_one_or_none()


def bookings(event_id):
    return (
        db.session.execute(
            sa.select(EventBooking)
            .where(EventBooking.event_id == event_id)
            .order_by(EventBooking.booked_at, EventBooking.id)
        )
        .scalars()
        .all()
    )


def interested_people(item_id):
    """A SELECT of (user_id, email, name): members of the organisations interested in the item
    whose email address still works, for a fan-out."""
    return (
        sa.select(User.id.label("user_id"), User.email.label("email"), User.name.label("name"))
        .join(Membership, Membership.user_id == User.id)
        .join(PipelineInterest, PipelineInterest.organisation_id == Membership.organisation_id)
        .where(PipelineInterest.item_id == item_id, User.email_undeliverable_at.is_(None))
        .distinct()
    )


def item_for_opportunity(opportunity_id):
    return db.session.execute(
        sa.select(PipelineItem).where(PipelineItem.opportunity_id == opportunity_id)
    ).scalar_one_or_none()
