"""`flask worker` runs queued jobs inside the app context, and one failing job does not spoil the
next one."""

import contextvars

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.outbox.models import OutboxStatus
from app.outbox.services import queue_email
from app.queue import enqueue, rq_queue
from app.unitofwork import commit
from tests.notifications.helpers import outbox_row

CONFIRM = {"name": "Ada", "confirm_url": "http://localhost/confirm/abc", "valid_days": 7}


def broken_job():
    """A job whose SQL fails half way, leaving its transaction aborted."""
    db.session.execute(sa.text("SELECT * FROM no_such_table"))


def config_job():
    return current_app.config["QUEUE_NAME"]


def test_flask_worker_burst_runs_queued_jobs(app, smtp):
    message_id = queue_email("ada@example.org", "confirm_email", CONFIRM, idempotency_key="w-1")
    commit()
    assert rq_queue().count == 1

    result = app.test_cli_runner().invoke(args=["worker", "--burst"])

    assert result.exit_code == 0, result.output
    assert "listening on default" in result.output
    assert rq_queue().count == 0
    row = outbox_row(message_id)
    assert row.status == OutboxStatus.SENT  # MAIL_BACKEND "outbox": it stays in the table
    assert row.provider_reference == "outbox"


def test_flask_worker_pushes_its_own_app_context(app):
    """Started by `flask worker` there is no app context yet: the command must push one."""
    message_id = queue_email("ada@example.org", "confirm_email", CONFIRM, idempotency_key="w-2")
    commit()
    enqueue(config_job)
    runner = app.test_cli_runner()

    result = contextvars.Context().run(runner.invoke, args=["worker", "--burst"])

    assert result.exit_code == 0, (result.output, result.exception)
    assert outbox_row(message_id).status == OutboxStatus.SENT
    finished = rq_queue().finished_job_registry.get_job_ids()
    assert len(finished) == 2


def test_a_job_that_fails_does_not_break_the_next_one(app):
    enqueue(broken_job)
    message_id = queue_email("ada@example.org", "confirm_email", CONFIRM, idempotency_key="w-3")
    commit()

    result = app.test_cli_runner().invoke(args=["worker", "--burst"])

    assert result.exit_code == 0, result.output
    assert len(rq_queue().failed_job_registry) == 1
    assert outbox_row(message_id).status == OutboxStatus.SENT
