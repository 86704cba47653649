"""Pledging to community wishes on a bid's pages: offered after the social value commitments
when the buyer's place has open wishes in a measure the call-off asks for, an over-pledge refused
in the error summary with what was typed kept, the check page linking to it, and the task list
counting the pledges."""

import pytest

from app.extensions import db
from app.places import services as places
from app.places import wishes
from lots.bids import services as bids
from lots.bids import submitting
from tests.lots.bidding import bidding_world, complete_bid
from tests.lots.helpers import supplier
from tests.lots.pages import error_links, input_value, soup

OWNER = "owner1@supplier1.example"
WISH = {
    "title": "Volunteers to paint the community centre",
    "description": "Two coats in the hall and kitchen.",
    "measure": "SV-COM-01",
    "quantity": "30",
    "local_authority_code": "LDS",
    "area": "Gipton Community Centre",
    "contact_name": "Mo Ahmed",
    "contact_email": "mo@gipton.example",
}


@pytest.fixture
def bw(app):
    w = bidding_world(social_value_measures=["SV-COM-01"])
    w.buyer.local_authority_code = "LDS"
    db.session.commit()
    place = places.create_place(w.admin, "West Yorkshire", "West Yorkshire")
    group_user, group = supplier("Gipton Community Centre Group", "mo@gipton.example")
    w.wish = wishes.post_wish(group_user, group, place, WISH)
    wishes.approve_wish(w.admin, w.wish)
    return w


def test_a_bidder_pledges_to_a_wish_after_its_commitments(bw, person):
    user, org = bw.suppliers[0]
    bid = complete_bid(user, org, bw.opportunity, jobs="20")
    o = bw.opportunity
    me = person(OWNER)
    saved = me.post(f"/opportunities/{o.id}/bid/social-value", {"social-value-SV-COM-01": "20"})
    assert saved.headers["Location"].endswith(f"/opportunities/{o.id}/bid/wishes")
    page = me.get(f"/opportunities/{o.id}/bid/wishes")
    assert "Gipton Community Centre Group" in page.get_data(as_text=True)
    field = f"wish-{bw.wish.id}"
    refused = me.post(f"/opportunities/{o.id}/bid/wishes", {field: "25"})
    assert error_links(refused) == [f"#{field}"]
    assert input_value(refused, field) == "25"
    assert "more than the 20 you commit to" in soup(refused).select_one(".govuk-error-summary").text
    ok = me.post(f"/opportunities/{o.id}/bid/wishes", {field: "15"})
    assert ok.headers["Location"].endswith(f"/opportunities/{o.id}/bid/partners")
    db.session.refresh(bid)
    assert bid.wish_pledges == {str(bw.wish.id): "15"}
    overview = me.get(f"/opportunities/{o.id}/bid").get_data(as_text=True)
    assert "Pledges to community wishes" in overview and "1 made" in overview

    # Lowering the commitment below the pledge is caught at the check, linked to the pledge.
    bids.save_draft(user, bid, social_value={"SV-COM-01": "10"})
    assert field in submitting.problems(bid)
    check = me.get(f"/opportunities/{o.id}/bid/check")
    hrefs = [a["href"] for a in soup(check).select(".govuk-error-summary__list a")]
    assert f"/opportunities/{o.id}/bid/wishes#{field}" in hrefs
    pledged = soup(check).find(id="check-wish-pledges").text
    assert "Volunteers to paint the community centre" in pledged and "15 hours" in pledged


def test_no_wishes_page_without_a_wish_to_pledge_to(bw, person):
    user, org = bw.suppliers[0]
    complete_bid(user, org, bw.opportunity)
    wishes.withdraw_wish(bw.wish.organisation.memberships[0].user, bw.wish)
    me = person(OWNER)
    assert me.get(f"/opportunities/{bw.opportunity.id}/bid/wishes").status_code == 404
    saved = me.post(
        f"/opportunities/{bw.opportunity.id}/bid/social-value", {"social-value-SV-COM-01": "2"}
    )
    assert saved.headers["Location"].endswith("/bid/partners")
