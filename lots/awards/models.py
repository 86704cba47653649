"""Award decisions, letters, the standstill, contracts and the social value they deliver."""

import dataclasses
import enum
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.reference import social_value
from app.timeutil import utcnow
from app.types import UTCDateTime, string_enum


class ReportingFrequency(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"


class ReturnStatus(enum.StrEnum):
    AWAITING = "awaiting"  # nothing submitted yet (due once its period has ended)
    SUBMITTED = "submitted"  # with the buyer to accept or query
    QUERIED = "queried"  # the buyer asked for changes, with a reason; the supplier amends
    ACCEPTED = "accepted"  # final: its figures count as delivered


class AwardStatus(enum.StrEnum):
    PROPOSED = "proposed"  # the buyer proposes the winner; the approver has not confirmed
    CONFIRMED = "confirmed"  # letters sent; the standstill (if any) runs
    CONTRACTED = "contracted"  # the standstill ended and the contract is entered


class Award(db.Model):
    __tablename__ = "awards"
    __table_args__ = (
        sa.CheckConstraint(
            "status = 'proposed' OR confirmed_at IS NOT NULL", name="confirmed_time"
        ),
    )

    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunities.id"), primary_key=True)
    winner_bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id"))
    status: Mapped[AwardStatus] = mapped_column(
        string_enum(AwardStatus, "award_status", 20), default=AwardStatus.PROPOSED
    )
    # The ranked result as decided: [{"bid_id", "supplier", "price", "quality", ...}].
    result: Mapped[list] = mapped_column(sa.JSON)
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    proposed_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at = mapped_column(UTCDateTime(), nullable=True)
    standstill_ends_at = mapped_column(UTCDateTime(), nullable=True)
    # How often the winner reports its social value, chosen by the buyer when proposing.
    reporting_frequency: Mapped[ReportingFrequency] = mapped_column(
        string_enum(ReportingFrequency, "reporting_frequency", 20),
        default=ReportingFrequency.QUARTERLY,
        server_default="quarterly",
    )

    winner = relationship("Bid", foreign_keys=[winner_bid_id])


class AwardLetter(db.Model):
    """The letter each bidder receives: an assessment summary, or the award letter."""

    __tablename__ = "award_letters"
    __table_args__ = (sa.UniqueConstraint("opportunity_id", "bid_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunities.id"), index=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id"))
    # The HTML letter (the accessible version) and the same letter as a tagged PDF to file and
    # forward; letters issued before PDFs existed have none.
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"))
    pdf_document_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("documents.id"), nullable=True
    )
    successful: Mapped[bool] = mapped_column(sa.Boolean)
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    document = relationship("Document", foreign_keys=[document_id])
    pdf_document = relationship("Document", foreign_keys=[pdf_document_id])


class Contract(db.Model):
    """The contract entered after the standstill: published in the contracts register."""

    __tablename__ = "contracts"
    __table_args__ = (
        sa.CheckConstraint("value_pence > 0", name="value_positive"),
        sa.CheckConstraint("end_date >= start_date", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunities.id"), unique=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"), index=True)
    value_pence: Mapped[int] = mapped_column(sa.BigInteger)
    start_date = mapped_column(sa.Date, nullable=False)
    end_date = mapped_column(sa.Date, nullable=False)
    # As the supplier stood when the contract was entered (the register reports these).
    supplier_is_vcse: Mapped[bool] = mapped_column(sa.Boolean)
    supplier_is_sme: Mapped[bool] = mapped_column(sa.Boolean)
    supplier_region_code: Mapped[str | None] = mapped_column(sa.String(10))
    # The call-off's contract conditions as published (lots.opportunities.conditions); empty
    # payment terms on contracts entered before conditions were recorded.
    payment_terms_days: Mapped[int | None] = mapped_column(sa.Integer)
    real_living_wage: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )
    living_wage_rate_pence: Mapped[int | None] = mapped_column(sa.Integer)
    living_wage_rate_year: Mapped[str | None] = mapped_column(sa.String(10))
    living_wage_london: Mapped[bool | None] = mapped_column(sa.Boolean)
    entered_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    # Social value returns: monthly or quarterly (lots.awards.returns); empty on contracts
    # entered before returns existed, until the buyer sets it.
    reporting_frequency: Mapped[ReportingFrequency | None] = mapped_column(
        string_enum(ReportingFrequency, "reporting_frequency", 20), nullable=True
    )

    opportunity = relationship("Opportunity")
    buyer = relationship("Organisation", foreign_keys=[buyer_id])
    supplier = relationship("Organisation", foreign_keys=[supplier_id])
    commitments = relationship(
        "SocialValueCommitment", back_populates="contract", order_by="SocialValueCommitment.id"
    )
    returns = relationship(
        "SocialValueReturn", back_populates="contract", order_by="SocialValueReturn.period_start"
    )


class SocialValueCommitment(db.Model):
    """What the winner promised in its bid, per measure, with the measure's value type and
    aggregation as they were when the contract was entered (``app.reference.social_value``)."""

    __tablename__ = "social_value_commitments"
    __table_args__ = (
        sa.UniqueConstraint("contract_id", "measure_id"),
        sa.CheckConstraint(
            "value_type IS NULL OR value_type IN ('count', 'money', 'decimal', 'percentage')",
            name="value_type_known",
        ),
        sa.CheckConstraint(
            "aggregation IS NULL OR aggregation IN ('sum', 'latest', 'average', 'maximum')",
            name="aggregation_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contracts.id"), index=True)
    # A measure a contract uses can never be deleted (retired instead).
    measure_id: Mapped[str] = mapped_column(sa.ForeignKey("social_value_measures.id"))
    promised: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))
    # Frozen at entry; empty on contracts entered before measures had them (the data file's
    # values apply).
    value_type: Mapped[str | None] = mapped_column(sa.String(20))
    aggregation: Mapped[str | None] = mapped_column(sa.String(20))

    contract = relationship("Contract", back_populates="commitments")
    deliveries = relationship(
        "SocialValueDelivery",
        back_populates="commitment",
        order_by="SocialValueDelivery.period_start",
    )

    @property
    def measure(self):
        """The measure, with this contract's frozen value type and aggregation."""
        known = social_value.get(self.measure_id) or social_value.Measure(
            self.measure_id, self.measure_id, "", "", "decimal", "sum"
        )
        return dataclasses.replace(
            known,
            value_type=self.value_type or known.value_type,
            aggregation=self.aggregation or known.aggregation,
        )


class SocialValueDelivery(db.Model):
    """What the buyer recorded as delivered against a commitment, per period."""

    __tablename__ = "social_value_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("commitment_id", "period_start"),
        sa.CheckConstraint("period_end >= period_start", name="period_in_order"),
        sa.CheckConstraint("delivered >= 0", name="delivered_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("social_value_commitments.id"), index=True
    )
    period_start = mapped_column(sa.Date, nullable=False)
    period_end = mapped_column(sa.Date, nullable=False)
    delivered: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))
    note: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    # The supplier's return it came from, when the buyer accepted one (else typed by the buyer).
    return_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("social_value_returns.id"), nullable=True, index=True
    )

    commitment = relationship("SocialValueCommitment", back_populates="deliveries")


class SocialValueFigures(db.Model):
    """What a commitment's delivery records come to, kept in step with them
    (``lots.awards.figures``) so that reports across thousands of contracts read one row per
    commitment rather than every period: to date and per quarter by the measure's own rule, and
    where it landed. Amounts are strings of decimals in the JSON columns."""

    __tablename__ = "social_value_figures"

    commitment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("social_value_commitments.id", ondelete="CASCADE"), primary_key=True
    )
    # Exact (a share of people over three sectors is a third): decimals as text, None for a
    # level with nothing recorded yet.
    delivered: Mapped[str | None] = mapped_column(sa.String(60), nullable=True)
    periods: Mapped[int] = mapped_column(sa.Integer, default=0)
    # [[financial year, quarter, amount]] in quarter order
    quarters: Mapped[list] = mapped_column(sa.JSON, default=list)
    landing: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # {part: amount}
    councils: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # {council name: amount}


class SocialValueSum(db.Model):
    """The figures of a buyer's commitments to one measure added together, kept in step with
    ``SocialValueFigures`` in the same transaction (``lots.awards.figures``), so that a place's
    page and the operator's dashboard read a row per buyer, measure and quarter (or part of
    where it landed, or council) rather than a row per commitment.

    Each row is a plain sum and how many commitments had a figure in it (``n``): contracts'
    figures for a measure are put together by adding them, or for a percentage by averaging
    them (``social_value.combine_total``), and both follow exactly from a sum and a count. What
    is summed are the commitments' own figures, each already worked out over its periods by the
    measure's rule (a snapshot is never summed across periods). ``dimension`` is one of
    ``commitments`` (n only), ``promised``, ``delivered``, ``quarter`` (key ``YYYY-Q``, the
    financial year), ``landing`` (key: the part) or ``council`` (key: its name). Amounts are
    exact decimals as text (a third of a person over three sectors has 27 places)."""

    __tablename__ = "social_value_sums"

    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), primary_key=True)
    measure_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    dimension: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    amount: Mapped[str] = mapped_column(sa.Text, default="0")
    n: Mapped[int] = mapped_column(sa.Integer, default=0)


class SocialValueCoverage(db.Model):
    """Per buyer and measure: its commitments, how many of them have stored figures, and a
    stamp that changes with any change to them, their figures or their sums. Kept by triggers
    (migration 0035_sv4), whatever writes the rows; read by ``insight.reports`` to know whether
    the sums cover every commitment, and as the key of what it worked out from them."""

    __tablename__ = "social_value_coverage"

    buyer_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    measure_id: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    commitments: Mapped[int] = mapped_column(sa.Integer, default=0)
    figured: Mapped[int] = mapped_column(sa.Integer, default=0)
    stamp: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class SocialValueReturnStamp(db.Model):
    """Per buyer, a stamp that changes with any change to its contracts' returns or its numbers
    of accepted returns (triggers, migration 0035_sv4): what the operator's dashboard counted
    by where they stand on a day is kept under the stamps it read (``insight.reports``)."""

    __tablename__ = "social_value_return_stamps"

    buyer_id: Mapped[int] = mapped_column(sa.Integer, primary_key=True)
    stamp: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class SocialValueReturnCount(db.Model):
    """How many of a buyer's returns from a supplier have been accepted, counted as each is
    (``lots.awards.figures.count_accepted``, in the transaction that accepts it): acceptance is
    final, so this only grows, and dashboards read it instead of counting every return."""

    __tablename__ = "social_value_return_counts"

    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), primary_key=True)
    supplier_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), primary_key=True)
    accepted: Mapped[int] = mapped_column(sa.Integer, default=0)


class SocialValueReturn(db.Model):
    """One reporting period of a contract: the supplier reports what it delivered against each
    commitment, with evidence; the buyer accepts it or queries it. Its accepted figures become
    the contract's delivery records (``SocialValueDelivery.return_id``)."""

    __tablename__ = "social_value_returns"
    __table_args__ = (
        sa.UniqueConstraint("contract_id", "period_start"),
        sa.CheckConstraint("period_end >= period_start", name="period_in_order"),
        sa.CheckConstraint("due_on > period_end", name="due_after_period"),
        sa.CheckConstraint(
            "(status = 'accepted') = (accepted_at IS NOT NULL)", name="accepted_has_time"
        ),
        sa.CheckConstraint(
            "status <> 'queried' OR query_reason IS NOT NULL", name="queried_has_reason"
        ),
        sa.CheckConstraint(
            "status = 'awaiting' OR submitted_at IS NOT NULL", name="submitted_has_time"
        ),
        # The returns still moving (not accepted, which is final): the dashboards count these
        # by where they stand from this index alone, and read the accepted ones' number from
        # ``SocialValueReturnCount``.
        sa.Index(
            "ix_social_value_returns_open",
            "status",
            "period_end",
            "due_on",
            "contract_id",
            postgresql_where=sa.text("status <> 'accepted'"),
            sqlite_where=sa.text("status <> 'accepted'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contracts.id"), index=True)
    period_start = mapped_column(sa.Date, nullable=False)
    period_end = mapped_column(sa.Date, nullable=False)
    due_on = mapped_column(sa.Date, nullable=False)
    status: Mapped[ReturnStatus] = mapped_column(
        string_enum(ReturnStatus, "return_status", 20), default=ReturnStatus.AWAITING
    )
    note: Mapped[str | None] = mapped_column(sa.Text)
    # Evidence uploaded through the documents library, owned by the supplier.
    evidence_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    submissions: Mapped[int] = mapped_column(sa.Integer, default=0)
    submitted_at = mapped_column(UTCDateTime(), nullable=True)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    query_reason: Mapped[str | None] = mapped_column(sa.Text)
    queried_at = mapped_column(UTCDateTime(), nullable=True)
    queried_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    accepted_at = mapped_column(UTCDateTime(), nullable=True)
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # When the supplier was told the return is due, and both sides that it is overdue.
    reminded_at = mapped_column(UTCDateTime(), nullable=True)
    overdue_flagged_at = mapped_column(UTCDateTime(), nullable=True)

    contract = relationship("Contract", back_populates="returns")
    lines = relationship(
        "SocialValueReturnLine",
        back_populates="return_",
        order_by="SocialValueReturnLine.commitment_id",
        cascade="all, delete-orphan",
    )


class SocialValueReturnLine(db.Model):
    """What a return says was delivered against one commitment in its period. For measures that
    count people where they live, their home postcode sectors ("LS6 1"), never a full postcode
    or address."""

    __tablename__ = "social_value_return_lines"
    __table_args__ = (
        sa.UniqueConstraint("return_id", "commitment_id"),
        sa.CheckConstraint("value >= 0", name="value_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(sa.ForeignKey("social_value_returns.id"), index=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("social_value_commitments.id"))
    value: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))
    postcode_sectors: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Where the benefit fell, when the supplier says: a council (mySociety's code). People
    # counted where they live are placed by their postcode sectors instead.
    local_authority_code: Mapped[str | None] = mapped_column(sa.String(10))

    return_ = relationship("SocialValueReturn", back_populates="lines")
    commitment = relationship("SocialValueCommitment")


class ExpiryReason(enum.StrEnum):
    CONTRACT_ENDED = "contract_ended"  # the contract's end date
    CANCELLED = "cancelled"  # the call-off was cancelled
    NO_SUITABLE_BID = "no_suitable_bid"  # it closed without award


class RecordsExpiry(db.Model):
    """A call-off whose records passed their retention period (RECORDS_RETENTION_YEARS after
    the contract ended, or after it closed without award), and what was done: the personal data
    in its records erased and the documents of its unsuccessful bids deleted. One per call-off,
    so the job that writes it does it once."""

    __tablename__ = "records_expiries"

    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunities.id"), primary_key=True)
    reason: Mapped[ExpiryReason] = mapped_column(string_enum(ExpiryReason, "expiry_reason", 20))
    ended_on = mapped_column(sa.Date, nullable=False)  # the contract's end, or the closing day
    expired_at = mapped_column(UTCDateTime(), nullable=False)
    # What was done, in counts: {"audit_events": 12, "documents_deleted": 2, ...}.
    summary: Mapped[dict] = mapped_column(sa.JSON, default=dict)


class EvidenceStatus(enum.StrEnum):
    REQUESTED = "requested"  # the preferred bidder has been asked; nothing given yet
    GIVEN = "given"  # documents given; the buyer has not yet checked them
    ACCEPTED = "accepted"  # the buyer checked them: the award may be confirmed
    NOT_GIVEN = "not_given"  # not given in time (or not adequate): the buyer moved on


class EvidenceRequest(db.Model):
    """A call-off that asked bidders only to declare asks its preferred bidder alone for the
    documents before award, by a deadline (``lots.awards.evidence``)."""

    __tablename__ = "winner_evidence_requests"
    __table_args__ = (
        sa.UniqueConstraint("opportunity_id", "bid_id"),
        sa.CheckConstraint(
            "status = 'requested' OR status = 'not_given' OR given_at IS NOT NULL",
            name="given_time",
        ),
        sa.CheckConstraint(
            "status <> 'not_given' OR reason IS NOT NULL", name="not_given_has_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunities.id"), index=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id"), index=True)
    status: Mapped[EvidenceStatus] = mapped_column(
        string_enum(EvidenceStatus, "evidence_status", 20), default=EvidenceStatus.REQUESTED
    )
    asked: Mapped[list] = mapped_column(sa.JSON, default=list)  # EvidenceKind values
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    requested_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    due_at = mapped_column(UTCDateTime(), nullable=False)
    document_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    note: Mapped[str | None] = mapped_column(sa.Text)  # the supplier's covering note
    given_at = mapped_column(UTCDateTime(), nullable=True)
    given_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at = mapped_column(UTCDateTime(), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.Text)

    bid = relationship("Bid", foreign_keys=[bid_id])


class WishPledge(db.Model):
    """A winning bidder's pledge against a community wish (``app.places``), made in its bid and
    part of the contract's commitment for the wish's measure. The group that posted the wish
    confirms when it is delivered."""

    __tablename__ = "wish_pledges"
    __table_args__ = (
        sa.UniqueConstraint("wish_id", "contract_id"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint(
            "(delivered_at IS NULL) = (confirmed_by_id IS NULL)", name="delivery_confirmed_by"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wish_id: Mapped[int] = mapped_column(sa.ForeignKey("wishes.id"), index=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contracts.id"), index=True)
    commitment_id: Mapped[int] = mapped_column(sa.ForeignKey("social_value_commitments.id"))
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))
    pledged_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    delivered_at = mapped_column(UTCDateTime(), nullable=True)
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    delivery_note: Mapped[str | None] = mapped_column(sa.Text)

    wish = relationship("Wish")
    contract = relationship("Contract")
    commitment = relationship("SocialValueCommitment")
