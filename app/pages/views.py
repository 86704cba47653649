"""The start page and the pages every public service must have."""

from flask import Blueprint, render_template

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
