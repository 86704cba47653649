"""Alerts about planned work (``lots.pipeline``), as opportunity alerts are: when a buyer lists
an item, everyone whose alert preferences or saved searches match hears about it once, at once
or in their daily or weekly digest.

The matching is the opportunities' own (``notifications.matching``), given a ``PlannedWork``: an
item read as an opportunity would be (its lot, value, the lot's place when it has one, and its
words for keywords). It has no kind yet, so a preference for one kind of competition does not
rule it out, and it invites nobody, so nobody is left out as invited.

Publishing records a job in the item's transaction (``app.recovery.enqueue_recorded``), so
``flask jobs recover`` queues it again if Redis was down; the job writes ``pipeline_alerts``
rows, unique on (item, address), and outbox rows keyed ``pipeline-alert:<item>:instant:<person>``
for the new ones only, so running it again sends nothing twice. Digests list the items recorded
for their batch in a separate email (``pipeline_digest``) beside the opportunity digest.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.recovery import enqueue_recorded
from app.timeutil import utcnow
from app.urls import absolute_url
from lots.opportunities.lot_scope import scope_of
from lots.opportunities.models import AreaType, LocationType
from lots.pipeline.models import PipelineItem
from notifications import matching
from notifications.alerts import enqueue_sends, write_outbox
from notifications.models import AlertFrequency, PipelineAlert
from notifications.unsubscribe import alert_links, person_key


@dataclass(frozen=True)
class PlannedWork:
    """What the matching reads of an opportunity, for a planned item."""

    id: int
    lot_id: int
    dps_id: int
    lot: object
    estimated_value_pence: int
    location_type: LocationType
    location_code: str | None
    search_text: str
    kind: None = None
    reserved_vcse: bool = False
    has_invitations: bool = False


def planned_work(item):
    """The item as the matching reads it; its place is its lot's, when the lot covers one area."""
    _, areas = scope_of(item.lot_id)
    location_type, code = LocationType.NATIONAL, None
    if len(areas) == 1 and areas[0][0] != AreaType.NATIONAL:
        location_type, code = LocationType(areas[0][0].value), areas[0][1]
    return PlannedWork(
        id=item.id,
        lot_id=item.lot_id,
        dps_id=item.dps_id,
        lot=item.lot,
        estimated_value_pence=item.estimated_value_pence,
        location_type=location_type,
        location_code=code,
        search_text=" ".join((item.title, item.description, item.buyer.name)),
    )


def on_item_published(item):
    """Hook (``lots.pipeline.hooks``), inside the item's transaction."""
    enqueue_recorded(send_pipeline_alerts, item.id, job_key=f"send_pipeline_alerts-{item.id}")


def item_details(item):
    summary = " ".join(item.description.split())
    return {
        "item_id": item.id,
        "title": item.title,
        "buyer": item.buyer.name,
        "summary": summary if len(summary) <= 300 else summary[:297].rstrip() + "…",
        "value": f"£{item.estimated_value_pence / 100:,.0f}",
        "lot": item.lot.label,
        "quarter": item.quarter_words,
        "url": absolute_url("lots.view_pipeline_item", item_id=item.id),
    }


def _insert():
    return (
        postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    )


def write_pipeline_alerts(item, frequency, batch):
    """Record (item, address) for everyone matching at ``frequency``; at once, write their
    emails too. One transaction a chunk. Returns the emails written."""
    target = planned_work(item)
    details = item_details(item)
    chunk = current_app.config["FANOUT_CHUNK"]
    written = 0
    for part, key in matching.recipient_parts(target, frequency):
        top = db.session.execute(sa.select(sa.func.max(key))).scalar() or 0
        for low in range(0, top, chunk):
            rows = db.session.execute(part.where(key > low, key <= low + chunk).order_by(key)).all()
            if not rows:
                continue
            people = {}
            for row in rows:
                people.setdefault(row.email.lower(), (row.name or "", row.subscription_id))
            table = PipelineAlert.__table__
            new = set(
                db.session.execute(
                    _insert()(table)
                    .values(
                        [
                            {
                                "item_id": item.id,
                                "email": email,
                                "subscription_id": sid,
                                "kind": frequency.value,
                                "batch": batch,
                                "created_at": utcnow(),
                            }
                            for email, (_, sid) in people.items()
                        ]
                    )
                    .on_conflict_do_nothing(index_elements=["item_id", "email"])
                    .returning(table.c.email)
                ).scalars()
            )
            ids = []
            if new and frequency == AlertFrequency.INSTANT:
                ids = write_outbox(
                    [
                        (
                            f"pipeline-alert:{item.id}:instant:{person_key(email)}",
                            email,
                            {**details, "name": people[email][0], **alert_links(email)},
                        )
                        for email in sorted(new)
                    ],
                    "pipeline_alert",
                )
            db.session.commit()
            enqueue_sends(ids)
            written += len(ids)
    return written


def send_pipeline_alerts(item_id):
    """Job: tell everyone whose at-once preferences match a newly listed item."""
    item = db.session.get(PipelineItem, item_id)
    if item is None or item.withdrawn_at is not None:
        return 0
    return write_pipeline_alerts(item, AlertFrequency.INSTANT, "instant")


def send_pipeline_digests(frequency, batch, since, now, period_word):
    """Part of a digest run: record the items listed since ``since`` for people at
    ``frequency``, then one email per address listing what is recorded for this batch and not
    yet emailed. Returns the emails written."""
    items = (
        db.session.execute(
            sa.select(PipelineItem)
            .where(
                PipelineItem.withdrawn_at.is_(None),
                PipelineItem.published_at > since,
                PipelineItem.published_at <= now,
            )
            .order_by(PipelineItem.published_at)
        )
        .scalars()
        .all()
    )
    for item in items:
        write_pipeline_alerts(item, frequency, batch)
    pairs = db.session.execute(
        sa.select(PipelineAlert.email, PipelineAlert.item_id, PipelineAlert.id)
        .where(PipelineAlert.batch == batch, PipelineAlert.emailed_key.is_(None))
        .order_by(PipelineAlert.email, PipelineAlert.item_id)
    ).all()
    listed, rows = {}, {}
    details = {}
    for email, item_id, alert_id in pairs:
        if item_id not in details:
            details[item_id] = item_details(db.session.get(PipelineItem, item_id))
        listed.setdefault(email, []).append(details[item_id])
        rows.setdefault(email, []).append(alert_id)
    keys = {
        email: f"pipeline-digest:{batch}:{person_key(email)}:{min(rows[email])}" for email in rows
    }
    ids = write_outbox(
        [
            (
                keys[email],
                email,
                {"name": "", "period": period_word, "items": listed[email], **alert_links(email)},
            )
            for email in sorted(rows)
        ],
        "pipeline_digest",
    )
    for email in rows:
        db.session.execute(
            sa.update(PipelineAlert)
            .where(PipelineAlert.id.in_(rows[email]))
            .values(emailed_key=keys[email])
        )
    db.session.commit()
    enqueue_sends(ids)
    return len(ids)
