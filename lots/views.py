"""Opportunity pages. (The public page; buyers' and suppliers' pages are being built.)"""
from flask import Blueprint, abort, render_template
from flask_login import current_user

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


__all__ = ["membership"]
