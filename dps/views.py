"""DPS pages. (Skeleton: the routes exist so emails can link to them; pages are being built.)"""
from flask import Blueprint, abort

bp = Blueprint("dps", __name__)


@bp.route("/applications/<int:application_id>")
def view_application(application_id):
    abort(404)


@bp.route("/renewals/<int:renewal_id>", methods=["GET", "POST"])
def renew_declaration(renewal_id):
    abort(404)
