"""Scores: each evaluator's own, private until every evaluator without a conflict has submitted
theirs; then everyone's side by side, and the moderator's consensus score for each answer.
(The arithmetic of the method is in ``lots.evaluation.scoring``.)"""

import sqlalchemy as sa

from app.accounts.models import User
from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.timeutil import utcnow
from app.unitofwork import commit
from lots.bids.models import Bid
from lots.evaluation import scoring
from lots.evaluation.models import ConsensusScore, Declaration, EvaluatorAssignment, Score
from lots.evaluation.permissions import cleared_assignment, require_moderator
from lots.evaluation.sealing import evaluation_of, submission_for
from lots.evaluation.services import (
    assignments,
    bids_to_score,
    require_not_awarded,
    scored_questions,
)
from lots.opportunities.models import QuestionKind


def bids_for_evaluator(user, opportunity):
    """(bid, submission) pairs an evaluator may read. NotAllowed unless cleared."""
    cleared_assignment(user, opportunity)
    return [(bid, submission_for(bid.id)) for bid in bids_to_score(opportunity.id)]


def my_scores(assignment):
    return {
        (s.bid_id, s.question_id): s
        for s in db.session.execute(
            sa.select(Score).where(Score.assignment_id == assignment.id)
        ).scalars()
    }


def score(user, opportunity, bid, question, value, comment):
    assignment = cleared_assignment(user, opportunity)
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
    return _saved(E.SCORE_BID, row, user, opportunity, bid, question)


def _saved(event, row, user, opportunity, bid, question):
    """Audit and commit a score (an evaluator's, or the consensus) for one answer."""
    db.session.flush()
    record(
        event,
        subject=row,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"bid_id": bid.id, "question_id": question.id, "score": row.score},
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
    assignment = cleared_assignment(user, opportunity)
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
    cleared_assignment(user, opportunity)
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


def moderate(user, opportunity, bid, question, value, reason):
    require_moderator(user, opportunity)
    require_not_awarded(opportunity)
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
    return _saved(E.MODERATE_SCORE, row, user, opportunity, bid, question)


def consensus(opportunity_id):
    return {
        (c.bid_id, c.question_id): c
        for c in db.session.execute(
            sa.select(ConsensusScore)
            .join(Bid, Bid.id == ConsensusScore.bid_id)
            .where(Bid.opportunity_id == opportunity_id)
        ).scalars()
    }
