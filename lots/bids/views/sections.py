"""A bid's sections that are one form each: pass or fail questions, price, and social value
commitments."""

from flask import redirect, render_template, request
from flask_login import login_required

from app.errors import ServiceError
from app.reference import social_value
from app.web import found, me
from lots.bids import pledges
from lots.bids import services as bids
from lots.bids.forms import pass_fail_form, price_form, social_value_form
from lots.bids.views.bidder import bidder, measures, pass_fail_questions, read_only, refused
from lots.blueprint import bp


def _section_page(who, form, template, save, default, fields=None, next_endpoint=None, **context):
    """A section of the bid: the form filled from the bid, saved by ``save(form)`` (one service
    call), then on to the next section (or the overview)."""
    if request.method == "GET" and not who.editable:
        return read_only(who)
    if form.validate_on_submit():
        try:
            save(form)
        except ServiceError as exc:
            refused(form, exc, default, fields)
        else:
            return redirect(who.url(next_endpoint or "lots.bid_overview"))
    return render_template(template, bidder=who, opportunity=who.opportunity, form=form, **context)


@bp.route("/opportunities/<int:opportunity_id>/bid/pass-fail", methods=["GET", "POST"])
@login_required
def bid_pass_fail(opportunity_id):
    who = bidder(opportunity_id)
    questions = found(pass_fail_questions(who.opportunity) or None)
    form = pass_fail_form(
        questions, {f"pass-fail-{q.id}": who.bid.pass_fail.get(str(q.id)) for q in questions}
    )
    return _section_page(
        who,
        form,
        "lots/bid_pass_fail.html",
        lambda f: bids.save_draft(me(), who.bid, pass_fail=f.values()),
        form._names[0],
        next_endpoint="lots.bid_price",
        questions=questions,
    )


@bp.route("/opportunities/<int:opportunity_id>/bid/price", methods=["GET", "POST"])
@login_required
def bid_price(opportunity_id):
    who = bidder(opportunity_id)
    schedule = who.opportunity.price_schedule or []
    form = price_form(schedule, who.bid)
    default = "line-0" if schedule else "total_price"
    return _section_page(
        who,
        form,
        "lots/bid_price.html",
        lambda f: bids.save_draft(me(), who.bid, **f.values()),
        default,
        {"line_prices": default},
        next_endpoint="lots.bid_social_value"
        if who.opportunity.social_value_measures
        else "lots.bid_partners",
        schedule=schedule,
    )


@bp.route("/opportunities/<int:opportunity_id>/bid/social-value", methods=["GET", "POST"])
@login_required
def bid_social_value(opportunity_id):
    who = bidder(opportunity_id)
    asked = found(measures(who.opportunity) or None)
    form = social_value_form(asked, who.bid)
    return _section_page(
        who,
        form,
        "lots/bid_social_value.html",
        lambda f: bids.save_draft(me(), who.bid, social_value=f.values()),
        f"social-value-{asked[0].id}",
        # On to the community wishes the bidder may pledge to, when there are any.
        next_endpoint="lots.bid_wish_pledges" if pledges.offered(who.bid) else "lots.bid_partners",
        measures=asked,
        theme_name=social_value.theme_name,
    )
