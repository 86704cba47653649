"""Template globals and filters shared by every page, and the GOV.UK Frontend assets."""

from collections import ChainMap
from pathlib import Path

from flask import Blueprint, g, send_from_directory
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import FileSystemLoader, Template

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


class _Template(Template):
    """A template whose ``{% from ... import %}`` costs less. On each import Jinja checks
    whether the importing page has globals the imported template lacks, by looking each name up
    in the template's chain of global maps: a page that imports some forty macro modules (the
    GOV.UK components) spent several percent of its time on that. Here the set of names is kept
    until a map in the chain changes size (globals are added once, as the app is set up)."""

    def _get_default_module(self, ctx=None):
        if ctx is not None:
            chain = self.globals
            size = tuple(map(len, chain.maps)) if isinstance(chain, ChainMap) else len(chain)
            known = self.__dict__.get("_known_globals")
            if known is None or known[0] != size:
                known = self._known_globals = (size, frozenset(chain))
            missing = ctx.globals_keys - known[1]
            if missing:
                return self.make_module({k: ctx.parent[k] for k in missing})
        if self._module is None:
            self._module = self.make_module()
        return self._module


def init_app(app):
    app.jinja_env.template_class = _Template
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
            # Called by the page layout, once a page: an email or a fragment rendered during a
            # request asks the database nothing about who is signed in.
            "navigation_items": navigation_items,
            "account_items": account_items,
            "app_env": app.config["APP_ENV"],
        }
