"""The application factory: the shell every feature package plugs into."""

import logging
from pathlib import Path

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

import config as config_module
from app import cookie_session, pinging
from app.dbschema import include_object
from app.extensions import csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


class DatabaseInt(IntegerConverter):
    """``<int:...>`` in routes, bounded to PostgreSQL's integer."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(config_name_or_object=None, overrides=None):
    """Build the app. ``config_name_or_object`` is 'development', 'test', 'production' or a config
    class; ``overrides`` is a dict applied last (tests use it to point at their services)."""
    app = Flask(__name__, instance_path=str(ROOT / "instance"), static_folder=None)
    # An id in a URL beyond what the database holds is simply not found (404), never a 500.
    app.url_map.converters["int"] = DatabaseInt
    if config_name_or_object is None or isinstance(config_name_or_object, str):
        app.config.from_object(config_module.config_for(config_name_or_object))
    else:
        app.config.from_object(config_name_or_object)
    if overrides:
        app.config.update(overrides)
    # Every outside call's timeout comes from the configuration's one list of them.
    if "SQLALCHEMY_ENGINE_OPTIONS" not in (overrides or {}):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config_module.engine_options(app.config)
    if app.config["RATELIMIT_STORAGE_URI"].startswith("redis"):
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", config_module.redis_options(app.config))
    if app.config["APP_ENV"] == "production":
        problems = config_module.check_production(app.config)
        if problems:
            raise config_module.ConfigError(
                "Refusing to start in production:\n- " + "\n- ".join(problems)
            )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///") :]).parent.mkdir(
            parents=True, exist_ok=True
        )
    logging.basicConfig(level=logging.INFO)

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(ROOT / "app" / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    cookie_session.init_app(app)

    if app.config.get("TRUSTED_PROXIES"):
        # Behind a load balancer: the client's address and scheme come from the proxies'
        # X-Forwarded-* headers, trusting only the last TRUSTED_PROXIES of them.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():  # each pooled connection tested as it is lent
            pinging.install(engine)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,
    )
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)
    login_manager.init_app(app)

    # The shell, then each feature package on top of it, in the order they build on each other.
    # Each init_app registers its own pages, templates, hooks, commands and scheduled jobs.
    # Imported here, where the app is assembled: the features build on the shell, so the shell
    # names them nowhere else, and importing ``app`` alone loads no pages.
    import dps
    import insight
    import lots
    import notifications
    import publishing
    import spend
    from app import (
        audit,
        brand,
        cli,
        documents,
        error_pages,
        incoming,
        measures,
        money,
        outbox,
        places,
        records,
        recovery,
        replica,
        schedule_views,
        security,
        templating,
        unitofwork,
    )
    from app.accounts import views as account_views
    from app.health import bp as health_bp
    from app.organisations import views as organisation_views
    from app.pages import views as page_views

    incoming.init_app(app)
    replica.init_app(app)
    unitofwork.init_app(app)
    audit.init_app(app)
    security.init_app(app)
    brand.init_app(app)
    templating.init_app(app)
    money.init_app(app)
    error_pages.init_app(app)
    cli.init_app(app)
    records.init_app(app)
    for bp in (
        page_views.bp,
        health_bp,
        account_views.bp,
        organisation_views.bp,
        schedule_views.bp,
    ):
        app.register_blueprint(bp)
    recovery.init_app(app)
    outbox.init_app(app)
    documents.init_app(app)
    measures.init_app(app)
    places.init_app(app)
    dps.init_app(app)
    lots.init_app(app)
    notifications.init_app(app)
    spend.init_app(app)
    publishing.init_app(app)
    insight.init_app(app)
    return app
