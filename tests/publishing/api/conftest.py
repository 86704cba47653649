"""Fixtures for the API: a world with an approved buyer in a DPS of four lots, a JSON client,
and tokens made through the service an owner's page uses."""

import pytest

from publishing.api import tokens
from tests.conftest import FreshContextClient
from tests.lots.conftest import Person
from tests.lots.helpers import setup_world


@pytest.fixture
def world(app):
    """(admin, dps, lots, buyer user (an owner), buyer organisation)."""
    return setup_world()


@pytest.fixture
def person(app):
    return lambda email=None: Person(app, email)


class Api:
    """A system calling the API: JSON in and out, with a token when it has one."""

    def __init__(self, app):
        self.client = FreshContextClient(app, app.response_class, use_cookies=False)

    def call(self, method, url, token=None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, url, token=None, **kwargs):
        return self.call("GET", url, token, **kwargs)

    def post(self, url, token=None, **kwargs):
        return self.call("POST", url, token, **kwargs)

    def patch(self, url, token=None, **kwargs):
        return self.call("PATCH", url, token, **kwargs)


@pytest.fixture
def api(app):
    return Api(app)


@pytest.fixture
def make_token():
    """``make_token(user, organisation, *scopes)`` -> (ApiToken, the token itself)."""

    def _make(user, organisation, *scopes, name="Our tendering system"):
        return tokens.create_token(user, organisation, name, list(scopes) or ["read_drafts"])

    return _make


def errors(response):
    """The response's errors as [(field, message)], checking their shape on the way."""
    body = response.get_json()
    assert set(body) == {"errors"}, body
    assert body["errors"], body
    return [(e["field"], e["message"]) for e in body["errors"]]
