"""Who may take part in an evaluation. Whoever declared a conflict of interest for an opportunity
takes no part in it, whatever buyer roles they hold; an evaluator sees no bid before declaring."""

import sqlalchemy as sa

from app.errors import NotAllowed
from app.extensions import db
from lots.evaluation.models import Declaration, EvaluatorAssignment
from lots.opportunities.models import BuyerRoleName
from lots.opportunities.permissions import buyer_roles


def assignment_for(user, opportunity_id):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.execute(
        sa.select(EvaluatorAssignment).where(
            EvaluatorAssignment.opportunity_id == opportunity_id,
            EvaluatorAssignment.user_id == user.id,
        )
    ).scalar_one_or_none()


def require_not_conflicted(user, opportunity):
    """Whoever declared a conflict takes no part, whatever roles they hold."""
    assignment = assignment_for(user, opportunity.id)
    if assignment is not None and assignment.declaration == Declaration.CONFLICT:
        raise NotAllowed("You declared a conflict of interest for this opportunity")


def may_oversee(user, opportunity):
    """The evaluation and result pages: colleagues with the buyer or approver role, unless they
    declared a conflict of interest for this opportunity, or are an evaluator of it who has not
    declared yet (they see no bid until they have)."""
    if not buyer_roles(user, opportunity.buyer_id) & {BuyerRoleName.BUYER, BuyerRoleName.APPROVER}:
        return False
    assignment = assignment_for(user, opportunity.id)
    return assignment is None or assignment.declaration == Declaration.NO_CONFLICT
