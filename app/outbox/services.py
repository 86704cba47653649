"""The outbox: writing emails in the caller's transaction, the RQ jobs that send each one exactly
once (each takes an outbox row id and is safe to run more than once), and the relay that queues
rows that were not queued."""

import hashlib
import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.accounts.models import User
from app.extensions import db
from app.outbox.backends import Email, PermanentFailure, TemporaryFailure, get_backend
from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.rendering import known_template, render_email
from app.queue import enqueue
from app.timeutil import utcnow
from app.unitofwork import after_commit


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
    stmt = (
        insert(OutboxMessage.__table__)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxMessage.__table__.c.id)
    )
    message_id = db.session.execute(stmt).scalar_one_or_none()
    if message_id is None:
        return db.session.execute(
            sa.select(OutboxMessage.id).where(
                OutboxMessage.idempotency_key == values["idempotency_key"]
            )
        ).scalar_one()
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
    return enqueue(
        send_outbox_message, message_id, job_id=send_job_id(message_id, attempts), delay=delay
    )


def relay_pending(limit=1000):
    """Queue every pending row that is due (committed while Redis was down, or waiting to retry),
    and rows whose worker died while sending. Safe to run at any time: the send job claims a row
    before sending, so a row queued twice is still sent once. Returns how many were queued."""
    now = utcnow()
    rows = db.session.execute(
        sa.select(OutboxMessage.id, OutboxMessage.attempts)
        .where(
            sa.or_(
                sa.and_(
                    OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.next_attempt_at <= now,
                ),
                sa.and_(
                    OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_until < now
                ),
            )
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.rollback()
    queued = 0
    for message_id, attempts in rows:
        if not enqueue_send(message_id, attempts=attempts):
            break  # Redis is away: the rest wait for the next relay
        queued += 1
    return queued


# --- The jobs that send --------------------------------------------------------------------------

log = logging.getLogger(__name__)
CLAIM_SECONDS = 300


def backoff_seconds(attempts):
    """30 s, 2 min, 8 min, 32 min ... capped at 2 hours."""
    return min(30 * 4 ** max(attempts - 1, 0), 7200)


def _claim(message_id):
    """Take the row for this worker, or return None if it is sent, failed or claimed elsewhere."""
    now = utcnow()
    table = OutboxMessage.__table__
    result = db.session.execute(
        sa.update(table)
        .where(table.c.id == message_id)
        .where(
            sa.or_(
                sa.and_(
                    table.c.status == OutboxStatus.PENDING.value, table.c.next_attempt_at <= now
                ),
                sa.and_(table.c.status == OutboxStatus.SENDING.value, table.c.claimed_until < now),
            )
        )
        .values(
            status=OutboxStatus.SENDING.value,
            attempts=table.c.attempts + 1,
            claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
        )
    )
    db.session.commit()
    if result.rowcount != 1:
        return None
    return db.session.get(OutboxMessage, message_id)


def _claim_many(message_ids):
    """Take every row of ``message_ids`` that is free, in one statement; returns them in order."""
    now = utcnow()
    table = OutboxMessage.__table__
    claimed = (
        db.session.execute(
            sa.update(table)
            .where(table.c.id.in_(message_ids))
            .where(
                sa.or_(
                    sa.and_(
                        table.c.status == OutboxStatus.PENDING.value, table.c.next_attempt_at <= now
                    ),
                    sa.and_(
                        table.c.status == OutboxStatus.SENDING.value, table.c.claimed_until < now
                    ),
                )
            )
            .values(
                status=OutboxStatus.SENDING.value,
                attempts=table.c.attempts + 1,
                claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
            )
            .returning(table.c.id)
        )
        .scalars()
        .all()
    )
    db.session.commit()
    if not claimed:
        return []
    return (
        db.session.execute(
            sa.select(OutboxMessage).where(OutboxMessage.id.in_(claimed)).order_by(OutboxMessage.id)
        )
        .scalars()
        .all()
    )


def send_outbox_messages(message_ids):
    """Send a batch of outbox rows (alert fan-outs queue these): claimed together, then each sent
    and recorded on its own, as ``send_outbox_message`` does. A worker that dies part way leaves
    the rest claimed; the relay queues them again when the claim expires. Returns the statuses."""
    messages = _claim_many(message_ids)
    recipients = {m.recipient for m in messages}
    undeliverable = (
        set(
            db.session.execute(
                sa.select(User.email).where(
                    User.email.in_(recipients), User.email_undeliverable_at.is_not(None)
                )
            ).scalars()
        )
        if recipients
        else set()
    )
    session = db.session()
    # The rows are ours (claimed): reloading each after every commit would double the queries.
    session.expire_on_commit = False
    try:
        return [
            _send_claimed(message, message.recipient in undeliverable)
            for message in messages
            if _still_ours(message)
        ]
    finally:
        session.expire_on_commit = True


def _still_ours(message):
    """Renew a batch row's claim just before it is sent. A slow batch (a hundred sends, each up to
    SMTP_TIMEOUT) could otherwise outlive the claim it took at the start, and the relay would
    give a row it is about to send to another worker: two copies. False if it is not ours now."""
    table = OutboxMessage.__table__
    renewed = db.session.execute(
        sa.update(table)
        .where(
            table.c.id == message.id,
            table.c.status == OutboxStatus.SENDING.value,
            table.c.attempts == message.attempts,
        )
        .values(claimed_until=utcnow() + timedelta(seconds=CLAIM_SECONDS))
    ).rowcount
    db.session.commit()
    return renewed == 1


def send_outbox_message(message_id):
    """Render and send one outbox row through the configured backend. Returns the final status."""
    message = _claim(message_id)
    if message is None:
        return None
    undeliverable = db.session.execute(
        sa.select(User.email_undeliverable_at).where(User.email == message.recipient)
    ).scalar_one_or_none()
    return _send_claimed(message, undeliverable is not None)


def _send_claimed(message, undeliverable):
    message_id = message.id
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    if message.attempts > max_attempts:
        # Only a row whose worker kept dying while sending gets here (a failed send stops at
        # the limit): stop rather than claim it for ever.
        return _give_up(
            message, f"gave up after {max_attempts} attempts: the worker stopped while sending"
        )
    if undeliverable:
        message.status = OutboxStatus.SUPPRESSED
        message.claimed_until = None
        message.last_error = "address marked undeliverable after an earlier permanent failure"
        db.session.commit()
        return message.status

    try:
        subject, text, html = render_email(message.template, message.personalisation or {})
        message.subject, message.body_text = subject[:300], text
        domain = current_app.config["BASE_URL"].split("//")[-1].split("/")[0].split(":")[0]
        key_hash = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:16]
        email = Email(
            recipient=message.recipient,
            subject=subject,
            text=text,
            html=html,
            message_id=f"<outbox-{message.id}.{key_hash}@{domain}>",
            reference=message.idempotency_key,
            headers=dict((message.personalisation or {}).get("_headers", {})),
        )
        # From here to the commit below is the only window in which a worker killed leaves an
        # email sent but not recorded; the relay sends it again (same Message-ID) once the
        # claim expires. Delivery is at least once: nothing else happens in between.
        reference = get_backend().send(email)
    except TemporaryFailure as exc:
        return _failed(message, str(exc), permanent=False)
    except PermanentFailure as exc:
        return _failed(message, str(exc), permanent=True)
    except Exception as exc:
        # A fault of ours (a template that does not render, a backend misconfigured): retried
        # like a temporary failure, so that it stops at MAIL_MAX_ATTEMPTS, never blaming the
        # address. The row is not left 'sending' to be claimed again and again.
        log.exception("outbox %s could not be sent", message_id)
        db.session.rollback()
        message = db.session.get(OutboxMessage, message_id)
        return _failed(message, f"{type(exc).__name__}: {exc}", permanent=False)
    message.status = OutboxStatus.SENT
    message.sent_at = utcnow()
    message.provider_reference = (reference or "")[:200]
    message.claimed_until = None
    message.last_error = None
    db.session.commit()
    return OutboxStatus.SENT


def _give_up(message, error):
    message.status = OutboxStatus.FAILED
    message.claimed_until = None
    message.last_error = error[:2000]
    log.warning("outbox %s: %s", message.id, error)
    db.session.commit()
    return message.status


def _failed(message, error, permanent):
    message.last_error = error[:2000]
    message.claimed_until = None
    if permanent:
        message.status = OutboxStatus.FAILED
        db.session.execute(
            sa.update(User)
            .where(User.email == message.recipient, User.email_undeliverable_at.is_(None))
            .values(email_undeliverable_at=utcnow())
        )
        log.warning("outbox %s failed permanently: %s", message.id, error)
    elif message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        message.status = OutboxStatus.FAILED
        log.warning("outbox %s gave up after %s attempts: %s", message.id, message.attempts, error)
    else:
        delay = backoff_seconds(message.attempts)
        message.status = OutboxStatus.PENDING
        message.next_attempt_at = utcnow() + timedelta(seconds=delay)
        attempts = message.attempts
        db.session.commit()
        enqueue_send(message.id, delay=delay, attempts=attempts)
        return OutboxStatus.PENDING
    db.session.commit()
    return message.status


def recover_outbox(now, idle):
    """The outbox's recoverer (``app.recovery``): rows committed while Redis was down, due a
    retry, or claimed by a worker that died. A row's claim, not ``idle``, says when it is free."""
    return relay_pending()
