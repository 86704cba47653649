"""Signed links in alert emails: one-click unsubscribe and managing saved searches, both working
without signing in.

A link carries the address it was sent to, signed with SECRET_KEY (itsdangerous): a changed
character makes it worthless. Unsubscribing stops every opportunity alert and digest to that
address (which is what a person who presses "unsubscribe" means), and nothing else: account and
bid emails still go. The RFC 8058 headers let mail programs do it with one POST.
"""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from app.urls import absolute_url

UNSUBSCRIBE = "alert-unsubscribe"
MANAGE = "alert-manage"
CONFIRM = "alert-confirm-search"


class InvalidLink(Exception):
    pass


def _serializer(purpose):
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=purpose)


def sign(purpose, payload):
    return _serializer(purpose).dumps(payload)


def read(purpose, token):
    try:
        return _serializer(purpose).loads(token)
    except BadSignature as exc:
        raise InvalidLink() from exc


def person_key(email):
    """A short, stable stand-in for an address in idempotency keys (which are 200 characters)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]


def unsubscribe_url(email):
    return absolute_url("alerts.unsubscribe", token=sign(UNSUBSCRIBE, {"e": email.lower()}))


def manage_url(email):
    return absolute_url("alerts.manage", token=sign(MANAGE, {"e": email.lower()}))


def alert_links(email):
    """Personalisation every alert email carries: the links in its text, and the headers that
    the backends pass on (List-Unsubscribe for SMTP; Notify's one-click unsubscribe URL)."""
    url = unsubscribe_url(email)
    return {
        "unsubscribe_url": url,
        "manage_url": manage_url(email),
        "_headers": {
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    }
