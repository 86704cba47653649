"""Changing a published opportunity: amendments (listed with their date on its page), extending
its deadline, and cancelling it (a draft can be cancelled too). Every invited supplier is told,
by a job after commit."""

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.timeutil import to_local, utcnow
from app.unitofwork import commit
from lots.opportunities.invitations import record_invitation_emails
from lots.opportunities.models import OpportunityAmendment, OpportunityStatus
from lots.opportunities.permissions import require_buyer_role

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


def amend(user, opportunity, what_changed, **changes):
    """Change a published opportunity: the change is listed with its date, and every invited
    supplier is told. ``what_changed`` describes the change (the opportunity's own ``summary``
    is one of the fields that can change)."""
    summary = what_changed
    require_buyer_role(user, opportunity.buyer_id, "buyer")
    _require_published_open(opportunity)
    if not (summary or "").strip():
        raise ServiceError("Describe the change. Every invited supplier will see it", "summary")
    bad = set(changes) - set(AMENDABLE)
    if bad:
        raise ServiceError(f"These cannot be amended: {', '.join(sorted(bad))}")
    diff = {}
    for name, value in changes.items():
        old = getattr(opportunity, name)
        if old != value:
            diff[name] = [
                str(old) if old is not None else None,
                str(value) if value is not None else None,
            ]
            setattr(opportunity, name, value)
    if not diff:
        raise ServiceError("Nothing has changed")
    amendment = _amendment(user, opportunity, summary, diff)
    record_invitation_emails(opportunity.id, f"amendment:{amendment.id}")
    commit()
    return amendment


def _amendment(user, opportunity, summary, diff):
    amendment = OpportunityAmendment(
        opportunity_id=opportunity.id,
        made_by_id=user.id,
        summary=summary.strip(),
        changes=diff,
        made_at=utcnow(),
    )
    db.session.add(amendment)
    db.session.flush()
    record(
        E.AMEND_OPPORTUNITY,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"amendment_id": amendment.id, "changes": diff},
    )
    return amendment


def extend_deadline(user, opportunity, new_deadline, reason, new_question_deadline=None):
    """Deadlines can be extended, never shortened once published."""
    require_buyer_role(user, opportunity.buyer_id, "buyer")
    _require_published_open(opportunity)
    if new_deadline <= opportunity.submission_deadline:
        raise ServiceError(
            "A published deadline can only be extended, never brought forward",
            "submission_deadline",
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
    commit()
