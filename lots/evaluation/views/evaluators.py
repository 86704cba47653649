"""The evaluator's pages: the conflict of interest declaration (before any bid is shown), the
bids to score, scoring each answer, and submitting the scores."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.errors import NotAllowed, ServiceError
from app.reference import social_value
from app.web import me, refused
from lots.blueprint import bp
from lots.evaluation import permissions, scores, sealing
from lots.evaluation import services as evaluation
from lots.evaluation.forms import ActionForm, DeclarationForm, score_form
from lots.evaluation.models import Declaration
from lots.evaluation.scoring import scale_labels
from lots.evaluation.views.pages import (
    BASE,
    own_assignment,
    published,
    save_each,
    saved_answers,
    to_evaluate,
)


def _render_evaluate(organisation, opportunity, assignment, problem=None):
    context = dict(
        organisation=organisation,
        opportunity=opportunity,
        assignment=assignment,
        problem=problem,
        sealed=sealing.is_sealed(opportunity),
        opened=sealing.evaluation_of(opportunity.id),
        submit_form=ActionForm(),
    )
    if permissions.may_read_bids(current_user, opportunity):
        questions = evaluation.scored_questions(opportunity.id)
        mine = scores.my_scores(assignment)
        bids = [
            (bid, sum((bid.id, q.id) in mine for q in questions))
            for bid, _submission in scores.bids_for_evaluator(current_user, opportunity)
        ]
        context.update(
            bids=bids,
            question_count=len(questions),
            all_scored=all(done == len(questions) for _bid, done in bids),
            everyone_submitted=scores.everyone_submitted(opportunity),
        )
    return render_template("lots/eval_evaluate.html", **context)


@bp.route(BASE + "/evaluate")
@login_required
def evaluate(organisation_id, opportunity_id):
    organisation, opportunity = published(organisation_id, opportunity_id)
    assignment = own_assignment(opportunity)
    if assignment.declaration == Declaration.PENDING:
        return redirect(
            url_for(
                "lots.declare_interest",
                organisation_id=organisation.id,
                opportunity_id=opportunity.id,
            )
        )
    return _render_evaluate(organisation, opportunity, assignment)


@bp.route(BASE + "/evaluate/declaration", methods=["GET", "POST"])
@login_required
def declare_interest(organisation_id, opportunity_id):
    organisation, opportunity = published(organisation_id, opportunity_id)
    assignment = own_assignment(opportunity)
    if assignment.declaration != Declaration.PENDING:
        return to_evaluate(opportunity)
    form = DeclarationForm()
    if form.validate_on_submit():
        conflict = form.conflict.data == "yes"
        try:
            evaluation.declare(me(), opportunity, conflict, form.details.data)
        except ServiceError as exc:
            refused(form, exc, "conflict")
        else:
            flash(
                "You have declared a conflict of interest, so you will not evaluate these "
                "bids. The buyer has been told."
                if conflict
                else "Thank you. You have declared that you have no conflict of interest.",
                "success",
            )
            return to_evaluate(opportunity)
    return render_template(
        "lots/eval_declaration.html", organisation=organisation, opportunity=opportunity, form=form
    )


@bp.route(BASE + "/evaluate/bids/<int:bid_id>", methods=["GET", "POST"])
@login_required
def score_bid(organisation_id, opportunity_id, bid_id):
    organisation, opportunity = published(organisation_id, opportunity_id)
    assignment = own_assignment(opportunity)
    try:
        pairs = scores.bids_for_evaluator(me(), opportunity)
    except NotAllowed:
        abort(403)
    except ServiceError:
        return to_evaluate(opportunity)
    bid, submission = next(((b, s) for b, s in pairs if b.id == bid_id), (None, None))
    if bid is None:
        abort(404)
    questions = evaluation.scored_questions(opportunity.id)
    mine = scores.my_scores(assignment)
    scale_max = sealing.evaluation_of(opportunity.id).scale_max
    form = score_form(questions, scale_max, data=saved_answers(questions, bid, mine, "comment"))
    if form.validate_on_submit() and save_each(
        form,
        questions,
        lambda q, value, comment: scores.score(me(), opportunity, bid, q, value, comment),
        "comment",
    ):
        flash(
            f"Your scores for {bid.organisation.name} are saved. You can change them "
            "until you submit your scores.",
            "success",
        )
        return to_evaluate(opportunity)
    return render_template(
        "lots/eval_score.html",
        organisation=organisation,
        opportunity=opportunity,
        bid=bid,
        submission=submission,
        questions=questions,
        form=form,
        assignment=assignment,
        mine=mine,
        scale_labels=scale_labels(scale_max),
        scale_max=scale_max,
        measure_name=measure_name,
    )


def measure_name(measure_id):
    measure = social_value.get(measure_id)
    return f"{measure.name} ({measure.unit})" if measure else measure_id


@bp.route(BASE + "/evaluate/submit", methods=["POST"])
@login_required
def submit_scores(organisation_id, opportunity_id):
    organisation, opportunity = published(organisation_id, opportunity_id)
    assignment = own_assignment(opportunity)
    if ActionForm().validate_on_submit():
        try:
            scores.submit_scores(me(), opportunity)
        except NotAllowed:
            abort(403)
        except ServiceError as exc:
            return _render_evaluate(organisation, opportunity, assignment, problem=str(exc))
        flash(
            "Your scores are submitted. You can see your colleagues’ scores when every "
            "evaluator has submitted theirs.",
            "success",
        )
    return to_evaluate(opportunity)
