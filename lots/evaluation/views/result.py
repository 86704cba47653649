"""The ranked result, from which the buyer proposes the award (the proposal itself and the
approver's decision are in ``lots.awards.views``)."""

from flask import render_template
from flask_login import current_user, login_required

from lots.blueprint import bp
from lots.evaluation import permissions, results, sealing
from lots.evaluation.forms import ActionForm
from lots.evaluation.hooks import award_of
from lots.evaluation.views.pages import BASE, overseen, to_evaluation


def _supplier_names(opportunity):
    return {b.id: b.organisation.name for b in sealing.submitted_bids(opportunity.id)}


def render_result(organisation, opportunity, problem=None):
    if sealing.evaluation_of(opportunity.id) is None:
        return to_evaluation(opportunity)
    ranked = results.result(opportunity)
    flagged, cleared = results.abnormally_low(opportunity)
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
        can_propose=permissions.may_manage(current_user, opportunity),
        can_decide=permissions.may_decide(current_user, opportunity),
    )


@bp.route(BASE + "/result")
@login_required
def evaluation_result(organisation_id, opportunity_id):
    organisation, opportunity = overseen(organisation_id, opportunity_id)
    return render_result(organisation, opportunity)
