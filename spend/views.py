"""The spend pages: a buyer's report, its spend files (upload, columns, progress, rows left out),
the review queue of likely matches, its area; and the operator's report and review queue for the
whole DPS. Thin: parse the form, call one service, render or redirect."""

import csv
import io
import re

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from app.errors import ServiceError
from app.extensions import db
from app.organisations.models import Organisation
from app.permissions import admin_required
from app.reference import deprivation, geography
from app.web import found, me, refused
from spend import classify, parsing, permissions, reports, services
from spend.forms import AreaForm, ReviewForm, SpendFileForm, columns_form
from spend.models import (
    ImportStatus,
    MatchStatus,
    SpendImport,
    SpendLine,
    SpendSource,
    SupplierMatch,
)

bp = Blueprint("spend", __name__)

BASE = "/buyer/<int:organisation_id>/spend"
SHOWN_SKIPPED = 100


def _buyer(organisation_id):
    buyer = found(db.session.get(Organisation, organisation_id))
    if not buyer.is_buyer:
        abort(404)
    if not permissions.may_see_spend(current_user, organisation_id):
        abort(403)
    return buyer


def _year_arg():
    year = request.args.get("year", type=int)
    return year if year is not None and 1990 <= year <= 2100 else None


def _source_arg():
    source = request.args.get("source")
    return source if source in {s.value for s in SpendSource} else None


# --- Reports --------------------------------------------------------------------------------------


@bp.route(BASE)
@login_required
def buyer_spend(organisation_id):
    buyer = _buyer(organisation_id)
    report = reports.report([buyer.id], year=_year_arg(), source=_source_arg())
    pending = db.session.execute(
        sa.select(sa.func.count())
        .select_from(SupplierMatch)
        .where(SupplierMatch.buyer_id == buyer.id, SupplierMatch.status == MatchStatus.PENDING)
    ).scalar_one()
    return render_template(
        "spend/report.html",
        buyer=buyer,
        report=report,
        source=_source_arg(),
        pending=pending,
        area=[geography.local_authority(c) for c in classify.area_codes(buyer)],
        may_manage=permissions.may_manage_spend(current_user, buyer.id),
        may_review=permissions.may_review_matches(current_user, buyer.id),
        csv_url=lambda table: url_for(
            "spend.buyer_spend_csv",
            organisation_id=buyer.id,
            table=table,
            year=report.year,
            source=_source_arg(),
        ),
        year_url=lambda y: url_for(
            "spend.buyer_spend", organisation_id=buyer.id, year=y, source=_source_arg()
        ),
        **_report_helpers(),
    )


@bp.route("/admin/spend")
@admin_required
def operator_spend():
    report = reports.report(None, year=_year_arg(), source=_source_arg())
    pending = db.session.execute(
        sa.select(sa.func.count())
        .select_from(SupplierMatch)
        .where(SupplierMatch.status == MatchStatus.PENDING)
    ).scalar_one()
    return render_template(
        "spend/report.html",
        buyer=None,
        report=report,
        source=_source_arg(),
        pending=pending,
        area=[],
        may_manage=False,
        may_review=True,
        csv_url=lambda table: url_for(
            "spend.operator_spend_csv", table=table, year=report.year, source=_source_arg()
        ),
        year_url=lambda y: url_for("spend.operator_spend", year=y, source=_source_arg()),
        **_report_helpers(),
    )


def _report_helpers():
    return {
        "measures": reports.MEASURES,
        "tables": reports.TABLES,
        "kind_label": reports.kind_label,
        "method_labels": deprivation.METHOD_LABELS,
        "source_labels": {s.value: label for s, label in SOURCE_CHOICES},
        "year_label": reports.year_label,
        "percent": percent,
    }


SOURCE_CHOICES = [
    (SpendSource.DPS_CONTRACT, "Contracts awarded through the DPS"),
    (SpendSource.UPLOAD, "The buyers' spend files"),
]


def percent(value):
    return f"{value:.1f}%"


_NUMBER = re.compile(r"-?[0-9.,]+")


def cell(value):
    """A CSV cell a spreadsheet will not run: text from a spend file that starts like a formula
    (=, +, -, @) is given a leading apostrophe; numbers are left as they are."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        if not _NUMBER.fullmatch(value):
            return "'" + value
    return value


def _writer(out):
    writer = csv.writer(out)

    class Safe:
        def writerow(self, row):
            writer.writerow([cell(v) for v in row])

    return Safe()


def _csv(report, table, filename):
    out = io.StringIO()
    writer = _writer(out)
    rows = report.table(table)
    if table == "suppliers":
        writer.writerow(
            [
                "Supplier",
                "Kind",
                "VCSE",
                "SME",
                "Local",
                "Deprivation decile",
                "Place found",
                "Spend (GBP)",
                "Lines",
            ]
        )
        for row in rows:
            kind = row.kind

            def yes_no(value):
                return "" if value is None else "yes" if value else "no"

            writer.writerow(
                [
                    row.label,
                    reports.kind_label(kind),
                    yes_no(kind.vcse),
                    yes_no(kind.sme),
                    yes_no(kind.local),
                    kind.decile or "",
                    deprivation.METHOD_LABELS[kind.place_method],
                    f"{row.spend / 100:.2f}",
                    row.lines,
                ]
            )
    else:
        header = [reports.TABLES[table], "Spend (GBP)", "Spend counted (GBP)", "Lines", "Suppliers"]
        for _name, label in reports.MEASURES:
            header += [
                f"{label}: % of spend",
                f"{label}: % of spend unclassified",
                f"{label}: % of suppliers",
            ]
        writer.writerow(header)
        for row in rows:
            values = [
                row.label,
                f"{row.spend / 100:.2f}",
                f"{row.counted / 100:.2f}",
                row.lines,
                row.suppliers,
            ]
            for name, _label in reports.MEASURES:
                values += [
                    f"{row.share(name):.1f}",
                    f"{row.share(name, 'unknown'):.1f}",
                    f"{row.supplier_share(name):.1f}",
                ]
            writer.writerow(values)
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route(BASE + "/<any(years,quarters,categories,departments,suppliers):table>.csv")
@login_required
def buyer_spend_csv(organisation_id, table):
    buyer = _buyer(organisation_id)
    report = reports.report([buyer.id], year=_year_arg(), source=_source_arg())
    suffix = (
        "" if table == "years" else f"-{reports.year_label(report.year)}" if report.year else ""
    )
    return _csv(report, table, f"spend-{table}{suffix}.csv")


@bp.route("/admin/spend/<any(years,quarters,categories,departments,suppliers):table>.csv")
@admin_required
def operator_spend_csv(table):
    report = reports.report(None, year=_year_arg(), source=_source_arg())
    suffix = (
        "" if table == "years" else f"-{reports.year_label(report.year)}" if report.year else ""
    )
    return _csv(report, table, f"dps-spend-{table}{suffix}.csv")


# --- Spend files ----------------------------------------------------------------------------------


def _file_form(**kwargs):
    return SpendFileForm(max_bytes=current_app.config["SPEND_FILE_MAX_BYTES"], **kwargs)


def _import(buyer, import_id):
    spend_import = found(db.session.get(SpendImport, import_id))
    if spend_import.buyer_id != buyer.id:
        abort(404)
    return spend_import


@bp.route(BASE + "/files", methods=["GET", "POST"])
@login_required
def spend_files(organisation_id):
    buyer = _buyer(organisation_id)
    may_manage = permissions.may_manage_spend(current_user, buyer.id)
    form = _file_form()
    if form.is_submitted() and not may_manage:
        abort(403)
    if form.validate_on_submit():
        upload = form.file.data
        limit = current_app.config["SPEND_FILE_MAX_BYTES"]
        try:
            spend_import = services.upload_file(
                me(), buyer, upload.filename, upload.read(limit + 1)
            )
        except ServiceError as exc:
            refused(form, exc, "file")
        else:
            return redirect(
                url_for("spend.spend_columns", organisation_id=buyer.id, import_id=spend_import.id)
            )
    imports = (
        db.session.execute(
            sa.select(SpendImport)
            .where(SpendImport.buyer_id == buyer.id)
            .order_by(SpendImport.uploaded_at.desc(), SpendImport.id.desc())
        )
        .scalars()
        .all()
    )
    return render_template(
        "spend/files.html", buyer=buyer, form=form, imports=imports, may_manage=may_manage
    )


@bp.route(BASE + "/files/<int:import_id>/columns", methods=["GET", "POST"])
@login_required
def spend_columns(organisation_id, import_id):
    buyer = _buyer(organisation_id)
    if not permissions.may_manage_spend(current_user, buyer.id):
        abort(403)
    spend_import = _import(buyer, import_id)
    if spend_import.status != ImportStatus.MAPPING:
        return redirect(
            url_for("spend.spend_file", organisation_id=buyer.id, import_id=spend_import.id)
        )
    headers = spend_import.headers
    if request.method == "POST":
        form = columns_form(headers)
    else:
        data = {
            name: str(spend_import.mapping[name]) if name in spend_import.mapping else ""
            for name in parsing.FIELDS
        }
        form = columns_form(headers, data={**data, "id_kind": spend_import.id_kind or "internal"})
    if request.method == "POST" and "cancel" in request.form:
        try:
            services.discard_import(me(), spend_import)
        except ServiceError as exc:
            refused(form, exc, "date")
        else:
            flash(f"‘{spend_import.filename}’ was not imported.", "success")
            return redirect(url_for("spend.spend_files", organisation_id=buyer.id))
    mapping = {
        name: int(getattr(form, name).data)
        for name in parsing.FIELDS
        if (getattr(form, name).data or "").isdigit()
    }
    if form.validate_on_submit():
        try:
            services.choose_columns(me(), spend_import, mapping, form.id_kind.data)
        except ServiceError as exc:
            refused(form, exc, "date")
        else:
            return redirect(
                url_for("spend.spend_file", organisation_id=buyer.id, import_id=spend_import.id)
            )
    rows, skipped = ([], 0)
    if all(name in mapping for name in parsing.REQUIRED):
        rows, skipped = services.preview(spend_import, mapping)
    return render_template(
        "spend/columns.html",
        buyer=buyer,
        spend_import=spend_import,
        form=form,
        fields=parsing.FIELDS,
        preview_rows=rows,
        preview_skipped=skipped,
    )


@bp.route(BASE + "/files/<int:import_id>")
@login_required
def spend_file(organisation_id, import_id):
    buyer = _buyer(organisation_id)
    spend_import = _import(buyer, import_id)
    return render_template(
        "spend/file.html",
        buyer=buyer,
        spend_import=spend_import,
        skipped=(spend_import.skipped or [])[:SHOWN_SKIPPED],
        skipped_rows=services.skipped_rows_count(spend_import),
        shown_skipped=SHOWN_SKIPPED,
        statuses=ImportStatus,
    )


@bp.route(BASE + "/files/<int:import_id>/progress.json")
@login_required
def spend_file_progress(organisation_id, import_id):
    buyer = _buyer(organisation_id)
    spend_import = _import(buyer, import_id)
    return jsonify(
        {
            "status": spend_import.status.value,
            "rows_done": spend_import.rows_done,
            "rows_total": spend_import.rows_total,
            "percent": spend_import.percent_done,
        }
    )


@bp.route(BASE + "/files/<int:import_id>/rows-left-out.csv")
@login_required
def spend_file_skipped_csv(organisation_id, import_id):
    buyer = _buyer(organisation_id)
    spend_import = _import(buyer, import_id)
    out = io.StringIO()
    writer = _writer(out)
    writer.writerow(["Row", "To row", "Reason", *spend_import.headers])
    for item in spend_import.skipped or []:
        writer.writerow([item["row"], item["last_row"], item["reason"], *item["cells"]])
    stem = spend_import.filename.rsplit(".", 1)[0] or "spend"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{stem}-rows-left-out.csv"'},
    )


# --- The review queue -----------------------------------------------------------------------------


def _pending(buyer_id=None):
    stmt = (
        sa.select(SupplierMatch)
        .where(SupplierMatch.status == MatchStatus.PENDING)
        .order_by(SupplierMatch.created_at, SupplierMatch.id)
    )
    if buyer_id is not None:
        stmt = stmt.where(SupplierMatch.buyer_id == buyer_id)
    return db.session.execute(stmt).scalars().all()


def _line_totals(matches):
    """{match id: (lines, pence)} of each match's unmatched spend."""
    out = {}
    for m in matches:
        out[m.id] = db.session.execute(
            sa.select(
                sa.func.count(), sa.func.coalesce(sa.func.sum(SpendLine.amount_pence), 0)
            ).where(
                SpendLine.buyer_id == m.buyer_id,
                SpendLine.supplier_key == m.supplier_key,
                SpendLine.organisation_id.is_(None),
            )
        ).one()
    return out


@bp.route(BASE + "/review")
@login_required
def buyer_review(organisation_id):
    buyer = _buyer(organisation_id)
    if not permissions.may_review_matches(current_user, buyer.id):
        abort(403)
    matches = _pending(buyer.id)
    return render_template(
        "spend/review.html",
        buyer=buyer,
        matches=matches,
        totals=_line_totals(matches),
        form=ReviewForm(),
    )


@bp.route("/admin/spend/review")
@admin_required
def operator_review():
    matches = _pending()
    return render_template(
        "spend/review.html",
        buyer=None,
        matches=matches,
        totals=_line_totals(matches),
        form=ReviewForm(),
    )


@bp.route("/spend/matches/<int:match_id>", methods=["POST"])
@login_required
def decide_match(match_id):
    match = found(db.session.get(SupplierMatch, match_id))
    if not permissions.may_review_matches(current_user, match.buyer_id):
        abort(403)
    form = ReviewForm()
    back = (
        url_for("spend.operator_review")
        if request.form.get("from") == "operator" and permissions.is_operator(current_user)
        else url_for("spend.buyer_review", organisation_id=match.buyer_id)
    )
    if form.validate_on_submit():
        action = services.accept_match if form.decision.data == "accept" else services.reject_match
        try:
            lines = action(me(), match)
        except ServiceError as exc:
            refused(form, exc, "decision")
        else:
            flash(
                f"‘{match.supplier_name}’ is now counted as {match.organisation.display_name} "
                f"({lines} line{'' if lines == 1 else 's'})."
                if form.decision.data == "accept"
                else f"‘{match.supplier_name}’ is not {match.organisation.display_name}: its "
                "spend stays unclassified.",
                "success",
            )
            return redirect(back)
    matches = [match]
    return render_template(
        "spend/review.html",
        buyer=None if request.form.get("from") == "operator" else match.buyer,
        matches=matches,
        totals=_line_totals(matches),
        form=form,
        error_match_id=match.id,
    ), 400


# --- The buyer's area -----------------------------------------------------------------------------


@bp.route(BASE + "/area", methods=["GET", "POST"])
@login_required
def spend_area(organisation_id):
    buyer = _buyer(organisation_id)
    if not permissions.may_manage_spend(current_user, buyer.id):
        abort(403)
    codes = classify.area_codes(buyer)
    form = AreaForm(data={"area": codes[0] if codes else ""})
    if form.validate_on_submit():
        try:
            services.set_area(me(), buyer, [form.area.data] if form.area.data else [])
        except ServiceError as exc:
            refused(form, exc, "area", fields={"area_codes": "area"})
        else:
            flash("Your area is saved. The report counts local suppliers by it.", "success")
            return redirect(url_for("spend.buyer_spend", organisation_id=buyer.id))
    return render_template("spend/area.html", buyer=buyer, form=form)
