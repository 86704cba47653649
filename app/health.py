"""GET /healthz: the state of the database, Redis (when used) and storage; 503 when one is down.

The checks run side by side, each in its own thread with the app context, and the answer goes
after ``HEALTH_TIMEOUT`` seconds at most: a dependency that accepts connections and never answers
is reported as "not answering" rather than holding the load balancer's request (and a web worker)
until its own timeout. States are plain words; what went wrong goes to the log, not the response.
"""

from concurrent.futures import ThreadPoolExecutor, wait

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from app.extensions import csrf, db, limiter
from app.queue import redis_connection
from app.storage import get_storage

bp = Blueprint("health", __name__)
OK, DOWN, NOT_ANSWERING = "ok", "down", "not answering"


def _check_database():
    try:
        db.session.execute(sa.text("SELECT 1"))
    finally:
        db.session.remove()


def _check_redis():
    redis_connection().ping()


def _check_storage():
    get_storage().check()


def _run(app, name, check):
    with app.app_context():
        try:
            check()
        except Exception as exc:  # a health check reports, never raises
            app.logger.warning("health check %s failed: %r", name, exc)
            raise


def checks():
    found = {"database": _check_database, "storage": _check_storage}
    if current_app.config["QUEUE_BACKEND"] == "rq" or current_app.config[
        "RATELIMIT_STORAGE_URI"
    ].startswith("redis"):
        found["redis"] = _check_redis
    return found


@bp.route("/healthz")
@csrf.exempt
@limiter.exempt
def healthz():
    app = current_app._get_current_object()
    todo = checks()
    pool = ThreadPoolExecutor(max_workers=len(todo), thread_name_prefix="healthz")
    futures = {name: pool.submit(_run, app, name, check) for name, check in todo.items()}
    done, _ = wait(futures.values(), timeout=app.config["HEALTH_TIMEOUT"])
    # Checks still waiting end by their own timeouts; nobody waits for them.
    pool.shutdown(wait=False, cancel_futures=True)
    result = {}
    for name, future in futures.items():
        if future not in done:
            result[name] = NOT_ANSWERING
            app.logger.warning("health check %s: no answer in time", name)
        else:
            result[name] = DOWN if future.exception() is not None else OK
    healthy = all(state == OK for state in result.values())
    return jsonify({"status": "ok" if healthy else "down", "checks": result}), (
        200 if healthy else 503
    )
