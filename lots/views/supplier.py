"""What an invited supplier sees on an opportunity's page, on top of the public part: the tender
documents, its own questions and their answers, and a form to ask a question before the
deadline for questions. Bidding comes in a later release."""
from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required

from app.timeutil import utcnow
from lots import queries
from lots.forms import AskQuestionForm
from lots.services import LotsError, clarifications
from lots.views import bp
from lots.views.common import found, me, refused


def supplier_part(opportunity, ask_form=None):
    """The invited supplier's part of the page, or None when the person belongs to no invited
    organisation. Someone in several invited organisations chooses which with ``?as=``."""
    organisations = queries.invited_organisations_for(current_user, opportunity.id)
    if not organisations:
        return None
    wanted = ask_form.organisation_id.data if ask_form else request.args.get("as")
    organisation = next((o for o in organisations if str(o.id) == str(wanted)), organisations[0])
    deadline = opportunity.question_deadline or opportunity.submission_deadline
    from lots.bid_forms import StartBidForm
    from lots.services import bids
    from lots.views.bids import bid_words
    bid = bids.bid_of(organisation.id, opportunity.id)
    return {
        "bid": bid, "bid_words": bid_words(bid) if bid else None,
        "bid_problem": bids.eligibility_problem(organisation.id, opportunity),
        "start_form": StartBidForm(),
        "organisation": organisation, "organisations": organisations,
        "questions": queries.questions_from(opportunity.id, organisation.id),
        "form": ask_form or AskQuestionForm(data={"organisation_id": str(organisation.id)}),
        "questions_open": bool(opportunity.is_open and deadline and utcnow() < deadline),
    }


@bp.route("/opportunities/<int:opportunity_id>/questions", methods=["POST"])
@login_required
def ask_question(opportunity_id):
    from lots.views.public import render_opportunity
    opportunity = found(queries.opportunity(opportunity_id))
    form = AskQuestionForm()
    if form.validate_on_submit():
        organisation_id = form.organisation_id.data or ""
        organisation = found(queries.organisation(int(organisation_id))
                             if organisation_id.isdigit() else None)
        try:
            clarifications.ask(me(), organisation, opportunity, form.question.data)
        except LotsError as exc:
            refused(form, exc, "question")
        else:
            flash("Your question has been sent to the buyer. We will email you when it is "
                  "answered.", "success")
            return redirect(url_for("lots.view_opportunity", opportunity_id=opportunity.id,
                                    **{"as": organisation.id}) + "#your-questions")
    return render_opportunity(opportunity, ask_form=form)
