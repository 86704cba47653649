"""Reading pages and emails as a person does: GOV.UK markup, and the links in an email's text."""

import re
from urllib.parse import urlencode, urlsplit

from bs4 import BeautifulSoup

from app.outbox.rendering import render_email
from tests.conftest import FreshContextClient
from tests.reading import audit_events

_URL = re.compile(r"https?://[^\s<>\"]+")


def page(response):
    return BeautifulSoup(response.get_data(as_text=True), "lxml")


def is_govuk_page(response):
    """The page is this service's template: the operator's header, footer, and one h1."""
    html = page(response)
    return (
        response.mimetype == "text/html"
        and "govuk-template" in (html.html.get("class") or [])
        and html.select_one(".app-header") is not None
        and html.select_one(".govuk-footer") is not None
        and len(html.find_all("h1")) == 1
    )


def heading(response):
    h1 = page(response).find("h1")
    return h1.get_text(" ", strip=True) if h1 else None


def main_text(response):
    main = page(response).find("main")
    return " ".join(main.get_text(" ", strip=True).split()) if main else ""


def error_summary(response):
    """The messages in the GOV.UK error summary, in order (empty when there is none)."""
    summary = page(response).select_one(".govuk-error-summary")
    if summary is None:
        return []
    return [li.get_text(" ", strip=True) for li in summary.select(".govuk-error-summary__list li")]


def banner(response):
    found = page(response).select_one(".govuk-notification-banner")
    return " ".join(found.get_text(" ", strip=True).split()) if found else None


def path_of(location):
    """The path (and query) a redirect goes to, or the whole URL if it leaves the site."""
    parts = urlsplit(location)
    if parts.scheme or parts.netloc:
        if parts.netloc != "localhost":
            return location
    return parts.path + (f"?{parts.query}" if parts.query else "")


def with_next(url, target):
    return f"{url}?{urlencode({'next': target})}"


def email_text(message):
    _subject, text, _html = render_email(message.template, message.personalisation)
    return text


def links_in(message):
    """The links in the email as the person reads it, as paths on this site."""
    return [urlsplit(url).path for url in _URL.findall(email_text(message))]


def audit_types():
    return [e.event_type for e in audit_events()]


def fresh_client(app):
    return FreshContextClient(app, app.response_class, use_cookies=True)
