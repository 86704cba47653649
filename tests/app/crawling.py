"""Find every form the app has, the way an attacker would: sign in as each demo account, follow
the links from the start pages, and read each page's <form>s. Which routes the forms post to is
then checked against ``app.url_map``, so a route no crawl reaches is named, not silently missed.

A ``FoundForm`` can be posted back with one field changed (``values``/``post``), the way a
tampering person would edit the request.
"""

import json
import re
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode, urljoin, urlsplit

import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask import template_rendered
from lxml import html as lxml_html
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.outbox.models import OutboxMessage
from app.timeutil import utcnow

# Links not followed: leaving the session, files, and the development outbox's raw messages.
SKIP_ENDPOINTS = {"accounts.sign_out", "static"}
TEXT_TYPES = {"text", "email", "tel", "url", "search", "password", "number", "hidden"}
EMAILED_LINK = re.compile(r"http://localhost(/[^\s\"'<>]*)")
PER_ENDPOINT = 4  # distinct pages read per route (one opportunity's bid page is like another's)


@dataclass
class FoundForm:
    account: str
    page: str
    method: str
    action: str
    endpoint: str
    fields: list = field(default_factory=list)  # (name, kind, value, options, id)

    def values(self, changes=None):
        """What a browser would send, with ``changes`` (name -> value) made to the first box of
        that name; a box left empty gets something plausible, so the change reaches as far into
        the app as it can."""
        changes = dict(changes or {})
        data = []
        for name, kind, value, options, box_id in self.fields:
            if name in changes:
                data.append((name, changes.pop(name)))
                continue
            if kind in ("radio", "select") and not value:
                value = next((o for o in options if o), "")
            elif kind == "checkbox":
                if not value:
                    continue
            elif not value:
                value = plausible(box_id or name, kind)
            data.append((name, value))
        return data

    def signature(self):
        return tuple(sorted({f[0] for f in self.fields}))

    def text_fields(self):
        seen = []
        for name, kind, _value, _options, _id in self.fields:
            if name != "csrf_token" and kind in TEXT_TYPES | {"textarea"} and name not in seen:
                seen.append(name)
        return seen

    def choice_fields(self):
        seen = []
        for name, kind, _value, _options, _id in self.fields:
            if kind in ("radio", "select", "checkbox") and name not in seen:
                seen.append(name)
        return seen


def plausible(name, kind):
    lowered = name.lower()
    if kind == "email" or "email" in lowered:
        return "someone@example.org"
    if kind == "password" or "password" in lowered:
        return "a long enough passphrase 2026"
    soon = utcnow().date() + timedelta(days=40)
    if lowered.endswith("-day"):
        return str(soon.day)
    if lowered.endswith("-month"):
        return str(soon.month)
    if lowered.endswith("-year"):
        return str(soon.year)
    if kind == "number" or "hour" in lowered or "weight" in lowered:
        return "10"
    return "Something typed"


class Crawler:
    def __init__(self, app, per_endpoint=PER_ENDPOINT):
        self.app = app
        self.adapter = app.url_map.bind("localhost")
        self.per_endpoint = per_endpoint
        self.forms = []
        self.pages = 0
        self.clients = {}
        self.visits = []  # (account, url, endpoint, the page's template) of each HTML page read

    def start_pages(self):
        """Every page whose route takes no arguments; links lead on to the rest."""
        return sorted(
            rule.rule
            for rule in self.app.url_map.iter_rules()
            if "GET" in rule.methods and not rule.arguments and rule.endpoint not in SKIP_ENDPOINTS
        )

    def endpoint(self, path, method):
        try:
            endpoint, _args = self.adapter.match(urlsplit(path).path, method=method)
        except HTTPException:
            return None
        except Exception:  # a redirect for a missing slash, and the like
            return None
        return endpoint

    def sign_in(self, email):
        client = self.app.test_client()
        page = client.get("/sign-in")
        token = csrf_token(page)
        response = client.post(
            "/sign-in", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token}
        )
        assert response.status_code in (302, 303), f"{email} could not sign in"
        return client

    def client_for(self, account):
        if account not in self.clients:
            self.clients[account] = (
                self.app.test_client() if account is None else self.sign_in(account)
            )
        return self.clients[account]

    def crawl(self, account, start=(), follow=True):
        """Read the pages ``account`` (None: signed out) can reach from the start pages and
        ``start``; remember their forms. With ``follow=False``, read only ``start``."""
        client = self.client_for(account)
        seen_urls = set()
        per_endpoint = {}
        seen_forms = {(f.account, f.method, f.endpoint, f.signature()) for f in self.forms}
        queue = deque([*self.start_pages(), *start] if follow else start)
        rendered = []  # the templates each page rendered, its own (the outermost) last

        def remember(_app, template, **_context):
            rendered.append(template.name)

        while queue:
            url = queue.popleft()
            if url in seen_urls:
                continue
            seen_urls.add(url)
            endpoint = self.endpoint(url, "GET")
            if endpoint is None or endpoint in SKIP_ENDPOINTS:
                continue
            path = urlsplit(url).path
            paths = per_endpoint.setdefault(endpoint, set())
            if path not in paths and len(paths) >= self.per_endpoint:
                continue
            paths.add(path)
            rendered.clear()
            with template_rendered.connected_to(remember, self.app):
                response = client.get(url)
            self.pages += 1
            assert response.status_code < 500, f"GET {url} as {account}: {response.status_code}"
            if not response.content_type.startswith("text/html"):
                continue
            if response.status_code == 200 and rendered:
                self.visits.append((account, url, endpoint, rendered[-1]))
            # lxml's own tree (the parser BeautifulSoup would use, without building its objects
            # over it: that was a fifth of a crawl's time).
            page = lxml_html.document_fromstring(response.get_data(as_text=True))
            hrefs = (link.get("href") for link in page.iter("a")) if follow else ()
            for href in hrefs:
                if href is None:
                    continue
                href = urljoin(url, href.split("#")[0])
                if href.startswith("/") and not href.startswith("//"):
                    queue.append(href)
            for element in page.iter("form"):
                found = read_form(element, url, account)
                found.endpoint = self.endpoint(found.action, found.method)
                if found.endpoint is None or found.endpoint in SKIP_ENDPOINTS:
                    continue
                key = (account, found.method, found.endpoint, found.signature())
                if key not in seen_forms:
                    seen_forms.add(key)
                    self.forms.append(found)

    def distinct_forms(self):
        """One of each form (its route and its fields), as the first account that met it."""
        seen, forms = set(), []
        for form in self.forms:
            key = (form.method, form.endpoint, form.signature())
            if key not in seen:
                seen.add(key)
                forms.append(form)
        return forms

    def post(self, form, data):
        client = self.client_for(form.account)
        if form.method == "GET":
            return client.get(form.action.split("?")[0] + "?" + urlencode(data))
        return client.post(form.action, data=MultiDict(data))


def csrf_token(response):
    page = BeautifulSoup(response.get_data(as_text=True), "lxml")
    field_ = page.find("input", attrs={"name": "csrf_token"})
    return field_["value"] if field_ else ""


def read_form(element, url, account):
    """A form as lxml read it (``lxml.html``)."""
    method = (element.get("method") or "GET").upper()
    action = urljoin(url, element.get("action") or url)
    found = FoundForm(account, url, method, action, "")
    choices = {}  # radios and checkboxes: one entry per name, with all its options
    for control in element.iter("input", "textarea", "select"):
        name = control.get("name")
        if not name:
            continue
        box_id = control.get("id", "")
        if control.tag == "textarea":
            found.fields.append((name, "textarea", control.text_content().lstrip("\n"), [], box_id))
        elif control.tag == "select":
            options = [o.get("value", o.text_content()) for o in control.iter("option")]
            chosen = next((o for o in control.iter("option") if "selected" in o.attrib), None)
            value = chosen.get("value", "") if chosen is not None else ""
            found.fields.append((name, "select", value, options, box_id))
        else:
            kind = (control.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                continue
            if kind in ("radio", "checkbox"):
                value = control.get("value", "on")
                entry = choices.get((name, kind))
                if entry is None:
                    entry = choices[(name, kind)] = [name, kind, "", [], box_id]
                    found.fields.append(entry)
                entry[3].append(value)
                if "checked" in control.attrib and not entry[2]:
                    entry[2] = value
            else:
                found.fields.append((name, kind, control.get("value", ""), [], box_id))
    found.fields = [tuple(f) for f in found.fields]
    return found


def emailed_links(recipient=None):
    """The links in every email the outbox holds (invitations, unsubscribe links, resets), or
    in those sent to ``recipient``: the pages only an email leads to."""
    links = []
    query = sa.select(OutboxMessage)
    if recipient is not None:
        query = query.where(OutboxMessage.recipient == recipient)
    for message in db.session.execute(query).scalars():
        text = json.dumps(message.personalisation or {}) + (message.body_text or "")
        links.extend(m.group(1) for m in EMAILED_LINK.finditer(text))
    return sorted(set(links))


def crawl_as_everyone(app, accounts):
    """Crawl signed out and as each demo account, from the start pages and every emailed link;
    returns the crawler with every form found."""
    crawler = Crawler(app)
    links = emailed_links()
    crawler.crawl(None, links)
    for email in accounts:
        crawler.crawl(email, links)
    return crawler


def post_routes(app):
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and rule.endpoint not in SKIP_ENDPOINTS
    }
