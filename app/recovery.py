"""Recovery: one command, `flask jobs recover`, that queues again every kind of work the database
says is pending, whatever stopped it (Redis down when the work was committed, a worker killed).

Each package owns the state that says its work is unfinished, so each registers its own
recoverer from its ``init_app`` (``add``): the outbox (emails not sent), documents (stored files
of deleted documents), ``lots`` (invitation fan-outs, award letters), ``notifications`` (alert
fan-outs), and this module's recorded jobs (any job queued with ``enqueue_recorded``: amendment,
cancellation and clarification emails, late invitations). The scheduler runs the same recovery
every minute; the command is for when the scheduler is not running, or to catch up at once.

Every recoverer only queues work, and every job is idempotent, so recovery is safe to run at any
time, as often as you like: running it twice sends nothing twice.

A recorded job is a row written in the caller's transaction (so it exists exactly when the change
that needs it does) and queued after commit; the job marks its row finished. A row left
unfinished is queued again once it has been quiet for ``idle``.
"""

import importlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.queue import REDIS_ERRORS, enqueue, redis_connection
from app.timeutil import utcnow
from app.types import UTCDateTime
from app.unitofwork import after_commit

log = logging.getLogger(__name__)
IDLE = timedelta(minutes=2)


@dataclass(frozen=True)
class Recoverer:
    """``find(now, idle)`` queues what is pending and returns how many jobs it queued. Work that
    made progress within ``idle`` before ``now`` is left to the worker doing it."""

    name: str  # "outbox", "invitations" ...
    find: Callable
    description: str


def add(app, *recoverers):
    """Each package's ``init_app`` adds the recoverers of its own pending work here."""
    table = app.extensions.setdefault("recoverers", {})
    for r in recoverers:
        table[r.name] = r


def recoverers():
    return list(current_app.extensions.get("recoverers", {}).values())


class QueueUnavailable(Exception):
    """Redis did not answer: nothing could be queued."""


def recover(now=None, idle=IDLE):
    """Run every recoverer. Returns [(recoverer, jobs queued)]. Raises QueueUnavailable when the
    queue cannot be reached (nothing is lost: the work stays recorded for the next run)."""
    now = now or utcnow()
    if current_app.config["QUEUE_BACKEND"] == "rq":
        try:
            redis_connection().ping()
        except REDIS_ERRORS as exc:
            raise QueueUnavailable(str(exc)) from exc
    done = []
    for r in recoverers():
        queued = r.find(now, idle)
        db.session.rollback()  # a recoverer reads; nothing it left open survives it
        done.append((r, queued))
    return done


def recover_all():
    """Scheduled every minute: queue again every kind of pending work. Returns {name: queued}."""
    try:
        return {r.name: queued for r, queued in recover()}
    except QueueUnavailable as exc:
        log.warning("recovery: Redis is unavailable (%s); trying again next minute", exc)
        return {}


# --- Recorded jobs ------------------------------------------------------------------------------


class RecordedJob(db.Model):
    """A job that must run once its transaction commits, recorded in that transaction."""

    __tablename__ = "recorded_jobs"
    __table_args__ = (sa.Index("ix_recorded_jobs_unfinished", "finished_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The RQ job id: recording the same key twice keeps the first row.
    job_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    function: Mapped[str] = mapped_column(sa.String(200))  # "package.module:function"
    args: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    queued_at = mapped_column(UTCDateTime(), nullable=True)  # last queued by recovery
    finished_at = mapped_column(UTCDateTime(), nullable=True)


def _path(fn):
    return f"{fn.__module__}:{fn.__qualname__}"


def _resolve(path):
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def enqueue_recorded(fn, *args, job_key):
    """Record ``fn(*args)`` in the current transaction and queue it after commit. ``fn`` is a
    module-level, idempotent function of JSON values (ids, strings). Returns the row's id."""
    _resolve(_path(fn))  # a function RQ (and recovery) can find by name, or fail here
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = RecordedJob.__table__
    job_id = db.session.execute(
        insert(table)
        .values(job_key=job_key[:200], function=_path(fn), args=list(args), created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["job_key"])
        .returning(table.c.id)
    ).scalar_one_or_none()
    if job_id is None:  # recorded already: it runs, or recovery will run it
        return db.session.execute(
            sa.select(table.c.id).where(table.c.job_key == job_key[:200])
        ).scalar_one()
    after_commit(enqueue, run_recorded_job, job_id, job_id=job_key[:200])
    return job_id


def run_recorded_job(recorded_id):
    """Job: run a recorded job, then mark it finished. Safe to run again (the function is
    idempotent, and a finished row runs nothing)."""
    row = db.session.get(RecordedJob, recorded_id)
    if row is None or row.finished_at is not None:
        return None
    function, args = row.function, list(row.args or [])
    db.session.rollback()
    result = _resolve(function)(*args)
    db.session.execute(
        sa.update(RecordedJob).where(RecordedJob.id == recorded_id).values(finished_at=utcnow())
    )
    db.session.commit()
    return result


def recover_recorded_jobs(now, idle):
    """Queue again each recorded job not finished and quiet for ``idle``."""
    cutoff = now - idle
    rows = db.session.execute(
        sa.select(RecordedJob.id, RecordedJob.job_key)
        .where(
            RecordedJob.finished_at.is_(None),
            sa.func.coalesce(RecordedJob.queued_at, RecordedJob.created_at) < cutoff,
        )
        .order_by(RecordedJob.id)
        .limit(1000)
    ).all()
    queued = []
    for recorded_id, key in rows:
        if not enqueue(run_recorded_job, recorded_id, job_id=key):
            break
        queued.append(recorded_id)
    if queued:
        db.session.execute(
            sa.update(RecordedJob).where(RecordedJob.id.in_(queued)).values(queued_at=now)
        )
        db.session.commit()
    return len(queued)


# --- The command ---------------------------------------------------------------------------------

jobs_cli = AppGroup("jobs", help="Background jobs.")


def echo_recovery(idle=IDLE):
    """Run the recovery and say what it did; exit 1 when Redis is not answering."""
    try:
        done = recover(idle=idle)
    except QueueUnavailable as exc:
        click.echo(f"Redis is not answering ({exc}). Nothing was queued; run this again.", err=True)
        raise SystemExit(1) from exc
    for r, queued in done:
        click.echo(f"{r.name}: queued {queued} ({r.description})")
    total = sum(queued for _, queued in done)
    click.echo(f"Queued {total} job{'s' if total != 1 else ''}.")
    return done


@jobs_cli.command("recover")
@click.option(
    "--idle",
    default=int(IDLE.total_seconds()),
    show_default=True,
    help="Leave work that made progress this many seconds ago to the worker doing it.",
)
def recover_command(idle):
    """Queue again every kind of pending work: emails, fan-outs, letters, recorded jobs."""
    echo_recovery(timedelta(seconds=idle))


def init_app(app):
    """The command, the scheduled recovery, and the recorded jobs' own recoverer."""
    from app import schedule

    app.cli.add_command(jobs_cli)
    schedule.add(
        app,
        schedule.Entry(
            "recover",
            recover_all,
            "minutes",
            1,
            description="Queue again pending work: emails, fan-outs, letters (flask jobs recover)",
        ),
    )
    add(
        app,
        Recoverer("recorded-jobs", recover_recorded_jobs, "jobs recorded with their change"),
    )
