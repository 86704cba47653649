"""Writing emails to the outbox in the caller's transaction, and relaying ones that were not queued."""
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.queue import enqueue
from app.timeutil import utcnow
from app.unitofwork import after_commit
from notifications.models import OutboxMessage, OutboxStatus
from notifications.rendering import known_template


def queue_email(recipient, template, personalisation, idempotency_key):
    """Add an email to the current transaction's outbox; it is queued for sending after commit.

    The idempotency key is unique: queueing the same key twice keeps the first row and sends once.
    Returns the row's id.
    """
    known_template(template)
    values = {
        "idempotency_key": idempotency_key[:200],
        "recipient": recipient.strip().lower(),
        "template": template,
        "personalisation": personalisation,
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "created_at": utcnow(),
        "next_attempt_at": utcnow(),
    }
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(OutboxMessage.__table__).values(**values).on_conflict_do_nothing(
        index_elements=["idempotency_key"]).returning(OutboxMessage.__table__.c.id)
    message_id = db.session.execute(stmt).scalar_one_or_none()
    if message_id is None:
        return db.session.execute(sa.select(OutboxMessage.id).where(
            OutboxMessage.idempotency_key == values["idempotency_key"])).scalar_one()
    after_commit(enqueue_send, message_id)
    return message_id


def send_job_id(message_id, attempts=0):
    """The first send is ``send_outbox_message-<id>``; the one after ``n`` attempts adds ``-n``.

    A retry is queued while the job that failed is still running; under the same id, RQ would
    overwrite it with the finished run, which expires after ``result_ttl`` (500 s), before
    later retries are due."""
    base = f"send_outbox_message-{message_id}"
    return f"{base}-{attempts}" if attempts else base


def enqueue_send(message_id, delay=None, attempts=0):
    from notifications.jobs import send_outbox_message
    return enqueue(send_outbox_message, message_id, job_id=send_job_id(message_id, attempts),
                   delay=delay)


def relay_pending(limit=1000):
    """Queue every pending row that is due (committed while Redis was down, or waiting to retry),
    and rows whose worker died while sending. Safe to run at any time: the send job claims a row
    before sending, so a row queued twice is still sent once. Returns how many were queued."""
    now = utcnow()
    rows = db.session.execute(
        sa.select(OutboxMessage.id, OutboxMessage.attempts).where(sa.or_(
            sa.and_(OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.next_attempt_at <= now),
            sa.and_(OutboxMessage.status == OutboxStatus.SENDING,
                    OutboxMessage.claimed_until < now),
        )).order_by(OutboxMessage.id).limit(limit)
    ).all()
    db.session.rollback()
    queued = 0
    for message_id, attempts in rows:
        if not enqueue_send(message_id, attempts=attempts):
            break  # Redis is away: the rest wait for the next relay
        queued += 1
    return queued
