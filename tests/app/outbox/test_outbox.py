"""The outbox on PostgreSQL: one row per idempotency key, one email per row, however often the
send job runs or is queued."""

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup

from app.extensions import db
from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.rendering import UnknownTemplate, render_email
from app.outbox.services import _claim, enqueue_send, queue_email, send_outbox_message
from app.queue import rq_queue
from app.unitofwork import commit
from tests.notifications.helpers import outbox_row, outbox_rows
from tests.smtp import text_part

CONFIRM = {"name": "Ada Lovelace", "confirm_url": "http://localhost/confirm/abc", "valid_days": 7}


def test_queueing_the_same_key_twice_keeps_one_row(app):
    first = queue_email("Ada@Example.org ", "confirm_email", CONFIRM, idempotency_key="k-1")
    second = queue_email(
        "ada@example.org",
        "confirm_email",
        {**CONFIRM, "name": "Someone else"},
        idempotency_key="k-1",
    )
    commit()

    assert first == second
    rows = outbox_rows()
    assert len(rows) == 1
    assert rows[0].recipient == "ada@example.org"
    assert rows[0].personalisation["name"] == "Ada Lovelace"
    assert rows[0].status == OutboxStatus.PENDING


def test_the_same_key_in_a_later_transaction_is_still_one_row_and_one_job(app):
    queue_email("ada@example.org", "confirm_email", CONFIRM, idempotency_key="k-2")
    commit()
    queue_email("ada@example.org", "confirm_email", CONFIRM, idempotency_key="k-2")
    commit()

    assert len(outbox_rows()) == 1
    assert rq_queue().count == 1


def test_the_job_is_queued_only_after_commit(app):
    message_id = queue_email("ada@example.org", "confirm_email", CONFIRM, idempotency_key="k-3")
    assert rq_queue().count == 0  # a worker must never see a row that is not committed
    commit()
    assert rq_queue().job_ids == [f"send_outbox_message-{message_id}"]


def test_a_rolled_back_transaction_leaves_no_row_and_queues_nothing(app):
    queue_email("ada@example.org", "confirm_email", CONFIRM, idempotency_key="k-4")
    db.session.rollback()
    commit()

    assert outbox_rows() == []
    assert rq_queue().count == 0


def test_an_unknown_template_is_refused_when_queued(app):
    with pytest.raises(UnknownTemplate, match="No email template called 'no_such_email'"):
        queue_email("ada@example.org", "no_such_email", {}, idempotency_key="k-5")
    assert outbox_rows() == []


def test_sending_a_row_twice_sends_one_email(smtp_app, smtp):
    message_id = queue_email("ada@example.org", "confirm_email", CONFIRM, idempotency_key="k-6")
    db.session.commit()  # the row alone: this test runs the job by hand

    assert send_outbox_message(message_id) == OutboxStatus.SENT
    assert send_outbox_message(message_id) is None

    assert len(smtp.messages) == 1
    row = outbox_row(message_id)
    assert row.status == OutboxStatus.SENT
    assert row.attempts == 1
    assert row.sent_at is not None
    assert row.claimed_until is None
    assert row.subject == "Confirm your email address"
    assert "http://localhost/confirm/abc" in row.body_text


def test_a_job_queued_twice_and_run_by_a_worker_sends_one_email(smtp_app, smtp, run_jobs):
    message_id = queue_email("ada@example.org", "confirm_email", CONFIRM, idempotency_key="k-7")
    queue_email("ada@example.org", "confirm_email", CONFIRM, idempotency_key="k-7")
    commit()
    enqueue_send(message_id)
    enqueue_send(message_id)

    run_jobs()
    run_jobs()

    assert len(smtp.to("ada@example.org")) == 1
    assert len(smtp.messages) == 1
    assert outbox_row(message_id).status == OutboxStatus.SENT


def test_a_row_claimed_by_another_worker_is_left_alone(smtp_app, smtp):
    message_id = queue_email("ada@example.org", "confirm_email", CONFIRM, idempotency_key="k-8")
    db.session.commit()
    assert _claim(message_id) is not None  # another worker has it, and is still within its claim

    assert send_outbox_message(message_id) is None
    assert smtp.messages == []
    assert outbox_row(message_id).status == OutboxStatus.SENDING


def test_a_job_for_a_missing_row_does_nothing(app):
    assert send_outbox_message(123456) is None


def test_the_html_part_escapes_personalisation(smtp_app, smtp):
    name = '<script>alert("hi")</script> & Sons'
    message_id = queue_email(
        "ada@example.org", "confirm_email", {**CONFIRM, "name": name}, idempotency_key="k-9"
    )
    db.session.commit()
    send_outbox_message(message_id)

    [msg] = smtp.messages
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    soup = BeautifulSoup(html, "lxml")
    assert soup.find("script") is None
    assert name in soup.get_text()
    assert [a["href"] for a in soup.find_all("a")] == ["http://localhost/confirm/abc"]
    # The plain text part is text: it carries the name as typed.
    assert f"Hello {name}," in text_part(msg)


def test_a_link_in_personalisation_cannot_break_out_of_its_attribute(app):
    _, _, html = render_email(
        "confirm_email",
        {**CONFIRM, "confirm_url": 'http://localhost/confirm/x"onmouseover="alert(1)'},
    )
    soup = BeautifulSoup(html, "lxml")
    [link] = soup.find_all("a")
    assert set(link.attrs) == {"href"}


def test_rows_are_stored_with_their_template_and_personalisation(app):
    message_id = queue_email(
        "ada@example.org",
        "password_changed",
        {"name": "Ada", "reset_url": "http://localhost/forgot-password"},
        idempotency_key="k-10",
    )
    commit()
    row = db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.id == message_id)
    ).scalar_one()
    assert row.template == "password_changed"
    assert row.personalisation == {"name": "Ada", "reset_url": "http://localhost/forgot-password"}
    assert row.attempts == 0
    assert row.next_attempt_at is not None
