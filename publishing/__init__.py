"""Notices and open data: the notices the law requires for each DPS and call-off, as pages and
as OCDS 1.1.5 releases and records, the OCDS API (``/api/ocds``) and the bulk file of every
release; ``api`` is the JSON API (``/api/v1``) with its OpenAPI document, its documentation page
and the API tokens that buyers' own systems use.

Sits above what it publishes: ``lots`` (call-offs, awards, contracts), ``dps`` and the shell. The
lower layers call their hooks; this package registers what those hooks do, so a notice is
written in the same transaction as the change that causes it.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent


def init_app(app):
    """Add the notice pages, the API, the hooks and the scheduled jobs."""
    # Imported here, when the app is built, so that importing the models never loads the views.
    from app import schedule
    from app.templating import add_template_folder
    from dps.hooks import on_dps_event
    from lots.awards import hooks as award_hooks
    from lots.opportunities import hooks as opportunity_hooks
    from lots.pipeline import hooks as pipeline_hooks
    from publishing import adapters, api, bulk, services
    from publishing.api_views import bp as ocds_bp
    from publishing.views import bp

    app.config.setdefault("OCDS_OCID_PREFIX", "ocds-vcsedp")
    app.config.setdefault("NOTICE_PUBLISHER", "none")
    adapters.publisher(app.config)  # refuse an unknown publisher when the app starts
    add_template_folder(app, HERE / "templates")
    app.register_blueprint(bp)
    app.register_blueprint(ocds_bp)
    api.init_app(app)
    on_dps_event(services.on_dps_event)
    opportunity_hooks.on_publish(services.on_publish)
    opportunity_hooks.on_amend(services.on_amend)
    opportunity_hooks.on_cancel(services.on_cancel)
    award_hooks.on_no_suitable_bid(services.on_no_suitable_bid)
    award_hooks.after_letters(services.after_letters)
    award_hooks.on_contract_entered(services.on_contract_entered)
    pipeline_hooks.on_item_published(services.on_item_published)
    pipeline_hooks.on_item_withdrawn(services.on_item_withdrawn)
    schedule.add(
        app,
        schedule.Entry(
            "notices-daily",
            services.daily,
            "day",
            at=(6, 30),
            description="Remind buyers of notices due (contract details notices), and publish "
            "the cessation notice of each DPS that has ended",
        ),
        schedule.Entry(
            "ocds-bulk-file",
            bulk.write_bulk_file,
            "day",
            at=(3, 0),
            description="Rebuild the bulk file of every OCDS release (JSON Lines, gzipped)",
        ),
    )
