"""The start page, the pages every public service must have, and the administrators' start page."""

from datetime import date

from flask import Blueprint, current_app, render_template

from app import records
from app.permissions import admin_required
from app.timeutil import format_date

bp = Blueprint("pages", __name__)


@bp.route("/")
def index():
    return render_template("pages/index.html")


def _configured_date(key):
    """A YYYY-MM-DD date from configuration, as a person reads it (as written if it is not one)."""
    value = current_app.config[key]
    try:
        return format_date(date.fromisoformat(value))
    except (TypeError, ValueError):
        return value


def _seconds(lifetime):
    """PERMANENT_SESSION_LIFETIME in whole seconds (Flask allows a number or a timedelta)."""
    return int(lifetime.total_seconds() if hasattr(lifetime, "total_seconds") else lifetime)


@bp.route("/accessibility")
def accessibility():
    return render_template(
        "pages/accessibility.html",
        operator_name=current_app.config["OPERATOR_NAME"],
        session_hours=_seconds(current_app.config["PERMANENT_SESSION_LIFETIME"]) // 3600,
        tested_on=_configured_date("ACCESSIBILITY_TESTED_ON"),
        prepared_on=_configured_date("ACCESSIBILITY_STATEMENT_ON"),
    )


@bp.route("/privacy")
def privacy():
    config = current_app.config
    return render_template(
        "pages/privacy.html",
        operator=config["OPERATOR_NAME"],
        address=[line.strip() for line in config["OPERATOR_ADDRESS"].split(",") if line.strip()],
        operator_email=config["OPERATOR_EMAIL"],
        dpo_name=config["DPO_NAME"],
        dpo_email=config["DPO_EMAIL"],
        ico_registration=config["ICO_REGISTRATION"],
        kept=records.kept(),
        notify=config["MAIL_BACKEND"] == "notify",
        s3=config["STORAGE"] == "s3",
    )


@bp.route("/cookies")
def cookies():
    return render_template("pages/cookies.html")


@bp.route("/contact")
def contact():
    return render_template("pages/contact.html")


@bp.route("/admin")
@admin_required
def administration():
    """What the platform administrators do, one link each: the service navigation holds one
    "Administration" item rather than six."""
    return render_template("admin/index.html")
