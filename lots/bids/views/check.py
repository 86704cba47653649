"""Checking a bid before submitting it (each problem linked to where it is put right),
submitting, the receipt, and withdrawing."""

from flask import flash, redirect, render_template
from flask_login import login_required

from app import web
from app.errors import DeadlinePassed, ServiceError
from app.extensions import db
from app.places.models import Wish
from app.reference import social_value
from app.web import me
from lots.bids import pledges, submitting
from lots.bids import services as bids
from lots.bids.forms import ROLE_LABELS, SubmitBidForm, WithdrawBidForm
from lots.bids.models import BidStatus
from lots.bids.views.bidder import (
    bidder,
    deadline_words,
    measures,
    pass_fail_questions,
    refused,
    scored_questions,
)
from lots.blueprint import bp


def _problem_href(who, key):
    if key.startswith("answer-"):
        return who.url("lots.bid_question", question_id=int(key.split("-")[1])) + "#answer"
    if key.startswith("pass-fail-"):
        return who.url("lots.bid_pass_fail") + f"#{key}"
    if key == "total_price" or key.startswith("line-"):
        return who.url("lots.bid_price") + f"#{key}"
    if key.startswith("social-value-"):
        return who.url("lots.bid_social_value") + f"#{key}"
    if key.startswith("wish-"):
        return who.url("lots.bid_wish_pledges") + f"#{key}"
    if key.startswith("partners"):
        return who.url("lots.bid_partners")
    return who.url("lots.bid_attachments") + "#attachments"


def _problem_links(who, problems):
    return [{"text": message, "href": _problem_href(who, key)} for key, message in problems.items()]


def _render_check(who, form, problems=None, refusal=None, status=200):
    bid = who.bid
    if problems is None:
        problems = submitting.problems(bid)
    schedule = who.opportunity.price_schedule or []
    price = None
    if not problems or all(not (k == "total_price" or k.startswith("line-")) for k in problems):
        price = submitting.price_pence(bid)
    return render_template(
        "lots/bid_check.html",
        bidder=who,
        opportunity=who.opportunity,
        bid=bid,
        form=form,
        problems=_problem_links(who, problems),
        refusal=refusal,
        questions=scored_questions(who.opportunity),
        pass_fail=pass_fail_questions(who.opportunity),
        schedule=schedule,
        price=price,
        measures=measures(who.opportunity),
        documents=bids.attachments(bid),
        role_labels=ROLE_LABELS,
        count_words=bids.count_words,
        deadline=deadline_words(who.opportunity),
        changed=submitting.has_unsubmitted_changes(bid),
        pledged_wishes=_pledged_wishes(bid),
    ), status


def _pledged_wishes(bid):
    """[(wish, quantity as typed)] of the bid's pledges to community wishes."""
    found = []
    for wish_id, amount in sorted(pledges.pledges_of(bid).items()):
        wish = db.session.get(Wish, wish_id)
        if wish is not None:
            measure = social_value.get(wish.measure_id)
            unit = measure.unit if measure else ""
            number = f"{amount.normalize():f}"
            found.append((wish, f"£{number}" if unit == "£" else f"{number} {unit}".strip()))
    return found


@bp.route("/opportunities/<int:opportunity_id>/bid/check")
@login_required
def check_bid(opportunity_id):
    return _render_check(bidder(opportunity_id), SubmitBidForm())


@bp.route("/opportunities/<int:opportunity_id>/bid/submit", methods=["POST"])
@login_required
def submit_bid(opportunity_id):
    who = bidder(opportunity_id)
    form = SubmitBidForm()
    if not form.validate_on_submit():
        return _render_check(who, form)
    try:
        submitting.submit(me(), who.bid, conditions_confirmed=form.conditions_confirmed.data)
    except submitting.BidIncomplete as exc:
        db.session.rollback()
        return _render_check(who, SubmitBidForm(formdata=None), problems=exc.problems)
    except DeadlinePassed as exc:
        db.session.rollback()
        db.session.expire_all()
        who.bid = bids.bid_of(who.organisation.id, who.opportunity.id)
        return _render_check(who, SubmitBidForm(formdata=None), refusal=str(exc), status=409)
    except ServiceError as exc:
        web.refused(form, exc, "submit")  # a NotAllowed is a 403
        return _render_check(who, form)
    return redirect(who.url("lots.bid_submitted"))


@bp.route("/opportunities/<int:opportunity_id>/bid/submitted")
@login_required
def bid_submitted(opportunity_id):
    who = bidder(opportunity_id)
    submission = who.bid.current_submission
    if submission is None:
        return redirect(who.url("lots.bid_overview"))
    return render_template(
        "lots/bid_submitted.html",
        bidder=who,
        opportunity=who.opportunity,
        submission=submission,
        deadline=deadline_words(who.opportunity),
    )


@bp.route("/opportunities/<int:opportunity_id>/bid/withdraw", methods=["GET", "POST"])
@login_required
def withdraw_bid(opportunity_id):
    who = bidder(opportunity_id)
    if who.bid.status != BidStatus.SUBMITTED:
        return redirect(who.url("lots.bid_overview"))
    form = WithdrawBidForm()
    if form.validate_on_submit():
        try:
            submitting.withdraw(me(), who.bid)
        except ServiceError as exc:
            refused(form, exc, "submit")
        else:
            flash(
                "Your bid has been withdrawn. The buyer will not see it. You can submit it "
                "again before the deadline.",
                "success",
            )
            return redirect(who.url("lots.bid_overview"))
    return render_template(
        "lots/bid_withdraw.html",
        bidder=who,
        opportunity=who.opportunity,
        form=form,
        submission=who.bid.current_submission,
        deadline=deadline_words(who.opportunity),
    )
