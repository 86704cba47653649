"""The service navigation, which depends on who is signed in."""

from flask import g, request, url_for
from flask_login import current_user

from app.organisations.queries import in_a_buyer_organisation
from app.permissions import is_admin


def navigation_items():
    try:
        items = [
            ("Home", url_for("pages.index")),
            ("Find a DPS", url_for("dps.list_dps")),
            ("Find suppliers", url_for("dps.directory")),
            ("Find opportunities", url_for("lots.find_opportunities")),
        ]
        # On the "service unavailable" page nothing may ask the database who is signed in.
        if not g.get("service_unavailable") and current_user.is_authenticated:
            items.append(("Your organisations", url_for("organisations.list_organisations")))
            if in_a_buyer_organisation(current_user):
                items.append(("Buyer", url_for("lots.buyer_home")))
            if is_admin(current_user):
                items.append(("Applications", url_for("dps.admin_queue")))
                items.append(("Debarment", url_for("dps.admin_debarment")))
                items.append(("DPS", url_for("dps.admin_list_dps")))
                items.append(("Buyers", url_for("lots.admin_buyers")))
                items.append(("Spend", url_for("spend.operator_spend")))
                items.append(("Measures", url_for("measures.list_measures")))
                items.append(("Audit log", url_for("audit.list_events")))
                items.append(("Jobs", url_for("jobs.jobs")))
            items.append(("Your account", url_for("accounts.account")))
            items.append(("Sign out", url_for("accounts.sign_out")))
        else:
            items.append(("Create an account", url_for("accounts.register")))
            items.append(("Sign in", url_for("accounts.sign_in")))
    except RuntimeError:
        return []
    path = request.path
    return [
        {
            "text": text,
            "href": href,
            "active": href == path or (href != "/" and path.startswith(href)),
        }
        for text, href in items
    ]
