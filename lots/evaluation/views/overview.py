"""The buyer's evaluation page: the seal before the deadline, the evaluators, opening the bids,
then each bid with its pass/fail outcome and price flag; excluding, reinstating and clearing the
price of a bid."""

from flask import abort, flash, render_template
from flask_login import current_user, login_required

from app.errors import NotAllowed, ServiceError
from app.web import me, refused
from lots.bids.submitting import price_pence
from lots.blueprint import bp
from lots.evaluation import permissions, results, scores, sealing
from lots.evaluation import services as evaluation
from lots.evaluation.forms import (
    ActionForm,
    AssignEvaluatorForm,
    ClearPriceForm,
    ExcludeForm,
    ReinstateForm,
)
from lots.evaluation.hooks import award_of
from lots.evaluation.views.pages import BASE, overseen, published, to_evaluate, to_evaluation
from lots.opportunities import queries


def _colleagues(opportunity):
    """Users of the buyer who may be assigned: owners and members with the evaluator role."""
    return [
        m.user
        for m, _roles in queries.members_with_roles(opportunity.buyer_id)
        if permissions.may_evaluate(m.user, opportunity)
    ]


def _submitted_bid(opportunity, bid_id):
    """A submitted bid of the opportunity, through the seal (404 while it holds)."""
    bid = next((b for b in sealing.submitted_bids(opportunity.id) if b.id == bid_id), None)
    if bid is None:
        abort(404)
    return bid


def _bid_rows(opportunity):
    """Each opened bid with its price, pass/fail outcome and price flag."""
    excluded = evaluation.exclusions(opportunity.id)
    flagged, cleared = results.abnormally_low(opportunity)
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
    context = dict(
        organisation=organisation,
        opportunity=opportunity,
        form=form,
        sealed=sealed,
        opened=opened,
        assignments=evaluation.assignments(opportunity.id),
        can_manage=permissions.may_manage(current_user, opportunity),
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
        context["everyone_submitted"] = scores.everyone_submitted(opportunity)
        context["agreed"] = len(scores.consensus(opportunity.id))
        context["to_agree"] = len(evaluation.bids_to_score(opportunity.id)) * len(
            evaluation.scored_questions(opportunity.id)
        )
    return render_template("lots/eval_overview.html", **context)


def _with_problem(organisation, opportunity, exc):
    """The evaluation page again, with a refusal about the page as a whole (a NotAllowed is a
    403)."""
    if isinstance(exc, NotAllowed):
        abort(403)
    form = AssignEvaluatorForm(colleagues=_colleagues(opportunity))
    return _render_evaluation(organisation, opportunity, form, problem=str(exc))


# The endpoint is "lots.evaluation"; the function has another name so as not to hide the
# evaluation service module.
@bp.route(BASE + "/bid-evaluation", endpoint="evaluation", methods=["GET", "POST"])
@login_required
def evaluation_page(organisation_id, opportunity_id):
    organisation, opportunity = published(organisation_id, opportunity_id)
    if not permissions.may_oversee(current_user, opportunity):
        if permissions.assignment_for(current_user, opportunity.id) is not None:
            return to_evaluate(opportunity)
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
            return to_evaluation(opportunity)
    return _render_evaluation(organisation, opportunity, form)


@bp.route(BASE + "/bid-evaluation/evaluators/<int:assignment_id>/remove", methods=["POST"])
@login_required
def remove_evaluator(organisation_id, opportunity_id, assignment_id):
    organisation, opportunity = overseen(organisation_id, opportunity_id)
    assignment = next(
        (a for a in evaluation.assignments(opportunity.id) if a.id == assignment_id), None
    )
    if assignment is None:
        abort(404)
    if ActionForm().validate_on_submit():
        name = assignment.user.name
        try:
            evaluation.remove_evaluator(me(), opportunity, assignment)
        except ServiceError as exc:
            return _with_problem(organisation, opportunity, exc)
        flash(f"{name} is no longer an evaluator.", "success")
    return to_evaluation(opportunity)


@bp.route(BASE + "/bid-evaluation/open", methods=["POST"])
@login_required
def open_bids(organisation_id, opportunity_id):
    organisation, opportunity = overseen(organisation_id, opportunity_id)
    if ActionForm().validate_on_submit():
        try:
            sealing.open_bids(me(), opportunity)
        except ServiceError as exc:
            return _with_problem(organisation, opportunity, exc)
        flash(
            "The bids are open. Bids that failed a pass or fail question have been "
            "excluded, with the reason.",
            "success",
        )
    return to_evaluation(opportunity)


# --- One opened bid: exclude, reinstate, clear its price ----------------------------------------


def _bid_action(endpoint, path, form_class, act, page_title, done):
    """A page that does one thing to one opened bid: ``act(user, opportunity, bid, reason)`` is
    one service call. Its endpoint is ``lots.<endpoint>``."""

    @bp.route(
        BASE + f"/bid-evaluation/bids/<int:bid_id>/{path}",
        endpoint=endpoint,
        methods=["GET", "POST"],
    )
    @login_required
    def page(organisation_id, opportunity_id, bid_id):
        organisation, opportunity = overseen(organisation_id, opportunity_id)
        if sealing.evaluation_of(opportunity.id) is None:
            return to_evaluation(opportunity)
        bid = _submitted_bid(opportunity, bid_id)
        form = form_class()
        if form.validate_on_submit():
            try:
                act(me(), opportunity, bid, form.reason.data)
            except ServiceError as exc:
                refused(form, exc, "reason")
            else:
                flash(done.format(supplier=bid.organisation.name), "success")
                return to_evaluation(opportunity)
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

    return page


_bid_action(
    "exclude_bid",
    "exclude",
    ExcludeForm,
    evaluation.exclude_bid,
    "Exclude the bid from {supplier}",
    "The bid from {supplier} is excluded.",
)
_bid_action(
    "reinstate_bid",
    "reinstate",
    ReinstateForm,
    evaluation.reinstate_bid,
    "Reinstate the bid from {supplier}",
    "The bid from {supplier} is reinstated. Evaluators can now score it.",
)
_bid_action(
    "clear_price",
    "clear-price",
    ClearPriceForm,
    results.clear_price,
    "Clear the price of {supplier}’s bid",
    "The price of the bid from {supplier} is cleared, with your reason.",
)
