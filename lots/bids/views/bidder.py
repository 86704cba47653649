"""What the bid pages share: who is bidding for what, and how a refusal is shown.

Only members of an invited organisation see these pages; anyone else gets a 404, so nobody
learns whether a bid exists. Someone in several invited organisations chooses which with
``?as=`` (as on the opportunity page). Views never decide who may bid or whether the deadline
has passed: ``lots.bids.permissions`` does, and each page calls one service and shows its refusal
(the deadline said plainly, with what was typed kept on the page; any other NotAllowed a 403).
"""

from dataclasses import dataclass

from flask import abort, g, redirect, request, url_for
from flask_login import current_user

from app import web
from app.errors import DeadlinePassed, ServiceError
from app.reference import social_value
from app.timeutil import format_datetime, utcnow
from app.web import found
from lots.bids import permissions
from lots.bids import services as bids
from lots.opportunities import queries
from lots.opportunities.models import QuestionKind
from lots.search import queries as search

SCORED = (QuestionKind.QUALITY, QuestionKind.SOCIAL_VALUE)


@dataclass
class Bidder:
    """Who is bidding for what: the opportunity, the person's invited organisation, its bid."""

    opportunity: object
    organisation: object
    organisations: list
    bid: object

    @property
    def problem(self):
        """Why the bid cannot change now (the rule's words), or None."""
        if not hasattr(self, "_problem"):
            self._problem = permissions.eligibility_problem(self.organisation.id, self.opportunity)
        return self._problem

    @property
    def editable(self):
        return self.problem is None

    def url(self, endpoint, **values):
        """A bid page's address, keeping the organisation chosen with ``?as=``."""
        if len(self.organisations) > 1:
            values["as"] = self.organisation.id
        return url_for(endpoint, opportunity_id=self.opportunity.id, **values)


def bidder(opportunity_id, need_bid=True):
    """The signed-in person's side of the opportunity: 404 unless they may bid for one of its
    invited organisations; without a bid yet, a section page sends them to the overview."""
    opportunity = found(queries.opportunity(opportunity_id))
    organisations = permissions.bidding_organisations(current_user, opportunity.id)
    if not organisations:
        abort(404)
    wanted = request.args.get("as")
    if wanted:
        organisation = found(next((o for o in organisations if str(o.id) == wanted), None))
    else:
        organisation = organisations[0]
    who = Bidder(
        opportunity, organisation, organisations, bids.bid_of(organisation.id, opportunity.id)
    )
    g.bidder = who
    if need_bid and who.bid is None:
        abort(redirect(who.url("lots.bid_overview")))
    return who


def said_plainly(exc):
    """A refusal as the bid pages show it: the deadline is not a 403 but a message saying that
    what was typed is shown and was not saved."""
    if isinstance(exc, DeadlinePassed):
        return ServiceError(
            f"{str(exc).rstrip('.')}. Your bid can no longer be changed. What you typed "
            "is shown below, but it was not saved",
            exc.field,
        )
    return exc


def refused(form, exc, default, fields=None):
    """A service said no: ``app.web.refused``, with the deadline said plainly."""
    web.refused(form, said_plainly(exc), default, fields)


def read_only(who):
    """A section page once the bid cannot change: the check page shows everything."""
    return redirect(who.url("lots.check_bid"))


def scored_questions(opportunity):
    return [q for q in opportunity.questions if q.kind in SCORED]


def pass_fail_questions(opportunity):
    return [q for q in opportunity.questions if q.kind == QuestionKind.PASS_FAIL]


def measures(opportunity):
    return [m for m in (social_value.get(i) for i in opportunity.social_value_measures or []) if m]


def deadline_words(opportunity):
    deadline = opportunity.submission_deadline
    if deadline is None:
        return "Not set"
    return f"{format_datetime(deadline)} ({search.closes_in_words(deadline, utcnow())})"
