"""The operator sets up a DPS and its lots.

Thin: parse the form, call one service, render or redirect; a refusal from a service is shown in
the error summary against the field it names (``app.web.refused``)."""

from flask import flash, redirect, render_template, request, url_for

from app.errors import ServiceError
from app.web import found, me, refused
from dps import queries
from dps.admin_forms import DpsForm, LotForm
from dps.blueprint import bp
from dps.models import REGIME_LABELS, RESERVED_LABELS
from dps.permissions import operator_page
from dps.services import setup
from dps.working_days import CALENDAR_LABELS


@bp.route("/admin/dps")
@operator_page
def admin_list_dps():
    everything = queries.all_dps()
    return render_template(
        "dps/admin_dps_list.html",
        all_dps=everything,
        waiting={d.id: queries.waiting_count(d.id) for d in everything},
        regime_labels=REGIME_LABELS,
    )


@bp.route("/admin/dps/new", methods=["GET", "POST"])
@operator_page
def admin_new_dps():
    form = DpsForm()
    if form.validate_on_submit():
        try:
            dps = setup.create_dps(me(), **form.values())
        except ServiceError as exc:
            refused(form, exc, "name")
        else:
            flash(f"{dps.name} has been created. Add its lots next.", "success")
            return redirect(url_for("dps.admin_view_dps", dps_id=dps.id))
    return render_template("dps/admin_dps_new.html", form=form)


@bp.route("/admin/dps/<int:dps_id>")
@operator_page
def admin_view_dps(dps_id):
    dps = found(queries.dps(dps_id))
    return render_template(
        "dps/admin_dps_view.html",
        dps=dps,
        admitted=queries.admitted_counts(dps.id),
        waiting=queries.waiting_count(dps.id),
        median_days=queries.median_decision_days(dps),
        regime_labels=REGIME_LABELS,
        calendar_labels=CALENDAR_LABELS,
        reserved_labels=RESERVED_LABELS,
    )


@bp.route("/admin/dps/<int:dps_id>/lots/new", methods=["GET", "POST"])
@operator_page
def admin_new_lot(dps_id):
    dps = found(queries.dps(dps_id))
    form = LotForm()
    if request.method == "GET" and not form.number.data:
        form.number.data = str(max((lot.number for lot in dps.lots), default=0) + 1)
    if form.validate_on_submit():
        try:
            lot = setup.add_lot(me(), dps, **form.values())
        except ServiceError as exc:
            refused(form, exc, "title")
        else:
            flash(f"{lot.label} has been added to {dps.name}.", "success")
            return redirect(url_for("dps.admin_view_dps", dps_id=dps.id))
    return render_template("dps/admin_lot_new.html", form=form, dps=dps)
