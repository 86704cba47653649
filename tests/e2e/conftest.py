"""Browser tests: Playwright driving Debian's Chromium against the app served on loopback.

The app runs in a thread with jobs inline and email kept in the outbox, so a test reads links
from the outbox rows as a person reads them from their inbox. Every page is checked with axe-core.
"""

import hashlib
import re
import threading
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import make_server

from tests.brand import crown_marks

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
            "--disable-gpu",
            "--disable-quic",
        ],
    }


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        app.config["BASE_URL"] = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_server(app, make_app):
    """The app on a real port. Depends on `app` so its tables are emptied afterwards."""
    served = make_app(
        QUEUE_BACKEND="inline",
        MAIL_BACKEND="outbox",
        SESSION_COOKIE_SECURE=False,
        REMEMBER_COOKIE_SECURE=False,
        HSTS=False,
    )
    server = LiveServer(served).start()
    yield server
    server.stop()


# What differs between two loads of the same page and not in what axe-core checks: the form's CSRF
# token and the scripts' nonce.
PER_LOAD = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*|(nonce=")[^"]*')
# The pages axe-core passed in this process: (path, window size, a digest of the document). A page
# whose document is the same as one that passed is not checked again (about 1 in 20 of the
# journeys' pages); one that differs in anything is.
PASSED = set()


class AxeCheck:
    """Run axe-core on the current page; collect every page's violations for one assertion."""

    def __init__(self):
        self.axe = Axe()
        self.checked = []

    # What Chromium says when a script runs while the page it ran in is being replaced: a click
    # that follows a link returns before the next page has loaded.
    NAVIGATING = ("documentElement", "Execution context was destroyed", "page is navigating")

    def __call__(self, page):
        for attempt in range(3):
            page.wait_for_load_state("load")
            try:
                content = page.content()
                key = self._key(page, content)
                results = None if key in PASSED else self.axe.run(page)
                break
            except PlaywrightError as error:
                if attempt == 2 or not any(sign in str(error) for sign in self.NAVIGATING):
                    raise
        marks = crown_marks(content)
        assert not marks, f"{page.url} carries GOV.UK-only marks: {', '.join(marks)}"
        self.checked.append(page.url)
        if results is None:
            return
        problems = results.response["violations"]
        assert not problems, (
            f"axe-core found accessibility problems on {page.url}:\n{results.generate_report()}"
        )
        PASSED.add(key)

    @staticmethod
    def _key(page, content):
        document = PER_LOAD.sub(lambda m: m.group(1) or m.group(2), content)
        path = urlsplit(page.url).path
        size = page.viewport_size or {}
        digest = hashlib.sha256(document.encode()).hexdigest()
        return path, size.get("width"), size.get("height"), digest


@pytest.fixture
def axe():
    return AxeCheck()


@pytest.fixture
def outbox_link(live_server):
    """The first link in the newest email to an address, as the person would click it."""
    import re

    import sqlalchemy as sa

    from app.extensions import db
    from app.outbox.models import OutboxMessage
    from app.outbox.rendering import render_email

    def _link(address, contains=""):
        with live_server.app.app_context():
            message = db.session.execute(
                sa.select(OutboxMessage)
                .where(OutboxMessage.recipient == address.lower())
                .order_by(OutboxMessage.id.desc())
                .limit(1)
            ).scalar_one()
            _, text, _ = render_email(message.template, message.personalisation)
        links = [u for u in re.findall(r"https?://\S+", text) if contains in u]
        assert links, f"no link containing {contains!r} in the email to {address}"
        return links[0]

    return _link
