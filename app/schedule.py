"""The scheduler: one process (`flask schedule run`, the Procfile's `scheduler:`) that queues
every periodic job on RQ at its time, in the DPS's timezone.

Why our own loop rather than RQ's cron: each entry's slot (this minute, this hour, today at 07:00
London) is claimed in Redis with SET NX before its job is queued under a job id naming the slot, so
a restarted scheduler, or a second one started by mistake, queues nothing twice; times follow
Europe/London whatever the server's timezone; and a slot missed while the scheduler was down is
queued when it comes back (only the latest one: every job catches up by itself). RQ's
CronScheduler reads the process's local time and forgets slots it missed.

Each package adds its own jobs from its ``init_app`` (``add``). Every job is idempotent (see
each job's docstring), so running one twice, or by hand with
`flask schedule run-job NAME`, is safe.
"""

import logging
import signal
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

import click
from flask import current_app
from flask.cli import AppGroup

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.extensions import db
from app.queue import REDIS_ERRORS, enqueue, redis_connection, rq_queue
from app.timeutil import local_tz, to_local, utcnow
from app.unitofwork import commit

log = logging.getLogger(__name__)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
KEY = "vcse:schedule"


# --- Entries and slots ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    name: str
    job: Callable
    every: str  # "minutes", "hour", "day" or "week"
    minutes: int = 1  # for "minutes": every this many
    at: tuple = (0, 0)  # for "hour" (minute only), "day" and "week": local hour and minute
    weekday: int = 0  # for "week": Monday is 0
    description: str = ""

    @property
    def when(self):
        hh, mm = self.at
        if self.every == "minutes":
            return "every minute" if self.minutes == 1 else f"every {self.minutes} minutes"
        if self.every == "hour":
            return f"every hour at {mm:02d} minutes past"
        if self.every == "day":
            return f"every day at {hh:02d}:{mm:02d}"
        return f"every {WEEKDAYS[self.weekday].capitalize()} at {hh:02d}:{mm:02d}"


def add(app, *new_entries):
    """Each package's ``init_app`` adds its periodic jobs here, in the order they are listed.
    A job is a module-level function that takes no arguments, so RQ can run it by name."""
    table = app.extensions.setdefault("schedule", {})
    for e in new_entries:
        table[e.name] = e


def entries():
    return list(current_app.extensions.get("schedule", {}).values())


def local_time(config_value):
    """'07:00' -> (7, 0)."""
    return tuple(int(x) for x in config_value.split(":"))


def weekday(config_value):
    return WEEKDAYS.index(config_value.strip().lower())


def entry(name):
    return next((e for e in entries() if e.name == name), None)


def latest_slot(e, now=None):
    """The most recent time at or before ``now`` that ``e`` was due, in local time."""
    local = to_local(now or utcnow()).replace(second=0, microsecond=0)
    hh, mm = e.at
    if e.every == "minutes":
        return local.replace(minute=local.minute - local.minute % e.minutes)
    if e.every == "hour":
        slot = local.replace(minute=mm)
        return slot if slot <= local else slot - timedelta(hours=1)
    slot = datetime.combine(local.date(), datetime.min.time()).replace(
        hour=hh, minute=mm, tzinfo=local_tz()
    )
    if e.every == "day":
        return slot if slot <= local else slot - timedelta(days=1)
    slot -= timedelta(days=(slot.weekday() - e.weekday) % 7)
    return slot if slot <= local else slot - timedelta(days=7)


def job_id(e, slot):
    return f"schedule-{e.name}-{slot.strftime('%Y%m%dT%H%M')}"


_INLINE_MEMORY = {}


def _claim(e, slot):
    """Claim ``slot`` of ``e`` for this scheduler: True once per slot, whoever asks."""
    stamp = slot.isoformat()
    if current_app.config["QUEUE_BACKEND"] == "inline":
        if _INLINE_MEMORY.get(e.name, "") >= stamp:
            return False
        _INLINE_MEMORY[e.name] = stamp
        return True
    r = redis_connection()
    last = r.get(f"{KEY}:last:{e.name}")
    if last is not None and last.decode() >= stamp:
        return False
    if not r.set(f"{KEY}:claim:{e.name}:{stamp}", "1", nx=True, ex=8 * 24 * 3600):
        return False
    r.set(f"{KEY}:last:{e.name}", stamp)
    return True


def last_queued(e):
    if current_app.config["QUEUE_BACKEND"] == "inline":
        value = _INLINE_MEMORY.get(e.name)
    else:
        raw = redis_connection().get(f"{KEY}:last:{e.name}")
        value = raw.decode() if raw else None
    return datetime.fromisoformat(value) if value else None


def tick(now=None):
    """Queue each entry whose latest slot has not been queued yet. Returns the names queued."""
    queued = []
    for e in entries():
        slot = latest_slot(e, now)
        try:
            if _claim(e, slot):
                enqueue(e.job, job_id=job_id(e, slot))
                queued.append(e.name)
        except REDIS_ERRORS as exc:
            log.warning("scheduler: Redis is unavailable (%s); trying again next minute", exc)
            break
    return queued


def run_now(name):
    """Queue one entry's job now (the administrators' page, `flask schedule run-job`)."""
    e = entry(name)
    if e is None:
        raise KeyError(name)
    return enqueue(e.job, job_id=f"schedule-{e.name}-now-{int(time.time())}")


def retry_failed_job(admin, job_id_to_retry):
    """Requeue a failed RQ job, recording who did it."""
    registry = rq_queue().failed_job_registry
    if job_id_to_retry not in registry.get_job_ids():
        return False
    registry.requeue(job_id_to_retry)
    record(E.RETRY_JOB, subject_type="rq_job", actor=admin, detail={"job_id": job_id_to_retry})
    commit()
    return True


# --- The command ---------------------------------------------------------------------------------

schedule_cli = AppGroup("schedule", help="The scheduler: periodic jobs on RQ.")


@schedule_cli.command("run")
def run():
    """Run the scheduler: check every minute, queue what is due (the Procfile's scheduler)."""

    def stop(*_):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    click.echo(
        f"Scheduler running ({len(entries())} entries, {current_app.config['DPS_TIMEZONE']})"
    )
    while True:
        queued = tick()
        if queued:
            click.echo(f"{utcnow():%Y-%m-%d %H:%M} queued {', '.join(queued)}")
        db.session.remove()
        time.sleep(max(1.0, 60.5 - time.time() % 60))


@schedule_cli.command("tick")
def tick_command():
    """Queue what is due now, once (for running from cron instead of `schedule run`)."""
    queued = tick()
    click.echo(f"Queued {', '.join(queued) if queued else 'nothing'}.")


@schedule_cli.command("list")
def list_command():
    """Show the scheduled jobs and when each was last queued."""
    for e in entries():
        last = last_queued(e)
        click.echo(
            f"{e.name:<28} {e.when:<34} last queued: "
            f"{to_local(last).strftime('%Y-%m-%d %H:%M') if last else 'never'}"
        )


@schedule_cli.command("run-job")
@click.argument("name")
def run_job_command(name):
    """Run one scheduled job now, in this process."""
    e = entry(name)
    if e is None:
        raise click.BadParameter(f"no scheduled job called {name!r}", param_hint="NAME")
    click.echo(f"{name}: {e.job()}")
