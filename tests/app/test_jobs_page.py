"""The administrators' jobs page: queues, the schedule, failed jobs with their error, retry."""

import sqlalchemy as sa
from rq import SimpleWorker

from app.audit.models import AuditEvent
from app.extensions import db
from app.queue import enqueue, redis_connection, rq_queue
from tests.factories import make_user
from tests.pages import heading, soup, text


def failing_job(message):
    raise RuntimeError(message)


def test_only_administrators_see_the_jobs_page(app, client, auth):
    make_user("sam@example.org")
    assert client.get("/admin/jobs").status_code == 302
    auth.sign_in("sam@example.org")
    assert client.get("/admin/jobs").status_code == 403


def test_a_failed_job_shows_its_error_and_can_be_retried(app, client, auth, forms):
    make_user("root@example.org", admin=True)
    enqueue(failing_job, "the SMTP password is wrong", job_id="failing-1")
    SimpleWorker([rq_queue()], connection=redis_connection()).work(burst=True)
    auth.sign_in("root@example.org")
    page = client.get("/admin/jobs")
    assert heading(page) == "Jobs"
    assert "daily-digest" in text(soup(page).find(id="schedule"))
    card = soup(page).select_one(".app-failed-job")
    assert "RuntimeError: the SMTP password is wrong" in text(card)
    response = forms.post(
        "/admin/jobs/failed/failing-1/retry", form_url="/admin/jobs", follow_redirects=True
    )
    assert "Job failing-1 is queued again" in text(soup(response))
    assert rq_queue().job_ids == ["failing-1"]
    assert len(rq_queue().failed_job_registry) == 0

    assert (
        db.session.execute(sa.select(AuditEvent.event_type).order_by(AuditEvent.id.desc()))
        .scalars()
        .first()
        == "retry_job"
    )


def test_run_now_queues_a_scheduled_job(app, client, auth, forms):
    make_user("root@example.org", admin=True)
    auth.sign_in("root@example.org")
    forms.post("/admin/jobs/schedule/recover/run", form_url="/admin/jobs")
    assert any(j.startswith("schedule-recover-now-") for j in rq_queue().job_ids)
