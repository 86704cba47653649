"""Evaluating opened bids: evaluators and their conflict declarations, and the bids excluded at
the pass/fail stage (or reinstated). Each evaluator's scores and the moderation are in
``lots.evaluation.scores``; abnormally low prices and the ranked result in
``lots.evaluation.results``.

Who may do what is decided in ``lots.evaluation.permissions``: an evaluator sees bids only after
declaring no conflict, and sees colleagues' scores only once every evaluator without a conflict
has submitted theirs.
"""

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.timeutil import utcnow
from app.unitofwork import commit
from lots.bids.models import Bid
from lots.evaluation import hooks
from lots.evaluation.models import BidExclusion, Declaration, EvaluatorAssignment, Score
from lots.evaluation.permissions import (
    assignment_for,
    may_evaluate,
    require_manager,
    require_opened,
)
from lots.evaluation.sealing import submitted_bids
from lots.opportunities.models import OpportunityQuestion, QuestionKind


def require_not_awarded(opportunity):
    if hooks.award_of(opportunity.id) is not None:
        raise ServiceError("The award has been proposed, so the evaluation can no longer change")


def scored_questions(opportunity_id):
    return (
        db.session.execute(
            sa.select(OpportunityQuestion)
            .where(
                OpportunityQuestion.opportunity_id == opportunity_id,
                OpportunityQuestion.kind.in_((QuestionKind.QUALITY, QuestionKind.SOCIAL_VALUE)),
            )
            .order_by(OpportunityQuestion.position)
        )
        .scalars()
        .all()
    )


# --- Evaluators -------------------------------------------------------------------------------


def assignments(opportunity_id):
    return (
        db.session.execute(
            sa.select(EvaluatorAssignment)
            .where(EvaluatorAssignment.opportunity_id == opportunity_id)
            .order_by(EvaluatorAssignment.id)
        )
        .scalars()
        .all()
    )


def assign_evaluator(user, opportunity, evaluator, moderator=False):
    """The buyer picks colleagues with the evaluator role (owners hold every role). Can be done
    before the deadline; nobody sees a bid before it."""
    require_manager(user, opportunity)
    require_not_awarded(opportunity)
    if not may_evaluate(evaluator, opportunity):
        raise ServiceError("Only a colleague with the evaluator role can evaluate", "evaluator")
    existing = assignment_for(evaluator, opportunity.id)
    if existing is not None:
        if moderator and not existing.is_moderator:
            existing.is_moderator = True
            record(
                E.ASSIGN_EVALUATOR,
                subject=existing,
                actor=user,
                organisation_id=opportunity.buyer_id,
                detail={"moderator": True},
            )
            commit()
        return existing
    assignment = EvaluatorAssignment(
        opportunity_id=opportunity.id,
        user_id=evaluator.id,
        is_moderator=moderator,
        assigned_by_id=user.id,
        assigned_at=utcnow(),
        declaration=Declaration.PENDING,
    )
    db.session.add(assignment)
    db.session.flush()
    record(
        E.ASSIGN_EVALUATOR,
        subject=assignment,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"user_id": evaluator.id, "moderator": moderator},
    )
    commit()
    return assignment


def remove_evaluator(user, opportunity, assignment):
    require_manager(user, opportunity)
    require_not_awarded(opportunity)
    if assignment.declaration == Declaration.CONFLICT:
        raise ServiceError("An evaluator who declared a conflict stays on record, excluded")
    if assignment.scores_submitted_at is not None:
        raise ServiceError("This evaluator has already submitted scores, so they stay on record")
    record(
        E.REMOVE_EVALUATOR,
        subject=assignment,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"user_id": assignment.user_id},
    )
    db.session.execute(sa.delete(Score).where(Score.assignment_id == assignment.id))
    db.session.delete(assignment)
    commit()


def declare(user, opportunity, conflict, details=None):
    """Each evaluator declares before seeing any bid. A conflict excludes them for good."""
    assignment = assignment_for(user, opportunity.id)
    if assignment is None:
        raise NotAllowed("You are not an evaluator for this opportunity")
    if assignment.declaration != Declaration.PENDING:
        raise ServiceError("You have already made your declaration")
    if conflict and not (details or "").strip():
        raise ServiceError("Describe the conflict of interest", "details")
    assignment.declaration = Declaration.CONFLICT if conflict else Declaration.NO_CONFLICT
    assignment.conflict_details = details.strip() if conflict else None
    assignment.declared_at = utcnow()
    if conflict and assignment.is_moderator:
        assignment.is_moderator = False  # the buyer must choose another moderator
    record(
        E.DECLARE_CONFLICT if conflict else E.DECLARE_NO_CONFLICT,
        subject=assignment,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"details": assignment.conflict_details},
    )
    commit()
    return assignment


# --- Exclusions (pass/fail) -----------------------------------------------------------------


def exclusions(opportunity_id):
    return {
        e.bid_id: e
        for e in db.session.execute(
            sa.select(BidExclusion)
            .join(Bid, Bid.id == BidExclusion.bid_id)
            .where(Bid.opportunity_id == opportunity_id)
        ).scalars()
    }


def exclude_bid(user, opportunity, bid, reason):
    require_manager(user, opportunity)
    require_opened(opportunity)
    require_not_awarded(opportunity)
    if bid.opportunity_id != opportunity.id:
        raise NotAllowed("That bid is not for this opportunity")
    if not (reason or "").strip():
        raise ServiceError("Enter the reason. The supplier will see it", "reason")
    if db.session.get(BidExclusion, bid.id) is not None:
        raise ServiceError("This bid is already excluded")
    db.session.add(
        BidExclusion(
            bid_id=bid.id,
            reason=reason.strip(),
            automatic=False,
            decided_by_id=user.id,
            decided_at=utcnow(),
        )
    )
    record(
        E.EXCLUDE_BID,
        subject=bid,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"reason": reason.strip()},
    )
    commit()


def reinstate_bid(user, opportunity, bid, reason):
    require_manager(user, opportunity)
    require_opened(opportunity)
    require_not_awarded(opportunity)
    if bid.opportunity_id != opportunity.id:
        raise NotAllowed("That bid is not for this opportunity")
    exclusion = db.session.get(BidExclusion, bid.id)
    if exclusion is None:
        raise ServiceError("This bid is not excluded")
    if any(a.scores_submitted_at is not None for a in assignments(opportunity.id)):
        raise ServiceError(
            "An evaluator has already submitted scores without this bid, so it can "
            "no longer be reinstated"
        )
    if not (reason or "").strip():
        raise ServiceError("Enter the reason for reinstating the bid", "reason")
    db.session.delete(exclusion)
    record(
        E.REINSTATE_BID,
        subject=bid,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"reason": reason.strip(), "was": exclusion.reason},
    )
    commit()


def bids_to_score(opportunity_id):
    excluded = exclusions(opportunity_id)
    return [b for b in submitted_bids(opportunity_id) if b.id not in excluded]
