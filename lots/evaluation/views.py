"""Evaluating the bids of an opportunity, in the buyer's area.

- The evaluation page (buyer and approver roles): before the deadline only the seal and the
  evaluators; after it, opening the bids, then the bids with their pass/fail outcome, exclusions,
  possibly abnormally low prices, and each evaluator's progress.
- The evaluator's pages: the conflict of interest declaration (before any bid is shown), scoring
  each answer, submitting the scores.
- Moderation: everyone's scores side by side once all are in, and the moderator's consensus.
- The ranked result, from which the buyer proposes the award (see ``lots.views.awards`` for the
  approver's decision).

What anyone may see is read through lots.services.sealing and lots.services.evaluation, which
enforce the seal and the evaluators' independence in their queries; a NotAllowed from them is a
403. These views only choose which parts of a page to show.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.errors import NotAllowed, ServiceError
from app.permissions import require
from app.reference import social_value
from app.web import me, refused
from lots.bids.services import price_pence
from lots.blueprint import bp
from lots.evaluation import permissions, sealing
from lots.evaluation import services as evaluation
from lots.evaluation.forms import (
    ActionForm,
    AssignEvaluatorForm,
    ClearPriceForm,
    DeclarationForm,
    ExcludeForm,
    ReinstateForm,
    score_form,
)
from lots.evaluation.hooks import award_of
from lots.evaluation.models import Declaration
from lots.evaluation.scoring import SCALE_LABELS, two_places
from lots.opportunities import queries
from lots.opportunities.permissions import has_buyer_role
from lots.opportunities.views.buyer import _buyer, _opportunity

BASE = "/buyer/<int:organisation_id>/opportunities/<int:opportunity_id>"


# --- Who sees which page -----------------------------------------------------------------------


def _published(organisation_id, opportunity_id):
    """The organisation's published opportunity, for a member of it (else 403 or 404)."""
    organisation = _buyer(organisation_id)
    opportunity = _opportunity(organisation, opportunity_id)
    if opportunity.published_at is None:
        abort(404)
    return organisation, opportunity


def _overseen(organisation_id, opportunity_id):
    organisation, opportunity = _published(organisation_id, opportunity_id)
    require(permissions.may_oversee(current_user, opportunity))
    return organisation, opportunity


def _to_evaluation(opportunity):
    return redirect(
        url_for(
            "lots.evaluation", organisation_id=opportunity.buyer_id, opportunity_id=opportunity.id
        )
    )


def _to_evaluate(opportunity):
    return redirect(
        url_for(
            "lots.evaluate", organisation_id=opportunity.buyer_id, opportunity_id=opportunity.id
        )
    )


def _colleagues(opportunity):
    """Users of the buyer who may be assigned: owners and members with the evaluator role."""
    return [
        m.user
        for m, _roles in queries.members_with_roles(opportunity.buyer_id)
        if has_buyer_role(m.user, opportunity.buyer_id, "evaluator")
    ]


def _submitted_bid(opportunity, bid_id):
    """A submitted bid of the opportunity, through the seal (404 while it holds)."""
    bid = next((b for b in sealing.submitted_bids(opportunity.id) if b.id == bid_id), None)
    if bid is None:
        abort(404)
    return bid


# --- The buyer's evaluation page ----------------------------------------------------------------


def _bid_rows(opportunity):
    """Each opened bid with its price, pass/fail outcome and price flag."""
    excluded = evaluation.exclusions(opportunity.id)
    flagged, cleared = evaluation.abnormally_low(opportunity)
    rows = []
    for bid in sealing.submitted_bids(opportunity.id):
        submission = sealing.submission_for(bid.id)
        rows.append(
            {
                "bid": bid,
                "supplier": bid.organisation.name,
                "price_pence": price_pence(submission.snapshot),
                "submitted_at": submission.submitted_at,
                "exclusion": excluded.get(bid.id),
                "flagged": bid.id in flagged,
                "cleared": bid.id in cleared,
            }
        )
    return rows


def _render_evaluation(organisation, opportunity, form, problem=None):
    opened = sealing.evaluation_of(opportunity.id)
    sealed = sealing.is_sealed(opportunity)
    assignments = evaluation.assignments(opportunity.id)
    can_manage = has_buyer_role(current_user, opportunity.buyer_id, "buyer")
    context = dict(
        organisation=organisation,
        opportunity=opportunity,
        form=form,
        sealed=sealed,
        opened=opened,
        assignments=assignments,
        can_manage=can_manage,
        problem=problem,
        award=award_of(opportunity.id),
        open_form=ActionForm(),
        remove_form=ActionForm(),
        mine=permissions.assignment_for(current_user, opportunity.id),
    )
    if not sealed:
        context["count"] = sealing.bid_count(opportunity.id)
    if opened is not None:
        context["bids"] = _bid_rows(opportunity)
        context["everyone_submitted"] = evaluation.everyone_submitted(opportunity)
        context["agreed"] = len(evaluation.consensus(opportunity.id))
        context["to_agree"] = len(evaluation.bids_to_score(opportunity.id)) * len(
            evaluation.scored_questions(opportunity.id)
        )
    return render_template("lots/eval_overview.html", **context)


# The endpoint is "lots.evaluation"; the function has another name so as not to hide the
# evaluation service module.
@bp.route(BASE + "/bid-evaluation", endpoint="evaluation", methods=["GET", "POST"])
@login_required
def evaluation_page(organisation_id, opportunity_id):
    organisation, opportunity = _published(organisation_id, opportunity_id)
    if not permissions.may_oversee(current_user, opportunity):
        if permissions.assignment_for(current_user, opportunity.id) is not None:
            return _to_evaluate(opportunity)
        abort(403)
    form = AssignEvaluatorForm(colleagues=_colleagues(opportunity))
    if form.validate_on_submit():
        colleague = next(u for u in _colleagues(opportunity) if str(u.id) == form.evaluator.data)
        try:
            evaluation.assign_evaluator(me(), opportunity, colleague, moderator=form.moderator.data)
        except ServiceError as exc:
            refused(form, exc, "evaluator")
        else:
            flash(
                f"{colleague.name} will evaluate the bids"
                + (" and moderate the scores." if form.moderator.data else "."),
                "success",
            )
            return _to_evaluation(opportunity)
    return _render_evaluation(organisation, opportunity, form)


@bp.route(BASE + "/bid-evaluation/evaluators/<int:assignment_id>/remove", methods=["POST"])
@login_required
def remove_evaluator(organisation_id, opportunity_id, assignment_id):
    organisation, opportunity = _overseen(organisation_id, opportunity_id)
    assignment = next(
        (a for a in evaluation.assignments(opportunity.id) if a.id == assignment_id), None
    )
    if assignment is None:
        abort(404)
    form = ActionForm()
    if form.validate_on_submit():
        name = assignment.user.name
        try:
            evaluation.remove_evaluator(me(), opportunity, assignment)
        except NotAllowed:
            abort(403)
        except ServiceError as exc:
            return _render_evaluation(
                organisation,
                opportunity,
                AssignEvaluatorForm(colleagues=_colleagues(opportunity)),
                problem=str(exc),
            )
        flash(f"{name} is no longer an evaluator.", "success")
    return _to_evaluation(opportunity)


@bp.route(BASE + "/bid-evaluation/open", methods=["POST"])
@login_required
def open_bids(organisation_id, opportunity_id):
    organisation, opportunity = _overseen(organisation_id, opportunity_id)
    form = ActionForm()
    if form.validate_on_submit():
        try:
            sealing.open_bids(me(), opportunity)
        except NotAllowed:
            abort(403)
        except ServiceError as exc:
            return _render_evaluation(
                organisation,
                opportunity,
                AssignEvaluatorForm(colleagues=_colleagues(opportunity)),
                problem=str(exc),
            )
        flash(
            "The bids are open. Bids that failed a pass or fail question have been "
            "excluded, with the reason.",
            "success",
        )
    return _to_evaluation(opportunity)


def _bid_action(organisation_id, opportunity_id, bid_id, form_class, act, page_title, done):
    """Exclude, reinstate or clear the price of one opened bid: ``act(opportunity, bid, form)``
    is one service call."""
    organisation, opportunity = _overseen(organisation_id, opportunity_id)
    if sealing.evaluation_of(opportunity.id) is None:
        return _to_evaluation(opportunity)
    bid = _submitted_bid(opportunity, bid_id)
    form = form_class()
    if form.validate_on_submit():
        try:
            act(opportunity, bid, form)
        except ServiceError as exc:
            refused(form, exc, "reason")
        else:
            flash(done.format(supplier=bid.organisation.name), "success")
            return _to_evaluation(opportunity)
    submission = sealing.submission_for(bid.id)
    return render_template(
        "lots/eval_bid_action.html",
        organisation=organisation,
        opportunity=opportunity,
        form=form,
        bid=bid,
        page_title=page_title.format(supplier=bid.organisation.name),
        price_pence=price_pence(submission.snapshot),
        exclusion=evaluation.exclusions(opportunity.id).get(bid.id),
    )


@bp.route(BASE + "/bid-evaluation/bids/<int:bid_id>/exclude", methods=["GET", "POST"])
@login_required
def exclude_bid(organisation_id, opportunity_id, bid_id):
    return _bid_action(
        organisation_id,
        opportunity_id,
        bid_id,
        ExcludeForm,
        lambda o, bid, form: evaluation.exclude_bid(me(), o, bid, form.reason.data),
        "Exclude the bid from {supplier}",
        "The bid from {supplier} is excluded.",
    )


@bp.route(BASE + "/bid-evaluation/bids/<int:bid_id>/reinstate", methods=["GET", "POST"])
@login_required
def reinstate_bid(organisation_id, opportunity_id, bid_id):
    return _bid_action(
        organisation_id,
        opportunity_id,
        bid_id,
        ReinstateForm,
        lambda o, bid, form: evaluation.reinstate_bid(me(), o, bid, form.reason.data),
        "Reinstate the bid from {supplier}",
        "The bid from {supplier} is reinstated. Evaluators can now score it.",
    )


@bp.route(BASE + "/bid-evaluation/bids/<int:bid_id>/clear-price", methods=["GET", "POST"])
@login_required
def clear_price(organisation_id, opportunity_id, bid_id):
    return _bid_action(
        organisation_id,
        opportunity_id,
        bid_id,
        ClearPriceForm,
        lambda o, bid, form: evaluation.clear_price(me(), o, bid, form.reason.data),
        "Clear the price of {supplier}’s bid",
        "The price of the bid from {supplier} is cleared, with your reason.",
    )


# --- Evaluators ---------------------------------------------------------------------------------


def _assignment(opportunity):
    assignment = permissions.assignment_for(current_user, opportunity.id)
    if assignment is None:
        abort(403)
    return assignment


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
    if evaluation.may_read_bids(current_user, opportunity):
        questions = evaluation.scored_questions(opportunity.id)
        mine = evaluation.my_scores(assignment)
        bids = [
            (bid, sum((bid.id, q.id) in mine for q in questions))
            for bid, _submission in evaluation.bids_for_evaluator(current_user, opportunity)
        ]
        context.update(
            bids=bids,
            question_count=len(questions),
            all_scored=all(done == len(questions) for _bid, done in bids),
            everyone_submitted=evaluation.everyone_submitted(opportunity),
        )
    return render_template("lots/eval_evaluate.html", **context)


@bp.route(BASE + "/evaluate")
@login_required
def evaluate(organisation_id, opportunity_id):
    organisation, opportunity = _published(organisation_id, opportunity_id)
    assignment = _assignment(opportunity)
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
    organisation, opportunity = _published(organisation_id, opportunity_id)
    assignment = _assignment(opportunity)
    if assignment.declaration != Declaration.PENDING:
        return _to_evaluate(opportunity)
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
            return _to_evaluate(opportunity)
    return render_template(
        "lots/eval_declaration.html", organisation=organisation, opportunity=opportunity, form=form
    )


@bp.route(BASE + "/evaluate/bids/<int:bid_id>", methods=["GET", "POST"])
@login_required
def score_bid(organisation_id, opportunity_id, bid_id):
    organisation, opportunity = _published(organisation_id, opportunity_id)
    assignment = _assignment(opportunity)
    try:
        pairs = evaluation.bids_for_evaluator(me(), opportunity)
    except NotAllowed:
        abort(403)
    except ServiceError:
        return _to_evaluate(opportunity)
    bid, submission = next(((b, s) for b, s in pairs if b.id == bid_id), (None, None))
    if bid is None:
        abort(404)
    questions = evaluation.scored_questions(opportunity.id)
    mine = evaluation.my_scores(assignment)
    data = {}
    for q in questions:
        row = mine.get((bid.id, q.id))
        if row is not None:
            data[f"score_{q.id}"], data[f"comment_{q.id}"] = str(row.score), row.comment
    scale_max = sealing.evaluation_of(opportunity.id).scale_max
    form = score_form(questions, scale_max, data=data)
    if form.validate_on_submit():
        try:
            for q in questions:
                evaluation.score(
                    me(),
                    opportunity,
                    bid,
                    q,
                    int(form[f"score_{q.id}"].data),
                    form[f"comment_{q.id}"].data,
                )
        except ServiceError as exc:
            refused(
                form,
                exc,
                f"comment_{q.id}",
                {"score": f"score_{q.id}", "comment": f"comment_{q.id}"},
            )
        else:
            flash(
                f"Your scores for {bid.organisation.name} are saved. You can change them "
                "until you submit your scores.",
                "success",
            )
            return _to_evaluate(opportunity)
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
        scale_labels=SCALE_LABELS,
        scale_max=scale_max,
        measure_name=measure_name,
    )


def measure_name(measure_id):
    measure = social_value.get(measure_id)
    return f"{measure.name} ({measure.unit})" if measure else measure_id


@bp.route(BASE + "/evaluate/submit", methods=["POST"])
@login_required
def submit_scores(organisation_id, opportunity_id):
    organisation, opportunity = _published(organisation_id, opportunity_id)
    assignment = _assignment(opportunity)
    if ActionForm().validate_on_submit():
        try:
            evaluation.submit_scores(me(), opportunity)
        except NotAllowed:
            abort(403)
        except ServiceError as exc:
            return _render_evaluate(organisation, opportunity, assignment, problem=str(exc))
        flash(
            "Your scores are submitted. You can see your colleagues’ scores when every "
            "evaluator has submitted theirs.",
            "success",
        )
    return _to_evaluate(opportunity)


# --- Moderation -------------------------------------------------------------------------------


def _side_by_side(opportunity):
    try:
        return evaluation.side_by_side(me(), opportunity)
    except NotAllowed:
        abort(403)
    except ServiceError:
        abort(404)


@bp.route(BASE + "/moderation")
@login_required
def moderation(organisation_id, opportunity_id):
    """Every evaluator's scores side by side with the spread, and the consensus so far: for
    every evaluator once all have submitted; the moderator records the consensus from here."""
    organisation, opportunity = _published(organisation_id, opportunity_id)
    assignment = _assignment(opportunity)
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
        agreed=evaluation.consensus(opportunity.id),
        scale_labels=SCALE_LABELS,
        two_places=two_places,
        award=award_of(opportunity.id),
    )


@bp.route(BASE + "/moderation/bids/<int:bid_id>", methods=["GET", "POST"])
@login_required
def moderate_bid(organisation_id, opportunity_id, bid_id):
    organisation, opportunity = _published(organisation_id, opportunity_id)
    assignment = _assignment(opportunity)
    table = _side_by_side(opportunity)
    if not assignment.is_moderator:
        abort(403)
    bid = next((b for b in evaluation.bids_to_score(opportunity.id) if b.id == bid_id), None)
    if bid is None:
        abort(404)
    questions = evaluation.scored_questions(opportunity.id)
    agreed = evaluation.consensus(opportunity.id)
    data = {}
    for q in questions:
        row = agreed.get((bid.id, q.id))
        if row is not None:
            data[f"score_{q.id}"], data[f"comment_{q.id}"] = str(row.score), row.reason
    scale_max = sealing.evaluation_of(opportunity.id).scale_max
    form = score_form(
        questions,
        scale_max,
        "Reason for the agreed score",
        data=data,
        submit_label="Save agreed scores",
    )
    if form.validate_on_submit():
        try:
            for q in questions:
                evaluation.moderate(
                    me(),
                    opportunity,
                    bid,
                    q,
                    int(form[f"score_{q.id}"].data),
                    form[f"comment_{q.id}"].data,
                )
        except ServiceError as exc:
            refused(
                form,
                exc,
                f"comment_{q.id}",
                {"score": f"score_{q.id}", "reason": f"comment_{q.id}"},
            )
        else:
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
        scale_labels=SCALE_LABELS,
        two_places=two_places,
    )


# --- The result ---------------------------------------------------------------------------------


def _supplier_names(opportunity):
    return {b.id: b.organisation.name for b in sealing.submitted_bids(opportunity.id)}


def render_result(organisation, opportunity, problem=None):
    if sealing.evaluation_of(opportunity.id) is None:
        return _to_evaluation(opportunity)
    ranked = evaluation.result(opportunity)
    flagged, cleared = evaluation.abnormally_low(opportunity)
    return render_template(
        "lots/eval_result.html",
        organisation=organisation,
        opportunity=opportunity,
        ranked=ranked,
        names=_supplier_names(opportunity),
        award=award_of(opportunity.id),
        uncleared=flagged - cleared,
        problem=problem,
        propose_form=ActionForm(),
        can_propose=has_buyer_role(current_user, opportunity.buyer_id, "buyer"),
        can_decide=has_buyer_role(current_user, opportunity.buyer_id, "approver"),
    )


@bp.route(BASE + "/result")
@login_required
def evaluation_result(organisation_id, opportunity_id):
    organisation, opportunity = _overseen(organisation_id, opportunity_id)
    return render_result(organisation, opportunity)
