"""Issue 15, item 10: a worker killed while sending. Delivery is at least once: the one email in
flight when the worker dies (the SMTP server has it, the database does not yet say so) is sent
again when its claim expires, with the same Message-ID, so mail systems drop the copy. This
measures it with a real `flask worker` process, SIGKILLed mid-send, against the aiosmtpd server.
"""

import os
import signal
import subprocess
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import time_machine

from app.outbox.backends import get_backend
from app.outbox.models import OutboxStatus
from app.outbox.services import CLAIM_SECONDS, _claim, queue_email, send_outbox_messages
from app.queue import rq_queue
from app.recovery import recover
from app.timeutil import utcnow
from app.unitofwork import commit
from tests.clock import flask_command, subprocess_env
from tests.conftest import REDIS_TEST_DB
from tests.notifications.helpers import outbox_row, outbox_rows

ROOT = Path(__file__).resolve().parents[2]
CONFIRM = {"name": "Ada", "confirm_url": "http://localhost/confirm/abc", "valid_days": 7}


def test_a_worker_killed_mid_send_loses_nothing_and_doubles_at_most_the_one_in_flight(
    smtp_app, smtp, smtp_server, redis_server, run_jobs, figures
):
    count = 20
    ids = [
        queue_email(f"p{i}@example.org", "confirm_email", CONFIRM, idempotency_key=f"kill-{i}")
        for i in range(count)
    ]
    commit()  # each row's send job is on the real Redis now
    smtp.delay = 0.2  # the server takes a while to say "250": a send is always in flight
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": smtp_app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": redis_server.url(REDIS_TEST_DB),
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_server.port),
        "BASE_URL": "http://localhost",
        "QUEUE_BACKEND": "rq",
    }
    worker = subprocess.Popen(
        flask_command("worker"),
        cwd=ROOT,
        env=subprocess_env(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # RQ forks a scheduler beside it: kill the whole group
    )
    try:
        deadline = time.time() + 60
        while len(smtp.messages) < 5 and time.time() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)  # inside the server's delay: the server has it, "250" not sent yet
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
    smtp.delay = 0
    received_before = len(smtp.messages)
    assert 5 <= received_before < count, "the worker was not killed mid-way"
    in_flight = [row for row in outbox_rows() if row.status == OutboxStatus.SENDING]
    assert len(in_flight) == 1

    # The claim expires; the recovery (the scheduler runs it every minute) sends the rest.
    with time_machine.travel(utcnow() + timedelta(seconds=CLAIM_SECONDS + 60)):
        assert dict((r.name, n) for r, n in recover())["outbox"] >= 1
        run_jobs()
        run_jobs()
    assert {row.status for row in outbox_rows()} == {OutboxStatus.SENT}

    per_address = Counter(m["To"].lower() for m in smtp.messages)
    lost = count - len(per_address)
    doubled = sum(n - 1 for n in per_address.values())
    message_ids = Counter(m["Message-ID"] for m in smtp.messages)
    figures(
        emails=count,
        sent_before_kill=received_before,
        emails_lost=lost,
        emails_doubled=doubled,
        distinct_message_ids=len(message_ids),
    )
    assert lost == 0
    assert doubled <= 1  # only the one in flight
    assert len(message_ids) == count  # a copy carries the same Message-ID as the original
    assert set(per_address) == {f"p{i}@example.org" for i in range(count)}
    assert ids  # every row was written


def test_a_slow_batch_does_not_send_a_row_the_relay_gave_to_another_worker(smtp_app, smtp):
    first, second = (
        queue_email(f"{name}@example.org", "confirm_email", CONFIRM, idempotency_key=f"b-{name}")
        for name in ("ann", "bob")
    )
    commit()
    rq_queue().empty()
    backend = get_backend()
    real_send = backend.send

    def slow_send(email):
        reference = real_send(email)
        if email.recipient == "ann@example.org":
            # So slow that the batch's claim expired: the relay gave Bob's row to another worker.
            with time_machine.travel(utcnow() + timedelta(seconds=CLAIM_SECONDS + 60)):
                assert _claim(second) is not None
        return reference

    backend.send = slow_send
    try:
        statuses = send_outbox_messages([first, second])
    finally:
        backend.send = real_send

    assert [m["To"] for m in smtp.messages] == ["ann@example.org"]  # Bob's is the other's now
    assert statuses == [OutboxStatus.SENT]
    assert outbox_row(second).status == OutboxStatus.SENDING
    assert outbox_row(second).attempts == 2
