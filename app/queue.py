"""The job queue adapter: RQ with Redis in test and production, inline in development.

Job functions take ids, never objects, and are idempotent; they are passed by reference and run in
the app context (``flask worker`` pushes it for RQ; inline runs already have it).
"""

import logging
from datetime import timedelta

import redis
from flask import current_app
from rq import Queue, SimpleWorker

from app.extensions import db
from config import redis_options

log = logging.getLogger(__name__)

REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def redis_connection():
    app = current_app._get_current_object()
    conn = app.extensions.get("vcse_redis")
    if conn is None:
        conn = redis.Redis.from_url(app.config["REDIS_URL"], **redis_options(app.config))
        app.extensions["vcse_redis"] = conn
    return conn


def rq_queue(name=None):
    return Queue(name or current_app.config["QUEUE_NAME"], connection=redis_connection())


def runs_inline():
    """Jobs run straight away in the process that starts them (QUEUE_BACKEND "inline", as in
    development): no queue, no worker."""
    return current_app.config["QUEUE_BACKEND"] == "inline"


def enqueue(fn, *args, job_id=None, delay=None):
    """Run ``fn(*args)`` on a worker. Returns False (and logs) when the queue cannot be reached:
    callers keep enough state in the database for the relay to pick the work up again."""
    if runs_inline():
        if delay:
            # Nothing runs later in development; the relay command catches it up.
            return True
        try:
            fn(*args)
        except Exception:  # an inline job must never break the request that caused it
            log.exception("inline job %s failed", getattr(fn, "__name__", fn))
        return True
    try:
        queue = rq_queue()
        if delay:
            queue.enqueue_in(timedelta(seconds=delay), fn, *args, job_id=job_id)
        else:
            queue.enqueue(fn, *args, job_id=job_id)
        return True
    except REDIS_ERRORS as exc:
        log.warning("could not enqueue %s(%s): %s", getattr(fn, "__name__", fn), args, exc)
        return False


class AppWorker(SimpleWorker):
    """Runs each job in this process, inside the app context that ``flask worker`` pushed.

    Jobs share the context's database session, so after each one whatever it left open is rolled
    back: a job that failed half way through a transaction must not break the jobs after it."""

    def execute_job(self, job, queue):
        try:
            return super().execute_job(job, queue)
        finally:
            try:
                db.session.rollback()
            except Exception:  # the database may be the reason the job failed
                log.exception("could not roll back after job %s", job.id)
                db.session.remove()
