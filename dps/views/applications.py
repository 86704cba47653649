"""A supplier applies. (Being built.)"""
from flask import abort

from dps.views import bp


@bp.route("/applications/<int:application_id>")
def view_application(application_id):
    abort(404)


@bp.route("/renewals/<int:renewal_id>", methods=["GET", "POST"])
def renew_declaration(renewal_id):
    abort(404)
