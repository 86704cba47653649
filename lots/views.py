"""Opportunity pages. (Public search and page; buyers' and suppliers' pages are being built.)"""
import math

import sqlalchemy as sa

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from app.reference import cpv, geography
from dps.models import Lot
from lots import search

from app.extensions import db
from app.permissions import membership
from lots.models import Opportunity, OpportunityStatus
from lots.services import clarifications
from lots.permissions import has_buyer_role

bp = Blueprint("lots", __name__)

PUBLIC_STATUSES = (OpportunityStatus.PUBLISHED, OpportunityStatus.AWARDED,
                   OpportunityStatus.CANCELLED, OpportunityStatus.NO_SUITABLE_BID)


@bp.route("/opportunities/<int:opportunity_id>")
def view_opportunity(opportunity_id):
    opportunity = db.session.get(Opportunity, opportunity_id)
    if opportunity is None:
        abort(404)
    is_buyer = has_buyer_role(current_user, opportunity.buyer_id, "buyer")
    if opportunity.status not in PUBLIC_STATUSES and not is_buyer:
        abort(404)
    return render_template("lots/opportunity.html", opportunity=opportunity,
                           clarifications=clarifications.visible_to(opportunity.id,
                                                                    buyer=is_buyer))


@bp.route("/opportunities")
def find_opportunities():
    filters = search.parse(request.args)
    rows, total = search.search(filters)
    pages = max(math.ceil(total / search.PAGE_SIZE), 1)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    pagination = {}
    if filters.page > 1:
        pagination["previous"] = {"href": url_for("lots.find_opportunities",
                                                  page=filters.page - 1, **args)}
    if filters.page < pages:
        pagination["next"] = {"href": url_for("lots.find_opportunities",
                                              page=filters.page + 1, **args)}
    lots = db.session.execute(sa.select(Lot).order_by(Lot.dps_id, Lot.number)).scalars().all()
    return render_template(
        "lots/find.html", filters=filters, results=rows, total=total, pagination=pagination,
        closes_in_words=search.closes_in_words, page_count=pages,
        lot_items=_items([(lot.id, lot.label) for lot in lots], filters.lot_id, "Any lot"),
        cpv_items=_items([(d.division, d.description) for d in cpv.divisions()],
                         filters.cpv_division, "Any category"),
        region_items=_items([(r.code, r.name) for r in geography.regions()],
                            filters.region_code, "Anywhere in the UK"),
        la_items=_items([(la.code, la.name) for la in sorted(geography.local_authorities(),
                                                             key=lambda la: la.name)],
                        filters.local_authority_code, "Any local authority"),
        sort_items=_items(list(search.SORTS.items()), filters.sort, None))


def _items(pairs, selected, empty):
    items = [{"value": "", "text": empty}] if empty else []
    items += [{"value": value, "text": text, "selected": str(value) == str(selected)}
              for value, text in pairs]
    return items


__all__ = ["membership"]
