"""Writing one email to many people at once, set-based.

``fan_out`` takes a SELECT of (user id, email, name) and writes one outbox row per person with
the idempotency key ``<key_prefix>:<user id>``, in chunks, with INSERT ... SELECT ... ON CONFLICT
DO NOTHING: no query per recipient, and running it again (a retried job, a second worker) adds
nothing. The new rows' ids are queued for sending after each chunk commits.
"""

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.rendering import known_template
from app.outbox.services import enqueue_send
from app.timeutil import utcnow


def _json_object(dialect, pairs):
    fn = sa.func.json_build_object if dialect == "postgresql" else sa.func.json_object
    args = []
    for key, value in pairs.items():
        args.extend([sa.literal(key), value])
    return fn(*args)


def fan_out(recipients, template, personalisation, key_prefix, chunk=None):
    """Write and queue one email per recipient. ``recipients`` selects columns named user_id,
    email and name; ``personalisation`` is shared, plus each person's ``name``.
    Returns how many new rows were written."""
    known_template(template)
    chunk = chunk or current_app.config["FANOUT_CHUNK"]
    dialect = db.session.get_bind().dialect.name
    table = OutboxMessage.__table__
    subquery = recipients.subquery()
    written = 0
    last_user_id = 0
    while True:
        page = (
            sa.select(subquery.c.user_id, subquery.c.email, subquery.c.name)
            .where(subquery.c.user_id > last_user_id)
            .order_by(subquery.c.user_id)
            .limit(chunk)
            .subquery()
        )
        bounds = db.session.execute(sa.select(sa.func.count(), sa.func.max(page.c.user_id))).one()
        if not bounds[0]:
            break
        extra = {k: sa.literal(v) for k, v in personalisation.items()}  # scalars only
        pers = _json_object(dialect, {"name": page.c.name, **extra})
        if dialect == "postgresql":
            pers = sa.cast(pers, sa.JSON)
        now = utcnow()
        select = sa.select(
            (sa.literal(f"{key_prefix}:") + sa.cast(page.c.user_id, sa.String)).label("k"),
            sa.func.lower(page.c.email),
            sa.literal(template),
            pers,
            sa.literal(OutboxStatus.PENDING.value),
            sa.literal(0),
            sa.literal(now, OutboxMessage.created_at.type),
            sa.literal(now, OutboxMessage.next_attempt_at.type),
        ).where(sa.true())  # SQLite reads "FROM x ON CONFLICT" as a join without a WHERE
        insert_cls = (
            sa.dialects.postgresql.insert if dialect == "postgresql" else sa.dialects.sqlite.insert
        )
        stmt = (
            insert_cls(table)
            .from_select(
                [
                    "idempotency_key",
                    "recipient",
                    "template",
                    "personalisation",
                    "status",
                    "attempts",
                    "created_at",
                    "next_attempt_at",
                ],
                select,
            )
            .on_conflict_do_nothing(index_elements=["idempotency_key"])
            .returning(table.c.id)
        )
        ids = db.session.execute(stmt).scalars().all()
        db.session.commit()
        for message_id in ids:
            enqueue_send(message_id)
        written += len(ids)
        last_user_id = bounds[1]
    return written
