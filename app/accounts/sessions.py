"""Signed-in sessions held on the server (see ``SignIn``).

Signing in starts one and keeps its token in the (signed) session cookie; every request checks the
row is still live; signing out ends it, so a copy of the cookie taken before then is worthless. A
session also ends after ``PERMANENT_SESSION_LIFETIME`` however the cookie is kept.

The addresses a person signed in from are kept as keyed hashes, so the sign-in limit can tell the
owner's own addresses from a stranger's (``is_known_address``)."""

import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, session

from app.accounts.models import SignIn, User
from app.extensions import db
from app.timeutil import utcnow

SESSION_KEY = "sign_in"


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def address_hash(address):
    """A keyed hash of an IP address: enough to recognise it again, not to read it."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, (address or "").encode(), hashlib.sha256).hexdigest()


def rotate():
    """Throw away everything this browser's session held before signing in (no fixation)."""
    session.clear()


def start(user, address):
    """A new session for ``user``; its token goes in the cookie. The caller commits."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        SignIn(token_hash=_token_hash(token), user_id=user.id, address_hash=address_hash(address))
    )
    session[SESSION_KEY] = token


def _oldest_live_start():
    return utcnow() - timedelta(seconds=current_app.config["PERMANENT_SESSION_LIFETIME"])


def is_live(user_id):
    """Whether this request's session is a live one of ``user_id``."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        return False
    return (
        db.session.scalar(
            sa.select(SignIn.id).where(
                SignIn.token_hash == _token_hash(token),
                SignIn.user_id == user_id,
                SignIn.ended_at.is_(None),
                SignIn.started_at > _oldest_live_start(),
            )
        )
        is not None
    )


def end():
    """End this request's session on the server. The caller commits."""
    token = session.get(SESSION_KEY)
    if isinstance(token, str) and token:
        db.session.execute(
            sa.update(SignIn)
            .where(SignIn.token_hash == _token_hash(token), SignIn.ended_at.is_(None))
            .values(ended_at=utcnow())
        )


def is_known_address(email, address):
    """Whether the account for ``email`` signed in successfully from ``address`` within
    ``KNOWN_ADDRESS_DAYS``."""
    since = utcnow() - timedelta(days=current_app.config["KNOWN_ADDRESS_DAYS"])
    return (
        db.session.scalar(
            sa.select(SignIn.id)
            .join(User, User.id == SignIn.user_id)
            .where(
                User.email == email,
                SignIn.address_hash == address_hash(address),
                SignIn.started_at > since,
            )
            .limit(1)
        )
        is not None
    )
