"""Abnormally low prices (flagged, and cleared with a reason) and the ranked result from the
consensus scores, from which the buyer proposes the award."""

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.timeutil import utcnow
from app.unitofwork import commit
from lots.bids.submitting import price_pence
from lots.evaluation import scoring
from lots.evaluation.models import PriceClearance
from lots.evaluation.permissions import require_manager, require_opened
from lots.evaluation.scores import consensus
from lots.evaluation.sealing import submission_for, submitted_bids
from lots.evaluation.services import (
    bids_to_score,
    exclusions,
    require_not_awarded,
    scored_questions,
)


def abnormally_low(opportunity):
    """Bid ids whose price is flagged, and which of them are cleared: (flagged, cleared)."""
    evaluation = require_opened(opportunity)
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
    require_manager(user, opportunity)
    require_not_awarded(opportunity)
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
    evaluation = require_opened(opportunity)
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
