"""What the evaluation pages share: the opportunity behind a page, for whom, the ways back, and
the score forms of evaluators and moderator."""

from flask import abort, redirect, url_for
from flask_login import current_user

from app.errors import ServiceError
from app.permissions import require
from app.web import refused
from lots.blueprint import bp
from lots.evaluation import permissions
from lots.opportunities.views.area import buyer_area, buyers_opportunity

BASE = "/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>"


def published(organisation_id, opportunity_id):
    """The organisation's published opportunity, for a member of it (else 403 or 404)."""
    organisation = buyer_area(organisation_id)
    opportunity = buyers_opportunity(organisation, opportunity_id)
    if opportunity.published_at is None:
        abort(404)
    return organisation, opportunity


def overseen(organisation_id, opportunity_id):
    """The published opportunity, for a colleague who may oversee its evaluation (else 403)."""
    organisation, opportunity = published(organisation_id, opportunity_id)
    require(permissions.may_oversee(current_user, opportunity))
    return organisation, opportunity


def own_assignment(opportunity):
    """The signed-in evaluator's assignment (else 403)."""
    require(permissions.is_assigned(current_user, opportunity))
    return permissions.assignment_for(current_user, opportunity.id)


@bp.app_template_global("evaluation_access")
def evaluation_access(opportunity):
    """Which of the evaluation's pages the signed-in person may open, so that a page offers
    only those: {"oversee": the evaluation, its result and the award decision; "evaluate": their
    own evaluator's page}."""
    return {
        "oversee": permissions.may_oversee(current_user, opportunity),
        "evaluate": permissions.is_assigned(current_user, opportunity),
    }


def to_evaluation(opportunity):
    return redirect(
        url_for(
            "lots.evaluation", organisation_id=opportunity.buyer_id, opportunity_id=opportunity.id
        )
    )


def to_evaluate(opportunity):
    return redirect(
        url_for(
            "lots.evaluate", organisation_id=opportunity.buyer_id, opportunity_id=opportunity.id
        )
    )


def saved_answers(questions, bid, saved, reason):
    """A score form's data from what is saved: {(bid id, question id): row} to ``score_<id>``
    and ``comment_<id>``, the comment read from the row's ``reason`` attribute."""
    data = {}
    for q in questions:
        row = saved.get((bid.id, q.id))
        if row is not None:
            data[f"score_{q.id}"], data[f"comment_{q.id}"] = str(row.score), getattr(row, reason)
    return data


def save_each(form, questions, save, reason):
    """Save every question's score and reason with ``save(question, score, reason)``; on a
    refusal, show it against that question's box (else its reason). True when all are saved."""
    for q in questions:
        try:
            save(q, int(form[f"score_{q.id}"].data), form[f"comment_{q.id}"].data)
        except ServiceError as exc:
            refused(
                form, exc, f"comment_{q.id}", {"score": f"score_{q.id}", reason: f"comment_{q.id}"}
            )
            return False
    return True
