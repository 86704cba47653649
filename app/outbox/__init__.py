"""The email outbox: every email is a row written in the caller's transaction (``queue_email``),
rendered from a template, sent exactly once by an RQ job through a backend (SMTP, GOV.UK Notify, or
kept in the database), and relayed when it was not queued. Any package may send an email."""


def init_app(app):
    """Add the development outbox page and the relay's recoverer to ``app``."""
    # Imported when the app is built, so that importing this package (its models, say) never
    # loads its pages.
    from app import recovery
    from app.outbox import services, views

    app.register_blueprint(views.bp)
    recovery.add(
        app,
        recovery.Recoverer(
            "outbox",
            services.recover_outbox,
            "emails Redis missed, retries that are due, sends whose worker died",
        ),
    )
