"""Evaluating opened bids: evaluators and their conflict declarations, pass/fail exclusions,
independent scoring, moderation, abnormally low prices, and the ranked result.

Who sees what is decided here: an evaluator sees bids only after declaring no conflict, and
sees colleagues' scores only once every evaluator without a conflict has submitted theirs.
"""

import sqlalchemy as sa

from app.accounts.models import User
from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.permissions import membership
from app.timeutil import utcnow
from app.unitofwork import commit
from lots.bids.models import Bid
from lots.bids.services import price_pence
from lots.evaluation import hooks, scoring
from lots.evaluation.models import (
    BidExclusion,
    ConsensusScore,
    Declaration,
    EvaluatorAssignment,
    PriceClearance,
    Score,
)
from lots.evaluation.permissions import assignment_for, require_not_conflicted
from lots.evaluation.sealing import evaluation_of, submission_for, submitted_bids
from lots.opportunities.models import OpportunityQuestion, QuestionKind
from lots.opportunities.permissions import has_buyer_role


def _require_buyer(user, opportunity):
    if not has_buyer_role(user, opportunity.buyer_id, "buyer"):
        raise NotAllowed("You need the buyer role to manage this evaluation")
    require_not_conflicted(user, opportunity)


def _require_open(opportunity):
    evaluation = evaluation_of(opportunity.id)
    if evaluation is None:
        raise ServiceError("Open the bids first")
    return evaluation


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
    _require_buyer(user, opportunity)
    _require_not_awarded(opportunity)
    if membership(evaluator, opportunity.buyer_id) is None or not has_buyer_role(
        evaluator, opportunity.buyer_id, "evaluator"
    ):
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
    _require_buyer(user, opportunity)
    _require_not_awarded(opportunity)
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


def _cleared_assignment(user, opportunity):
    """The user's assignment if they may see bids now: assigned, declared no conflict, and the
    bids opened. Otherwise NotAllowed."""
    assignment = assignment_for(user, opportunity.id)
    if assignment is None or not has_buyer_role(user, opportunity.buyer_id, "evaluator"):
        raise NotAllowed("You are not an evaluator for this opportunity")
    if assignment.declaration == Declaration.CONFLICT:
        raise NotAllowed("You declared a conflict of interest, so you cannot see these bids")
    if assignment.declaration != Declaration.NO_CONFLICT:
        raise NotAllowed("Declare any conflict of interest before you see the bids")
    _require_open(opportunity)
    return assignment


def may_read_bids(user, opportunity):
    """Evaluators cleared to read the bids, or the buyer's moderating users (also evaluators)."""
    try:
        _cleared_assignment(user, opportunity)
    except (NotAllowed, ServiceError):
        return False
    return True


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
    _require_buyer(user, opportunity)
    _require_open(opportunity)
    _require_not_awarded(opportunity)
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
    _require_buyer(user, opportunity)
    _require_open(opportunity)
    _require_not_awarded(opportunity)
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


def _require_not_awarded(opportunity):
    if hooks.award_of(opportunity.id) is not None:
        raise ServiceError("The award has been proposed, so the evaluation can no longer change")


# --- Scoring -------------------------------------------------------------------------------


def bids_to_score(opportunity_id):
    excluded = exclusions(opportunity_id)
    return [b for b in submitted_bids(opportunity_id) if b.id not in excluded]


def bids_for_evaluator(user, opportunity):
    """(bid, submission) pairs an evaluator may read. NotAllowed unless cleared."""
    _cleared_assignment(user, opportunity)
    return [(bid, submission_for(bid.id)) for bid in bids_to_score(opportunity.id)]


def my_scores(assignment):
    return {
        (s.bid_id, s.question_id): s
        for s in db.session.execute(
            sa.select(Score).where(Score.assignment_id == assignment.id)
        ).scalars()
    }


def score(user, opportunity, bid, question, value, comment):
    assignment = _cleared_assignment(user, opportunity)
    if assignment.scores_submitted_at is not None:
        raise ServiceError("You have submitted your scores, so they can no longer change")
    _check_score(opportunity, bid, question, value)
    if not (comment or "").strip():
        raise ServiceError("Give a reason for your score", "comment")
    row = my_scores(assignment).get((bid.id, question.id))
    if row is None:
        row = Score(
            assignment_id=assignment.id,
            bid_id=bid.id,
            question_id=question.id,
            score=value,
            comment=comment.strip(),
            scored_at=utcnow(),
        )
        db.session.add(row)
    else:
        row.score, row.comment, row.scored_at = value, comment.strip(), utcnow()
    db.session.flush()
    record(
        E.SCORE_BID,
        subject=row,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"bid_id": bid.id, "question_id": question.id, "score": value},
    )
    commit()
    return row


def _check_score(opportunity, bid, question, value):
    """A score for an answer being evaluated, on the published scale."""
    if bid.id not in {b.id for b in bids_to_score(opportunity.id)}:
        raise NotAllowed("That bid is not being evaluated")
    if question.opportunity_id != opportunity.id or question.kind == QuestionKind.PASS_FAIL:
        raise NotAllowed("That question is not scored")
    scale_max = evaluation_of(opportunity.id).scale_max
    if not isinstance(value, int) or not 0 <= value <= scale_max:
        raise ServiceError(f"Choose a score from 0 to {scale_max}", "score")


def submit_scores(user, opportunity):
    assignment = _cleared_assignment(user, opportunity)
    if assignment.scores_submitted_at is not None:
        raise ServiceError("You have already submitted your scores")
    mine = my_scores(assignment)
    missing = [
        (b.id, q.id)
        for b in bids_to_score(opportunity.id)
        for q in scored_questions(opportunity.id)
        if (b.id, q.id) not in mine
    ]
    if missing:
        raise ServiceError(f"Score every answer first: {len(missing)} still to score")
    assignment.scores_submitted_at = utcnow()
    record(
        E.SUBMIT_SCORES,
        subject=assignment,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"scores": len(mine)},
    )
    commit()


def _scores_by_evaluator(opportunity_id, submitted_only=True):
    stmt = (
        sa.select(Score.assignment_id, Score.bid_id, Score.question_id, Score.score)
        .join(EvaluatorAssignment, EvaluatorAssignment.id == Score.assignment_id)
        .where(
            EvaluatorAssignment.opportunity_id == opportunity_id,
            EvaluatorAssignment.declaration == Declaration.NO_CONFLICT,
        )
    )
    if submitted_only:
        stmt = stmt.where(EvaluatorAssignment.scores_submitted_at.is_not(None))
    out = {}
    for assignment_id, bid_id, question_id, value in db.session.execute(stmt):
        out.setdefault(assignment_id, {})[(bid_id, question_id)] = value
    return out


def everyone_submitted(opportunity):
    pool = [
        scoring.Assignment(evaluator_id=a.id, conflicted=a.declaration == Declaration.CONFLICT)
        for a in assignments(opportunity.id)
    ]
    return scoring.all_submitted(
        pool,
        [b.id for b in bids_to_score(opportunity.id)],
        [q.id for q in scored_questions(opportunity.id)],
        _scores_by_evaluator(opportunity.id),
    )


def side_by_side(user, opportunity):
    """Every evaluator's scores and comments per answer, with the spread: for the moderator, and
    for each evaluator only once everyone has submitted (independence)."""
    _cleared_assignment(user, opportunity)
    if not everyone_submitted(opportunity):
        raise NotAllowed("Scores stay private until every evaluator has submitted theirs")
    evaluation = evaluation_of(opportunity.id)
    rows = db.session.execute(
        sa.select(Score, User.name)
        .join(EvaluatorAssignment, EvaluatorAssignment.id == Score.assignment_id)
        .join(User, User.id == EvaluatorAssignment.user_id)
        .where(
            EvaluatorAssignment.opportunity_id == opportunity.id,
            EvaluatorAssignment.declaration == Declaration.NO_CONFLICT,
        )
    ).all()
    spread = scoring.score_spread(_scores_by_evaluator(opportunity.id), evaluation.scale_max)
    comments = {}
    for row, name in rows:
        comments.setdefault((row.bid_id, row.question_id), []).append(
            {"evaluator": name, "score": row.score, "comment": row.comment}
        )
    return {"spread": spread, "comments": comments}


def _require_moderator(user, opportunity):
    assignment = _cleared_assignment(user, opportunity)
    if not assignment.is_moderator:
        raise NotAllowed("Only the moderator can record consensus scores")
    return assignment


def moderate(user, opportunity, bid, question, value, reason):
    _require_moderator(user, opportunity)
    _require_not_awarded(opportunity)
    if not everyone_submitted(opportunity):
        raise ServiceError("Moderation starts when every evaluator has submitted their scores")
    _check_score(opportunity, bid, question, value)
    if not (reason or "").strip():
        raise ServiceError(
            "Give the reason for the agreed score. The supplier will read it", "reason"
        )
    row = db.session.execute(
        sa.select(ConsensusScore).where(
            ConsensusScore.bid_id == bid.id, ConsensusScore.question_id == question.id
        )
    ).scalar_one_or_none()
    if row is None:
        row = ConsensusScore(bid_id=bid.id, question_id=question.id)
        db.session.add(row)
    row.score, row.reason = value, reason.strip()
    row.moderated_by_id, row.moderated_at = user.id, utcnow()
    db.session.flush()
    record(
        E.MODERATE_SCORE,
        subject=row,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"bid_id": bid.id, "question_id": question.id, "score": value},
    )
    commit()
    return row


def consensus(opportunity_id):
    return {
        (c.bid_id, c.question_id): c
        for c in db.session.execute(
            sa.select(ConsensusScore)
            .join(Bid, Bid.id == ConsensusScore.bid_id)
            .where(Bid.opportunity_id == opportunity_id)
        ).scalars()
    }


# --- Price and the result ---------------------------------------------------------------------


def abnormally_low(opportunity):
    """Bid ids whose price is flagged, and which of them are cleared: (flagged, cleared)."""
    evaluation = _require_open(opportunity)
    prices = {
        b.id: price_pence(submission_for(b.id).snapshot) for b in bids_to_score(opportunity.id)
    }
    flagged = scoring.abnormally_low(prices, evaluation.abnormally_low_percent)
    cleared = set(
        db.session.execute(
            sa.select(PriceClearance.bid_id).where(
                PriceClearance.bid_id.in_(flagged) if flagged else sa.false()
            )
        ).scalars()
    )
    return flagged, cleared


def clear_price(user, opportunity, bid, reason):
    _require_buyer(user, opportunity)
    _require_not_awarded(opportunity)
    flagged, cleared = abnormally_low(opportunity)
    if bid.id not in flagged:
        raise ServiceError("This price is not flagged as abnormally low")
    if bid.id in cleared:
        raise ServiceError("This price has already been cleared")
    if not (reason or "").strip():
        raise ServiceError(
            "Record why the price is acceptable (for example, the supplier's explanation)", "reason"
        )
    db.session.add(
        PriceClearance(
            bid_id=bid.id, reason=reason.strip(), cleared_by_id=user.id, cleared_at=utcnow()
        )
    )
    record(
        E.CLEAR_ABNORMALLY_LOW_PRICE,
        subject=bid,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"reason": reason.strip()},
    )
    commit()


def result(opportunity):
    """The ranked result from the consensus scores, or None while any is missing. Each row:
    scoring.Result plus the bid and supplier name."""
    evaluation = _require_open(opportunity)
    agreed = consensus(opportunity.id)
    questions = scored_questions(opportunity.id)
    excluded = exclusions(opportunity.id)
    inputs = []
    for bid in submitted_bids(opportunity.id):
        snapshot = submission_for(bid.id).snapshot
        scores = {q.id: agreed[(bid.id, q.id)].score for q in questions if (bid.id, q.id) in agreed}
        compliant = bid.id not in excluded
        if compliant and len(scores) < len(questions):
            return None
        inputs.append(
            scoring.Bid(
                id=bid.id,
                price_pence=price_pence(snapshot),
                scores=scores if compliant else {},
                compliant=compliant,
                excluded_reason=excluded[bid.id].reason if not compliant else None,
            )
        )
    weights = scoring.Weights(
        price=opportunity.price_weight,
        quality=opportunity.quality_weight,
        social_value=opportunity.social_value_weight,
    )
    return scoring.rank(
        inputs,
        [scoring.Question(id=q.id, kind=q.kind.value, weight=q.weight) for q in questions],
        weights,
        tie_break=opportunity.tie_break or scoring.QUALITY,
        scale_max=evaluation.scale_max,
    )
