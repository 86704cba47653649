"""Evidence only from the winner: a call-off may ask bidders only to declare what they hold
(insurance, accounts, certificates: ``lots.opportunities.requirements``) and ask the preferred
bidder alone for the documents before the award.

The path, each step audited and emailed:

1. The buyer proposes the award (``lots.awards.services.propose``), then asks the preferred
   bidder for the documents (``request``): a deadline ``evidence_days`` working days away, at
   17:00 London time.
2. The bidder gives them from its document library before that deadline (``give``).
3. The buyer checks them and accepts them (``accept``). Only then may the award be confirmed
   (``require_evidence_accepted``, asked by ``confirm``).
4. If they are not given by the deadline, or are not adequate, the buyer records that with a
   reason (``record_not_given``): the bidder is told, its row in the result says why, and the
   award moves to the next-ranked bidder, who is asked in turn. With nobody left, the approver
   records that there was no suitable bid.
"""

from datetime import datetime, time

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.documents.models import LIBRARY_PURPOSES, Document, DocumentStatus
from app.errors import DeadlinePassed, NotAllowed, ServiceError
from app.extensions import db
from app.organisations.models import Membership
from app.outbox.services import queue_email
from app.permissions import is_member
from app.timeutil import format_datetime, local_tz, to_local, utcnow
from app.unitofwork import commit
from app.urls import absolute_url
from dps.working_days import add_working_days
from lots.awards import permissions
from lots.awards.models import AwardStatus, EvidenceRequest, EvidenceStatus
from lots.awards.queries import award_of
from lots.bids.models import Bid
from lots.opportunities.permissions import has_buyer_role
from lots.opportunities.requirements import EVIDENCE_LABELS, EvidenceKind, requirements_of

DUE_AT = time(17, 0)
NOT_ACCEPTED = (
    "This call-off asks the preferred bidder for its documents before the award. Accept them "
    "first, or record that they were not given"
)


def needs_evidence(opportunity):
    requirements = requirements_of(opportunity.id)
    return bool(requirements and requirements.evidence_from_winner_only)


def request_for(opportunity_id, bid_id):
    return db.session.execute(
        sa.select(EvidenceRequest).where(
            EvidenceRequest.opportunity_id == opportunity_id, EvidenceRequest.bid_id == bid_id
        )
    ).scalar_one_or_none()


def requests_of(opportunity_id):
    return (
        db.session.execute(
            sa.select(EvidenceRequest)
            .where(EvidenceRequest.opportunity_id == opportunity_id)
            .order_by(EvidenceRequest.requested_at, EvidenceRequest.id)
        )
        .scalars()
        .all()
    )


def current_request(opportunity):
    """The request to the bidder the proposed award names now, or None."""
    award = award_of(opportunity.id)
    if award is None:
        return None
    return request_for(opportunity.id, award.winner_bid_id)


def require_evidence_accepted(opportunity, award):
    """Confirming the award waits for the preferred bidder's documents, when the call-off asked
    bidders only to declare."""
    if not needs_evidence(opportunity):
        return
    asked = request_for(opportunity.id, award.winner_bid_id)
    if asked is None or asked.status != EvidenceStatus.ACCEPTED:
        raise ServiceError(NOT_ACCEPTED)


def due_at(now, days, calendar):
    day = add_working_days(to_local(now).date(), days, calendar)
    return datetime.combine(day, DUE_AT, tzinfo=local_tz())


def request(user, opportunity, now=None):
    """The buyer asks the preferred bidder of the proposed award for the documents."""
    permissions.require_proposer(user, opportunity)
    if not needs_evidence(opportunity):
        raise ServiceError("This call-off asked bidders for their documents with their bids")
    award = award_of(opportunity.id)
    if award is None or award.status != AwardStatus.PROPOSED:
        raise ServiceError("Propose the award first: the preferred bidder is the one asked")
    if request_for(opportunity.id, award.winner_bid_id) is not None:
        raise ServiceError("The preferred bidder has already been asked")
    requirements = requirements_of(opportunity.id)
    now = now or utcnow()
    asked = EvidenceRequest(
        opportunity_id=opportunity.id,
        bid_id=award.winner_bid_id,
        status=EvidenceStatus.REQUESTED,
        asked=list(requirements.evidence),
        requested_by_id=user.id,
        requested_at=now,
        due_at=due_at(now, requirements.evidence_days, opportunity.dps.calendar),
        document_ids=[],
    )
    db.session.add(asked)
    db.session.flush()
    record(
        E.REQUEST_WINNER_EVIDENCE,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={
            "bid_id": asked.bid_id,
            "asked": asked.asked,
            "due_at": asked.due_at.isoformat(),
        },
    )
    bid = db.session.get(Bid, asked.bid_id)
    _email_bidder(
        bid,
        "winner_evidence_requested",
        f"winner_evidence_requested:{asked.id}",
        title=opportunity.title,
        buyer=opportunity.buyer.name,
        asked=[EVIDENCE_LABELS[EvidenceKind(k)] for k in asked.asked],
        due=format_datetime(asked.due_at),
        url=absolute_url("lots.give_evidence", opportunity_id=opportunity.id),
    )
    commit()
    return asked


def give(user, asked, document_ids, note=None, now=None):
    """The preferred bidder gives the documents, from its library, before the deadline."""
    bid = db.session.get(Bid, asked.bid_id)
    if not is_member(user, bid.organisation_id):
        raise NotAllowed("You are not a member of this organisation")
    if asked.status != EvidenceStatus.REQUESTED:
        raise ServiceError("These documents have already been given or the request is closed")
    now = now or utcnow()
    if now >= asked.due_at:
        raise DeadlinePassed(
            f"The deadline to give the documents was {format_datetime(asked.due_at)}. Contact "
            "the buyer"
        )
    ids = sorted({int(i) for i in document_ids or []})
    if not ids:
        raise ServiceError("Select the documents you are giving", "documents")
    found = (
        db.session.execute(
            sa.select(Document).where(
                Document.id.in_(ids),
                Document.owner_organisation_id == bid.organisation_id,
                Document.status == DocumentStatus.ACTIVE,
                Document.purpose.in_(LIBRARY_PURPOSES),
            )
        )
        .scalars()
        .all()
    )
    if len(found) != len(ids):
        raise ServiceError("Select documents from your organisation’s library", "documents")
    expired = [d for d in found if d.expires_on is not None and d.expires_on < to_local(now).date()]
    if expired:
        raise ServiceError(
            f"{expired[0].original_filename} has expired. Upload a current one", "documents"
        )
    asked.document_ids = ids
    asked.note = (note or "").strip() or None
    asked.status = EvidenceStatus.GIVEN
    asked.given_at = now
    asked.given_by_id = user.id
    record(
        E.SUBMIT_WINNER_EVIDENCE,
        subject=asked,
        actor=user,
        organisation_id=bid.organisation_id,
        detail={"opportunity_id": asked.opportunity_id, "document_ids": ids},
    )
    opportunity = bid.opportunity
    requester = asked.requested_by_id
    for member in _buyer_people(opportunity.buyer_id, requester):
        queue_email(
            member.email,
            "winner_evidence_given",
            {
                "name": member.name,
                "title": opportunity.title,
                "supplier": bid.organisation.name,
                "url": absolute_url(
                    "lots.award_decision",
                    organisation_id=opportunity.buyer_id,
                    opportunity_id=opportunity.id,
                ),
            },
            idempotency_key=f"winner_evidence_given:{asked.id}:{member.id}",
        )
    commit()
    return asked


def accept(user, opportunity):
    """The buyer has checked the preferred bidder's documents: the award may be confirmed."""
    permissions.require_proposer(user, opportunity)
    asked = current_request(opportunity)
    if asked is None or asked.status != EvidenceStatus.GIVEN:
        raise ServiceError("The preferred bidder has not given its documents")
    asked.status = EvidenceStatus.ACCEPTED
    asked.decided_at = utcnow()
    asked.decided_by_id = user.id
    record(
        E.ACCEPT_WINNER_EVIDENCE,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"bid_id": asked.bid_id, "document_ids": asked.document_ids},
    )
    commit()
    return asked


def next_ranked(award, passed_over):
    """The best-placed bid after those passed over, from the award's ranked result, or None."""
    placed = sorted(
        (r for r in award.result if r.get("position") is not None),
        key=lambda r: (r["position"], r["bid_id"]),
    )
    return next((r["bid_id"] for r in placed if r["bid_id"] not in passed_over), None)


def record_not_given(user, opportunity, reason, now=None):
    """The preferred bidder did not give the documents by the deadline (or they were not
    adequate): recorded with a reason, the bidder told, and the award moves to the next-ranked
    bidder, who is then asked (``request``). Returns the new preferred bid's id."""
    permissions.require_proposer(user, opportunity)
    asked = current_request(opportunity)
    award = award_of(opportunity.id)
    if asked is None or award is None or award.status != AwardStatus.PROPOSED:
        raise ServiceError("The preferred bidder has not been asked for documents")
    now = now or utcnow()
    if asked.status == EvidenceStatus.REQUESTED and now < asked.due_at:
        raise ServiceError(
            f"The preferred bidder has until {format_datetime(asked.due_at)} to give the documents"
        )
    if asked.status not in (EvidenceStatus.REQUESTED, EvidenceStatus.GIVEN):
        raise ServiceError("The documents have already been accepted")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Enter the reason. The bidder will read it", "reason")
    passed_over = {
        r.bid_id for r in requests_of(opportunity.id) if r.status == EvidenceStatus.NOT_GIVEN
    } | {asked.bid_id}
    successor = next_ranked(award, passed_over)
    if successor is None:
        raise ServiceError(
            "No other bid is ranked. The approver can record that there was no suitable bid"
        )
    asked.status = EvidenceStatus.NOT_GIVEN
    asked.reason = reason
    asked.decided_at = now
    asked.decided_by_id = user.id
    rows = []
    for row in award.result:
        row = dict(row)
        if row["bid_id"] == asked.bid_id:
            row["excluded_reason"] = (
                "The documents asked for before the award were not given: " + reason
            )
        rows.append(row)
    award.result = rows
    award.winner_bid_id = successor
    record(
        E.RECORD_EVIDENCE_NOT_GIVEN,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"bid_id": asked.bid_id, "reason": reason, "next_bid_id": successor},
    )
    bid = db.session.get(Bid, asked.bid_id)
    _email_bidder(
        bid,
        "winner_evidence_not_given",
        f"winner_evidence_not_given:{asked.id}",
        title=opportunity.title,
        buyer=opportunity.buyer.name,
        reason=reason,
    )
    commit()
    return successor


def documents_given(asked):
    if not asked.document_ids:
        return []
    return (
        db.session.execute(
            sa.select(Document).where(Document.id.in_(asked.document_ids)).order_by(Document.id)
        )
        .scalars()
        .all()
    )


def buyer_may_read_evidence(user, document):
    """The buyer's people with the buyer role read the documents a preferred bidder gave."""
    rows = db.session.execute(
        sa.select(EvidenceRequest)
        .join(Bid, Bid.id == EvidenceRequest.bid_id)
        .where(
            Bid.organisation_id == document.owner_organisation_id,
            EvidenceRequest.status != EvidenceStatus.REQUESTED,
        )
    ).scalars()
    for asked in rows:
        if document.id in (asked.document_ids or []):
            opportunity = asked.bid.opportunity
            if has_buyer_role(user, opportunity.buyer_id, "buyer"):
                return True
    return False


def _buyer_people(buyer_id, first_id):
    """The buyer's people to tell: whoever asked, or every member when they have gone."""
    people = db.session.execute(
        sa.select(Membership).where(Membership.organisation_id == buyer_id)
    ).scalars()
    members = [m.user for m in people]
    asker = [u for u in members if u.id == first_id]
    return asker or members


def _email_bidder(bid, template, key, **personalisation):
    members = db.session.execute(
        sa.select(Membership).where(Membership.organisation_id == bid.organisation_id)
    ).scalars()
    for member in members:
        queue_email(
            member.user.email,
            template,
            {"name": member.user.name, "organisation": bid.organisation.name, **personalisation},
            idempotency_key=f"{key}:{member.user_id}",
        )
