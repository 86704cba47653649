"""Who may read a bid's attachments (the seal here, the people in ``permissions``), and which
audit events stay hidden while bids are sealed.

Registered by ``lots.init_app``: the document reader for bid attachments and the audit log's
filter for sealed bids.
"""

import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.documents.models import Document
from app.extensions import db
from lots.bids.models import Bid
from lots.evaluation import permissions, sealing
from lots.opportunities.models import Opportunity


def buyer_or_evaluator_may_read_bid_attachment(user, document):
    """Bid attachments: the buyer's members with the buyer role, and evaluators who declared no
    conflict, once the bids are opened after the deadline, and only for files in the bid's
    current submission. The seal is in the query (lots.evaluation.sealing)."""
    if document.subject_type != "bid" or document.subject_id is None:
        return False
    submission = sealing.submission_for(document.subject_id)
    if submission is None or document.id not in {
        a["document_id"] for a in submission.snapshot.get("attachments", [])
    }:
        return False
    opportunity = db.session.get(Bid, document.subject_id).opportunity
    if sealing.evaluation_of(opportunity.id) is None:
        return False  # opening the bids is the audited moment they can be read
    return permissions.may_read_opened_bids(user, opportunity)


def sealed_bid_events():
    """Audit events that would tell an administrator who is bidding before the deadline: those
    about a bid, and about a file attached to one, while its opportunity is sealed."""
    sealed_bids = (
        sa.select(Bid.id)
        .join(Opportunity, Opportunity.id == Bid.opportunity_id)
        .where(~sealing.after_deadline())
    )
    return sa.or_(
        sa.and_(AuditEvent.subject_type == "bids", AuditEvent.subject_id.in_(sealed_bids)),
        sa.and_(
            AuditEvent.subject_type == "documents",
            AuditEvent.subject_id.in_(
                sa.select(Document.id).where(
                    Document.subject_type == "bid", Document.subject_id.in_(sealed_bids)
                )
            ),
        ),
    )
