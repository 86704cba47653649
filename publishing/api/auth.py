"""Who is asking: an API token in ``Authorization: Bearer ...``, or nobody. Every request with a
token is counted against its rate limit before anything else, and written to the audit log after
its answer, whatever that answer is. A token that is sent must work (401 otherwise), even where
none is needed, so a revoked token is noticed at once."""

import logging

from flask import g, request
from werkzeug.exceptions import Forbidden, TooManyRequests, Unauthorized

from app.extensions import db
from publishing.api import ratelimit, tokens
from publishing.api.models import SCOPE_LABELS, Scope

log = logging.getLogger(__name__)
BEARER = "bearerAuth"
CHALLENGE = 'Bearer realm="api"'


class TokenRefused(Unauthorized):
    def get_headers(self, environ=None, scope=None):
        return [*super().get_headers(environ, scope), ("WWW-Authenticate", CHALLENGE)]


class RateLimited(TooManyRequests):
    def __init__(self, wait):
        super().__init__(
            f"Too many requests with this token: wait {wait} seconds, then try again",
            retry_after=wait,
        )


def _secret():
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise TokenRefused("Send the API token as ‘Authorization: Bearer <token>’")
    return value.strip()


def authenticate():
    """Before each API request: find the token, if one is sent, and count the request."""
    g.api_token = None
    secret = _secret()
    if secret is None:
        return
    token = tokens.authenticate(secret)
    if token is None:
        raise TokenRefused("The API token does not work: it may have been revoked")
    wait = ratelimit.hit(token.id)
    if wait is not None:
        raise RateLimited(wait)
    g.api_token = token


def audit(response):
    """After each request made with a working token: write its use to the audit log."""
    token = g.pop("api_token", None)
    if token is None:
        return response
    try:
        db.session.rollback()  # nothing a refused or failed request began is kept
        tokens.record_use(token, request.method, request.path, response.status_code)
    except Exception:
        log.exception("could not record the use of API token %s", token.id)
        db.session.rollback()
    return response


def token():
    return g.get("api_token")


def require_scope(scope):
    """The request's token, which must be there and hold ``scope``."""
    t = token()
    if t is None:
        raise TokenRefused("This needs an API token of your organisation")
    if not t.allows(scope):
        raise Forbidden(f"This token may not do this: it needs ‘{SCOPE_LABELS[Scope(scope)]}’")
    return t


def acting_user():
    """The person the token acts for: the owner who made it."""
    return token().created_by
