"""Changing a published opportunity: amendments (listed with their date on its page), extending
its deadline, and cancelling it (a draft can be cancelled too). Every invited supplier is told,
by a job after commit."""

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.documents.models import DocumentPurpose, DocumentStatus
from app.documents.services import lock_document, upload_document
from app.errors import ServiceError
from app.extensions import db
from app.timeutil import to_local, utcnow
from app.unitofwork import commit
from lots.opportunities import hooks
from lots.opportunities.invitations import record_invitation_emails
from lots.opportunities.models import (
    Opportunity,
    OpportunityAmendment,
    OpportunityKind,
    OpportunityStatus,
)
from lots.opportunities.permissions import require_buyer_role
from lots.opportunities.queries import OPPORTUNITY_SUBJECT, tender_documents
from lots.opportunities.readiness import refuse_too_far_ahead
from lots.opportunities.services import published_lock_reason

AMENDABLE = (
    "summary",
    "description",
    "contact_name",
    "contact_email",
    "price_schedule",
    "contract_start",
    "contract_months",
)


def _require_published_open(opportunity):
    if opportunity.status != OpportunityStatus.PUBLISHED:
        raise ServiceError("Only a published opportunity can be changed like this")
    if not opportunity.is_open:
        raise ServiceError("The deadline has passed, so this opportunity can no longer change")


REOPEN_BIDS = (
    "Changing the price schedule returns every bid already submitted to its supplier, to price "
    "again and resubmit before the deadline. Confirm that you want to do this"
)


def amend(user, opportunity, what_changed, reopen_bids=False, **changes):
    """Change a published opportunity: the change is listed with its date, and every invited
    supplier is told. ``what_changed`` describes the change (the opportunity's own ``summary``
    is one of the fields that can change).

    A change to the price schedule (its lines or quantities) needs ``reopen_bids``: bids priced
    on the old schedule cannot stand, so every submitted bid goes back to draft and its supplier
    is told to price it again. The buyer confirms this whether or not any bid is in: before the
    deadline it must not learn whether there are any."""
    summary = what_changed
    require_buyer_role(user, opportunity.buyer_id, "buyer")
    _require_published_open(opportunity)
    if not (summary or "").strip():
        raise ServiceError("Describe the change. Every invited supplier will see it", "summary")
    bad = set(changes) - set(AMENDABLE)
    if bad:
        raise ServiceError(f"These cannot be amended: {', '.join(sorted(bad))}")
    refuse_too_far_ahead(changes)
    if "price_schedule" in changes:
        # One change at a time: a bid being submitted waits for this (lots.bids.submitting).
        db.session.execute(
            sa.select(Opportunity.id).where(Opportunity.id == opportunity.id).with_for_update()
        )
        db.session.refresh(opportunity)
    diff = {}
    for name, value in changes.items():
        old = getattr(opportunity, name)
        if old != value:
            diff[name] = [
                str(old) if old is not None else None,
                str(value) if value is not None else None,
            ]
    if not diff:
        raise ServiceError("Nothing has changed")
    if "price_schedule" in diff:
        if changes["price_schedule"] and opportunity.kind == OpportunityKind.QUICK_QUOTE:
            raise ServiceError("A quick quote asks for one total price", "price_schedule")
        if not reopen_bids:
            raise ServiceError(REOPEN_BIDS, "reopen_bids")
    old_schedule = list(opportunity.price_schedule or [])
    for name in diff:
        setattr(opportunity, name, changes[name])
    amendment = _amendment(user, opportunity, summary, diff)
    if "price_schedule" in diff:
        hooks.run_on_price_schedule_change(opportunity, old_schedule, amendment, user)
    record_invitation_emails(opportunity.id, f"amendment:{amendment.id}")
    commit()
    return amendment


def _amendment(user, opportunity, summary, diff, **columns):
    amendment = OpportunityAmendment(
        opportunity_id=opportunity.id,
        made_by_id=user.id,
        summary=summary.strip(),
        changes=diff,
        made_at=utcnow(),
        **columns,
    )
    db.session.add(amendment)
    db.session.flush()
    record(
        E.AMEND_OPPORTUNITY,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"amendment_id": amendment.id, "changes": diff, **columns},
    )
    hooks.run_on_amend(opportunity, amendment)  # the tender notice's new version
    return amendment


def replace_tender_document(user, opportunity, document, file_storage, what_changed):
    """Replace a published tender document: an amendment, listed with its date and sent to every
    invited supplier. The old document stays on record, locked and readable by whoever could
    read it; lists show the new one. Raises ServiceError, or the upload's own refusals
    (UploadRefused, UploadFailed)."""
    require_buyer_role(user, opportunity.buyer_id, "buyer")
    _require_published_open(opportunity)
    if not (what_changed or "").strip():
        raise ServiceError("Describe the change. Every invited supplier will see it", "summary")
    _require_current_tender_document(opportunity, document)
    # The upload is its own transaction; the file joins the opportunity only with the amendment.
    new = upload_document(user, opportunity.buyer, file_storage, DocumentPurpose.TENDER_DOCUMENT)
    if new.status != DocumentStatus.ACTIVE:
        raise ServiceError(
            f"Our virus checker flagged {new.original_filename}, so it has not replaced "
            f"{document.original_filename}. Check the file and upload a clean copy",
            "file",
        )
    # Two replacements of one document at once: the second finds it already replaced.
    db.session.execute(
        sa.select(Opportunity.id).where(Opportunity.id == opportunity.id).with_for_update()
    )
    _require_current_tender_document(opportunity, document)
    new.subject_type, new.subject_id = OPPORTUNITY_SUBJECT, opportunity.id
    lock_document(new, published_lock_reason(opportunity))
    lock_document(document, published_lock_reason(opportunity))
    amendment = _amendment(
        user,
        opportunity,
        what_changed,
        {"tender_document": [document.original_filename, new.original_filename]},
        replaced_document_id=document.id,
        document_id=new.id,
    )
    record_invitation_emails(opportunity.id, f"amendment:{amendment.id}")
    commit()
    return amendment


def _require_current_tender_document(opportunity, document):
    if document is None or document.id not in {
        d.id for d in tender_documents(opportunity.id, available_only=False)
    }:
        raise ServiceError(
            "That is not one of this opportunity’s current tender documents", "document"
        )


def extend_deadline(user, opportunity, new_deadline, reason, new_question_deadline=None):
    """Deadlines can be extended, never shortened once published."""
    require_buyer_role(user, opportunity.buyer_id, "buyer")
    _require_published_open(opportunity)
    if new_deadline <= opportunity.submission_deadline:
        raise ServiceError(
            "A published deadline can only be extended, never brought forward",
            "submission_deadline",
        )
    refuse_too_far_ahead(
        {"submission_deadline": new_deadline, "question_deadline": new_question_deadline}
    )
    local = to_local(new_deadline)
    if local.minute or local.second:
        raise ServiceError(
            "The deadline must be on the hour, like 12pm or 3pm", "submission_deadline"
        )
    diff = {
        "submission_deadline": [
            opportunity.submission_deadline.isoformat(),
            new_deadline.isoformat(),
        ]
    }
    opportunity.submission_deadline = new_deadline
    # Open until the new deadline: not marked closed, even by a closing job that read it as it
    # passed the old one while this extension was being made (search reads open ones by the mark).
    opportunity.closed_recorded_at = None
    if new_question_deadline is not None:
        if (
            opportunity.question_deadline and new_question_deadline < opportunity.question_deadline
        ) or new_question_deadline >= new_deadline:
            raise ServiceError(
                "The deadline for questions can only move later, and must stay before "
                "the deadline for bids",
                "question_deadline",
            )
        diff["question_deadline"] = [
            opportunity.question_deadline.isoformat() if opportunity.question_deadline else None,
            new_question_deadline.isoformat(),
        ]
        opportunity.question_deadline = new_question_deadline
    amendment = _amendment(user, opportunity, reason or "The deadline has been extended", diff)
    record_invitation_emails(opportunity.id, f"amendment:{amendment.id}")
    commit()
    return amendment


def cancel(user, opportunity, reason):
    require_buyer_role(user, opportunity.buyer_id, "buyer")
    if opportunity.status not in (
        OpportunityStatus.DRAFT,
        OpportunityStatus.AWAITING_APPROVAL,
        OpportunityStatus.APPROVED,
        OpportunityStatus.PUBLISHED,
    ):
        raise ServiceError("This opportunity has already been decided")
    if not (reason or "").strip():
        raise ServiceError("Enter the reason. Everyone who was invited will see it", "reason")
    was_published = opportunity.status == OpportunityStatus.PUBLISHED
    opportunity.status = OpportunityStatus.CANCELLED
    opportunity.cancelled_at = utcnow()
    opportunity.cancel_reason = reason.strip()
    record(
        E.CANCEL_OPPORTUNITY,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"reason": opportunity.cancel_reason},
    )
    if was_published:
        record_invitation_emails(opportunity.id, "cancellation")
        hooks.run_on_cancel(opportunity)  # the procurement termination notice
    commit()
