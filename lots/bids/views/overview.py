"""A bid's overview: its state, the task list of its sections, its submissions; starting a bid;
and the bid's part of the opportunity page."""

from flask import flash, redirect, render_template
from flask_login import login_required

from app import web
from app.errors import DeadlinePassed, ServiceError
from app.extensions import db
from app.timeutil import format_datetime
from app.web import me
from lots.bids import permissions, pledges, submitting
from lots.bids import services as bids
from lots.bids.forms import StartBidForm
from lots.bids.models import BidStatus
from lots.bids.views.bidder import bidder, deadline_words, pass_fail_questions, scored_questions
from lots.blueprint import bp


def _sections(who, problems):
    """The task list: (name, href, status) in page order."""
    bid, opportunity = who.bid, who.opportunity
    sections = []

    def status(keys, started):
        if any(k in problems for k in keys):
            return "Incomplete" if started else "Not yet started"
        return "Completed"

    for i, q in enumerate(scored_questions(opportunity), start=1):
        started = bool((bid.answers.get(str(q.id)) or "").strip())
        sections.append(
            (
                f"Question {i}: {q.text}",
                who.url("lots.bid_question", question_id=q.id),
                status([f"answer-{q.id}"], started),
            )
        )
    pass_fail = pass_fail_questions(opportunity)
    if pass_fail:
        keys = [f"pass-fail-{q.id}" for q in pass_fail]
        sections.append(
            (
                "Pass or fail questions",
                who.url("lots.bid_pass_fail"),
                status(keys, any(bid.pass_fail.get(str(q.id)) for q in pass_fail)),
            )
        )
    lines = opportunity.price_schedule or []
    keys = [f"line-{i}" for i in range(len(lines))] if lines else ["total_price"]
    sections.append(
        (
            "Price",
            who.url("lots.bid_price"),
            status(keys, bool(bid.total_price_pence or any(bid.line_prices.values()))),
        )
    )
    if opportunity.social_value_measures:
        keys = [f"social-value-{m}" for m in opportunity.social_value_measures]
        sections.append(
            (
                "Social value commitments",
                who.url("lots.bid_social_value"),
                status(keys, any(str(v).strip() for v in bid.social_value.values())),
            )
        )
    if bid.wish_pledges or pledges.offered(bid):
        keys = [k for k in problems if k.startswith("wish-")]
        made = len(bid.wish_pledges or {})
        sections.append(
            (
                "Pledges to community wishes",
                who.url("lots.bid_wish_pledges"),
                "Incomplete" if keys else (f"{made} made" if made else "Optional"),
            )
        )
    count = len(bid.partners)
    sections.append(
        (
            "Partners: consortium members and subcontractors",
            who.url("lots.bid_partners"),
            f"{count} named" if count else "Optional",
        )
    )
    files = len(bid.attachment_ids)
    sections.append(
        (
            "Attachments",
            who.url("lots.bid_attachments"),
            "Incomplete"
            if "attachments" in problems
            else (f"{files} {'file' if files == 1 else 'files'}" if files else "Optional"),
        )
    )
    return sections


def _status_words(bid):
    """(tag text, tag class, sentence) for the bid's state."""
    if bid is None:
        return ("Not started", "govuk-tag--grey", "You have not started a bid.")
    current = bid.current_submission
    if bid.status == BidStatus.SUBMITTED and current is not None:
        return (
            "Submitted",
            "govuk-tag--green",
            f"Version {current.version} was submitted at {format_datetime(current.submitted_at)}.",
        )
    if bid.status == BidStatus.WITHDRAWN:
        return (
            "Withdrawn",
            "govuk-tag--red",
            f"You withdrew your bid at {format_datetime(bid.withdrawn_at)}. You can submit "
            "it again before the deadline.",
        )
    if bid.status == BidStatus.DRAFT and submitting.submissions_of(bid):
        # Only an amendment to the price schedule turns a submitted bid back into a draft.
        return (
            "Returned to you",
            "govuk-tag--orange",
            "The buyer changed the price schedule after you submitted, so your bid was returned "
            "to you. Check your prices and submit it again: the buyer will not see it otherwise.",
        )
    return ("Draft", "govuk-tag--yellow", "Your bid has not been submitted.")


def bid_words(bid):
    """A sentence or two on the bid's state, for the opportunity page."""
    words = _status_words(bid)[2]
    if bid.status == BidStatus.SUBMITTED and submitting.has_unsubmitted_changes(bid):
        words += (
            " You have changes not yet submitted: the buyer will see version "
            f"{bid.current_submission.version} unless you submit again."
        )
    return words


def bid_panel(opportunity, organisation):
    """The invited supplier's bid on the opportunity page: its state, or what stops it bidding."""
    bid = bids.bid_of(organisation.id, opportunity.id)
    return {
        "bid": bid,
        "bid_words": bid_words(bid) if bid else None,
        "bid_problem": permissions.eligibility_problem(organisation.id, opportunity),
        "start_form": StartBidForm(),
    }


@bp.route("/opportunities/<int:opportunity_id>/bid")
@login_required
def bid_overview(opportunity_id):
    who = bidder(opportunity_id, need_bid=False)
    bid = who.bid
    problems = submitting.problems(bid) if bid else {}
    tag, tag_class, sentence = _status_words(bid)
    return render_template(
        "lots/bid_overview.html",
        bidder=who,
        opportunity=who.opportunity,
        organisation=who.organisation,
        bid=bid,
        problems=problems,
        sections=_sections(who, problems) if bid else [],
        tag=tag,
        tag_class=tag_class,
        sentence=sentence,
        changed=bool(
            bid and bid.status == BidStatus.SUBMITTED and submitting.has_unsubmitted_changes(bid)
        ),
        deadline=deadline_words(who.opportunity),
        submissions=submitting.submissions_of(bid) if bid else [],
        start_form=StartBidForm(),
    )


@bp.route("/opportunities/<int:opportunity_id>/bid/start", methods=["POST"])
@login_required
def start_bid(opportunity_id):
    who = bidder(opportunity_id, need_bid=False)
    form = StartBidForm()
    if form.validate_on_submit():
        try:
            bids.start_bid(me(), who.organisation, who.opportunity)
        except DeadlinePassed as exc:
            db.session.rollback()
            flash(f"{str(exc).rstrip('.')}. You cannot start a bid now.", "info")
        except ServiceError as exc:
            web.refused(form, exc, "submit")  # a NotAllowed: 403
    return redirect(who.url("lots.bid_overview"))
