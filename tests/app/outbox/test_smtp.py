"""Delivery through a real SMTP server (aiosmtpd) by a real RQ worker, and what happens when the
server is away (try again later) or refuses the address (never again)."""

import re
import socket
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
import time_machine
from rq import SimpleWorker
from rq.job import Job, JobStatus

from app.accounts.models import User
from app.accounts.services import request_password_reset
from app.extensions import db
from app.outbox.models import OutboxStatus
from app.outbox.services import relay_pending, send_outbox_message
from app.queue import redis_connection, rq_queue
from app.timeutil import utcnow
from tests.notifications.helpers import outbox_row, outbox_rows, register
from tests.services import free_port
from tests.smtp import text_part

REFUSED = "550 5.1.1 No such user"


def test_the_confirmation_email_arrives_and_its_link_confirms_the_account(smtp_app, smtp, run_jobs):
    user = register("ada@example.org", "Ada Lovelace")
    [row] = outbox_rows()
    assert smtp.messages == []  # nothing is sent until a worker runs the job

    run_jobs()

    [msg] = smtp.to("ada@example.org")
    assert msg["To"] == "ada@example.org"
    assert msg["Subject"] == "Confirm your email address"
    assert msg["From"] == smtp_app.config["MAIL_FROM"]
    assert re.fullmatch(rf"<outbox-{row.id}\.[0-9a-f]{{16}}@localhost>", msg["Message-ID"])
    assert msg["Date"]
    assert msg.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in msg.iter_parts()] == ["text/plain", "text/html"]

    text = text_part(msg)
    assert text.startswith("Hello Ada Lovelace,")
    assert "The link works for 7 days." in text
    [link] = re.findall(r"https?://\S+", text)
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert f'href="{link}"' in html

    row = outbox_row(row.id)
    assert row.status == OutboxStatus.SENT
    assert row.provider_reference == msg["Message-ID"]

    parts = urlsplit(link)
    assert parts.netloc == "localhost"
    response = smtp_app.test_client().get(parts.path)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/sign-in")
    db.session.expire_all()
    assert db.session.get(User, user.id).email_confirmed_at is not None


def _closed_port():
    port = free_port()
    with socket.socket() as s:  # nothing listens there
        assert s.connect_ex(("127.0.0.1", port)) != 0
    return port


def test_an_unreachable_server_is_tried_again_later_and_then_sends_once(
    app, make_app, smtp, run_jobs
):
    away = make_app(MAIL_BACKEND="smtp", SMTP_PORT=_closed_port())
    with away.app_context():
        register("ada@example.org")
        run_jobs()
        [row] = outbox_rows()
        assert row.status == OutboxStatus.PENDING
        assert row.attempts == 1
        assert row.next_attempt_at > utcnow() + timedelta(seconds=20)
        assert row.claimed_until is None
        assert "SMTP unavailable" in row.last_error
        # Run again too soon: the worker leaves it for later, and the relay does not pick it.
        send_outbox_message(row.id)
        assert relay_pending() == 0
        assert outbox_row(row.id).attempts == 1
    assert smtp.messages == []

    back = make_app(MAIL_BACKEND="smtp")
    with back.app_context(), time_machine.travel(utcnow() + timedelta(minutes=5)):
        assert relay_pending() == 1
        run_jobs()
        run_jobs()
        row = outbox_row(row.id)
        assert row.status == OutboxStatus.SENT
        assert row.attempts == 2
        assert row.last_error is None
    assert len(smtp.to("ada@example.org")) == 1


def test_the_retry_is_queued_for_later_and_a_worker_with_a_scheduler_sends_it(app, make_app, smtp):
    away = make_app(MAIL_BACKEND="smtp", SMTP_PORT=_closed_port())
    with away.app_context():
        register("ada@example.org")
        SimpleWorker([rq_queue()], connection=redis_connection()).work(burst=True)
        [row] = outbox_rows()
        assert row.status == OutboxStatus.PENDING
        # The retry waits in RQ's scheduled registry, not in the queue.
        assert rq_queue().count == 0
        assert len(rq_queue().scheduled_job_registry) == 1

    back = make_app(MAIL_BACKEND="smtp")
    with back.app_context():
        with time_machine.travel(utcnow() + timedelta(seconds=10)):
            SimpleWorker([rq_queue()], connection=redis_connection()).work(
                burst=True, with_scheduler=True
            )
            assert smtp.messages == []  # not due yet
        with time_machine.travel(utcnow() + timedelta(minutes=5)):
            SimpleWorker([rq_queue()], connection=redis_connection()).work(
                burst=True, with_scheduler=True
            )
            SimpleWorker([rq_queue()], connection=redis_connection()).work(burst=True)
        assert outbox_row(row.id).status == OutboxStatus.SENT
    assert len(smtp.to("ada@example.org")) == 1


def test_each_retry_is_its_own_job_so_a_finished_run_cannot_overwrite_it(app, make_app, smtp):
    """RQ keeps a finished job for 500 s under its id. Were the retry queued under the id of the
    job that is running, the finished run would overwrite it, and a retry due after those 500 s
    (the 4th waits 32 minutes) would be lost."""
    away = make_app(MAIL_BACKEND="smtp", SMTP_PORT=_closed_port())
    with away.app_context():
        register("ada@example.org")
        [row] = outbox_rows()
        row.attempts = 3  # three earlier tries failed
        db.session.commit()
        SimpleWorker([rq_queue()], connection=redis_connection()).work(burst=True)

        assert outbox_row(row.id).attempts == 4
        [retry_id] = rq_queue().scheduled_job_registry.get_job_ids()
        assert retry_id != f"send_outbox_message-{row.id}"
        retry = Job.fetch(retry_id, connection=redis_connection())
        assert retry.get_status() == JobStatus.SCHEDULED
        assert retry.args == (row.id,)
        assert redis_connection().ttl(retry.key) == -1  # kept until it runs


def test_retries_stop_after_the_configured_number_of_attempts(app, make_app, smtp):
    away = make_app(MAIL_BACKEND="smtp", SMTP_PORT=_closed_port(), MAIL_MAX_ATTEMPTS=3)
    with away.app_context():
        register("ada@example.org")
        [row] = outbox_rows()
        later = utcnow()
        for _attempt in (1, 2, 3):
            later += timedelta(hours=3)
            with time_machine.travel(later):
                send_outbox_message(row.id)
        row = outbox_row(row.id)
        assert row.status == OutboxStatus.FAILED
        assert row.attempts == 3
        # A temporary fault says nothing about the address.
        assert db.session.execute(sa.select(User.email_undeliverable_at)).scalar_one() is None
        with time_machine.travel(later + timedelta(hours=3)):
            assert relay_pending() == 0


def test_a_refused_address_fails_for_good_and_later_email_to_it_is_suppressed(
    smtp_app, smtp, run_jobs
):
    smtp.reject["ghost@example.org"] = REFUSED
    user = register("ghost@example.org", "Ghost")
    run_jobs()

    [row] = outbox_rows()
    assert row.status == OutboxStatus.FAILED
    assert "550" in row.last_error
    assert row.claimed_until is None
    db.session.expire_all()
    assert db.session.get(User, user.id).email_undeliverable_at is not None
    assert smtp.messages == []

    # The server would take it now, but the address is known to be undeliverable.
    del smtp.reject["ghost@example.org"]
    request_password_reset("ghost@example.org")
    run_jobs()
    rows = outbox_rows()
    assert [r.template for r in rows] == ["confirm_email", "reset_password"]
    assert rows[1].status == OutboxStatus.SUPPRESSED
    assert rows[1].sent_at is None
    assert smtp.messages == []
    # A suppressed or failed row is never picked up again.
    with time_machine.travel(utcnow() + timedelta(days=1)):
        assert relay_pending() == 0


def test_a_refused_address_does_not_stop_email_to_other_people(smtp_app, smtp, run_jobs):
    smtp.reject["ghost@example.org"] = REFUSED
    register("ghost@example.org", "Ghost")
    register("ada@example.org", "Ada")
    run_jobs()
    assert [r.status for r in outbox_rows()] == [OutboxStatus.FAILED, OutboxStatus.SENT]
    assert len(smtp.to("ada@example.org")) == 1
