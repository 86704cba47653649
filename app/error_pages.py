"""Error pages in the GOV.UK style, and JSON error bodies for API and JSON requests."""

import logging
import math

import redis
import sqlalchemy as sa
from flask import g, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.storage import StorageUnavailable

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("There is a problem with your request", "Go back and try again."),
    403: (
        "You do not have permission to see this page",
        "If you think you should, ask the owner of your organisation or contact us.",
    ),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("Sorry, you cannot do that here", "Go back and try again."),
    413: ("The file is too large", "Choose a smaller file and try again."),
    429: ("Too many attempts", "Wait a few minutes, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
}
OTHER_CLIENT_ERROR = ("Sorry, we cannot do that", "Go back and try again.")

# A service outside the app that failed or did not answer in time (each call's timeout is in
# config.py): the person gets a 503 and what they typed, never gunicorn's bare error.
OUTSIDE_FAULTS = (
    sa.exc.OperationalError,  # connect timeout, statement timeout, connection lost
    sa.exc.InterfaceError,
    sa.exc.TimeoutError,  # no connection free in the pool in time
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    StorageUnavailable,
    TimeoutError,
    ConnectionError,
)
UNAVAILABLE = "Sorry, the service is unavailable"
NOT_KEPT = ("csrf_token", "password", "token")
KEPT_CHARS = 20000


def kept_input():
    """What the person typed into the form they sent, as (label, value) pairs, leaving out
    passwords, tokens and files, so the page can give it back to them."""
    if request.method != "POST" or request.mimetype not in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        return []
    kept = []
    for name, value in request.form.items(multi=True):
        if not value.strip() or any(word in name.lower() for word in NOT_KEPT):
            continue
        kept.append((name.replace("_", " ").replace("-", " ").capitalize(), value[:KEPT_CHARS]))
    return kept


def render_unavailable():
    """The 503 page: plain words, what was typed, and no part of the page that needs the
    service that failed (the navigation would ask the database who is signed in)."""
    g.service_unavailable = True
    if wants_json():
        response = render_error(503, UNAVAILABLE, "Nothing was saved. Try again in a few minutes.")
    else:
        try:
            response = make_response(
                render_template("errors/unavailable.html", title=UNAVAILABLE, kept=kept_input()),
                503,
            )
        except Exception:
            log.exception("could not render the unavailable page")
            response = render_error(503, UNAVAILABLE, "Try again in a few minutes.")
    response.headers["Retry-After"] = "60"
    return response


# Feature packages' APIs whose error bodies take their own shape: (path prefix, body), where
# ``body(status, title, message)`` gives the JSON body. Added by the package's init_app.
_json_shapes = []


def shape_json_errors(prefix, body):
    """Error responses for paths under ``prefix`` (unknown addresses, wrong methods, failures)
    are JSON bodies made by ``body(status, title, message)``."""
    if (prefix, body) not in _json_shapes:
        _json_shapes[:] = [(p, b) for p, b in _json_shapes if p != prefix] + [(prefix, body)]


def _json_body(status, title, message):
    for prefix, body in _json_shapes:
        if request.path.startswith(prefix):
            return body(status, title, message)
    return {"error": {"status": status, "title": title, "message": message}}


def wants_json():
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def render_error(status, title=None, message=None):
    fallback = OTHER_CLIENT_ERROR if 400 <= status < 500 else MESSAGES[500]
    default_title, default_message = MESSAGES.get(status, fallback)
    title, message = title or default_title, message or default_message
    if wants_json():
        return make_response(jsonify(_json_body(status, title, message)), status)
    try:
        return make_response(
            render_template("errors/error.html", status=status, title=title, message=message),
            status,
        )
    except Exception:  # the page itself failed (a broken database, say): still say something
        log.exception("could not render the %s error page", status)
        return make_response(
            f"{title}. {message}\n", status, {"Content-Type": "text/plain; charset=utf-8"}
        )


def _wait(exc):
    """How long to wait, in words: the window of the rate limit that was reached."""
    try:
        seconds = exc.limit.limit.get_expiry()
    except AttributeError:  # a 429 that did not come from the rate limiter
        seconds = 15 * 60
    minutes = max(1, math.ceil(seconds / 60))
    if minutes >= 120 and minutes % 60 == 0:
        return f"{minutes // 60} hours"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def init_app(app):
    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return render_error(
            400,
            "Your form has expired",
            "For your security, forms expire. Go back, refresh the page and "
            "try again. Nothing has been saved.",
        )

    @app.errorhandler(HTTPException)
    def _http(exc):
        if exc.code is None or exc.code < 400:
            return exc
        message = None
        if exc.code == 429:
            message = (
                f"You have tried too many times. Wait {_wait(exc)}, then try again. "
                "If you have forgotten your password, you can reset it."
            )
        response = render_error(exc.code, message=message)
        # Keep what the exception says about the response (Allow on a 405, for instance).
        response.headers.extend(
            [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        )
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc):
        if isinstance(exc, OUTSIDE_FAULTS):
            log.warning("an outside service failed on %s %s: %r", request.method, request.path, exc)
            try:
                db.session.rollback()
            except Exception:
                log.exception("could not roll back after the outside failure")
            return render_unavailable()
        log.exception("unhandled error on %s %s", request.method, request.path)
        # The failed transaction must not break the error page (or the next request).
        try:
            db.session.rollback()
        except Exception:
            log.exception("could not roll back after the error")
        return render_error(500)
