"""The seal on bids: nobody at the buyer (administrators included) learns anything about the
bids, not even how many there are, before the deadline.

The deadline is a condition of every query here, so a page or report that reads bids through
this module cannot reveal them early whatever its template does. Opening them after the deadline
is an audited event (``open_bids``), and evaluation starts from it.
"""

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.timeutil import utcnow
from app.unitofwork import commit
from lots.bids.models import Bid, BidStatus, BidSubmission
from lots.evaluation.models import BidExclusion, Evaluation
from lots.evaluation.permissions import require_role
from lots.opportunities.models import (
    Opportunity,
    OpportunityQuestion,
    OpportunityStatus,
    QuestionKind,
)

SEALED = "Bids stay sealed until the deadline has passed"


def after_deadline():
    """SQL: the opportunity was published and its deadline has passed (``deadline_passed``)."""
    return sa.and_(
        Opportunity.deadline_passed,
        Opportunity.status.in_(
            (
                OpportunityStatus.PUBLISHED,
                OpportunityStatus.AWARDED,
                OpportunityStatus.NO_SUITABLE_BID,
                OpportunityStatus.CANCELLED,
            )
        ),
    )


def submitted_bids_query(opportunity_id):
    """The submitted bids of an opportunity, and nothing at all before its deadline."""
    return (
        sa.select(Bid)
        .join(Opportunity, Opportunity.id == Bid.opportunity_id)
        .where(
            Bid.opportunity_id == opportunity_id,
            Bid.status == BidStatus.SUBMITTED,
            Bid.current_submission_id.is_not(None),
            after_deadline(),
        )
        .order_by(Bid.id)
    )


def submitted_bids(opportunity_id):
    return db.session.execute(submitted_bids_query(opportunity_id)).scalars().all()


def bid_count(opportunity_id):
    """How many bids were submitted; None while the seal holds (not zero: zero would tell)."""
    if _sealed(opportunity_id):
        return None
    return db.session.execute(
        sa.select(sa.func.count()).select_from(submitted_bids_query(opportunity_id).subquery())
    ).scalar()


def submission_for(bid_id):
    """A bid's current submission, only once the seal is broken."""
    return db.session.execute(
        sa.select(BidSubmission)
        .join(Bid, Bid.current_submission_id == BidSubmission.id)
        .join(Opportunity, Opportunity.id == Bid.opportunity_id)
        .where(Bid.id == bid_id, Bid.status == BidStatus.SUBMITTED, after_deadline())
    ).scalar_one_or_none()


def is_sealed(opportunity):
    return _sealed(opportunity.id)


def _sealed(opportunity_id):
    return (
        db.session.execute(
            sa.select(sa.literal(1))
            .select_from(Opportunity)
            .where(Opportunity.id == opportunity_id, after_deadline())
        ).first()
        is None
    )


def evaluation_of(opportunity_id):
    return db.session.get(Evaluation, opportunity_id)


def open_bids(user, opportunity):
    """Break the seal: audited, once. Bids that answered "no" to a pass/fail question are
    excluded at once, with the question as the reason. The scoring scale and the abnormally low
    percentage are the ones the call-off published, never today's configuration."""
    require_role(user, opportunity, "buyer", "You need the buyer role to open the bids")
    if is_sealed(opportunity):
        raise ServiceError(SEALED)
    existing = evaluation_of(opportunity.id)
    if existing is not None:
        return existing
    evaluation = Evaluation(
        opportunity_id=opportunity.id,
        opened_at=utcnow(),
        opened_by_id=user.id,
        abnormally_low_percent=opportunity.abnormally_low_percent,
        scale_max=opportunity.score_scale_max,
    )
    db.session.add(evaluation)
    bids = submitted_bids(opportunity.id)
    pass_fail = (
        db.session.execute(
            sa.select(OpportunityQuestion).where(
                OpportunityQuestion.opportunity_id == opportunity.id,
                OpportunityQuestion.kind == QuestionKind.PASS_FAIL,
            )
        )
        .scalars()
        .all()
    )
    excluded = []
    for bid in bids:
        answers = submission_for(bid.id).snapshot.get("pass_fail", {})
        failed = [q.text for q in pass_fail if answers.get(str(q.id)) != "yes"]
        if failed:
            db.session.add(
                BidExclusion(
                    bid_id=bid.id,
                    automatic=True,
                    decided_at=utcnow(),
                    reason="Failed a pass/fail question: " + "; ".join(failed),
                )
            )
            excluded.append(bid.id)
    record(
        E.OPEN_BIDS,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"bids": len(bids), "excluded_at_pass_fail": excluded},
    )
    commit()
    return evaluation
