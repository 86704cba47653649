"""Help to bid: is a supplier ready to bid for an opportunity? A checklist computed for one
organisation, item by item, each ready or not with what to do and where to do it.

The items, in order (``ITEMS``):

- **admitted**: the organisation holds the opportunity's lot (admitted or suspended);
- **documents**: every document its latest application relies on (insurance certificates,
  accounts, policies, evidence) is still current on the deadline for bids;
- **insurance**: it declared each insurance the call-off asks for as held, at least at the level
  asked, and not expiring before the deadline;
- **policies**: it declared each policy the call-off asks for as in place;
- **conditions**: it meets the lot's conditions of membership and the call-off's reservation now
  (``lot_conditions_problems``: the one function conditions work extends);
- **questions**: its bid answers every question, the price and the social value commitments
  (or it is submitted);
- **partners**: every registered partner named in its bid has agreed through the partner board
  (``lots.bids.partnering``); typed-in partners count as confirmed by the bidder.

Where a call-off asks bidders only to declare (``evidence_from_winner_only``), the documents item
says so: only the preferred bidder gives them, before the award. The rules live here; the page
only shows them.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.documents.models import Document
from app.documents.services import replaced_by_a_current_one
from app.extensions import db
from app.money import money
from app.organisations.models import Organisation
from app.timeutil import format_date, to_local, utcnow
from dps.models import Application, ApplicationStatus, LotMembership, MembershipStatus
from lots.bids import partnering, submitting
from lots.bids.models import BidStatus
from lots.bids.services import bid_of
from lots.opportunities.invitations import eligible_supplier_ids
from lots.opportunities.permissions import is_invited
from lots.opportunities.requirements import POLICIES, requirements_of

ITEMS = ("admitted", "documents", "insurance", "policies", "conditions", "questions", "partners")
TITLES = {
    "admitted": "Admitted to the lot",
    "documents": "Documents current on the deadline",
    "insurance": "Insurance at the level asked",
    "policies": "Policies in place",
    "conditions": "Conditions of the lot met",
    "questions": "Questions answered",
    "partners": "Partners confirmed",
}
SENT = (ApplicationStatus.SUBMITTED, ApplicationStatus.CLARIFICATION, ApplicationStatus.DECIDED)


@dataclass(frozen=True)
class Item:
    key: str
    ready: bool
    detail: str
    fix: tuple | None = None  # (link text, endpoint, values) when not ready

    @property
    def title(self):
        return TITLES[self.key]


@dataclass(frozen=True)
class Checklist:
    opportunity: object
    organisation: object
    items: tuple

    @property
    def ready(self):
        return all(item.ready for item in self.items)

    @property
    def ready_count(self):
        return sum(1 for item in self.items if item.ready)

    def item(self, key):
        return next(i for i in self.items if i.key == key)


def checklist(opportunity, organisation):
    """The readiness checklist of ``organisation`` for ``opportunity``."""
    application = latest_application(organisation.id, opportunity.dps_id)
    answers = (application.snapshot or {}).get("answers", {}) if application else {}
    requirements = requirements_of(opportunity.id)
    deadline_day = _deadline_day(opportunity)
    bid = bid_of(organisation.id, opportunity.id)
    items = (
        _admitted(opportunity, organisation),
        _documents(opportunity, organisation, application, deadline_day, requirements),
        _insurance(opportunity, organisation, answers, requirements, deadline_day, application),
        _policies(opportunity, organisation, answers, requirements, application),
        _conditions(opportunity, organisation),
        _questions(opportunity, organisation, bid),
        _partners(opportunity, bid),
    )
    return Checklist(opportunity, organisation, items)


def latest_application(organisation_id, dps_id):
    """The organisation's latest application to the DPS that was sent (its answers stand)."""
    return db.session.execute(
        sa.select(Application)
        .where(
            Application.organisation_id == organisation_id,
            Application.dps_id == dps_id,
            Application.status.in_(SENT),
        )
        .order_by(Application.submitted_at.desc(), Application.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def membership_of(organisation_id, lot_id):
    return db.session.execute(
        sa.select(LotMembership).where(
            LotMembership.organisation_id == organisation_id, LotMembership.lot_id == lot_id
        )
    ).scalar_one_or_none()


def lot_conditions_problems(organisation_id, opportunity):
    """What stops the organisation meeting the lot's conditions of membership and the call-off's
    reservation today, in words ([] when it meets them). Lot conditions checked as data extend
    this function."""
    membership = membership_of(organisation_id, opportunity.lot_id)
    if membership is None or membership.status not in (
        MembershipStatus.ADMITTED,
        MembershipStatus.SUSPENDED,
    ):
        return ["You are not admitted to the lot, so its conditions have not been checked"]
    if membership.status == MembershipStatus.SUSPENDED:
        reason = (membership.status_reason or "").strip()
        return [f"You are suspended from the lot{': ' + reason if reason else ''}"]
    eligible = db.session.execute(
        eligible_supplier_ids(opportunity).where(Organisation.id == organisation_id)
    ).first()
    if eligible is None:
        return ["Your organisation does not meet who this call-off is reserved for"]
    return []


def _deadline_day(opportunity):
    deadline = opportunity.submission_deadline or utcnow()
    return to_local(deadline).date()


def _apply_fix(opportunity):
    return ("Apply to join the lot", "dps.start_application", {"slug": opportunity.dps.slug})


def _lots_fix(organisation):
    return (
        "See your lots and declarations",
        "dps.organisation_lots",
        {"organisation_id": organisation.id},
    )


def _library_fix(organisation):
    return (
        "Upload a current document",
        "documents.list_documents",
        {"organisation_id": organisation.id},
    )


def _admitted(opportunity, organisation):
    membership = membership_of(organisation.id, opportunity.lot_id)
    lot = opportunity.lot
    if membership is not None and membership.status in (
        MembershipStatus.ADMITTED,
        MembershipStatus.SUSPENDED,
    ):
        return Item("admitted", True, f"You are admitted to {lot.label}.")
    return Item(
        "admitted",
        False,
        f"Only suppliers admitted to {lot.label} can bid. Apply to join it; a decision is due "
        f"within {opportunity.dps.admission_days} working days.",
        _apply_fix(opportunity),
    )


def _documents(opportunity, organisation, application, deadline_day, requirements):
    if application is None:
        return Item(
            "documents",
            False,
            "You have not sent an application with your documents yet.",
            _apply_fix(opportunity),
        )
    ids = [int(i) for i in (application.snapshot or {}).get("documents", {})]
    documents = (
        db.session.execute(sa.select(Document).where(Document.id.in_(ids))).scalars().all()
        if ids
        else []
    )
    stale = [
        d
        for d in documents
        if (d.expires_on is not None and d.expires_on < deadline_day)
        and not replaced_by_a_current_one(d, deadline_day)
    ]
    later = (
        " Only the preferred bidder is asked for them, before the award."
        if requirements and requirements.evidence_from_winner_only
        else ""
    )
    if stale:
        names = ", ".join(
            f"{d.original_filename} (expires {format_date(d.expires_on)})" for d in stale
        )
        return Item(
            "documents",
            False,
            f"These expire before the deadline of {format_date(deadline_day)}: {names}.{later}",
            _library_fix(organisation),
        )
    return Item(
        "documents",
        True,
        f"Every document your application relies on is current on {format_date(deadline_day)}."
        f"{later}",
    )


def _insurance(opportunity, organisation, answers, requirements, deadline_day, application):
    levels = requirements.insurance_levels() if requirements else []
    if not levels:
        return Item("insurance", True, "This call-off asks for no particular level of insurance.")
    if application is None:
        return Item(
            "insurance",
            False,
            "Declare your insurance in an application to the lot first.",
            _apply_fix(opportunity),
        )
    short = []
    for key, name, pence in levels:
        held = answers.get(key) == "held"
        amount = answers.get(f"{key}_amount") or 0
        expiry = _as_date(answers.get(f"{key}_expiry"))
        if not held or amount < pence:
            short.append(
                f"{name} of at least {money(pence)} (you declared {_declared(held, amount)})"
            )
        elif expiry is not None and expiry < deadline_day:
            short.append(f"{name}: yours expires on {format_date(expiry)}, before the deadline")
    if short:
        return Item(
            "insurance",
            False,
            "You need " + "; ".join(short) + ". Renew your declaration when your cover changes.",
            _lots_fix(organisation),
        )
    names = ", ".join(f"{name} of {money(pence)}" for _key, name, pence in levels)
    return Item("insurance", True, f"You declared the cover asked for: {names}.")


def _declared(held, amount):
    if not held:
        return "none held"
    return money(amount)


def _as_date(value):
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _policies(opportunity, organisation, answers, requirements, application):
    asked = requirements.policies if requirements else []
    if not asked:
        return Item("policies", True, "This call-off asks for no particular policies.")
    if application is None:
        return Item(
            "policies",
            False,
            "Declare your policies in an application to the lot first.",
            _apply_fix(opportunity),
        )
    missing = [POLICIES[p][2] for p in asked if answers.get(POLICIES[p][0]) not in POLICIES[p][1]]
    if missing:
        return Item(
            "policies",
            False,
            "This call-off asks for: " + "; ".join(missing) + ". Your declaration does not "
            "say you have it. Put the policy in place, then renew your declaration.",
            _lots_fix(organisation),
        )
    return Item("policies", True, "You declared every policy asked for.")


def _conditions(opportunity, organisation):
    problems = lot_conditions_problems(organisation.id, opportunity)
    if problems:
        membership = membership_of(organisation.id, opportunity.lot_id)
        fix = _lots_fix(organisation) if membership is not None else _apply_fix(opportunity)
        return Item("conditions", False, " ".join(p.rstrip(".") + "." for p in problems), fix)
    return Item("conditions", True, "You meet the lot’s conditions and who the call-off is for.")


def _questions(opportunity, organisation, bid):
    bid_fix = ("Go to your bid", "lots.bid_overview", {"opportunity_id": opportunity.id})
    if bid is None and not is_invited(organisation.id, opportunity.id):
        return Item(
            "questions",
            False,
            "You can start a bid once you are invited: every supplier admitted to the lot when "
            "the call-off is published is invited, and those admitted while it is open.",
        )
    if bid is None:
        return Item("questions", False, "You have not started a bid.", bid_fix)
    if bid.status == BidStatus.SUBMITTED and not submitting.has_unsubmitted_changes(bid):
        return Item("questions", True, "Your bid is submitted.")
    problems = submitting.problems(bid)
    if problems:
        count = len(problems)
        return Item(
            "questions",
            False,
            f"{count} {'thing is' if count == 1 else 'things are'} still to do in your bid. "
            f"The first: {_sentence(next(iter(problems.values())))}",
            bid_fix,
        )
    return Item("questions", True, "Every question is answered. Check and submit your bid.")


def _sentence(words):
    return words if words.endswith((".", "?", "!")) else words + "."


def _partners(opportunity, bid):
    board = ("Go to the partner board", "lots.partner_board", {"opportunity_id": opportunity.id})
    if bid is None or not bid.partners:
        return Item("partners", True, "You name no partners: you are bidding alone.")
    waiting = [
        p.name
        for p in bid.partners
        if p.partner_organisation_id is not None
        and not partnering.agreed_between(
            opportunity.id, bid.organisation_id, p.partner_organisation_id
        )
    ]
    if waiting:
        return Item(
            "partners",
            False,
            "These partners have not agreed through the partner board: "
            + ", ".join(waiting)
            + ". Contact them there, or ask them to reply to your message.",
            board,
        )
    return Item("partners", True, f"All {len(bid.partners)} partners named have agreed.")
