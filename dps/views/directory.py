"""The public directory of admitted suppliers: search, filters in the web address, and a profile
page for each supplier that holds a lot. Open to everyone, signed in or not."""

import math
import re

from flask import render_template, request, url_for

from app.downloads import csv_response
from app.forms import optional_id
from app.organisations.models import STAFF_BAND_LABELS, SUPPLIER_TYPE_LABELS, TURNOVER_BAND_LABELS
from app.reference import geography
from app.urls import absolute_url_of
from app.web import found
from dps import queries
from dps.blueprint import bp
from dps.models import RESERVED_LABELS

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _int_arg(name):
    return optional_id(request.args.get(name))


def _area(organisation):
    """'Leeds, Yorkshire and The Humber': the supplier's council area and region, by name."""
    return geography.area_name(organisation.local_authority_code, organisation.region_code)


def _pagination(page, pages, args):
    """The GOV.UK pagination component's parameters: numbers around this page, first and last."""
    if pages <= 1:
        return None

    def href(number):
        return url_for("dps.directory", page=number, **args)

    items, last = [], 0
    for number in range(1, pages + 1):
        if number in (1, pages) or abs(number - page) <= 1:
            if number - last > 1:
                items.append({"ellipsis": True})
            items.append({"number": number, "href": href(number), "current": number == page})
            last = number
    pagination = {"items": items}
    if page > 1:
        pagination["previous"] = {"href": href(page - 1)}
    if page < pages:
        pagination["next"] = {"href": href(page + 1)}
    return pagination


def _filters():
    """The directory's filters from the web address, anything unknown left out."""
    return queries.directory_filters(
        q=_CONTROL.sub(" ", request.args.get("q", "")),
        lot_id=_int_arg("lot"),
        region=request.args.get("region", ""),
        local_authority=request.args.get("local_authority", ""),
        supplier_type=request.args.get("type", ""),
        vcse_only=request.args.get("vcse") == "1",
    )


def _link_args():
    """The page's parameters as given, without the page number."""
    return {key: value for key, value in request.args.items() if key != "page" and value}


@bp.route("/suppliers")
def directory():
    filters = _filters()
    page = max(_int_arg("page") or 1, 1)
    organisations, total = queries.directory(page=page, **filters)
    pages = max(math.ceil(total / queries.PAGE_SIZE), 1)
    if page > pages:
        page = pages
        organisations, total = queries.directory(page=page, **filters)
    ids = [o.id for o in organisations]
    args = _link_args()
    return render_template(
        "dps/directory_search.html",
        organisations=organisations,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        pagination=_pagination(page, pages, args),
        link_args=args,
        first=(page - 1) * queries.PAGE_SIZE + 1,
        lots_held=queries.lots_held_by(ids),
        vcse=queries.vcse_among(ids),
        areas={o.id: _area(o) for o in organisations},
        lots=queries.all_lots(),
        dps_count=len(queries.all_dps()),
        regions=geography.regions(),
        local_authorities=geography.local_authorities(),
        type_labels=SUPPLIER_TYPE_LABELS,
        staff_labels=STAFF_BAND_LABELS,
        any_filter=any(value for value in filters.values()),
    )


# What the download shows of each supplier: what its directory profile shows, and no more (its
# address and postcode never; its website only if it chose to show it; the contact details it
# chose to give the directory).
CSV_HEADER = (
    "Name",
    "Trading name",
    "Type",
    "VCSE",
    "Area",
    "Paid staff",
    "Annual turnover",
    "Charity number",
    "Company number",
    "Email",
    "Phone",
    "Website",
    "Lots",
    "About",
    "Profile",
)


@bp.route("/suppliers.csv")
def directory_csv():
    """Every supplier the directory lists for these filters, not one page."""
    filters = _filters()
    profile = absolute_url_of("dps.supplier_profile", "organisation_id")

    def rows():
        for batch in queries.every_listed_supplier(**filters):
            ids = [o.id for o in batch]
            lots_held, vcse = queries.lots_held_by(ids), queries.vcse_among(ids)
            for o in batch:
                yield (
                    o.name,
                    o.trading_name,
                    o.type_label,
                    o.id in vcse,
                    _area(o),
                    STAFF_BAND_LABELS.get(o.staff_band),
                    TURNOVER_BAND_LABELS.get(o.turnover_band),
                    o.charity_number,
                    o.company_number,
                    o.directory_email,
                    o.directory_phone,
                    o.website if o.directory_show_website else None,
                    "; ".join(f"{lot.label} ({lot.dps.name})" for lot in lots_held[o.id]),
                    o.description,
                    profile(o.id),
                )

    return csv_response("suppliers", CSV_HEADER, rows())


@bp.route("/suppliers/<int:organisation_id>")
def supplier_profile(organisation_id):
    organisation = found(queries.listed_supplier(organisation_id))
    by_dps = {}
    for lot in queries.lots_held(organisation.id):
        by_dps.setdefault(lot.dps, []).append(lot)
    return render_template(
        "dps/directory_profile.html",
        organisation=organisation,
        by_dps=by_dps,
        area=_area(organisation),
        is_vcse=bool(queries.vcse_among([organisation.id])),
        staff_label=STAFF_BAND_LABELS.get(organisation.staff_band),
        turnover_label=TURNOVER_BAND_LABELS.get(organisation.turnover_band),
        reserved_labels=RESERVED_LABELS,
    )
