"""Evaluating the bids of a closed opportunity: who evaluates (and their conflict declarations),
the bids excluded at the pass/fail stage, each evaluator's independent scores, the moderated
consensus, and abnormally low prices cleared with a reason."""

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow
from app.types import UTCDateTime, string_enum


class Evaluation(db.Model):
    """One per opportunity, made when its bids are opened after the deadline."""

    __tablename__ = "evaluations"

    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunities.id"), primary_key=True)
    opened_at = mapped_column(UTCDateTime(), nullable=False)
    opened_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    # A price this many per cent below the mean of the others is flagged as possibly abnormally low.
    abnormally_low_percent: Mapped[int] = mapped_column(sa.Integer, default=30)
    scale_max: Mapped[int] = mapped_column(sa.Integer, default=4)


class Declaration(enum.StrEnum):
    PENDING = "pending"
    NO_CONFLICT = "no_conflict"
    CONFLICT = "conflict"  # excluded from the evaluation


class EvaluatorAssignment(db.Model):
    __tablename__ = "evaluator_assignments"
    __table_args__ = (
        sa.UniqueConstraint("opportunity_id", "user_id"),
        sa.CheckConstraint(
            "declaration = 'pending' OR declared_at IS NOT NULL", name="declared_time"
        ),
        sa.CheckConstraint(
            "declaration <> 'conflict' OR conflict_details IS NOT NULL", name="conflict_details"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunities.id"), index=True)
    # The evaluator; erased when the call-off's records expire (lots.awards.retention).
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    is_moderator: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    assigned_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    assigned_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    declaration: Mapped[Declaration] = mapped_column(
        string_enum(Declaration, "conflict_declaration", 20), default=Declaration.PENDING
    )
    conflict_details: Mapped[str | None] = mapped_column(sa.Text)
    declared_at = mapped_column(UTCDateTime(), nullable=True)
    scores_submitted_at = mapped_column(UTCDateTime(), nullable=True)

    user = relationship("User", foreign_keys=[user_id])


class BidExclusion(db.Model):
    """A bid that failed a pass/fail question (or was otherwise found non-compliant)."""

    __tablename__ = "bid_exclusions"

    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    automatic: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class Score(db.Model):
    """One evaluator's score and comment for one answer of one bid."""

    __tablename__ = "evaluation_scores"
    __table_args__ = (
        sa.UniqueConstraint("assignment_id", "bid_id", "question_id"),
        sa.CheckConstraint("score >= 0", name="score_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("evaluator_assignments.id", ondelete="CASCADE"), index=True
    )
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunity_questions.id"))
    score: Mapped[int] = mapped_column(sa.Integer)
    comment: Mapped[str] = mapped_column(sa.Text)
    scored_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class ConsensusScore(db.Model):
    """The moderator's agreed score and reason: the one that counts."""

    __tablename__ = "consensus_scores"
    __table_args__ = (
        sa.UniqueConstraint("bid_id", "question_id"),
        sa.CheckConstraint("score >= 0", name="score_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("opportunity_questions.id"))
    score: Mapped[int] = mapped_column(sa.Integer)
    reason: Mapped[str] = mapped_column(sa.Text)
    moderated_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    moderated_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class PriceClearance(db.Model):
    """A possibly abnormally low price, cleared with the reason recorded (required before award)."""

    __tablename__ = "price_clearances"

    bid_id: Mapped[int] = mapped_column(sa.ForeignKey("bids.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(sa.Text)
    cleared_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    cleared_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
