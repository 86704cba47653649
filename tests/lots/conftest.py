"""Fixtures for the lots pages: a browser per person, each request in its own app context (as in
production), and a world with an approved buyer in a DPS of four lots."""

import pytest

from tests.conftest import Browserless, FreshContextClient
from tests.factories import PASSWORD
from tests.lots.helpers import setup_world


class Person:
    """Someone with their own browser: ``get`` and ``post`` (which takes the CSRF token from the
    page the form is on, as a browser does)."""

    def __init__(self, app, email=None):
        self.client = FreshContextClient(app, app.response_class, use_cookies=True)
        self.forms = Browserless(self.client)
        if email:
            response = self.forms.post("/sign-in", {"email": email, "password": PASSWORD})
            assert response.status_code == 302, f"{email} could not sign in"

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url, data=None, form_url=None, **kwargs):
        return self.forms.post(url, data, form_url=form_url, **kwargs)


@pytest.fixture
def person(app):
    """``person(email)``: a signed-in browser; ``person()`` is someone signed out."""
    return lambda email=None: Person(app, email)


@pytest.fixture
def world(app):
    """(admin, dps, lots, buyer user, buyer organisation)."""
    return setup_world()
