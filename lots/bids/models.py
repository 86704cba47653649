"""Bids: a supplier's working draft, and each submission frozen as a snapshot with its hash.

A bid is one per supplier per opportunity (the database says so). Its answers are a working copy
the supplier edits until the deadline; submitting freezes them into a ``BidSubmission`` whose
canonical JSON and SHA-256 never change. The bid points at its current submission; withdrawing
clears the pointer but keeps the history.
"""

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow
from app.types import UTCDateTime, string_enum


class BidStatus(enum.StrEnum):
    DRAFT = "draft"  # never submitted, or changed and not yet resubmitted
    SUBMITTED = "submitted"  # the current submission stands
    WITHDRAWN = "withdrawn"  # the supplier took it back before the deadline


class PartnerRole(enum.StrEnum):
    CONSORTIUM_MEMBER = "consortium_member"
    SUBCONTRACTOR = "subcontractor"


class Bid(db.Model):
    __tablename__ = "bids"
    __table_args__ = (
        sa.UniqueConstraint("opportunity_id", "organisation_id", name="uq_bids_one_per_supplier"),
        sa.CheckConstraint(
            "total_price_pence IS NULL OR total_price_pence > 0", name="price_positive"
        ),
        sa.CheckConstraint(
            "status <> 'submitted' OR current_submission_id IS NOT NULL",
            name="submitted_has_snapshot",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunities.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    status: Mapped[BidStatus] = mapped_column(
        string_enum(BidStatus, "bid_status", 20), default=BidStatus.DRAFT
    )
    started_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    started_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    # The working copy: {question id: text} and {question id: "yes" | "no"}.
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    pass_fail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # One total (pence), or unit prices per line of the schedule: {line index: pence}.
    total_price_pence: Mapped[int | None] = mapped_column(sa.BigInteger)
    line_prices: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # {measure id: quantity (string, as the measure's unit allows)}.
    social_value: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # Pledges against community wishes (``app.places``), each part of the commitment for the
    # wish's measure: {wish id: quantity (string)}. Empty on bids made before wishes existed.
    wish_pledges: Mapped[dict | None] = mapped_column(sa.JSON, default=dict, nullable=True)
    # Documents (purpose bid attachment) in the working copy, in the order they were added.
    attachment_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    current_submission_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("bid_submissions.id", use_alter=True, name="fk_bids_current_submission")
    )
    withdrawn_at = mapped_column(UTCDateTime(), nullable=True)

    opportunity = relationship("Opportunity")
    organisation = relationship("Organisation")
    partners = relationship(
        "BidPartner", back_populates="bid", order_by="BidPartner.id", cascade="all, delete-orphan"
    )
    current_submission = relationship(
        "BidSubmission", foreign_keys=[current_submission_id], post_update=True
    )


class BidPartner(db.Model):
    """A consortium member or subcontractor named in a bid, with its share of the work."""

    __tablename__ = "bid_partners"
    __table_args__ = (sa.CheckConstraint("share_percent BETWEEN 1 AND 99", name="share_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id", ondelete="CASCADE"), index=True)
    role: Mapped[PartnerRole] = mapped_column(string_enum(PartnerRole, "partner_role", 30))
    # A supplier in the directory, or a named organisation that is not registered.
    partner_organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(sa.String(300))
    share_percent: Mapped[int] = mapped_column(sa.Integer)

    bid = relationship("Bid", back_populates="partners")


class BidSubmission(db.Model):
    """A frozen submission: the canonical answers and attachment hashes, their SHA-256, and the
    database's timestamp. On PostgreSQL a deferred trigger refuses the commit if the database's
    clock has passed the deadline by then (see migration 0008)."""

    __tablename__ = "bid_submissions"
    __table_args__ = (sa.UniqueConstraint("bid_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id"), index=True)
    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunities.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    version: Mapped[int] = mapped_column(sa.Integer)
    snapshot: Mapped[dict] = mapped_column(sa.JSON)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # Set by the database (clock_timestamp() on PostgreSQL) when the row is written.
    submitted_at = mapped_column(UTCDateTime(), nullable=False)


class PartnerOffer(enum.StrEnum):
    """How a supplier on the partner board could take part."""

    LEAD = "lead"  # would lead a consortium
    MEMBER = "member"  # would join a consortium
    SUBCONTRACTOR = "subcontractor"


class PartnerPost(db.Model):
    """A supplier on an opportunity's "find a partner" board: what it could bring. No contact
    details: others write to it through the service (``lots.bids.partnering``)."""

    __tablename__ = "partner_posts"
    __table_args__ = (
        sa.Index(
            "uq_partner_posts_one_open",
            "opportunity_id",
            "organisation_id",
            unique=True,
            postgresql_where=sa.text("withdrawn_at IS NULL"),
            sqlite_where=sa.text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunities.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    offers: Mapped[list] = mapped_column(sa.JSON, default=list)  # PartnerOffer values
    could_bring: Mapped[str] = mapped_column(sa.Text)
    posted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    posted_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    withdrawn_at = mapped_column(UTCDateTime(), nullable=True)

    organisation = relationship("Organisation")


class ContactStatus(enum.StrEnum):
    WAITING = "waiting"  # sent; the post's supplier has not answered
    AGREED = "agreed"  # both agreed: each sees the other's email address
    DECLINED = "declined"


class PartnerContact(db.Model):
    """A message from one supplier to another about a board post, relayed by email. Sending it is
    the sender's agreement to share its contact details; the addresses are shown to either side
    only once the post's supplier agrees too."""

    __tablename__ = "partner_contacts"
    __table_args__ = (
        sa.UniqueConstraint("post_id", "from_organisation_id"),
        sa.CheckConstraint(
            "(status = 'waiting') = (answered_at IS NULL)", name="answered_when_decided"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("partner_posts.id"), index=True)
    from_organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    # Whose address the post's supplier sees once it agrees; erased with the call-off's records.
    from_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    message: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ContactStatus] = mapped_column(
        string_enum(ContactStatus, "partner_contact_status", 20), default=ContactStatus.WAITING
    )
    sent_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    answered_at = mapped_column(UTCDateTime(), nullable=True)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    post = relationship("PartnerPost")
    from_organisation = relationship("Organisation", foreign_keys=[from_organisation_id])
    from_user = relationship("User", foreign_keys=[from_user_id])
    answered_by = relationship("User", foreign_keys=[answered_by_id])
