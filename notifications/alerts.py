"""Opportunity alerts: when an opportunity is published, everyone whose preferences or saved
searches match hears about it once.

``on_publish`` runs inside the publishing transaction: it records an ``AlertFanout`` row (so the
work survives Redis being down) and queues ``send_opportunity_alerts`` after commit. The job
finds the recipients with set-based queries (``notifications.matching``: supplier people, then
saved searches), a chunk at a time by windows of an indexed id (so no chunk reads the whole
match), and for each chunk writes in one transaction:

- ``opportunity_alerts`` rows, unique on (opportunity, address): a rerun, a second worker or a
  later digest cannot tell the same address twice;
- outbox rows with the key ``alert:<opportunity>:instant:<person>``, only for the addresses that
  were new in this chunk;

then commits and queues the sends in batches of ``ALERT_SEND_BATCH`` (``send_outbox_batch``: one
job claims its rows in one statement and sends them over one SMTP connection). Running the whole
job again writes nothing new. Rows written but not queued (a worker killed between commit and
enqueue) are queued by the outbox relay; a fan-out left unfinished is queued again by
``recover_fanouts`` (``flask jobs recover``).

Invitations are separate (lots.services.invitations): they go to every admitted, eligible
supplier of the lot. Alerts skip every member of an invited organisation, so nobody gets both.
"""

import logging

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.services import send_outbox_messages
from app.queue import REDIS_ERRORS, enqueue, rq_queue
from app.reference import geography
from app.timeutil import format_datetime, utcnow
from app.unitofwork import after_commit
from app.urls import absolute_url
from lots.opportunities.models import LocationType, Opportunity, OpportunityStatus
from notifications import matching
from notifications.models import AlertFanout, AlertFrequency, OpportunityAlert
from notifications.unsubscribe import alert_links, person_key

log = logging.getLogger(__name__)
FANOUT_TIMEOUT = 3600  # seconds: 50,000 recipients take well under a minute


def _insert():
    return (
        postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )


def enqueue_long(fn, *args, job_id=None, timeout=FANOUT_TIMEOUT):
    """``app.queue.enqueue`` with a longer RQ timeout, for jobs that work through many rows."""
    if current_app.config["QUEUE_BACKEND"] == "inline":
        return enqueue(fn, *args, job_id=job_id)
    try:
        rq_queue().enqueue(fn, *args, job_id=job_id, job_timeout=timeout)
        return True
    except REDIS_ERRORS as exc:
        log.warning("could not enqueue %s(%s): %s", fn.__name__, args, exc)
        return False


def on_publish(opportunity):
    """Called by ``lots.services.opportunities.publish`` inside its transaction."""
    if db.session.get(AlertFanout, opportunity.id) is None:
        db.session.add(AlertFanout(opportunity_id=opportunity.id, created_at=utcnow(), sent=0))
    after_commit(enqueue_alerts, opportunity.id)


def enqueue_alerts(opportunity_id):
    return enqueue_long(
        send_opportunity_alerts, opportunity_id, job_id=f"send_opportunity_alerts-{opportunity_id}"
    )


def location_name(opportunity):
    if opportunity.location_type == LocationType.REGION:
        place = geography.region(opportunity.location_code)
    elif opportunity.location_type == LocationType.LOCAL_AUTHORITY:
        place = geography.local_authority(opportunity.location_code)
    else:
        return "Anywhere in the UK"
    return place.name if place else opportunity.location_code


def opportunity_details(opportunity):
    return {
        "opportunity_id": opportunity.id,
        "title": opportunity.title,
        "buyer": opportunity.buyer_name or opportunity.buyer.name,
        "summary": opportunity.summary,
        "reference": opportunity.reference or "",
        "value": f"£{opportunity.estimated_value_pence / 100:,.0f}",
        "location": location_name(opportunity),
        "lot": opportunity.lot.label,
        "deadline": format_datetime(opportunity.submission_deadline),
        "url": absolute_url("lots.view_opportunity", opportunity_id=opportunity.id),
    }


def send_opportunity_alerts(opportunity_id):
    """Job: tell everyone whose at-once preferences match. Returns how many emails it wrote."""
    opportunity = db.session.get(Opportunity, opportunity_id)
    fanout = db.session.get(AlertFanout, opportunity_id)
    if opportunity is None:
        return 0
    if fanout is None:
        fanout = AlertFanout(opportunity_id=opportunity_id, created_at=utcnow(), sent=0)
        db.session.add(fanout)
        db.session.commit()
    if opportunity.status != OpportunityStatus.PUBLISHED or not opportunity.is_open:
        fanout.finished_at = fanout.finished_at or utcnow()
        db.session.commit()
        return 0
    details = opportunity_details(opportunity)
    written = write_alerts(opportunity, AlertFrequency.INSTANT, "instant", details)
    fanout.finished_at = utcnow()
    fanout.sent = (fanout.sent or 0) + written
    db.session.commit()
    return written


def write_alerts(opportunity, frequency, batch, details):
    """Record (opportunity, address) pairs for everyone matching at ``frequency`` and, for the
    at-once kind, write their emails. Chunked, one transaction a chunk. Returns emails written."""
    chunk = current_app.config["FANOUT_CHUNK"]
    written = 0
    for part, key in matching.recipient_parts(opportunity, frequency):
        # Windows of ids rather than LIMIT: each chunk's query reads its own window whatever
        # plan the database picks, so the whole fan-out grows linearly with the people in it.
        top = db.session.execute(sa.select(sa.func.max(key))).scalar() or 0
        for low in range(0, top, chunk):
            rows = db.session.execute(part.where(key > low, key <= low + chunk).order_by(key)).all()
            if not rows:
                continue
            ids = _write_chunk(opportunity, frequency, batch, details, rows)
            db.session.commit()
            enqueue_sends(ids)
            written += len(ids)
    return written


def _write_chunk(opportunity, frequency, batch, details, rows):
    """One chunk of matches: the (opportunity, address) rows not there yet, and (at once) their
    emails. Part of the caller's transaction; returns the new outbox rows' ids."""
    people = {}
    for row in rows:
        people.setdefault(row.email.lower(), (row.name or "", row.subscription_id))
    now = utcnow()
    table = OpportunityAlert.__table__
    new = set(
        db.session.execute(
            _insert()(table)
            .values(
                [
                    {
                        "opportunity_id": opportunity.id,
                        "email": email,
                        "subscription_id": sid,
                        "kind": frequency.value,
                        "batch": batch,
                        "created_at": now,
                    }
                    for email, (_, sid) in people.items()
                ]
            )
            .on_conflict_do_nothing(index_elements=["opportunity_id", "email"])
            .returning(table.c.email)
        ).scalars()
    )
    ids = []
    if new and frequency == AlertFrequency.INSTANT:
        ids = write_outbox(
            [
                (
                    f"alert:{opportunity.id}:instant:{person_key(email)}",
                    email,
                    {**details, "name": people[email][0], **alert_links(email)},
                )
                for email in sorted(new)
            ],
            "opportunity_alert",
        )
    if frequency == AlertFrequency.INSTANT:
        progress = db.session.get(AlertFanout, opportunity.id)
        if progress is not None:
            progress.progress_at = now
    return ids


def write_outbox(messages, template):
    """Insert outbox rows [(key, recipient, personalisation)] in one statement, skipping keys
    already there. Part of the caller's transaction; returns the new rows' ids."""
    if not messages:
        return []
    now = utcnow()
    table = OutboxMessage.__table__
    stmt = (
        _insert()(table)
        .values(
            [
                {
                    "idempotency_key": key,
                    "recipient": recipient,
                    "template": template,
                    "personalisation": personalisation,
                    "status": OutboxStatus.PENDING.value,
                    "attempts": 0,
                    "created_at": now,
                    "next_attempt_at": now,
                }
                for key, recipient, personalisation in messages
            ]
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(table.c.id)
    )
    return sorted(db.session.execute(stmt).scalars().all())


def enqueue_sends(ids):
    """Queue outbox rows in batches: one job sends a batch over one SMTP connection. A batch cut
    short (a worker killed) leaves its rows pending, and the relay queues them again."""
    size = current_app.config["ALERT_SEND_BATCH"]
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        if not enqueue(
            send_outbox_batch, batch, job_id=f"send_outbox_batch-{batch[0]}-{batch[-1]}"
        ):
            return False
    return True


def send_outbox_batch(message_ids):
    """Job: send a batch of outbox rows (each is claimed first, so a row in two batches, or also
    queued by the relay, goes once)."""
    return [str(status) for status in send_outbox_messages(message_ids)]


def recover_fanouts(now, idle):
    """Recoverer (``app.recovery``): queue again each alert fan-out that never started (Redis
    was down at publication) or stopped making progress (its worker died). Safe at any time:
    fan-outs write nothing twice. Returns how many it queued."""
    cutoff = now - idle
    stuck = (
        db.session.execute(
            sa.select(AlertFanout.opportunity_id).where(
                AlertFanout.finished_at.is_(None),
                sa.func.coalesce(AlertFanout.progress_at, AlertFanout.created_at) < cutoff,
            )
        )
        .scalars()
        .all()
    )
    db.session.rollback()
    queued = 0
    for opportunity_id in stuck:
        if not enqueue_alerts(opportunity_id):
            break
        queued += 1
    return queued
