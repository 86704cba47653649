"""The hash-chained audit log: every state change is an event, written at commit."""


def init_app(app):
    """Install the commit hook that writes the chain, and add the administrators' log pages."""
    # Imported when the app is built, so that importing this package (its models, say) never
    # loads its pages.
    from app.audit import services, views

    services.init_app(app)
    app.register_blueprint(views.bp)
