import contextvars

import pytest
from flask.testing import FlaskClient


class FreshContextClient(FlaskClient):
    """Each request in its own app context, as in production. The ``app`` fixture keeps one app
    context pushed for the whole test and Flask reuses it for requests, so ``g`` (Flask-WTF's CSRF
    token, Flask-Login's user) would otherwise leak from one request to the next: after signing
    in, a page would show the CSRF token of the old session and every form post would fail."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    return FreshContextClient(app, app.response_class, use_cookies=True)
