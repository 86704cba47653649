"""Moderation: every evaluator's scores side by side with the spread once all are in, and the
moderator's consensus score for each answer."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.errors import NotAllowed, ServiceError
from app.permissions import require
from app.web import me
from lots.blueprint import bp
from lots.evaluation import permissions, scores, sealing
from lots.evaluation import services as evaluation
from lots.evaluation.forms import score_form
from lots.evaluation.hooks import award_of
from lots.evaluation.scoring import scale_labels, two_places
from lots.evaluation.views.pages import BASE, own_assignment, published, save_each, saved_answers


def _side_by_side(opportunity):
    try:
        return scores.side_by_side(me(), opportunity)
    except NotAllowed:
        abort(403)
    except ServiceError:
        abort(404)


@bp.route(BASE + "/moderation")
@login_required
def moderation(organisation_id, opportunity_id):
    """Every evaluator's scores side by side with the spread, and the consensus so far: for
    every evaluator once all have submitted; the moderator records the consensus from here."""
    organisation, opportunity = published(organisation_id, opportunity_id)
    assignment = own_assignment(opportunity)
    table = _side_by_side(opportunity)
    return render_template(
        "lots/eval_moderation.html",
        organisation=organisation,
        opportunity=opportunity,
        assignment=assignment,
        spread=table["spread"],
        comments=table["comments"],
        bids=evaluation.bids_to_score(opportunity.id),
        questions=evaluation.scored_questions(opportunity.id),
        agreed=scores.consensus(opportunity.id),
        scale_labels=scale_labels(sealing.evaluation_of(opportunity.id).scale_max),
        two_places=two_places,
        award=award_of(opportunity.id),
    )


@bp.route(BASE + "/moderation/bids/<int:bid_id>", methods=["GET", "POST"])
@login_required
def moderate_bid(organisation_id, opportunity_id, bid_id):
    organisation, opportunity = published(organisation_id, opportunity_id)
    own_assignment(opportunity)
    table = _side_by_side(opportunity)
    require(permissions.may_moderate(current_user, opportunity))
    bid = next((b for b in evaluation.bids_to_score(opportunity.id) if b.id == bid_id), None)
    if bid is None:
        abort(404)
    questions = evaluation.scored_questions(opportunity.id)
    agreed = scores.consensus(opportunity.id)
    form = score_form(
        questions,
        sealing.evaluation_of(opportunity.id).scale_max,
        "Reason for the agreed score",
        data=saved_answers(questions, bid, agreed, "reason"),
        submit_label="Save agreed scores",
    )
    if form.validate_on_submit() and save_each(
        form,
        questions,
        lambda q, value, reason: scores.moderate(me(), opportunity, bid, q, value, reason),
        "reason",
    ):
        flash(f"The agreed scores for {bid.organisation.name} are saved.", "success")
        return redirect(
            url_for(
                "lots.moderation",
                organisation_id=organisation.id,
                opportunity_id=opportunity.id,
            )
        )
    return render_template(
        "lots/eval_moderate.html",
        organisation=organisation,
        opportunity=opportunity,
        bid=bid,
        submission=sealing.submission_for(bid.id),
        questions=questions,
        form=form,
        spread=table["spread"],
        comments=table["comments"],
        scale_labels=scale_labels(sealing.evaluation_of(opportunity.id).scale_max),
        two_places=two_places,
    )
