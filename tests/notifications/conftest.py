"""Fixtures for the email outbox: an app that sends through the real aiosmtpd server, and a
throwaway Redis that a test may stop and start again."""
import pytest

from app.extensions import db
from tests.services import Redis


@pytest.fixture
def smtp_app(app, make_app, smtp):
    """An app whose emails go to the test SMTP server (its host and port are in test_config).
    Depends on ``app`` so that the tables and Redis are emptied after the test."""
    smtp_app = make_app(MAIL_BACKEND="smtp")
    with smtp_app.app_context():
        yield smtp_app
        db.session.rollback()


class ThrowawayRedis(Redis):
    """A redis-server of this test's own, on a free port, that can be stopped and restarted."""

    def __init__(self):
        self.proc = None
        self.start()


@pytest.fixture
def throwaway_redis():
    server = ThrowawayRedis()
    yield server
    server.stop()

