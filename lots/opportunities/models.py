"""Lots' categories and areas, buyers, and opportunities (call-offs) with their invitations,
amendments and clarification questions."""

import enum

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow
from app.types import UTCDateTime, string_enum
from dps.models import Category


class AreaType(enum.StrEnum):
    NATIONAL = "national"
    REGION = "region"
    LOCAL_AUTHORITY = "local_authority"


class LotCpvCode(db.Model):
    __tablename__ = "lot_cpv_codes"

    lot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lots.id", ondelete="CASCADE"), primary_key=True
    )
    cpv_code: Mapped[str] = mapped_column(sa.String(10), primary_key=True)


class LotArea(db.Model):
    __tablename__ = "lot_areas"
    __table_args__ = (
        sa.CheckConstraint("(area_type = 'national') = (code = 'UK')", name="national_code"),
    )

    lot_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lots.id", ondelete="CASCADE"), primary_key=True
    )
    area_type: Mapped[AreaType] = mapped_column(
        string_enum(AreaType, "lot_area_type", 30), primary_key=True
    )
    code: Mapped[str] = mapped_column(sa.String(10), primary_key=True)


class BuyerStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class BuyerProfile(db.Model):
    """A buyer organisation's standing: an administrator approves it before it can publish."""

    __tablename__ = "buyer_profiles"
    __table_args__ = (
        sa.CheckConstraint("status = 'pending' OR decided_at IS NOT NULL", name="decided_time"),
    )

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id"), primary_key=True
    )
    status: Mapped[BuyerStatus] = mapped_column(
        string_enum(BuyerStatus, "buyer_status", 30), default=BuyerStatus.PENDING
    )
    contact_name: Mapped[str] = mapped_column(sa.String(200))
    contact_email: Mapped[str] = mapped_column(sa.String(320))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    # Whether drafts need an approver's sign-off before they can be published.
    requires_approval: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    requested_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    decided_at = mapped_column(UTCDateTime(), nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(sa.Text)

    organisation = relationship("Organisation")


class BuyerRoleName(enum.StrEnum):
    BUYER = "buyer"  # drafts and publishes opportunities
    EVALUATOR = "evaluator"  # scores bids
    APPROVER = "approver"  # approves drafts and award decisions


class BuyerRole(db.Model):
    """Extra roles a member of a buyer organisation holds (on top of owner or member)."""

    __tablename__ = "buyer_roles"
    __table_args__ = (sa.UniqueConstraint("membership_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    membership_id: Mapped[int] = mapped_column(
        sa.ForeignKey("memberships.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[BuyerRoleName] = mapped_column(string_enum(BuyerRoleName, "buyer_role_name", 20))


class DpsBuyer(db.Model):
    """A buyer organisation that has joined a DPS and may publish under its lots."""

    __tablename__ = "dps_buyers"
    __table_args__ = (sa.UniqueConstraint("dps_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dps_id: Mapped[int] = mapped_column(sa.ForeignKey("dps.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    joined_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class OpportunityKind(enum.StrEnum):
    MINI_COMPETITION = "mini_competition"
    QUICK_QUOTE = "quick_quote"


class OpportunityStatus(enum.StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    PUBLISHED = "published"  # open until the deadline, then closed (derived from the deadline)
    AWARDED = "awarded"
    CANCELLED = "cancelled"
    NO_SUITABLE_BID = "no_suitable_bid"


# Holds every open opportunity (and those closed since the closing job last ran): the predicate
# of the open set's partial indexes, which search adds to its "open" filter (written there as
# SQLAlchemy expressions: lots.search.queries._OPEN_SET).
OPEN_SET = sa.text("status = 'published' AND closed_recorded_at IS NULL")

# What anyone may see: everything but drafts and call-offs waiting for approval.
PUBLIC_STATUSES = (
    OpportunityStatus.PUBLISHED,
    OpportunityStatus.AWARDED,
    OpportunityStatus.CANCELLED,
    OpportunityStatus.NO_SUITABLE_BID,
)


class LocationType(enum.StrEnum):
    NATIONAL = "national"
    REGION = "region"
    LOCAL_AUTHORITY = "local_authority"


class Opportunity(db.Model):
    __tablename__ = "opportunities"
    __table_args__ = (
        # The lot must belong to the opportunity's DPS.
        sa.ForeignKeyConstraint(
            ["dps_id", "lot_id"], ["lots.dps_id", "lots.id"], name="fk_opportunities_dps_lot"
        ),
        sa.CheckConstraint(
            "price_weight + quality_weight + social_value_weight = 100", name="weights_sum_100"
        ),
        sa.CheckConstraint(
            "price_weight >= 0 AND quality_weight >= 0 AND social_value_weight >= 0",
            name="weights_positive",
        ),
        sa.CheckConstraint("estimated_value_pence > 0", name="value_positive"),
        sa.CheckConstraint("score_scale_max BETWEEN 1 AND 10", name="score_scale_range"),
        sa.CheckConstraint("abnormally_low_percent BETWEEN 1 AND 99", name="abnormally_low_range"),
        sa.CheckConstraint(
            "question_deadline IS NULL OR submission_deadline IS NULL OR "
            "question_deadline < submission_deadline",
            name="questions_first",
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'awaiting_approval', 'approved', 'cancelled') "
            "OR published_at IS NOT NULL",
            name="published_time",
        ),
        sa.CheckConstraint(
            "status <> 'cancelled' OR cancel_reason IS NOT NULL", name="cancel_reason"
        ),
        # This product's policy: payment within 30 days at most (lots.opportunities.conditions).
        sa.CheckConstraint(
            "payment_terms_days BETWEEN 1 AND 30", name="payment_terms_at_most_30_days"
        ),
        sa.CheckConstraint(
            "published_at IS NULL OR NOT real_living_wage OR living_wage_rate_pence IS NOT NULL",
            name="living_wage_rate_frozen",
        ),
        sa.Index("ix_opportunities_status_deadline", "status", "submission_deadline"),
        # Search listings: closed or all by closing date; a region's open ones; national ones.
        sa.Index("ix_opportunities_submission_deadline", "submission_deadline", "id"),
        sa.Index("ix_opportunities_region_open", "region_code", "status", "submission_deadline"),
        sa.Index(
            "ix_opportunities_national_open",
            "status",
            "submission_deadline",
            postgresql_where=sa.text("location_type = 'national'"),
            sqlite_where=sa.text("location_type = 'national'"),
        ),
        # The open set (migration 0021): published and not yet marked closed, by closing date.
        # (Its GIN index of words is PostgreSQL's only, listed in app/dbschema.py.)
        sa.Index(
            "ix_opportunities_open_deadline",
            "submission_deadline",
            "id",
            postgresql_where=OPEN_SET,
            sqlite_where=OPEN_SET,
        ),
        # Sorting by value (migration 0029): a word in most notices finds its page by walking
        # this in order rather than sorting every match (at 1,000,000, 1 s down to 9-170 ms).
        sa.Index("ix_opportunities_value", "estimated_value_pence", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str | None] = mapped_column(sa.String(30), unique=True)
    kind: Mapped[OpportunityKind] = mapped_column(
        string_enum(OpportunityKind, "opportunity_kind", 30)
    )
    status: Mapped[OpportunityStatus] = mapped_column(
        string_enum(OpportunityStatus, "opportunity_status", 30), default=OpportunityStatus.DRAFT
    )
    dps_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    lot_id: Mapped[int] = mapped_column(sa.Integer, index=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(600))
    description: Mapped[str] = mapped_column(sa.Text)
    estimated_value_pence: Mapped[int] = mapped_column(sa.BigInteger)
    contract_start = mapped_column(sa.Date, nullable=True)
    contract_months: Mapped[int | None] = mapped_column(sa.Integer)
    location_type: Mapped[LocationType] = mapped_column(
        string_enum(LocationType, "location_type", 30), default=LocationType.NATIONAL
    )
    location_code: Mapped[str | None] = mapped_column(sa.String(10))
    region_code: Mapped[str | None] = mapped_column(sa.String(10), index=True)  # for filters
    # A below-threshold call-off may be reserved even if its lot is not.
    reserved_vcse: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    reserved_sme: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    reserved_area_code: Mapped[str | None] = mapped_column(sa.String(10))
    # Goods, services or works: set from the lot, and it picks the threshold.
    category: Mapped[Category] = mapped_column(
        string_enum(Category, "procurement_category", 20), default=Category.SERVICES
    )
    # The reservation's basis in law (ReservationBasis values), recorded when it is published.
    reservation_bases: Mapped[list] = mapped_column(sa.JSON, default=list)
    price_weight: Mapped[int] = mapped_column(sa.Integer, default=50)
    quality_weight: Mapped[int] = mapped_column(sa.Integer, default=40)
    social_value_weight: Mapped[int] = mapped_column(sa.Integer, default=10)
    # One total price (empty) or lines: [{"description", "unit", "quantity"}].
    price_schedule: Mapped[list] = mapped_column(sa.JSON, default=list)
    social_value_measures: Mapped[list] = mapped_column(sa.JSON, default=list)
    tie_break: Mapped[str] = mapped_column(sa.String(20), default="quality")
    # Published with the criteria and frozen with them: answers are scored from 0 to this, and a
    # price this many per cent below the mean of the others is flagged as abnormally low. Set
    # from configuration when the draft is made; evaluation reads these, never configuration.
    score_scale_max: Mapped[int] = mapped_column(sa.Integer, default=5, server_default="5")
    abnormally_low_percent: Mapped[int] = mapped_column(sa.Integer, default=30, server_default="30")
    contact_name: Mapped[str | None] = mapped_column(sa.String(200))
    contact_email: Mapped[str | None] = mapped_column(sa.String(320))
    question_deadline = mapped_column(UTCDateTime(), nullable=True)
    submission_deadline = mapped_column(UTCDateTime(), nullable=True)
    voluntary_standstill: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # Contract conditions (lots.opportunities.conditions): the Real Living Wage rate is the one
    # in force at publication, for London or the UK, written when it is published.
    payment_terms_days: Mapped[int] = mapped_column(
        sa.Integer, default=30, server_default=sa.text("30")
    )
    real_living_wage: Mapped[bool] = mapped_column(
        sa.Boolean, default=False, server_default=sa.false()
    )
    living_wage_rate_pence: Mapped[int | None] = mapped_column(sa.Integer)
    living_wage_rate_year: Mapped[str | None] = mapped_column(sa.String(10))
    living_wage_london: Mapped[bool | None] = mapped_column(sa.Boolean)
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    approved_at = mapped_column(UTCDateTime(), nullable=True)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    published_at = mapped_column(UTCDateTime(), nullable=True, index=True)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    cancelled_at = mapped_column(UTCDateTime(), nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    closed_recorded_at = mapped_column(UTCDateTime(), nullable=True)  # the closing job's mark
    invitations_sent_at = mapped_column(UTCDateTime(), nullable=True)  # the fan-out finished
    buyer_name: Mapped[str | None] = mapped_column(sa.String(300))  # kept for search

    lot = relationship(
        "Lot", foreign_keys=[lot_id], primaryjoin="Opportunity.lot_id == Lot.id", viewonly=True
    )
    dps = relationship(
        "Dps", foreign_keys=[dps_id], primaryjoin="Opportunity.dps_id == Dps.id", viewonly=True
    )
    buyer = relationship("Organisation", foreign_keys=[buyer_id])
    questions = relationship(
        "OpportunityQuestion",
        back_populates="opportunity",
        order_by="OpportunityQuestion.position",
        cascade="all, delete-orphan",
    )
    amendments = relationship(
        "OpportunityAmendment", back_populates="opportunity", order_by="OpportunityAmendment.id"
    )

    @hybrid_property
    def deadline_passed(self):
        """The deadline for bids has passed, by the app's clock: the one rule that queries, the
        seal on bids and pages all use (the database's own clock decides a bid's COMMIT)."""
        return self.submission_deadline is not None and self.submission_deadline <= utcnow()

    @deadline_passed.inplace.expression
    @classmethod
    def _deadline_passed_expression(cls):
        # The app's clock, as the Python side uses, so a list and a page never disagree.
        return cls.deadline_passed_at(sa.literal(utcnow(), UTCDateTime()))

    @classmethod
    def deadline_passed_at(cls, now):
        """SQL: ``deadline_passed``'s rule at a moment the caller fixes (the scheduled job that
        records closing passes its own)."""
        return sa.and_(cls.submission_deadline.is_not(None), cls.submission_deadline <= now)

    @hybrid_property
    def is_open(self):
        """Published and before its deadline: statuses follow from the deadline, not a job."""
        return (
            self.status == OpportunityStatus.PUBLISHED
            and self.submission_deadline is not None
            and not self.deadline_passed
        )

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls):
        return sa.and_(
            cls.status == OpportunityStatus.PUBLISHED,
            cls.submission_deadline.is_not(None),
            sa.not_(cls.deadline_passed),
        )

    @classmethod
    def open_at(cls, now):
        """SQL: ``is_open``'s rule at a moment the caller fixes (search keeps the moment its
        cached results were made): published, and the deadline (never empty once published)
        after ``now``, so written that the indexes on (status, deadline) serve it."""
        return sa.and_(cls.status == OpportunityStatus.PUBLISHED, cls.submission_deadline > now)

    @property
    def display_status(self):
        if self.status == OpportunityStatus.PUBLISHED:
            return "open" if self.is_open else "closed"
        return self.status.value


class QuestionKind(enum.StrEnum):
    QUALITY = "quality"
    SOCIAL_VALUE = "social_value"
    PASS_FAIL = "pass_fail"


class QuestionAbout(enum.StrEnum):
    """What a pass/fail question tests: the bid, or the supplier itself (a selection stage,
    which a call-off below the threshold may not have, except for works)."""

    BID = "bid"
    SUPPLIER = "supplier"


QUESTION_ABOUT_LABELS = {
    QuestionAbout.BID: "About the bid, like ‘Will you deliver in Leeds?’",
    QuestionAbout.SUPPLIER: "About the supplier, like ‘Do you hold ISO 9001?’ (a selection "
    "question)",
}


class OpportunityQuestion(db.Model):
    __tablename__ = "opportunity_questions"
    __table_args__ = (
        sa.UniqueConstraint("opportunity_id", "position"),
        sa.CheckConstraint("(kind = 'pass_fail') = (weight IS NULL)", name="weight_for_scored"),
        sa.CheckConstraint("kind = 'pass_fail' OR about = 'bid'", name="about_supplier_pass_fail"),
        sa.CheckConstraint(
            "word_limit IS NULL OR word_limit BETWEEN 10 AND 5000", name="word_limit_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("opportunities.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(sa.Integer)
    kind: Mapped[QuestionKind] = mapped_column(string_enum(QuestionKind, "question_kind", 20))
    about: Mapped[QuestionAbout] = mapped_column(
        string_enum(QuestionAbout, "question_about", 20), default=QuestionAbout.BID
    )
    text: Mapped[str] = mapped_column(sa.Text)
    guidance: Mapped[str | None] = mapped_column(sa.Text)
    word_limit: Mapped[int | None] = mapped_column(sa.Integer)
    weight: Mapped[int | None] = mapped_column(sa.Integer)  # percentage points of the total

    opportunity = relationship("Opportunity", back_populates="questions")


class OpportunityAmendment(db.Model):
    """A change to a published opportunity, listed with its date on the page."""

    __tablename__ = "opportunity_amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunities.id"), index=True)
    made_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    made_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    summary: Mapped[str] = mapped_column(sa.Text)
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # A tender document replaced by this amendment, and its replacement. The old one stays on
    # record (locked, readable by whoever could read it); lists show only the replacement.
    replaced_document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"))
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"))

    opportunity = relationship("Opportunity", back_populates="amendments")
    replaced_document = relationship("Document", foreign_keys=[replaced_document_id])
    document = relationship("Document", foreign_keys=[document_id])


class Invitation(db.Model):
    """A supplier invited to an opportunity: every admitted, not suspended, eligible supplier of
    the lot when it is published, and anyone admitted later while it is open."""

    __tablename__ = "opportunity_invitations"
    __table_args__ = (sa.UniqueConstraint("opportunity_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunities.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    invited_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    via: Mapped[str] = mapped_column(sa.String(20))  # "publish" or "late_admission"


class ClarificationQuestion(db.Model):
    """A supplier's question about an opportunity; the buyer's answer goes to every invited
    supplier without saying who asked, or privately when it concerns that supplier only."""

    __tablename__ = "opportunity_clarifications"
    __table_args__ = (
        sa.CheckConstraint("answer IS NULL OR answered_at IS NOT NULL", name="answered_time"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunities.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    # Who asked; erased when the call-off's records expire (lots.awards.retention).
    asked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    asked_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    question: Mapped[str] = mapped_column(sa.Text)
    answer: Mapped[str | None] = mapped_column(sa.Text)
    answered_at = mapped_column(UTCDateTime(), nullable=True)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    public: Mapped[bool | None] = mapped_column(sa.Boolean)

    opportunity = relationship("Opportunity")
