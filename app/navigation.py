"""The service navigation and the account links, which depend on who is signed in.

The service navigation holds a few places to go, so it fits on one row at 1,280 px; the person's
own links ("Your account", "Sign out", or "Sign in" when signed out) sit apart in the operator's
header (app/templates/brand/header.html), and the administrators' pages are one item that leads to
the list of them (pages.administration)."""

from flask import g, has_request_context, request, url_for
from flask_login import current_user

from app.organisations.queries import in_a_buyer_organisation
from app.permissions import is_admin


def _signed_in():
    # On the "service unavailable" page nothing may ask the database who is signed in.
    return not g.get("service_unavailable") and current_user.is_authenticated


def _items(pairs):
    path = request.path
    return [
        {
            "text": text,
            "href": href,
            "active": href == path or (href != "/" and path.startswith(href)),
        }
        for text, href in pairs
    ]


def navigation_items():
    # Outside a request (an email or a letter rendered by a job) there is no navigation.
    if not has_request_context():
        return []
    items = [
        ("Find a DPS", url_for("dps.list_dps")),
        ("Find suppliers", url_for("dps.directory")),
        ("Find opportunities", url_for("lots.find_opportunities")),
    ]
    if _signed_in():
        items.append(("Your organisations", url_for("organisations.list_organisations")))
        if in_a_buyer_organisation(current_user):
            items.append(("Buyer", url_for("lots.buyer_home")))
        if is_admin(current_user):
            items.append(("Administration", url_for("pages.administration")))
    return _items(items)


def account_items():
    if not has_request_context():
        return []
    if _signed_in():
        items = [
            ("Your account", url_for("accounts.account")),
            ("Sign out", url_for("accounts.sign_out")),
        ]
    else:
        items = [
            ("Create an account", url_for("accounts.register")),
            ("Sign in", url_for("accounts.sign_in")),
        ]
    return _items(items)
