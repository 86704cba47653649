"""The DPS itself and supplier admission: the questionnaire, applications, decisions, suppliers'
standing and the public directory. Imports only the shell (``app``)."""

from pathlib import Path

HERE = Path(__file__).resolve().parent


def init_app(app):
    """Add the DPS's pages, templates, command and scheduled job to ``app``."""
    # Imported here, when the app is built, so that importing the models never loads the views,
    # the scheduler or the templates.
    from app import records, schedule
    from app.templating import add_template_folder
    from dps import jobs
    from dps.blueprint import bp
    from dps.cli import debarment_cli, dps_cli
    from dps.records import privacy_notice
    from dps.views import (  # noqa: F401  (its pages)
        admin_debarment,
        admin_guidance,  # noqa: F401  (its pages)
        admin_review,
        admin_setup,
        admin_standing,
        applications,
        conditions,
        directory,
        public,
        supplier_standing,
    )

    add_template_folder(app, HERE / "templates")
    app.register_blueprint(bp)
    app.cli.add_command(dps_cli)
    app.cli.add_command(debarment_cli)
    records.add(app, privacy_notice)
    schedule.add(
        app,
        schedule.Entry(
            "dps-daily",
            jobs.run_daily,
            "day",
            at=(6, 0),
            description="Renewals, expiring documents, suspensions (flask dps daily)",
        ),
    )
