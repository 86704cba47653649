"""Who else may read documents attached to opportunities: the suppliers invited to them.

The buyer's own members read its tender documents as the owner organisation; this adds every
member of an invited supplier. Registered once, when the lots views are imported.
"""
from app.documents.access import register_reader
from app.documents.models import DocumentPurpose
from app.extensions import db
from lots.evaluation_models import Declaration
from lots import queries


def invited_supplier_may_read(user, document):
    if document.subject_type != queries.OPPORTUNITY_SUBJECT or document.subject_id is None:
        return False
    return queries.user_is_invited(user.id, document.subject_id)


register_reader(DocumentPurpose.TENDER_DOCUMENT, invited_supplier_may_read)


def buyer_or_evaluator_may_read_bid_attachment(user, document):
    """Bid attachments: the buyer's members with the buyer role, and evaluators who declared no
    conflict, once the bids are opened after the deadline, and only for files in the bid's
    current submission. The seal is in the query (lots.services.sealing)."""
    from lots.bid_models import Bid
    from lots.permissions import has_buyer_role
    from lots.services import evaluation, sealing
    if document.subject_type != "bid" or document.subject_id is None:
        return False
    submission = sealing.submission_for(document.subject_id)
    if submission is None or document.id not in {
            a["document_id"] for a in submission.snapshot.get("attachments", [])}:
        return False
    opportunity = db.session.get(Bid, document.subject_id).opportunity
    if sealing.evaluation_of(opportunity.id) is None:
        return False  # opening the bids is the audited moment they can be read
    assignment = evaluation.assignment_for(user, opportunity.id)
    if assignment is not None and assignment.declaration != Declaration.NO_CONFLICT:
        return False  # an evaluator reads nothing before declaring, nor after a conflict
    return (has_buyer_role(user, opportunity.buyer_id, "buyer")
            or evaluation.may_read_bids(user, opportunity))


register_reader(DocumentPurpose.BID_ATTACHMENT, buyer_or_evaluator_may_read_bid_attachment)


def _sealed_bid_events():
    """Audit events that would tell an administrator who is bidding before the deadline: those
    about a bid, and about a file attached to one, while its opportunity is sealed."""
    import sqlalchemy as sa
    from app.audit.models import AuditEvent
    from app.documents.models import Document
    from lots.bid_models import Bid
    from lots.models import Opportunity
    from lots.services import sealing
    sealed_bids = sa.select(Bid.id).join(Opportunity, Opportunity.id == Bid.opportunity_id).where(
        ~sealing.after_deadline())
    return sa.or_(
        sa.and_(AuditEvent.subject_type == "bids", AuditEvent.subject_id.in_(sealed_bids)),
        sa.and_(AuditEvent.subject_type == "documents", AuditEvent.subject_id.in_(
            sa.select(Document.id).where(Document.subject_type == "bid",
                                         Document.subject_id.in_(sealed_bids)))))


from app.audit.queries import hide_while  # noqa: E402
hide_while(_sealed_bid_events)
