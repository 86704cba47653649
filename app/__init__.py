"""The application factory: the shell every feature package plugs into."""
import logging
import os
from pathlib import Path

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.routing import IntegerConverter

import config as config_module
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
    if app.config["APP_ENV"] == "production":
        problems = config_module.check_production(app.config)
        if problems:
            raise config_module.ConfigError(
                "Refusing to start in production:\n- " + "\n- ".join(problems))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"][len("sqlite:///"):]).parent.mkdir(
            parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO)

    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(str(ROOT / "app" / "templates")),
        FileSystemLoader(str(ROOT / "notifications" / "templates")),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                    compare_type=True, include_object=include_object)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_ENABLED", True)
    limiter.init_app(app)
    login_manager.init_app(app)

    _import_models()
    from app import security, templating, errors, cli
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    _register_blueprints(app)
    return app


def _import_models():
    """Every model module, so that metadata is complete for migrations and relationships."""
    import app.accounts.models  # noqa: F401
    import app.organisations.models  # noqa: F401
    import app.audit.models  # noqa: F401
    import notifications.models  # noqa: F401
    import app.documents.models  # noqa: F401
    import dps.models  # noqa: F401
    import lots.models  # noqa: F401
    import lots.bid_models  # noqa: F401
    import lots.evaluation_models  # noqa: F401
    import lots.award_models  # noqa: F401
    import lots.services.invitations  # noqa: F401  (invites suppliers admitted late)
    import app.audit.services  # noqa: F401  (its commit hook writes the chain)
    import app.unitofwork  # noqa: F401


def _register_blueprints(app):
    from app.pages.views import bp as pages_bp
    from app.health import bp as health_bp
    from app.accounts.views import bp as accounts_bp
    from app.organisations.views import bp as organisations_bp
    from app.audit.views import bp as audit_bp
    from notifications.views import bp as notifications_bp
    from notifications.alert_views import bp as alerts_bp
    from notifications.admin_views import bp as jobs_bp
    from app.documents.views import bp as documents_bp
    from dps.views import bp as dps_bp
    from lots.views import bp as lots_bp

    for bp in (pages_bp, health_bp, accounts_bp, organisations_bp, audit_bp, notifications_bp,
               documents_bp, dps_bp, lots_bp, alerts_bp, jobs_bp):
        app.register_blueprint(bp)
