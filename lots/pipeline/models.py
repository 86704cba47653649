"""A buyer's pipeline of planned call-offs: what it expects to buy in the next 18 months, the
suppliers that registered interest in each item, and market engagement events with their
bookings."""

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow
from app.types import UTCDateTime, string_enum

QUARTER_MONTHS = {
    1: "January to March",
    2: "April to June",
    3: "July to September",
    4: "October to December",
}


class PipelineItem(db.Model):
    """A planned call-off under a lot, listed publicly from the moment it is saved."""

    __tablename__ = "pipeline_items"
    __table_args__ = (
        # The lot must belong to the item's DPS.
        sa.ForeignKeyConstraint(
            ["dps_id", "lot_id"], ["lots.dps_id", "lots.id"], name="fk_pipeline_items_dps_lot"
        ),
        sa.CheckConstraint("estimated_value_pence > 0", name="value_positive"),
        sa.CheckConstraint("expected_quarter BETWEEN 1 AND 4", name="quarter_range"),
        sa.CheckConstraint(
            "withdrawn_at IS NULL OR withdraw_reason IS NOT NULL", name="withdraw_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dps_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    lot_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    estimated_value_pence: Mapped[int] = mapped_column(sa.BigInteger)
    # The calendar quarter in which the buyer expects to publish the call-off.
    expected_year: Mapped[int] = mapped_column(sa.Integer)
    expected_quarter: Mapped[int] = mapped_column(sa.Integer)
    contact_name: Mapped[str] = mapped_column(sa.String(200))
    contact_email: Mapped[str] = mapped_column(sa.String(320))
    published_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False, index=True)
    withdrawn_at = mapped_column(UTCDateTime(), nullable=True)
    withdraw_reason: Mapped[str | None] = mapped_column(sa.Text)
    # The draft call-off made from it (one at most).
    opportunity_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("opportunities.id"), unique=True
    )
    drafted_at = mapped_column(UTCDateTime(), nullable=True)
    # When the interested suppliers were told the call-off is published.
    published_call_off_at = mapped_column(UTCDateTime(), nullable=True)

    lot = relationship(
        "Lot", foreign_keys=[lot_id], primaryjoin="PipelineItem.lot_id == Lot.id", viewonly=True
    )
    dps = relationship(
        "Dps", foreign_keys=[dps_id], primaryjoin="PipelineItem.dps_id == Dps.id", viewonly=True
    )
    buyer = relationship("Organisation", foreign_keys=[buyer_id])
    opportunity = relationship("Opportunity", foreign_keys=[opportunity_id])
    events = relationship(
        "EngagementEvent", back_populates="item", order_by="EngagementEvent.starts_at"
    )

    @property
    def quarter_words(self):
        return f"{QUARTER_MONTHS[self.expected_quarter]} {self.expected_year}"

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None


class BidIntent(enum.StrEnum):
    """How a supplier that registered interest expects to bid (optional)."""

    ALONE = "alone"
    LEAD = "lead"
    CONSORTIUM = "consortium"  # as a member of a consortium, or a subcontractor
    UNDECIDED = "undecided"


BID_INTENT_LABELS = {
    BidIntent.ALONE: "On our own",
    BidIntent.LEAD: "As the lead of a consortium",
    BidIntent.CONSORTIUM: "As a member of a consortium or a subcontractor",
    BidIntent.UNDECIDED: "We have not decided yet",
}


class PipelineInterest(db.Model):
    """A supplier organisation interested in a planned call-off: told about events and about
    the call-off when it is published."""

    __tablename__ = "pipeline_interests"
    __table_args__ = (sa.UniqueConstraint("item_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pipeline_items.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    registered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    intent: Mapped[BidIntent] = mapped_column(
        string_enum(BidIntent, "bid_intent", 20), default=BidIntent.UNDECIDED
    )
    registered_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    item = relationship("PipelineItem")
    organisation = relationship("Organisation")


class EngagementEvent(db.Model):
    """A market engagement event for a planned call-off: its places are limited, and the count
    of places booked is held with the rule ``booked <= capacity`` in the database."""

    __tablename__ = "engagement_events"
    __table_args__ = (
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
        sa.CheckConstraint("place IS NOT NULL OR link IS NOT NULL", name="place_or_link"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("pipeline_items.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    starts_at = mapped_column(UTCDateTime(), nullable=False)
    place: Mapped[str | None] = mapped_column(sa.String(500))
    link: Mapped[str | None] = mapped_column(sa.String(500))
    details: Mapped[str | None] = mapped_column(sa.Text)
    capacity: Mapped[int] = mapped_column(sa.Integer)
    booked: Mapped[int] = mapped_column(sa.Integer, default=0, server_default="0")
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    item = relationship("PipelineItem", back_populates="events")

    @property
    def places_left(self):
        return self.capacity - (self.booked or 0)


class EventBooking(db.Model):
    """One person's place at an engagement event, for their supplier organisation."""

    __tablename__ = "engagement_event_bookings"
    __table_args__ = (sa.UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("engagement_events.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    booked_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    event = relationship("EngagementEvent")
    organisation = relationship("Organisation")
