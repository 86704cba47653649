"""Signed, expiring links for confirming an email address and resetting a password.

A reset link carries a fingerprint of the current password hash, so it stops working once used.
"""

import hashlib
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.timeutil import utcnow


class InvalidToken(Exception):
    pass


class ExpiredToken(InvalidToken):
    pass


def _serializer(salt):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def fingerprint(value):
    return hashlib.sha256((value or "").encode()).hexdigest()[:16]


def make_token(purpose, payload):
    return _serializer(purpose).dumps(payload)


def read_token(purpose, token, max_age):
    return read_token_with_age(purpose, token, max_age)[0]


def read_token_with_age(purpose, token, max_age, now=None):
    """(payload, how long ago the link was made, as a timedelta)."""
    try:
        payload, made_at = _serializer(purpose).loads(token, max_age=max_age, return_timestamp=True)
    except SignatureExpired as exc:
        raise ExpiredToken() from exc
    except BadSignature as exc:
        raise InvalidToken() from exc
    return payload, max((now or utcnow()) - made_at, timedelta(0))
