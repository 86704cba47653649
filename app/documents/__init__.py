"""Documents: checked uploads, private storage (a local folder or S3), permission-checked
downloads and the scheduled removal of deleted files."""


def init_app(app):
    """Add the documents pages and the removal job to ``app``."""
    # Imported when the app is built, so that importing this package (its models, say) never
    # loads its pages.
    from app import recovery, schedule
    from app.documents import jobs, views

    app.register_blueprint(views.bp)
    schedule.add(
        app,
        schedule.Entry(
            "remove-deleted-documents",
            jobs.remove_all_deleted_objects,
            "hour",
            at=(0, 5),
            description="Remove stored files of deleted documents",
        ),
    )
    recovery.add(
        app,
        recovery.Recoverer(
            "document-removals", jobs.recover_removals, "stored files of deleted documents"
        ),
    )
