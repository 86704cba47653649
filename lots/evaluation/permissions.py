"""Who may take part in an evaluation, and in the award that follows it. Whoever declared a
conflict of interest for an opportunity takes no part in it, whatever buyer roles they hold; an
evaluator sees no bid before declaring, nor before the bids are opened."""

import sqlalchemy as sa

from app.errors import NotAllowed, ServiceError
from app.extensions import db
from lots.evaluation.models import Declaration, Evaluation, EvaluatorAssignment
from lots.opportunities.models import BuyerRoleName
from lots.opportunities.permissions import buyer_roles, has_buyer_role


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


def acts_as(user, opportunity, role):
    """The person holds ``role`` (buyer, evaluator, approver) at the opportunity's buyer and has
    not declared a conflict of interest for it."""
    if not has_buyer_role(user, opportunity.buyer_id, role):
        return False
    assignment = assignment_for(user, opportunity.id)
    return assignment is None or assignment.declaration != Declaration.CONFLICT


def require_role(user, opportunity, role, message=None):
    """NotAllowed unless the person ``acts_as`` the role: the missing role said first, then the
    conflict."""
    if not has_buyer_role(user, opportunity.buyer_id, role):
        raise NotAllowed(message or f"You need the {role} role to do this")
    require_not_conflicted(user, opportunity)


def may_manage(user, opportunity):
    """Managing the evaluation (evaluators, exclusions, prices) and proposing the award: the
    buyer role, and no conflict declared."""
    return acts_as(user, opportunity, "buyer")


def require_manager(user, opportunity):
    require_role(user, opportunity, "buyer", "You need the buyer role to manage this evaluation")


def may_decide(user, opportunity):
    """Deciding on a proposed award (confirm, return, no suitable bid): the approver role, and no
    conflict declared."""
    return acts_as(user, opportunity, "approver")


def may_oversee(user, opportunity):
    """The evaluation and result pages: colleagues with the buyer or approver role, unless they
    declared a conflict of interest for this opportunity, or are an evaluator of it who has not
    declared yet (they see no bid until they have)."""
    if not buyer_roles(user, opportunity.buyer_id) & {BuyerRoleName.BUYER, BuyerRoleName.APPROVER}:
        return False
    assignment = assignment_for(user, opportunity.id)
    return assignment is None or assignment.declaration == Declaration.NO_CONFLICT


def is_assigned(user, opportunity):
    """The person was made an evaluator of the opportunity: their own evaluator's page opens to
    them (the declaration first, then the bids to score, or why they may not see them)."""
    return assignment_for(user, opportunity.id) is not None


def may_evaluate(user, opportunity):
    """Who may be made an evaluator: a colleague with the evaluator role (owners hold every
    role)."""
    return has_buyer_role(user, opportunity.buyer_id, "evaluator")


def require_opened(opportunity):
    """The opportunity's evaluation: nobody evaluates before the bids are opened."""
    evaluation = db.session.get(Evaluation, opportunity.id)
    if evaluation is None:
        raise ServiceError("Open the bids first")
    return evaluation


def cleared_assignment(user, opportunity):
    """The person's assignment if they may read the bids now: assigned, with the evaluator role,
    declared no conflict, and the bids opened. Otherwise NotAllowed (or, before the bids are
    opened, a ServiceError)."""
    assignment = assignment_for(user, opportunity.id)
    if assignment is None or not may_evaluate(user, opportunity):
        raise NotAllowed("You are not an evaluator for this opportunity")
    if assignment.declaration == Declaration.CONFLICT:
        raise NotAllowed("You declared a conflict of interest, so you cannot see these bids")
    if assignment.declaration != Declaration.NO_CONFLICT:
        raise NotAllowed("Declare any conflict of interest before you see the bids")
    require_opened(opportunity)
    return assignment


def may_read_bids(user, opportunity):
    """Evaluators cleared to read the bids (the moderator is one of them)."""
    try:
        cleared_assignment(user, opportunity)
    except ServiceError:
        return False
    return True


def require_moderator(user, opportunity):
    assignment = cleared_assignment(user, opportunity)
    if not assignment.is_moderator:
        raise NotAllowed("Only the moderator can record consensus scores")
    return assignment


def may_moderate(user, opportunity):
    try:
        require_moderator(user, opportunity)
    except ServiceError:
        return False
    return True


def may_read_opened_bids(user, opportunity):
    """Once the bids are opened: the buyer's colleagues with the buyer role, and evaluators
    cleared to read them; never an evaluator before declaring, nor after a conflict."""
    assignment = assignment_for(user, opportunity.id)
    if assignment is not None and assignment.declaration != Declaration.NO_CONFLICT:
        return False
    return has_buyer_role(user, opportunity.buyer_id, "buyer") or may_read_bids(user, opportunity)
