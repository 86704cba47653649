"""The alert fan-out delivers each email exactly once to a real SMTP server: run twice, with a
real `flask worker` killed with SIGKILL half way and started again, and with Redis down while
the opportunity is published. The tests that publish run on a clock from NOW (``at_now``), so
the opportunity is open while its jobs run whatever the real date, and the workers they start
share that clock."""

import os
import signal
import subprocess
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from rq import SimpleWorker

from app.accounts.models import User
from app.extensions import db
from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.services import queue_email, send_outbox_messages
from app.queue import redis_connection, rq_queue
from app.recovery import recover
from app.timeutil import utcnow
from app.unitofwork import commit
from lots.opportunities.models import OpportunityStatus
from notifications.alerts import send_opportunity_alerts
from notifications.models import AlertFanout, OpportunityAlert
from tests.clock import flask_command, subprocess_env
from tests.conftest import REDIS_TEST_DB
from tests.factories import make_user
from tests.notifications.alerting import (
    NOW,
    alerted,
    many_suppliers,
    prefer,
    publish,
    supplier,
    world,
)
from tests.smtp import text_part

ROOT = Path(__file__).resolve().parents[2]


def _delivered(smtp):
    return Counter(m["To"].lower() for m in smtp.messages)


def test_the_fan_out_run_twice_sends_each_email_once(smtp_app, smtp, run_jobs, at_now):
    admin, dps, lots, buyer_user, buyer = world()
    addresses = many_suppliers(25, lots[0].id)
    user, org = supplier("Named CIC", "nina@named.example")
    prefer(user, org, keywords="befriending")
    opportunity = publish(buyer_user, buyer, lots[0])
    run_jobs()
    assert send_opportunity_alerts(opportunity.id) == 0  # again, by hand: nothing new
    run_jobs()

    delivered = _delivered(smtp)
    assert set(delivered) == set(addresses) | {"nina@named.example"}
    assert set(delivered.values()) == {1}
    [msg] = smtp.to("nina@named.example")
    assert msg["Subject"] == "Opportunity alert: Befriending for older people in Leeds"
    assert "Hello Nina" not in text_part(msg)  # the name is the person's, from their account
    assert "Hello Named CIC owner," in text_part(msg)
    assert f"/opportunities/{opportunity.id}" in text_part(msg)
    fanout = db.session.get(AlertFanout, opportunity.id)
    assert fanout.finished_at is not None and fanout.sent == 26
    assert len(db.session.execute(sa.select(OpportunityAlert)).all()) == 26


def test_sends_are_queued_in_batches(app, run_jobs, at_now):
    app.config["ALERT_SEND_BATCH"] = 10
    admin, dps, lots, buyer_user, buyer = world()
    many_suppliers(25, lots[0].id)
    opportunity = publish(buyer_user, buyer, lots[0])
    assert rq_queue().job_ids == [
        f"send_invitation_emails-{opportunity.id}-invitation",
        f"send_opportunity_alerts-{opportunity.id}",
    ]
    rq_queue().remove(f"send_invitation_emails-{opportunity.id}-invitation")

    worker = SimpleWorker([rq_queue()], connection=redis_connection())
    worker.work(burst=True, max_jobs=1)  # only the fan-out
    batches = [j for j in rq_queue().job_ids if j.startswith("send_outbox_batch-")]
    assert len(batches) == 3
    run_jobs()
    assert {r.status for r in db.session.execute(sa.select(OutboxMessage)).scalars()} == {
        OutboxStatus.SENT
    }


def test_redis_down_while_publishing_the_relay_sends_the_alerts_later(
    app, make_app, smtp, throwaway_redis, run_jobs, at_now
):
    outage = make_app(MAIL_BACKEND="smtp", REDIS_URL=throwaway_redis.url(0))
    with outage.app_context():
        admin, dps, lots, buyer_user, buyer = world()
        addresses = many_suppliers(5, lots[0].id)
        throwaway_redis.stop()
        opportunity = publish(buyer_user, buyer, lots[0])
        db.session.expire_all()
        assert opportunity.status == OpportunityStatus.PUBLISHED
        assert db.session.get(AlertFanout, opportunity.id).finished_at is None
        assert alerted() == []

        throwaway_redis.start(port=throwaway_redis.port)
        assert rq_queue().count == 0  # the job never made it
        assert fanouts_recovered(NOW + timedelta(seconds=30)) == 0  # it may be on its way
        # Two minutes on: the alert fan-out and the invitation emails are queued again.
        assert fanouts_recovered(NOW + timedelta(minutes=3)) == 2
        assert sorted(rq_queue().job_ids) == sorted(
            [
                f"send_opportunity_alerts-{opportunity.id}",
                f"send_invitation_emails-{opportunity.id}-invitation",
            ]
        )

        SimpleWorker([rq_queue()], connection=redis_connection()).work(burst=True)
        assert db.session.get(AlertFanout, opportunity.id).finished_at is not None
        assert fanouts_recovered(NOW + timedelta(minutes=3)) == 0
    assert sorted(_delivered(smtp)) == sorted(addresses)
    assert set(_delivered(smtp).values()) == {1}


def fanouts_recovered(now):
    """What `flask jobs recover` queued again at ``now`` of the alert and invitation fan-outs."""
    return sum(n for r, n in recover(now) if r.name in ("alert-fanouts", "invitations"))


@pytest.fixture
def workers():
    """Start `flask worker` processes on the test's clock (time-machine moves only the test's
    own); any still running at the end are killed."""
    started = []

    def _start(env, burst=False):
        args = flask_command("worker", *(["--burst"] if burst else []))
        # Its own process group: RQ forks a scheduler process beside the worker, and a killed
        # machine (or container) takes both.
        proc = subprocess.Popen(
            args,
            cwd=ROOT,
            env=subprocess_env(env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        started.append(proc)
        return proc

    yield _start
    for proc in started:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(10)


def test_a_worker_killed_mid_fan_out_and_restarted_delivers_each_email_once(
    app, make_app, smtp, smtp_server, redis_server, workers, at_now
):
    count = 400
    smtp_app = make_app(MAIL_BACKEND="smtp", FANOUT_CHUNK=5)
    with smtp_app.app_context():
        admin, dps, lots, buyer_user, buyer = world()
        addresses = many_suppliers(count, lots[0].id)
        opportunity = publish(buyer_user, buyer, lots[0])
        rq_queue().remove(f"send_invitation_emails-{opportunity.id}-invitation")  # nobody invited
        env = {
            **os.environ,
            "APP_ENV": "test",
            "DATABASE_URL": smtp_app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": redis_server.url(REDIS_TEST_DB),
            "MAIL_BACKEND": "smtp",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_server.port),
            "BASE_URL": "http://localhost",
            "FANOUT_CHUNK": "5",
            "QUEUE_BACKEND": "rq",
        }

        worker = workers(env)
        deadline = time.time() + 60
        while time.time() < deadline:
            written = db.session.execute(
                sa.select(sa.func.count()).select_from(OpportunityAlert)
            ).scalar_one()
            db.session.rollback()
            if written >= 50:
                break
            time.sleep(0.01)
        os.killpg(worker.pid, signal.SIGKILL)  # half way through the fan-out
        worker.wait(10)
        db.session.expire_all()
        written = db.session.execute(
            sa.select(sa.func.count()).select_from(OpportunityAlert)
        ).scalar_one()
        assert 50 <= written < count, "the worker was not killed half way"
        assert db.session.get(AlertFanout, opportunity.id).finished_at is None
        db.session.rollback()

        # Started again: it sends what was queued; the relay (run by the scheduler every
        # minute) queues the fan-out again once it has made no progress for two minutes. The
        # workers wrote their progress on this test's clock: three minutes on from now, the
        # fan-out has made none for more than two.
        assert workers(env, burst=True).wait(120) == 0
        # alerts, and invitations (the outbox's rows are queued by the same recovery)
        assert fanouts_recovered(utcnow() + timedelta(minutes=3)) == 2
        assert workers(env, burst=True).wait(120) == 0

        db.session.expire_all()
        assert db.session.get(AlertFanout, opportunity.id).finished_at is not None
        statuses = Counter(db.session.execute(sa.select(OutboxMessage.status)).scalars())
        assert statuses == {OutboxStatus.SENT: count}
    delivered = _delivered(smtp)
    assert sorted(delivered) == sorted(addresses)
    assert set(delivered.values()) == {1}


def test_a_batch_sends_each_row_on_its_own_terms(smtp_app, smtp):
    make_user("gone@example.org")
    db.session.execute(
        sa.update(User)
        .where(User.email == "gone@example.org")
        .values(email_undeliverable_at=utcnow())
    )
    smtp.reject["ghost@example.org"] = "550 5.1.1 No such user"
    confirm = {"name": "Ada", "confirm_url": "http://localhost/confirm/abc", "valid_days": 7}
    ids = [
        queue_email(address, "confirm_email", confirm, idempotency_key=f"b-{address}")
        for address in ("ada@example.org", "ghost@example.org", "gone@example.org")
    ]
    db.session.commit()  # the rows only: the batch is sent here, by hand
    assert send_outbox_messages(ids) == [
        OutboxStatus.SENT,
        OutboxStatus.FAILED,
        OutboxStatus.SUPPRESSED,
    ]
    assert send_outbox_messages(ids) == []  # nothing left to claim
    assert _delivered(smtp) == {"ada@example.org": 1}
    db.session.expire_all()
    assert (
        db.session.execute(
            sa.select(User.email_undeliverable_at).where(User.email == "ghost@example.org")
        ).first()
        is None
    )  # no account: nothing to mark
    commit()
