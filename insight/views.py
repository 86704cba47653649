"""The pages that read social value across contracts: the public list of places and each
place's page (with its CSV), and the dashboards. What they show is ``insight.reports``'."""

from decimal import ROUND_HALF_UP, Decimal

from flask import Blueprint, abort, g, render_template, request, session, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from app.downloads import csv_response
from app.extensions import db
from app.organisations.models import Organisation
from app.permissions import admin_required, is_admin, is_member
from app.places import services as places
from app.reference import geography
from app.web import found
from insight import reports
from lots.awards.returns import STANDINGS
from lots.awards.schedule import today

bp = Blueprint("insight", __name__)


def quantity(amount):
    """1250.00 -> "1,250"; 2.50 -> "2.5"; None -> "–"."""
    if amount is None:
        return "–"
    amount = Decimal(amount).quantize(Decimal("0.01"))
    text = f"{amount:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(value):
    """A share to the nearest whole percent, halves up (12.5 -> "13%")."""
    if value is None:
        return "–"
    return f"{Decimal(str(value)).quantize(Decimal(1), ROUND_HALF_UP)}%"


BAR = (
    '<svg class="app-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true"'
    ' focusable="false"><rect class="app-bar__track" width="100" height="10"></rect>'
    '<rect class="app-bar__fill" width="%.1f" height="10"></rect></svg>'
)


@bp.app_template_global("insight_bar")
def bar(value, most=100):
    """A bar of ``value`` out of ``most`` (clipped to 0-100%), drawn beside its figure: the
    figure is the text, the bar decoration (aria-hidden). In Python rather than a macro: a
    dashboard draws a few hundred."""
    width = 0 if not most or value is None else max(0, min(value * 100 / most, 100))
    return Markup(BAR % width)


@bp.app_template_global("insight_helpers")
def insight_helpers():
    return {"quantity": quantity, "percent": percent}


FRAGMENTS = reports.Kept("insight.fragments")
PAGES = reports.Kept("insight.pages", size=32)
NONCE_MARK = "<csp-nonce>"


def figures_html(template, report, **context):
    """The page's figures rendered from ``template``: kept under the report's key (with the
    rest of what the template is given) when the report was kept, so that a page read again
    with nothing changed renders only its frame."""
    if report.key is None:
        return Markup(render_template(template, report=report, **context))
    key = (template, report.key, tuple(sorted(context.items())))
    html = FRAGMENTS.get(key)
    if html is None:
        html = Markup(render_template(template, report=report, **context))
        FRAGMENTS.put(key, html)
    return html


def _place(slug):
    return found(places.place_by_slug(slug))


def place_report(place, breakdowns=reports.BREAKDOWNS, buyer_ids=None):
    if buyer_ids is None:
        buyer_ids = places.buyer_ids_in(place)
    return reports.report(
        buyer_ids=buyer_ids, measure_ids=place.priority_ids, breakdowns=breakdowns
    )


@bp.route("/places")
def list_places():
    return render_template("insight/places.html", places=places.all_places())


@bp.route("/places/<slug>")
def place_page(slug):
    place = _place(slug)
    councils = [
        geography.local_authority(c).name if geography.local_authority(c) else c
        for c in place.authority_codes
    ]
    buyers = places.buyers_in(place)
    # What the page shows: by buyer only.
    report = place_report(place, breakdowns={"buyer"}, buyer_ids=[b.id for b in buyers])
    # The whole page, for people who are not signed in (the same for all of them but its
    # nonce), kept under the report's key and all else the page shows.
    shared = report.key is not None and not current_user.is_authenticated
    shared = shared and not session.get("_flashes")
    key = (
        "place",
        request.script_root,
        request.full_path,
        report.key,
        (place.id, place.slug, place.name, place.description, tuple(councils)),
        tuple((b.id, b.display_name) for b in buyers),
    )
    if shared:
        kept = PAGES.get(key)
        if kept is not None:
            return kept.replace(NONCE_MARK, g.csp_nonce)
    html = render_template(
        "insight/place.html",
        place=place,
        councils=councils,
        buyers=buyers,
        report=report,
        figures_html=figures_html("insight/_place_figures.html", report, place_name=place.name),
        csv_href=url_for("insight.place_csv", slug=place.slug),
    )
    if shared and 'name="csrf_token"' not in html and NONCE_MARK not in html:
        PAGES.put(key, html.replace(g.csp_nonce, NONCE_MARK))
    return html


CSV_HEADER = (
    "Measure id",
    "Measure",
    "Unit",
    "How periods add up",
    "Breakdown",
    "Of",
    "Promised",
    "Delivered",
    "Contracts",
)


def report_rows(report, contracts=False):
    """The report's figures as CSV rows: each measure's total, by buyer, by supplier, by
    quarter, by council and where it landed (the same figures as the page's tables), and with
    ``contracts`` each contract's."""
    for m in report.measures:
        head = (m.measure.id, m.measure.name, m.measure.unit, m.measure.aggregation_label)
        yield (
            *head,
            "Total",
            "All contracts",
            m.total.promised,
            m.total.delivered,
            m.total.contracts,
        )
        for name, f in m.by_buyer:
            yield (*head, "Buyer", name, f.promised, f.delivered, f.contracts)
        for name, f in m.by_supplier:
            yield (*head, "Supplier", name, f.promised, f.delivered, f.contracts)
        for label, delivered in m.by_quarter:
            yield (*head, "Quarter", label, None, delivered, None)
        for name, delivered in m.by_council:
            yield (*head, "Council where it fell", name, None, delivered, None)
        if contracts:
            for row, f in m.by_contract:
                of = f"{row.title} ({row.buyer}; {row.supplier})"
                yield (*head, "Contract", of, f.promised, f.delivered, 1)
        if m.landing is not None:
            for part, label in LANDING_LABELS:
                yield (*head, "Where it landed", label, None, getattr(m.landing, part), None)


LANDING_LABELS = (
    ("most_deprived_10", "Most deprived 10% of neighbourhoods"),
    ("most_deprived_20", "Most deprived 20% of neighbourhoods"),
    ("neighbourhood_unknown", "Neighbourhood outside the indices shipped"),
    ("council_only", "Placed by council only"),
    ("not_placed", "Not placed"),
)


@bp.route("/places/<slug>.csv")
def place_csv(slug):
    place = _place(slug)
    return csv_response(
        f"social-value-{place.slug}", CSV_HEADER, list(report_rows(place_report(place)))
    )


@bp.app_template_global("landing_labels")
def landing_labels():
    return LANDING_LABELS


# --- Dashboards ---------------------------------------------------------------------------------

DASHBOARD_KINDS = {"buyer", "supplier"}


def _organisation(organisation_id):
    organisation = found(db.session.get(Organisation, organisation_id))
    if not (is_member(current_user, organisation.id) or is_admin(current_user)):
        abort(404)
    return organisation


def organisation_report(organisation):
    if organisation.is_buyer:
        return reports.report(buyer_ids=[organisation.id])
    return reports.report(supplier_id=organisation.id)


def standings(counts):
    """[(label, count, tag)] in the order a return moves through them."""
    labels = STANDINGS
    return [(labels[k].label, counts[k], labels[k].tag) for k in reports.STANDING_ORDER]


@bp.route("/organisations/<int:organisation_id>/social-value")
@login_required
def organisation_dashboard(organisation_id):
    organisation = _organisation(organisation_id)
    on = today()
    counts = (
        reports.return_counts(on, buyer_id=organisation.id)
        if organisation.is_buyer
        else reports.return_counts(on, supplier_id=organisation.id)
    )
    other = "Supplier" if organisation.is_buyer else "Buyer"
    report = organisation_report(organisation)
    return render_template(
        "insight/dashboard.html",
        organisation=organisation,
        heading=f"Social value: {organisation.display_name}",
        report=report,
        figures_html=figures_html(
            "insight/_dashboard_figures.html", report, breakdown="contract", other=other
        ),
        standings=standings(counts),
        places=places.places_of_buyer(organisation) if organisation.is_buyer else [],
        csv_href=url_for("insight.organisation_csv", organisation_id=organisation.id),
        returns_href=url_for("lots.organisation_returns", organisation_id=organisation.id),
    )


@bp.route("/organisations/<int:organisation_id>/social-value.csv")
@login_required
def organisation_csv(organisation_id):
    organisation = _organisation(organisation_id)
    rows = list(report_rows(organisation_report(organisation), contracts=True))
    return csv_response(f"social-value-{organisation.id}", CSV_HEADER, rows)


@bp.route("/admin/social-value")
@admin_required
def operator_dashboard():
    report = reports.report(breakdowns={"buyer"})  # what the page shows
    return render_template(
        "insight/dashboard.html",
        organisation=None,
        heading="Social value across the DPS",
        report=report,
        figures_html=figures_html("insight/_dashboard_figures.html", report, breakdown="buyer"),
        standings=standings(reports.return_counts(today())),
        places=places.all_places(),
        csv_href=url_for("insight.operator_csv"),
        returns_href=None,
    )


@bp.route("/admin/social-value.csv")
@admin_required
def operator_csv():
    return csv_response("social-value-dps", CSV_HEADER, list(report_rows(reports.report())))
