"""The start page, the pages every public service must have, and the administrators' start page."""

from flask import Blueprint, render_template

from app.permissions import admin_required

bp = Blueprint("pages", __name__)


@bp.route("/")
def index():
    return render_template("pages/index.html")


@bp.route("/accessibility")
def accessibility():
    return render_template("pages/accessibility.html")


@bp.route("/privacy")
def privacy():
    return render_template("pages/privacy.html")


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
