"""The service navigation, which depends on who is signed in."""
from flask import request, url_for
from flask_login import current_user


def navigation_items():
    try:
        items = [("Home", url_for("pages.index"))]
        if current_user.is_authenticated:
            items.append(("Your organisations", url_for("organisations.list_organisations")))
            if current_user.is_admin:
                items.append(("Audit log", url_for("audit.list_events")))
            items.append(("Your account", url_for("accounts.account")))
            items.append(("Sign out", url_for("accounts.sign_out")))
        else:
            items.append(("Create an account", url_for("accounts.register")))
            items.append(("Sign in", url_for("accounts.sign_in")))
    except RuntimeError:
        return []
    path = request.path
    return [{"text": text, "href": href,
             "active": href == path or (href != "/" and path.startswith(href))}
            for text, href in items]
