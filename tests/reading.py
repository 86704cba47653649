"""Reading what the services wrote, as a test checks it: the emails in the outbox and the audit
events, oldest first."""

import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.extensions import db
from app.outbox.models import OutboxMessage


def emails(template=None, recipient=None):
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if template:
        query = query.where(OutboxMessage.template == template)
    if recipient:
        query = query.where(OutboxMessage.recipient == recipient.lower())
    return db.session.execute(query).scalars().all()


def audit_events(event_type=None):
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    if event_type:
        query = query.where(AuditEvent.event_type == event_type)
    return db.session.execute(query).scalars().all()
