"""The spend pages: a buyer's report, its spend files (upload, columns, progress, rows left out),
the review queue of likely matches, its area; and the operator's report and review queue for the
whole DPS. Thin: parse the form, call one service, render or redirect."""

import io

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
from app.places import services as places
from app.reference import deprivation, geography
from app.web import found, me, refused
from spend import (
    classify,
    downloads,
    gaps,
    integrity,
    parsing,
    permissions,
    presenting,
    reports,
    services,
)
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
    return _report_page(_buyer(organisation_id))


@bp.route("/admin/spend")
@admin_required
def operator_spend():
    return _report_page(None)


def _report_of(buyer, only=None):
    return reports.report(
        [buyer.id] if buyer else None, year=_year_arg(), source=_source_arg(), only=only
    )


def _download_url(buyer, report, table, fmt="csv"):
    args = {"table": table, "fmt": fmt, "year": report.year, "source": _source_arg()}
    if buyer is None:
        return url_for("spend.operator_spend_download", **args)
    return url_for("spend.buyer_spend_download", organisation_id=buyer.id, **args)


def _report_page(buyer):
    """A buyer's report (``buyer``) or the whole DPS's (None)."""
    report = _report_of(buyer)
    pending = sa.select(sa.func.count()).select_from(SupplierMatch)
    pending = pending.where(SupplierMatch.status == MatchStatus.PENDING)
    if buyer is not None:
        pending = pending.where(SupplierMatch.buyer_id == buyer.id)
    found_gaps = (
        gaps.find_gaps(report, gaps.lot_offers(buyer), current_app.config["SPEND_GAP_MIN_PENCE"])
        if buyer is not None and report.year is not None
        else []
    )

    def year_url(year):
        if buyer is None:
            return url_for("spend.operator_spend", year=year, source=_source_arg())
        return url_for(
            "spend.buyer_spend", organisation_id=buyer.id, year=year, source=_source_arg()
        )

    return render_template(
        "spend/report.html",
        buyer=buyer,
        report=report,
        gaps=found_gaps,
        source=_source_arg(),
        pending=db.session.execute(pending).scalar_one(),
        area=[geography.local_authority(c) for c in classify.area_codes(buyer)] if buyer else [],
        may_manage=buyer is not None and permissions.may_manage_spend(current_user, buyer.id),
        may_review=buyer is None or permissions.may_review_matches(current_user, buyer.id),
        csv_url=lambda table: _download_url(buyer, report, table, "csv"),
        xlsx_url=lambda table: _download_url(buyer, report, table, "xlsx"),
        year_url=year_url,
        places=places.all_places() if buyer is None else [],
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
        "percent": presenting.percent,
        "share_rows": presenting.share_rows,
        "supplier_rows": presenting.supplier_rows,
    }


SOURCE_CHOICES = [
    (SpendSource.DPS_CONTRACT, "Contracts awarded through the DPS"),
    (SpendSource.UPLOAD, "The buyers' spend files"),
]


def _writer(out):
    return downloads.safe_writer(out)


# Every table of the report downloads, as CSV and as XLSX.
DOWNLOADS = "years,quarters,categories,departments,lots,suppliers,trend,gaps"
TABLE_ROUTE = f"/<any({DOWNLOADS}):table>.<any(csv,xlsx):fmt>"


# The tables of the report a download needs: the years always (the trend is of them), the
# categories for the gaps.
DOWNLOAD_NEEDS = {"trend": (), "years": (), "gaps": ("categories",)}


def _report_download(buyer, table, fmt):
    if table == "gaps" and buyer is None:
        abort(404)
    report = _report_of(buyer, only=DOWNLOAD_NEEDS.get(table, (table,)))
    found_gaps = []
    if table == "gaps":
        found_gaps = gaps.find_gaps(
            report, gaps.lot_offers(buyer), current_app.config["SPEND_GAP_MIN_PENCE"]
        )
    rows = downloads.table_rows(report, table, found_gaps)
    suffix = (
        ""
        if table in ("years", "trend")
        else f"-{reports.year_label(report.year)}"
        if report.year
        else ""
    )
    stem = f"{'spend' if buyer else 'dps-spend'}-{table}{suffix}"
    return downloads.response(rows, stem, fmt, reports.TABLES.get(table, table.title()))


@bp.route(BASE + TABLE_ROUTE)
@login_required
def buyer_spend_download(organisation_id, table, fmt):
    return _report_download(_buyer(organisation_id), table, fmt)


@bp.route("/admin/spend" + TABLE_ROUTE)
@admin_required
def operator_spend_download(table, fmt):
    return _report_download(None, table, fmt)


# --- A place's buyers side by side -------------------------------------------------------------


def _place_spend(slug):
    place = found(places.place_by_slug(slug))
    return place, reports.by_buyer(places.buyer_ids_in(place), _year_arg(), _source_arg())


@bp.route("/admin/spend/places/<slug>")
@admin_required
def place_spend(slug):
    place, place_spend = _place_spend(slug)
    args = {"slug": place.slug, "year": place_spend.year, "source": _source_arg()}
    return render_template(
        "spend/place.html",
        place=place,
        place_spend=place_spend,
        source=_source_arg(),
        year_url=lambda year: url_for(
            "spend.place_spend", slug=place.slug, year=year, source=_source_arg()
        ),
        csv_url=url_for("spend.place_spend_download", fmt="csv", **args),
        xlsx_url=url_for("spend.place_spend_download", fmt="xlsx", **args),
        **_report_helpers(),
    )


@bp.route("/admin/spend/places/<slug>.<any(csv,xlsx):fmt>")
@admin_required
def place_spend_download(slug, fmt):
    place, place_spend = _place_spend(slug)
    suffix = f"-{reports.year_label(place_spend.year)}" if place_spend.year else ""
    return downloads.response(
        downloads.place_rows(place_spend), f"spend-{place.slug}{suffix}", fmt, "Buyers"
    )


# --- Integrity flags ------------------------------------------------------------------------------


@bp.route("/admin/integrity")
@admin_required
def integrity_flags():
    return render_template(
        "spend/integrity.html", flags=integrity.all_flags(), kinds=integrity.KINDS
    )


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
