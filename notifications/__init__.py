"""Telling suppliers about work: alert preferences, matching, fan-out, digests, reminders and
unsubscribe. Sits above the packages it tells people about (``dps``, ``lots``) and the shell."""

from pathlib import Path

HERE = Path(__file__).resolve().parent


def init_app(app):
    """Add the alert pages, templates, publication hook and scheduled jobs to ``app``."""
    # Imported here, when the app is built, so that importing the models never loads the views.
    from app import records, recovery, schedule
    from app.templating import add_template_folder
    from lots.opportunities.hooks import on_publish
    from lots.pipeline.hooks import on_item_published
    from notifications import alerts, digests, pipeline_alerts, preferences, reminders
    from notifications.alert_views import bp

    add_template_folder(app, HERE / "templates")
    app.register_blueprint(bp)
    on_publish(alerts.on_publish)
    on_item_published(pipeline_alerts.on_item_published)
    records.add(app, preferences.privacy_notice)
    recovery.add(
        app,
        recovery.Recoverer(
            "alert-fanouts", alerts.recover_fanouts, "alert fan-outs that stopped or never started"
        ),
    )
    digest_at = schedule.local_time(app.config["DIGEST_TIME"])
    E = schedule.Entry
    schedule.add(
        app,
        E(
            "question-deadline-reminders",
            reminders.send_question_deadline_reminders,
            "hour",
            at=(0, 10),
            description="Remind invited suppliers that questions close within a day",
        ),
        E(
            "bid-deadline-reminders",
            reminders.send_bid_deadline_reminders,
            "hour",
            at=(0, 15),
            description="Remind suppliers with a draft bid, 3 days and 1 day before",
        ),
        E(
            "daily-digest",
            digests.send_daily_digests,
            "day",
            at=digest_at,
            description="Daily opportunity alert summaries",
        ),
        E(
            "weekly-digest",
            digests.send_weekly_digests,
            "week",
            at=digest_at,
            weekday=schedule.weekday(app.config["WEEKLY_DIGEST_DAY"]),
            description="Weekly opportunity alert summaries",
        ),
        E(
            "admission-sla-warnings",
            reminders.send_admission_sla_warnings,
            "day",
            at=(8, 0),
            description="Tell administrators about applications near or past their deadline",
        ),
    )
