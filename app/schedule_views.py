"""The administrators' jobs page: queues, workers, the schedule, jobs waiting for a later time,
and failed jobs with their error and a button to retry. Our own page rather than mounting
rq-dashboard, so it has the GOV.UK look, the service's sign-in and CSRF, and an audit event for
each retry."""

from flask import Blueprint, flash, redirect, render_template, url_for
from rq import Worker
from rq.job import Job

from app import schedule
from app.forms import ConfirmForm
from app.permissions import admin_required
from app.queue import REDIS_ERRORS, redis_connection, rq_queue, runs_inline
from app.web import me

bp = Blueprint("jobs", __name__)
FAILED_SHOWN = 50


def _job_row(job, when=None):
    exc = (job.exc_info or "").strip()
    return {
        "id": job.id,
        "function": job.func_name,
        "args": ", ".join(map(repr, job.args or ())),
        "when": when or job.ended_at or job.enqueued_at,
        "error": exc,
        "error_line": exc.splitlines()[-1] if exc else "",
    }


def _state():
    queue = rq_queue()
    conn = redis_connection()
    failed = queue.failed_job_registry
    failed_ids = failed.get_job_ids()[-FAILED_SHOWN:][::-1]
    scheduled = queue.scheduled_job_registry
    waiting = []
    for job_id in scheduled.get_job_ids()[:20]:
        job = Job.fetch(job_id, connection=conn)
        waiting.append(_job_row(job, scheduled.get_scheduled_time(job_id)))
    return {
        "queues": [
            {
                "name": queue.name,
                "queued": queue.count,
                "running": len(queue.started_job_registry),
                "waiting": len(scheduled),
                "failed": len(failed),
                "finished": len(queue.finished_job_registry),
            }
        ],
        "workers": [
            {"name": w.name, "state": w.get_state(), "queues": ", ".join(w.queue_names())}
            for w in Worker.all(connection=conn)
        ],
        "waiting": waiting,
        "failed": [_job_row(job) for job in Job.fetch_many(failed_ids, connection=conn) if job],
    }


@bp.route("/admin/jobs")
@admin_required
def jobs():
    inline = runs_inline()
    try:
        # Inline, there is no queue or worker to show (Redis may not even be running).
        state, problem = (None, None) if inline else (_state(), None)
    except REDIS_ERRORS as exc:
        state, problem = None, str(exc)
    schedule_rows = []
    for e in schedule.entries():
        try:
            last = schedule.last_queued(e)
        except REDIS_ERRORS:
            last = None
        schedule_rows.append({"entry": e, "last": last})
    return render_template(
        "admin/jobs.html",
        state=state,
        problem=problem,
        inline=inline,
        schedule=schedule_rows,
        confirm_form=ConfirmForm(),
        form=None,
    )


@bp.route("/admin/jobs/failed/<job_id>/retry", methods=["POST"])
@admin_required
def retry(job_id):
    form = ConfirmForm()
    if form.validate_on_submit() and schedule.retry_failed_job(me(), job_id):
        flash(f"Job {job_id} is queued again", "success")
    else:
        flash(f"Job {job_id} is no longer in the failed list")
    return redirect(url_for("jobs.jobs"))


@bp.route("/admin/jobs/schedule/<name>/run", methods=["POST"])
@admin_required
def run_scheduled(name):
    form = ConfirmForm()
    if form.validate_on_submit() and schedule.entry(name) is not None:
        schedule.run_now(name)
        flash(f"{name} has run" if runs_inline() else f"{name} is queued", "success")
    return redirect(url_for("jobs.jobs"))
