"""Organisation pages (stub: the organisations helper fills this in)."""
from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("organisations", __name__, url_prefix="/organisations")


@bp.route("")
@login_required
def list_organisations():
    return render_template("organisations/list.html")
