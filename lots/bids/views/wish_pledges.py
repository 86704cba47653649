"""A bid's pledges against community wishes: part of its social value commitments, sealed with
it. The rules are ``lots.bids.pledges``'."""

from flask import abort
from flask_login import login_required

from app.places.models import WISH_STATUS_LABELS
from app.reference import geography, social_value
from app.web import me
from lots.bids import pledges
from lots.bids.forms import wish_pledge_form
from lots.bids.views.bidder import bidder
from lots.bids.views.sections import _section_page
from lots.blueprint import bp


def council_name(code):
    la = geography.local_authority(code)
    return la.name if la else code


@bp.route("/opportunities/<int:opportunity_id>/bid/wishes", methods=["GET", "POST"])
@login_required
def bid_wish_pledges(opportunity_id):
    who = bidder(opportunity_id)
    offered = pledges.offered(who.bid)
    if not offered:
        abort(404)
    form = wish_pledge_form(offered, who.bid)
    return _section_page(
        who,
        form,
        "lots/bid_wish_pledges.html",
        lambda f: pledges.save_pledges(me(), who.bid, f.values()),
        f"wish-{offered[0].id}",
        next_endpoint="lots.bid_partners",
        wishes=offered,
        measure=social_value.get,
        council=council_name,
        committed=who.bid.social_value or {},
        labels=WISH_STATUS_LABELS,
    )
