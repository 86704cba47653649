"""GET /healthz: the state of the database, Redis (when used) and storage; 503 when one is down."""

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from app.extensions import csrf, db, limiter
from app.queue import redis_connection
from app.storage import get_storage

bp = Blueprint("health", __name__)


def _check_database():
    db.session.execute(sa.text("SELECT 1"))
    db.session.rollback()


def _check_redis():
    redis_connection().ping()


def _check_storage():
    get_storage().check()


@bp.route("/healthz")
@csrf.exempt
@limiter.exempt
def healthz():
    checks = {"database": _check_database, "storage": _check_storage}
    if current_app.config["QUEUE_BACKEND"] == "rq" or current_app.config[
        "RATELIMIT_STORAGE_URI"
    ].startswith("redis"):
        checks["redis"] = _check_redis
    result, healthy = {}, True
    for name, check in checks.items():
        try:
            check()
            result[name] = "ok"
        except Exception as exc:  # a health check reports, never raises
            healthy = False
            result[name] = f"down: {type(exc).__name__}"
            current_app.logger.warning("health check %s failed: %s", name, exc)
    return jsonify({"status": "ok" if healthy else "down", "checks": result}), (
        200 if healthy else 503
    )
