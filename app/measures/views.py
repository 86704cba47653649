"""The operator's pages for the social value measures: the list (with proxy values), adding a
measure, retiring one (or offering it again), setting or removing a proxy value, and importing
an operator's own licensed measures and values from a CSV file. The rules are in
``app.measures.services``."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.forms import Form
from app.measures import services
from app.measures.models import AGGREGATIONS, DIRECTIONS, UNITS, VALUE_TYPES, SocialValueMeasure
from app.permissions import admin_required
from app.reference import social_value
from app.web import found, me

bp = Blueprint("measures", __name__)
FIELDS = (
    "id",
    "name",
    "definition",
    "unit",
    "unit_label",
    "value_type",
    "aggregation",
    "direction",
    "ppn002_missions",
    "ppn0620_outcomes",
    "evidence",
    "source",
    "licence",
)


class CsrfForm(Form):
    """The CSRF token of a form whose fields the page lays out itself."""


def _checked_csrf():
    if not CsrfForm().validate_on_submit():
        abort(400)


@bp.route("/admin/social-value-measures")
@admin_required
def list_measures():
    return render_template(
        "measures/list.html",
        measures=social_value.all_measures(include_retired=True),
        form=CsrfForm(),
    )


@bp.route("/admin/social-value-measures/new", methods=["GET", "POST"])
@admin_required
def add_measure():
    typed = {k: request.form.get(k, "") for k in FIELDS}
    typed["asks_postcode_sectors"] = request.form.get("asks_postcode_sectors") == "yes"
    errors = {}
    if request.method == "POST":
        _checked_csrf()
        _, problems = services.check_fields(typed)
        if problems:
            errors = dict(reversed(problems))
        else:
            try:
                row = services.add_measure(me(), typed)
            except ServiceError as exc:
                db.session.rollback()
                errors = {exc.field or "id": str(exc)}
            else:
                flash(f"{row.id} is added and offered to buyers.", "success")
                return redirect(url_for("measures.list_measures"))
    return render_template(
        "measures/new.html",
        form=CsrfForm(),
        typed=typed,
        errors=errors,
        units=UNITS,
        value_types=VALUE_TYPES,
        aggregations=AGGREGATIONS,
        directions=DIRECTIONS,
    )


@bp.route("/admin/social-value-measures/<measure_id>/status", methods=["POST"])
@admin_required
def change_status(measure_id):
    _checked_csrf()
    action = request.form.get("action")
    try:
        if action == "retire":
            services.retire_measure(me(), measure_id)
            flash(f"{measure_id} is retired: buyers are no longer offered it.", "success")
        elif action == "reinstate":
            services.reinstate_measure(me(), measure_id)
            flash(f"{measure_id} is offered to buyers again.", "success")
        elif action == "delete":
            services.delete_measure(me(), measure_id)
            flash(f"{measure_id} is deleted.", "success")
        else:
            abort(400)
    except NotAllowed:
        abort(403)
    except ServiceError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("measures.list_measures"))


@bp.route("/admin/social-value-measures/<measure_id>/proxy", methods=["GET", "POST"])
@admin_required
def set_proxy(measure_id):
    row = found(db.session.get(SocialValueMeasure, measure_id))
    measure = social_value.as_measure(row)
    proxy = measure.proxy
    typed = {
        "pounds": request.form.get(
            "pounds", f"{proxy.pence_per_unit / 100:f}".rstrip("0").rstrip(".") if proxy else ""
        ),
        "source": request.form.get("source", proxy.source if proxy else ""),
        "year": request.form.get("year", str(proxy.year) if proxy else ""),
        "licence": request.form.get("licence", proxy.licence if proxy else ""),
    }
    errors = {}
    if request.method == "POST":
        _checked_csrf()
        try:
            if request.form.get("action") == "remove":
                services.remove_proxy(me(), measure_id)
                flash(f"{measure_id} no longer has a money value.", "success")
            else:
                _, problems = services.check_proxy(row, *typed.values())
                if problems:
                    errors = dict(reversed(problems))
                    raise ServiceError(problems[0][1], problems[0][0])
                services.set_proxy(me(), measure_id, *typed.values())
                flash(f"The money value of {measure_id} is set.", "success")
        except ServiceError as exc:
            db.session.rollback()
            errors = errors or {exc.field or "pounds": str(exc)}
        else:
            return redirect(url_for("measures.list_measures"))
    return render_template(
        "measures/proxy.html", measure=measure, form=CsrfForm(), typed=typed, errors=errors
    )


@bp.route("/admin/social-value-measures/import", methods=["GET", "POST"])
@admin_required
def import_measures():
    typed = {"source": request.form.get("source", ""), "licence": request.form.get("licence", "")}
    errors, problems = {}, []
    if request.method == "POST":
        _checked_csrf()
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            errors["file"] = "Select a CSV file of measures"
        else:
            data = upload.read(services.MAX_IMPORT_BYTES + 1)
            try:
                added, proxies = services.import_measures(
                    me(), data, typed["source"], typed["licence"]
                )
            except services.ImportError_ as exc:
                db.session.rollback()
                problems = exc.messages()
                count = len(exc.problems)
                errors["file"] = (
                    f"The file has {count} problem{'' if count == 1 else 's'}. Nothing was "
                    "imported: fix the file and upload it again"
                )
            except ServiceError as exc:
                db.session.rollback()
                errors[exc.field or "file"] = str(exc)
            else:
                flash(
                    f"{added} measure{'' if added == 1 else 's'} added and {proxies} money "
                    f"value{'' if proxies == 1 else 's'} set.",
                    "success",
                )
                return redirect(url_for("measures.list_measures"))
    return render_template(
        "measures/import.html",
        form=CsrfForm(),
        typed=typed,
        errors=errors,
        problems=problems,
        columns=list(services.COLUMNS) + list(services.PROXY_COLUMNS),
    )
