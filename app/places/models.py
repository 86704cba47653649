"""A place, the councils that make it up, the buyers put in it by name, its shared priority
measures, and the community wish list posted in it."""

import enum
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow
from app.types import UTCDateTime, string_enum


class Place(db.Model):
    """An area whose buyers share social value priorities: West Yorkshire, or Leeds alone."""

    __tablename__ = "places"

    id: Mapped[int] = mapped_column(primary_key=True)
    # In the public page's address: /places/west-yorkshire.
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # What the operator chose (council or combined authority codes, as typed); the councils
    # they cover are the place's ``authorities``.
    defined_as: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    authorities = relationship(
        "PlaceAuthority",
        cascade="all, delete-orphan",
        order_by="PlaceAuthority.local_authority_code",
    )
    priorities = relationship(
        "PlacePriority", cascade="all, delete-orphan", order_by="PlacePriority.position"
    )
    members = relationship(
        "PlaceBuyer", cascade="all, delete-orphan", order_by="PlaceBuyer.organisation_id"
    )

    @property
    def authority_codes(self):
        return [a.local_authority_code for a in self.authorities]

    @property
    def priority_ids(self):
        return [p.measure_id for p in self.priorities]


class PlaceAuthority(db.Model):
    """One council (lower tier, unitary or NI district: mySociety's code) in a place. A council
    may be in more than one place (Leeds, and West Yorkshire)."""

    __tablename__ = "place_authorities"

    place_id: Mapped[int] = mapped_column(
        sa.ForeignKey("places.id", ondelete="CASCADE"), primary_key=True
    )
    local_authority_code: Mapped[str] = mapped_column(sa.String(10), primary_key=True, index=True)


class PlaceBuyer(db.Model):
    """A buyer the operator put in a place by name: one based elsewhere or covering several
    councils (an NHS body, a housing association). Buyers whose own council is in the place
    are in it without this."""

    __tablename__ = "place_buyers"

    place_id: Mapped[int] = mapped_column(
        sa.ForeignKey("places.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class PlacePriority(db.Model):
    """A shared priority measure of a place, in the order its buyers see them."""

    __tablename__ = "place_priorities"
    __table_args__ = (sa.UniqueConstraint("place_id", "position"),)

    place_id: Mapped[int] = mapped_column(
        sa.ForeignKey("places.id", ondelete="CASCADE"), primary_key=True
    )
    # A measure a place uses is never deleted (retired instead), as for contracts.
    measure_id: Mapped[str] = mapped_column(
        sa.ForeignKey("social_value_measures.id"), primary_key=True
    )
    position: Mapped[int] = mapped_column(sa.Integer)


class WishStatus(enum.StrEnum):
    PENDING = "pending"  # posted, waiting for the operator to moderate it
    OPEN = "open"  # shown publicly; bidders may pledge against what is still wanted
    REJECTED = "rejected"  # moderated out by the operator, with a reason
    WITHDRAWN = "withdrawn"  # taken back by the group that posted it
    PLEDGED = "pledged"  # winning pledges cover all of it
    DELIVERED = "delivered"  # the group confirmed delivery of all of it


WISH_STATUS_LABELS = {
    WishStatus.PENDING: "Waiting for approval",
    WishStatus.OPEN: "Open",
    WishStatus.REJECTED: "Not approved",
    WishStatus.WITHDRAWN: "Withdrawn",
    WishStatus.PLEDGED: "Pledged",
    WishStatus.DELIVERED: "Delivered",
}


class Wish(db.Model):
    """A need that a community group or buyer posts in a place ("volunteers to paint the
    community centre"), in a social value measure's units, for bidders to pledge against.
    ``pledged`` and ``delivered`` are the sums of its winning pledges and of those the group
    confirmed (``lots.awards`` keeps them, in the same transaction as the pledges)."""

    __tablename__ = "wishes"
    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("pledged >= 0 AND delivered >= 0", name="sums_not_negative"),
        sa.CheckConstraint("delivered <= pledged", name="delivered_within_pledged"),
        sa.CheckConstraint(
            "status <> 'rejected' OR rejection_reason IS NOT NULL", name="rejection_has_reason"
        ),
        sa.Index("ix_wishes_place_id_status", "place_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    place_id: Mapped[int] = mapped_column(sa.ForeignKey("places.id"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    posted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text)
    # A measure a wish uses is never deleted (retired instead), as for contracts.
    measure_id: Mapped[str] = mapped_column(sa.ForeignKey("social_value_measures.id"))
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))
    # The council the need is in (one of the place's), and the neighbourhood or venue.
    local_authority_code: Mapped[str] = mapped_column(sa.String(10))
    area: Mapped[str] = mapped_column(sa.String(200))
    contact_name: Mapped[str] = mapped_column(sa.String(200))
    contact_email: Mapped[str] = mapped_column(sa.String(320))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(30))
    status: Mapped[WishStatus] = mapped_column(
        string_enum(WishStatus, "wish_status", 20), default=WishStatus.PENDING
    )
    posted_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    moderated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    moderated_at = mapped_column(UTCDateTime(), nullable=True)
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)
    withdrawn_at = mapped_column(UTCDateTime(), nullable=True)
    pledged: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    delivered: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))

    place = relationship("Place")
    organisation = relationship("Organisation")

    @property
    def outstanding(self):
        """How much of it no winning pledge covers yet."""
        return max(Decimal(self.quantity) - Decimal(self.pledged or 0), Decimal(0))

    @property
    def status_label(self):
        return WISH_STATUS_LABELS[WishStatus(self.status)]
