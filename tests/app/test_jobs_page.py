"""The administrators' jobs page: queues, the schedule, failed jobs with their error, retry."""

import sqlalchemy as sa
from rq import SimpleWorker

from app.audit.models import AuditEvent
from app.extensions import db
from app.queue import enqueue, redis_connection, rq_queue
from tests.conftest import Browserless
from tests.factories import PASSWORD, make_user
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


def test_with_queued_jobs_and_no_worker_the_page_warns_that_nothing_will_be_done(app, client, auth):
    make_user("root@example.org", admin=True)
    auth.sign_in("root@example.org")
    page = soup(client.get("/admin/jobs"))
    assert "No worker is running: nothing queued will be done." in text(page.find("main"))
    assert page.find(id="inline-jobs") is None


def test_where_jobs_run_inline_the_page_says_they_run_straight_away(make_app, app):
    """Development runs every job in the web process that starts it (QUEUE_BACKEND inline):
    there is no worker to miss, and no queue to show."""
    inline_app = make_app(QUEUE_BACKEND="inline")
    client = inline_app.test_client()
    with inline_app.app_context():
        make_user("root@example.org", admin=True)
    forms = Browserless(client)
    forms.post("/sign-in", {"email": "root@example.org", "password": PASSWORD})
    page = soup(client.get("/admin/jobs"))
    main = text(page.find("main"))
    assert "No worker" not in main and "Redis cannot be reached" not in main
    assert text(page.find(id="inline-jobs")).startswith("Jobs run straight away")
    assert page.find(id="schedule") is not None
    ran = forms.post("/admin/jobs/schedule/recover/run", form_url="/admin/jobs")
    assert ran.status_code == 302
    assert "recover has run" in text(soup(client.get("/admin/jobs")))
