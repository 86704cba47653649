"""Fixtures for the email outbox: an app that sends through the real aiosmtpd server, a
throwaway Redis that a test may stop and start again, and a clock that starts at NOW."""
import pytest
import time_machine

from app.extensions import db
from tests.lots.helpers import NOW
from tests.services import Redis


@pytest.fixture
def at_now():
    """The test runs on a clock that starts at NOW (Thursday 3 December 2026, 10:00 UTC) and
    ticks on. Tests that publish an opportunity at NOW (its deadline is 18 December 2026) and then
    run its jobs need the jobs to run while it is open, whatever the real date. Processes the test
    starts get this clock through ``tests.clock.subprocess_env``."""
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


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

