"""Writing and verifying the hash-chained audit log.

``record()`` adds an event to the current transaction. The hash chain is computed when the
transaction commits: on PostgreSQL a transaction-level advisory lock, taken just before reading the
last hash and held until the commit, serialises writers, so two transactions can never chain to the
same parent and ids follow the chain. Events recorded in a transaction (or savepoint) that rolls
back are dropped with it.

Personal data are hashed apart. An event's actor (``actor_id``, ``actor_label``) and the personal
keys of its detail (``PERSONAL_DETAIL_KEYS``: an IP or email address, a person's id) are hashed
with a random salt into ``personal_hash``, and the chain is taken over that hash and the rest of the
event. When a call-off's records expire, ``anonymise`` erases the personal data and the salt and
keeps the hash: the chain still verifies, nothing else of the event can change unnoticed, and
without the salt the hash cannot be used to guess who it was. Events written before personal data
were hashed apart (no ``personal_hash``) are chained whole, as they always were, and are kept.
"""

import hashlib
import json
import secrets

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
# Keys of an event's detail that hold personal data (an IP or email address, a person's id):
# hashed apart, erased when records expire.
PERSONAL_DETAIL_KEYS = ("ip", "email", "user_id")
# The columns an event's hash covers, directly or through its personal hash.
HASHED_COLUMNS = (
    "occurred_at",
    "actor_id",
    "actor_label",
    "organisation_id",
    "event_type",
    "subject_type",
    "subject_id",
    "detail",
    "personal_salt",
    "personal_hash",
)
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
        "personal_salt": new_salt(),
    }
    pending["personal_hash"] = personal_digest(pending)
    session = db.session()
    session.info.setdefault(_PENDING_KEY, []).append((current_transaction(session), pending))
    return pending


def new_salt():
    return secrets.token_hex(16)


def _json(data):
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def personal_detail(detail):
    return {key: detail[key] for key in PERSONAL_DETAIL_KEYS if key in (detail or {})}


def public_detail(detail):
    return {key: value for key, value in (detail or {}).items() if key not in PERSONAL_DETAIL_KEYS}


def personal_digest(fields):
    """The salted hash of an event's personal data (who acted, and the detail's personal keys)."""
    data = {
        "actor_id": fields["actor_id"],
        "actor_label": fields["actor_label"],
        "detail": personal_detail(fields["detail"]),
        "salt": fields["personal_salt"],
    }
    return hashlib.sha256(_json(data).encode("utf-8")).hexdigest()


def canonical(fields, prev_hash):
    """The canonical form an event's hash is taken over: its personal data by their hash, or, for
    an event written before they were hashed apart (no ``personal_hash``), the whole event."""
    if fields.get("personal_hash") is not None:
        data = {
            "occurred_at": fields["occurred_at"].isoformat(timespec="microseconds"),
            "organisation_id": fields["organisation_id"],
            "event_type": fields["event_type"],
            "subject_type": fields["subject_type"],
            "subject_id": fields["subject_id"],
            "detail": public_detail(fields["detail"]),
            "personal_hash": fields["personal_hash"],
            "prev_hash": prev_hash,
        }
        return _json(data)
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
    return _json(data)


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
            fields = hashed_fields(ev)
            if ev.prev_hash != prev:
                return checked, ev, "its previous-hash does not match the event before it"
            if compute_hash(fields, prev) != ev.hash or not _personal_data_intact(ev, fields):
                return checked, ev, "its contents do not match its hash"
            prev = ev.hash
            checked += 1
            last_id = ev.id
        db.session.expunge_all()


def hashed_fields(event):
    return {name: getattr(event, name) for name in HASHED_COLUMNS}


def _personal_data_intact(event, fields):
    """The personal data match their hash, or were erased (with the salt) when anonymised. An
    event written before personal data were hashed apart is checked whole by its own hash."""
    if event.personal_hash is None:
        return event.personal_salt is None and event.anonymised_at is None
    if event.anonymised_at is None:
        return personal_digest(fields) == event.personal_hash
    return (
        event.actor_id is None
        and event.actor_label is None
        and event.personal_salt is None
        and not personal_detail(event.detail)
    )


def _anonymisable(condition):
    return sa.and_(
        condition, AuditEvent.personal_hash.is_not(None), AuditEvent.anonymised_at.is_(None)
    )


def count_anonymisable(condition):
    """How many events matching SQL ``condition`` still hold personal data that ``anonymise``
    would erase, and how many written before personal data were hashed apart (kept whole)."""
    erasable = db.session.execute(
        sa.select(sa.func.count()).select_from(AuditEvent).where(_anonymisable(condition))
    ).scalar_one()
    whole = db.session.execute(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(condition, AuditEvent.personal_hash.is_(None))
    ).scalar_one()
    return erasable, whole


def anonymise(condition):
    """Erase the personal data (and their salt) of the events matching SQL ``condition``, keeping
    their personal hash so the chain still verifies. Part of the caller's transaction; events
    anonymised already, and those written before personal data were hashed apart, are left as
    they are. Returns how many were anonymised."""
    events = (
        db.session.execute(sa.select(AuditEvent).where(_anonymisable(condition))).scalars().all()
    )
    now = utcnow()
    for event in events:
        event.actor_id = None
        event.actor_label = None
        event.personal_salt = None
        event.detail = public_detail(event.detail)
        event.anonymised_at = now
    return len(events)


def init_app(app):
    """Install this module's session hooks, once per process however many apps are built:
    the audit log's hash chain is written at commit."""
    for name, fn in (
        ("before_commit", _before_commit),
        ("after_soft_rollback", _after_rollback),
        ("after_transaction_end", _after_transaction_end),
    ):
        listen_once(Session, name, fn)
