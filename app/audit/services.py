"""Writing and verifying the hash-chained audit log.

``record()`` adds an event to the current transaction. The hash chain is computed when the
transaction commits: on PostgreSQL a transaction-level advisory lock, taken just before reading the
last hash and held until the commit, serialises writers, so two transactions can never chain to the
same parent and ids follow the chain. Events recorded in a transaction (or savepoint) that rolls
back are dropped with it.
"""

import hashlib
import json

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Session

from app.audit.events import AuditEventType
from app.audit.models import AuditEvent
from app.extensions import db
from app.timeutil import utcnow
from app.unitofwork import current_transaction, listen_once, within

GENESIS_HASH = "0" * 64
_ADVISORY_LOCK_KEY = 0x41554449  # "AUDI"
_PENDING_KEY = "pending_audit_events"


def record(
    event_type,
    *,
    subject=None,
    subject_type=None,
    subject_id=None,
    actor=None,
    organisation=None,
    organisation_id=None,
    detail=None,
):
    """Add an audit event to the current transaction; it is written when the transaction commits."""
    event_type = AuditEventType(event_type)
    if subject is not None:
        subject_type = subject_type or subject.__tablename__
        subject_id = subject_id or subject.id
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user._get_current_object()
    if organisation is not None:
        organisation_id = organisation.id
    detail = dict(detail or {})
    if has_request_context() and "ip" not in detail:
        detail["ip"] = request.remote_addr
    pending = {
        "occurred_at": utcnow(),
        "actor_id": getattr(actor, "id", None),
        "actor_label": getattr(actor, "email", None),
        "organisation_id": organisation_id,
        "event_type": event_type.value,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "detail": json.loads(json.dumps(detail, default=str)),
    }
    session = db.session()
    session.info.setdefault(_PENDING_KEY, []).append((current_transaction(session), pending))
    return pending


def canonical(fields, prev_hash):
    """The canonical form an event's hash is taken over."""
    data = {
        "occurred_at": fields["occurred_at"].isoformat(timespec="microseconds"),
        "actor_id": fields["actor_id"],
        "actor_label": fields["actor_label"],
        "organisation_id": fields["organisation_id"],
        "event_type": fields["event_type"],
        "subject_type": fields["subject_type"],
        "subject_id": fields["subject_id"],
        "detail": fields["detail"],
        "prev_hash": prev_hash,
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_hash(fields, prev_hash):
    return hashlib.sha256(canonical(fields, prev_hash).encode("utf-8")).hexdigest()


def _write_pending(session):
    pending = [fields for _, fields in session.info.pop(_PENDING_KEY, None) or []]
    if not pending:
        return
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_LOCK_KEY})
    prev = (
        session.execute(
            sa.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
        ).scalar_one_or_none()
        or GENESIS_HASH
    )
    for fields in pending:
        digest = compute_hash(fields, prev)
        session.add(AuditEvent(prev_hash=prev, hash=digest, **fields))
        prev = digest
    session.flush()


def _before_commit(session):
    if session.in_nested_transaction():
        return  # a savepoint is being released: its events are written when the outer commits
    _write_pending(session)


def _after_rollback(session, previous_transaction):
    """Events recorded in a rolled-back transaction or savepoint never happened: drop them (and
    only them: rolling back a savepoint keeps what the outer transaction recorded)."""
    pending = session.info.get(_PENDING_KEY)
    if pending:
        session.info[_PENDING_KEY] = [
            item for item in pending if not within(item[0], previous_transaction)
        ]


def _after_transaction_end(session, transaction):
    if transaction.parent is None:  # committed events are written already; the rest are void
        session.info.pop(_PENDING_KEY, None)


def verify_chain(batch_size=5000):
    """Walk the log in order. Return (events_checked, first_broken_event_or_None, reason)."""
    prev = GENESIS_HASH
    checked = 0
    last_id = 0
    while True:
        rows = (
            db.session.execute(
                sa.select(AuditEvent)
                .where(AuditEvent.id > last_id)
                .order_by(AuditEvent.id)
                .limit(batch_size)
            )
            .scalars()
            .all()
        )
        if not rows:
            return checked, None, None
        for ev in rows:
            fields = {
                "occurred_at": ev.occurred_at,
                "actor_id": ev.actor_id,
                "actor_label": ev.actor_label,
                "organisation_id": ev.organisation_id,
                "event_type": ev.event_type,
                "subject_type": ev.subject_type,
                "subject_id": ev.subject_id,
                "detail": ev.detail,
            }
            if ev.prev_hash != prev:
                return checked, ev, "its previous-hash does not match the event before it"
            if compute_hash(fields, prev) != ev.hash:
                return checked, ev, "its contents do not match its hash"
            prev = ev.hash
            checked += 1
            last_id = ev.id
        db.session.expunge_all()


def init_app(app):
    """Install this module's session hooks, once per process however many apps are built:
    the audit log's hash chain is written at commit."""
    for name, fn in (
        ("before_commit", _before_commit),
        ("after_soft_rollback", _after_rollback),
        ("after_transaction_end", _after_transaction_end),
    ):
        listen_once(Session, name, fn)
