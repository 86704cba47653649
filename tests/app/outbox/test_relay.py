"""The relay: rows that never reached the queue (Redis was down at commit) and rows whose worker
died while sending are queued again, and still sent once."""

from datetime import timedelta

import time_machine

from app.extensions import db
from app.outbox.models import OutboxStatus
from app.outbox.services import (
    CLAIM_SECONDS,
    _claim,
    queue_email,
    relay_pending,
    send_outbox_message,
)
from app.queue import rq_queue
from app.timeutil import utcnow
from app.unitofwork import commit
from tests.conftest import Browserless
from tests.factories import PASSWORD
from tests.notifications.helpers import outbox_row, outbox_rows, register

CONFIRM = {"name": "Ada", "confirm_url": "http://localhost/confirm/abc", "valid_days": 7}


def test_an_email_written_while_redis_is_down_is_relayed_and_sent_once(
    app, make_app, smtp, throwaway_redis, run_jobs
):
    outage = make_app(MAIL_BACKEND="smtp", REDIS_URL=throwaway_redis.url(0))
    throwaway_redis.stop()

    forms = Browserless(outage.test_client())
    response = forms.post(
        "/register", {"name": "Ada Lovelace", "email": "ada@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/register/check-your-email")

    with outage.app_context():
        [row] = outbox_rows()
        assert row.status == OutboxStatus.PENDING
        assert row.attempts == 0
        assert row.template == "confirm_email"

        throwaway_redis.start(port=throwaway_redis.port)
        assert rq_queue().count == 0  # the job never made it

        result = outage.test_cli_runner().invoke(args=["outbox", "relay"])
        assert result.exit_code == 0, result.output
        assert "outbox: queued 1 " in result.output
        assert rq_queue().job_ids == [f"send_outbox_message-{row.id}"]

        run_jobs()
        run_jobs()
        assert outbox_row(row.id).status == OutboxStatus.SENT
        # Sent now: a second relay has nothing to do.
        assert "Queued 0 jobs." in outage.test_cli_runner().invoke(args=["outbox", "relay"]).output
    assert len(smtp.to("ada@example.org")) == 1
    assert len(smtp.messages) == 1


def test_relay_reports_nothing_to_do_when_redis_is_down(app, make_app, throwaway_redis):
    outage = make_app(REDIS_URL=throwaway_redis.url(0))
    throwaway_redis.stop()
    with outage.app_context():
        queue_email("ada@example.org", "confirm_email", CONFIRM, idempotency_key="r-1")
        commit()
        assert relay_pending() == 0  # could not queue; the row waits for the next relay
        assert outbox_rows()[0].status == OutboxStatus.PENDING


def test_a_worker_killed_while_sending_is_relayed_once_its_claim_expires(smtp_app, smtp, run_jobs):
    message_id = queue_email("ada@example.org", "confirm_email", CONFIRM, idempotency_key="r-2")
    commit()
    # A worker takes the row and dies before sending: the row stays 'sending'.
    assert _claim(message_id) is not None
    row = outbox_row(message_id)
    assert row.status == OutboxStatus.SENDING
    assert row.claimed_until > utcnow()

    run_jobs()  # the queued job finds the row claimed, and leaves it
    assert smtp.messages == []
    assert relay_pending() == 0  # the claim has not expired yet

    with time_machine.travel(utcnow() + timedelta(seconds=CLAIM_SECONDS + 60)):
        assert relay_pending() == 1
        run_jobs()
        assert relay_pending() == 0

    row = outbox_row(message_id)
    assert row.status == OutboxStatus.SENT
    assert row.attempts == 2
    assert len(smtp.messages) == 1


def test_a_row_left_sending_with_a_claim_in_the_past_is_sent_once(smtp_app, smtp, run_jobs):
    message_id = queue_email("ada@example.org", "confirm_email", CONFIRM, idempotency_key="r-3")
    db.session.commit()  # the row only; its job was lost with the worker
    row = outbox_row(message_id)
    row.status = OutboxStatus.SENDING
    row.attempts = 1
    row.claimed_until = utcnow() - timedelta(minutes=1)
    db.session.commit()

    assert relay_pending() == 1
    assert relay_pending() == 1  # queued twice, still one email
    run_jobs()

    assert outbox_row(message_id).status == OutboxStatus.SENT
    assert len(smtp.messages) == 1


def test_relay_leaves_rows_that_are_not_due(app):
    register("ada@example.org")
    [row] = outbox_rows()
    row.next_attempt_at = utcnow() + timedelta(minutes=10)
    db.session.commit()
    app.extensions["vcse_redis"].flushdb()

    assert relay_pending() == 0
    with time_machine.travel(utcnow() + timedelta(minutes=11)):
        assert relay_pending() == 1
    assert rq_queue().count == 1


def test_a_worker_that_dies_too_often_gives_up(smtp_app, smtp):
    message_id = queue_email("ada@example.org", "confirm_email", CONFIRM, idempotency_key="r-4")
    db.session.commit()
    row = outbox_row(message_id)
    row.status = OutboxStatus.SENDING
    row.attempts = smtp_app.config["MAIL_MAX_ATTEMPTS"]
    row.claimed_until = utcnow() - timedelta(minutes=1)
    db.session.commit()

    assert send_outbox_message(message_id) == OutboxStatus.FAILED
    row = outbox_row(message_id)
    assert row.status == OutboxStatus.FAILED
    assert "gave up" in row.last_error
    assert smtp.messages == []
