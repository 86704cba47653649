"""Clarification questions: a supplier asks privately before the question deadline; the buyer
answers everyone (without saying who asked) or, when it concerns that supplier only, privately."""

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.outbox.services import queue_email
from app.timeutil import utcnow
from app.unitofwork import commit
from app.urls import absolute_url
from lots.opportunities.invitations import record_invitation_emails
from lots.opportunities.models import ClarificationQuestion
from lots.opportunities.permissions import require_buyer_role, require_invited_member

MAX_LENGTH = 5000


def questions_open(opportunity):
    """Whether invited suppliers may still ask: the opportunity is open and its deadline for
    questions (or, without one, its deadline for bids) has not passed."""
    deadline = opportunity.question_deadline or opportunity.submission_deadline
    return bool(opportunity.is_open and deadline and utcnow() < deadline)


def ask(user, organisation, opportunity, question):
    require_invited_member(
        user,
        organisation.id,
        opportunity.id,
        "Only invited suppliers can ask questions about this opportunity",
    )
    if not opportunity.is_open:
        raise ServiceError("This opportunity is closed")
    if not questions_open(opportunity):
        raise ServiceError("The deadline for questions has passed", "question")
    question = (question or "").strip()
    if not question:
        raise ServiceError("Enter your question", "question")
    if len(question) > MAX_LENGTH:
        raise ServiceError(f"Your question must be {MAX_LENGTH:,} characters or fewer", "question")
    clarification = ClarificationQuestion(
        opportunity_id=opportunity.id,
        organisation_id=organisation.id,
        asked_by_id=user.id,
        question=question,
        asked_at=utcnow(),
    )
    db.session.add(clarification)
    db.session.flush()
    record(
        E.ASK_OPPORTUNITY_QUESTION,
        subject=clarification,
        actor=user,
        organisation=organisation,
        detail={"opportunity_id": opportunity.id},
    )
    if opportunity.contact_email:
        queue_email(
            opportunity.contact_email,
            "clarification_asked",
            {
                "title": opportunity.title,
                "reference": opportunity.reference or "",
                "question": question,
                "url": absolute_url("lots.view_opportunity", opportunity_id=opportunity.id),
            },
            idempotency_key=f"clarification_asked:{clarification.id}",
        )
    commit()
    return clarification


def answer(user, clarification, text, public):
    opportunity = clarification.opportunity
    require_buyer_role(user, opportunity.buyer_id, "buyer", "Only the buyer can answer questions")
    if clarification.answer is not None:
        raise ServiceError("This question has already been answered")
    text = (text or "").strip()
    if not text:
        raise ServiceError("Enter your answer", "answer")
    clarification.answer = text
    clarification.answered_at = utcnow()
    clarification.answered_by_id = user.id
    clarification.public = bool(public)
    record(
        E.ANSWER_OPPORTUNITY_QUESTION,
        subject=clarification,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"public": clarification.public},
    )
    if clarification.public:
        record_invitation_emails(opportunity.id, f"clarification:{clarification.id}")
    else:
        record_invitation_emails(
            opportunity.id, f"clarification:{clarification.id}", clarification.organisation_id
        )
    commit()


def visible_to(opportunity_id, organisation_id=None, buyer=False):
    """Public answers for everyone invited; a supplier also sees its own questions; the buyer
    sees all. The asker is never shown to other suppliers."""
    stmt = sa.select(ClarificationQuestion).where(
        ClarificationQuestion.opportunity_id == opportunity_id
    )
    if not buyer:
        conditions = [
            sa.and_(
                ClarificationQuestion.public.is_(True), ClarificationQuestion.answer.is_not(None)
            )
        ]
        if organisation_id is not None:
            conditions.append(ClarificationQuestion.organisation_id == organisation_id)
        stmt = stmt.where(sa.or_(*conditions))
    return db.session.execute(stmt.order_by(ClarificationQuestion.id)).scalars().all()
