"""Fixtures for the supplier's DPS pages: a browser per test whose every request has its own app
context (as in production), a DPS with four lots, and suppliers to apply with."""

import contextvars

import pytest
from flask.testing import FlaskClient

from tests.dps.helpers import make_admin, make_dps, make_supplier


class FreshContextClient(FlaskClient):
    """The ``app`` fixture keeps one app context pushed for the whole test and Flask would reuse
    it for every request, so ``g`` (the signed-in user, the CSRF token) would leak between
    requests. Each request here gets its own."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    return FreshContextClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def world(app):
    """(admin, dps, lots, user, organisation): a DPS open from 2026 to four years on."""
    admin = make_admin()
    dps, lots = make_dps(admin)
    user, organisation = make_supplier()
    return admin, dps, lots, user, organisation
