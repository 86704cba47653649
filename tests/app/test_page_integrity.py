"""Every page as each kind of person meets it, on the demo's data (`flask seed-demo`, run into the
test database): signed out, and signed in as a supplier's owner, a buyer, an evaluator, an approver
and an administrator, following every same-site link offered to them.

No page shows escaped markup as text ("&lt;br&gt;" where a line break was meant), no offered link
answers 403 or 404 for the person it was offered to, and nothing is a 500.
"""

import re
import time
from collections import deque
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.organisations.models import Membership
from app.outbox.models import OutboxMessage
from app.outbox.rendering import render_email
from lots.bids.models import Bid
from tests.app.crawling import Crawler, emailed_links

# Followed nowhere: leaving the session, and static files.
SKIP_ENDPOINTS = {"accounts.sign_out", "static"}
PER_ENDPOINT = 12  # distinct URLs read per route: every demo opportunity's page, its bid pages
PER_PATH = 3  # distinct queries of one path: a few of the search page's filters
# What a person reads as typed (text boxes, <pre>, <code>), and what they do not read: markup in
# them is meant. Scripts and styles are not text.
VERBATIM = re.compile(
    r"<(textarea|pre|code|script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.DOTALL | re.IGNORECASE
)
TAG = re.compile(r"<[^>]*>")
# In the source of the text a person reads: markup escaped once too often shows as text
# ("&lt;br&gt;"), and an entity escaped twice shows as an entity ("&amp;amp;").
ESCAPED_TEXT = re.compile(
    r"&lt;/?(?:a|br|span|strong|p|div|ul|ol|li|h[1-6]|code|em|b|i|details|summary|table|tr|td)"
    r"(?:\s|/|&gt;)|&lt;/|&amp;(?:[a-z]+|#\d+|#x[0-9a-f]+);",
    re.IGNORECASE,
)
# In an attribute other than a box's value (a title, a label, a link): an entity escaped twice.
ATTRIBUTE = re.compile(r'\s([a-z-]+)="([^"]*)"', re.IGNORECASE)
ESCAPED_ATTRIBUTE = re.compile(r"&amp;(?:lt|gt|amp|quot|#\d+|#x[0-9a-f]+);", re.IGNORECASE)
LINK = re.compile(r'<a\s[^>]*?\bhref="([^"]*)"', re.IGNORECASE)

# The demo's accounts, one of each kind of person (app/demo/people.py, lots/awards/demo.py).
PEOPLE = {
    "signed out": None,
    "administrator": "admin@vcse-dps.example",
    # Bids submitted, changed and in draft (with an attachment); won the awarded call-off.
    "supplier owner": "rosa@riverside-care.example",
    # Lost the awarded call-off: an assessment summary.
    "supplier owner, unsuccessful": "ade@chapeltown-befrienders.example",
    # The owner holds every role: buyer, evaluator and moderator of the awarded call-off.
    "buyer owner": "buyer@leeds-council.example",
    # Another buyer's owner, evaluating nothing.
    "buyer": "buyer@pennine-housing.example",
    # Only the evaluator role, assigned to an open call-off and not yet declared.
    "evaluator": "nadia@leeds-council.example",
    # Only the approver role: confirmed the award.
    "approver": "marcus@leeds-council.example",
}


@dataclass
class Visit:
    status: int
    offered_on: list = field(default_factory=list)


def escaped_markup(html):
    """The bits of a page's text a person would read as markup or entities, escaped one time too
    many ("Version 1<br>at 4:24pm"). What is in a text box, <pre> or <code> is left alone (shown
    as typed), and so is what a person types into a box's value."""
    html = VERBATIM.sub(" ", html)
    found = []
    for tag in TAG.finditer(html):
        for name, value in ATTRIBUTE.findall(tag.group()):
            if name.lower() != "value" and ESCAPED_ATTRIBUTE.search(value):
                found.append(f"{name}={unescape(value)!r}")
    words = TAG.sub(" ", html)
    for match in ESCAPED_TEXT.finditer(words):
        start = max(match.start() - 40, 0)
        found.append(" ".join(unescape(words[start : match.end() + 40]).split()))
    return found


class LinkChecker:
    """Reads the pages one person can reach and checks each link offered to them."""

    def __init__(self, app, per_endpoint=PER_ENDPOINT, per_path=PER_PATH):
        self.crawler = Crawler(app)
        self.per_endpoint = per_endpoint
        self.per_path = per_path
        self.pages = 0
        self.problems = []

    def check(self, person, email, start=()):
        """Read what ``email`` (None: signed out) reaches from every page with no arguments and
        ``start``, which are not links offered on a page (nor judged as one)."""
        client = self.crawler.client_for(email)
        visits = {}
        per_endpoint, per_path = {}, {}
        # (url, the page that offered it, or None for a start page)
        queue = deque((url, None) for url in [*self.crawler.start_pages(), *start])
        while queue:
            url, offered_on = queue.popleft()
            if url in visits:
                self._judge(person, url, visits[url], offered_on)
                continue
            endpoint = self.crawler.endpoint(url, "GET")
            if endpoint is None:
                if offered_on:
                    self.problems.append((person, "no such page", url, f"offered on {offered_on}"))
                continue
            if endpoint in SKIP_ENDPOINTS or not self._within_bounds(
                url, per_endpoint.setdefault(endpoint, set()), per_path
            ):
                continue
            response = client.get(url)
            self.pages += 1
            visit = visits[url] = Visit(response.status_code)
            if response.status_code >= 500:
                self.problems.append((person, response.status_code, url, offered_on))
                continue
            self._judge(person, url, visit, offered_on)
            if response.status_code in (301, 302, 303, 307, 308):
                location = urljoin(url, response.headers["Location"])
                if _same_site(location):
                    # Where a link leads after a redirect, it was offered by the same page.
                    queue.append((_local(location), offered_on))
                continue
            if not response.content_type.startswith("text/html"):
                continue
            html = response.get_data(as_text=True)
            for bit in escaped_markup(html):
                self.problems.append((person, "escaped markup", url, bit))
            if response.status_code >= 400:
                continue  # an error page's links are the header's and footer's
            for href in LINK.findall(html):
                href = urljoin(url, unescape(href).split("#")[0])
                if _same_site(href):
                    queue.append((_local(href), url))
        return visits

    def _within_bounds(self, url, urls, per_path):
        """At most ``per_endpoint`` URLs of a route and ``per_path`` queries of one path (the
        search page's filters, sign-in's "next")."""
        path = urlsplit(url).path
        queries = per_path.setdefault(path, set())
        if url in urls:
            return True
        if len(urls) >= self.per_endpoint or len(queries) >= self.per_path:
            return False
        urls.add(url)
        queries.add(url)
        return True

    def _judge(self, person, url, visit, offered_on):
        if offered_on is None:
            return
        visit.offered_on.append(offered_on)
        if visit.status in (403, 404) and len(visit.offered_on) == 1:
            self.problems.append((person, visit.status, url, f"offered on {offered_on}"))


def _same_site(href):
    parts = urlsplit(href)
    return parts.scheme in ("", "http") and parts.netloc in ("", "localhost") and bool(parts.path)


def _local(href):
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def start_pages(email):
    """Where a person starts besides the pages with no arguments: the links in their emails
    (signed out: everyone's), and what they reach only after sending a form, so no link leads
    there (the confirmation of each bid their organisation submitted)."""
    query = sa.select(Bid.opportunity_id).where(Bid.current_submission_id.is_not(None))
    if email is not None:
        query = (
            query.join(Membership, Membership.organisation_id == Bid.organisation_id)
            .join(User, User.id == Membership.user_id)
            .where(User.email == email)
        )
    submitted = [f"/opportunities/{id_}/bid/submitted" for id_ in db.session.scalars(query)]
    return [*emailed_links(email), *submitted]


@pytest.fixture
def demo(app, seeded_demo):
    """The demo's data, as `flask seed-demo` makes it, in the test database."""
    accounts = {account.email for account in seeded_demo["accounts"]}
    missing = {email for email in PEOPLE.values() if email} - accounts
    assert not missing, f"the demo no longer has {missing}"
    return app


def test_no_page_shows_escaped_markup_or_offers_a_link_its_reader_cannot_follow(demo):
    checker = LinkChecker(demo)
    began = time.process_time()
    for person, email in PEOPLE.items():
        checker.check(person, email, start_pages(email))
    print(
        f"\n{checker.pages} pages read as {len(PEOPLE)} people "
        f"in {time.process_time() - began:.1f} s of CPU"
    )
    assert checker.problems == [], "\n".join(map(str, checker.problems))
    assert checker.pages > 300


def test_no_email_the_demo_sends_shows_escaped_markup(demo):
    """Emails are written as plain text (the HTML part is made from it): an entity or a tag in
    the text is one the reader sees as it is."""
    messages = db.session.execute(sa.select(OutboxMessage)).scalars().all()
    problems = []
    for message in messages:
        subject, text, html = render_email(message.template, message.personalisation or {})
        for part in (subject, text):
            for match in re.finditer(r"&(?:[a-z]+|#\d+|#x[0-9a-f]+);|</?[a-z]+[\s/>]", part):
                problems.append((message.template, part[max(match.start() - 30, 0) : match.end()]))
        problems.extend((message.template, bit) for bit in escaped_markup(html))
    assert len({m.template for m in messages}) > 10
    assert problems == []


def test_the_check_finds_escaped_markup_where_a_person_reads_it():
    assert escaped_markup("<p>Version 1&lt;br&gt;at 4:24pm</p>") == ["Version 1<br>at 4:24pm"]
    assert escaped_markup(
        '<button>Remove&lt;span class="govuk-visually-hidden"&gt; a.pdf&lt;/span&gt;</button>'
    )
    assert escaped_markup("<p>Fish &amp;amp; chips</p>") == ["Fish &amp; chips"]
    assert escaped_markup("<title>A &amp;lt;b&amp;gt;</title>")
    assert escaped_markup('<a href="/x" title="R&amp;amp;D">R&amp;D</a>') == ["title='R&amp;D'"]
    # Shown as typed, or meant: not faults.
    assert escaped_markup("<textarea name=a>&lt;br&gt; typed</textarea>") == []
    assert escaped_markup("<pre>&lt;/span&gt;</pre><code>&lt;a href&gt;</code>") == []
    assert (
        escaped_markup('<input value="&lt;br&gt; &amp;amp;"><p>Fish &amp; chips, 5 &lt; 6</p>')
        == []
    )
    assert escaped_markup('<a href="/find?q=a&amp;region=b">Find</a>') == []
