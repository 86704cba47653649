"""Template globals and filters shared by every page, and the GOV.UK Frontend assets."""

from pathlib import Path

from flask import Blueprint, g, send_from_directory
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import FileSystemLoader

from app.navigation import account_items, navigation_items
from app.timeutil import format_date, format_datetime

ROOT = Path(__file__).resolve().parent.parent
GOVUK_DIST = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
STATIC = ROOT / "app" / "static"

assets = Blueprint("assets", __name__)


@assets.route("/assets/<path:filename>")
def govuk_asset(filename):
    return send_from_directory(GOVUK_DIST / "assets", filename, max_age=86400)


@assets.route("/static/govuk/<path:filename>")
def govuk_dist(filename):
    return send_from_directory(GOVUK_DIST, filename, max_age=3600)


@assets.route("/static/<path:filename>")
def static(filename):
    return send_from_directory(STATIC, filename, max_age=3600)


def add_template_folder(app, folder):
    """Let ``app`` find templates in ``folder`` too (each package keeps its own)."""
    loaders = app.jinja_loader.loaders
    if not any(getattr(loader, "searchpath", None) == [str(folder)] for loader in loaders):
        loaders.insert(len(loaders) - 1, FileSystemLoader(str(folder)))


def init_app(app):
    WTFormsHelpers(app)
    app.register_blueprint(assets)
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date")

    @app.context_processor
    def _globals():
        return {
            "csp_nonce": getattr(g, "csp_nonce", ""),
            "service_name": app.config["SERVICE_NAME"],
            "contact_email": app.config["CONTACT_EMAIL"],
            "navigation_items": navigation_items(),
            "account_items": account_items(),
            "app_env": app.config["APP_ENV"],
        }
