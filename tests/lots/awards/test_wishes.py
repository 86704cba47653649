"""A community wish from posting to delivered through a bid: a group posts a need in a place,
the operator approves it, two bidders pledge to it in their social value commitments (sealed
with their bids), the winner's pledge becomes part of the contract's commitment, and the group
confirms delivery. Every step is audited; losing pledges are never recorded or shown."""

from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.outbox.models import OutboxMessage
from app.outbox.rendering import render_email
from app.places import services as places
from app.places import wishes
from app.places.models import WishStatus
from lots.awards import pledges as won
from lots.awards import queries as award_queries
from lots.awards.models import WishPledge
from lots.bids import pledges, submitting
from tests.lots.awards.helpers import award_to_first
from tests.lots.bidding import bidding_world, complete_bid
from tests.lots.helpers import supplier
from tests.reading import audit_events

DETAILS = {
    "title": "Volunteers to paint the community centre",
    "description": "The main hall and kitchen need two coats before the winter lunch club.",
    "measure": "SV-COM-01",
    "quantity": "30",
    "local_authority_code": "LDS",
    "area": "Gipton Community Centre",
    "contact_name": "Mo Ahmed",
    "contact_email": "Mo@Gipton.example",
    "contact_phone": "0113 496 0456",
}


@pytest.fixture
def world(app):
    w = bidding_world(social_value_measures=["SV-COM-01", "SV-EMP-01"])
    w.buyer.local_authority_code = "LDS"
    db.session.commit()
    w.place = places.create_place(w.admin, "West Yorkshire", "West Yorkshire")
    # A community group that registered only to post wishes: not admitted to any lot.
    w.group_user, w.group = supplier("Gipton Community Centre Group", "mo@gipton.example")
    return w


def _award_to_first(w):
    """Evaluate, award to the first supplier and enter the contract (no standstill)."""
    award_to_first(w)
    return award_queries.contract_of(w.opportunity.id)


def test_a_wish_from_posting_to_delivered_through_a_bid(world):
    w = world
    wish = wishes.post_wish(w.group_user, w.group, w.place, DETAILS)
    assert wish.status == WishStatus.PENDING and wish.contact_email == "mo@gipton.example"
    # Nobody may pledge to it, and the public does not see it, until the operator approves.
    assert wishes.offered_to(w.buyer, ["SV-COM-01"]) == []
    assert not wishes.may_see(None, wish)
    wishes.approve_wish(w.admin, wish)
    assert wish.status == WishStatus.OPEN and wishes.may_see(None, wish)
    assert wishes.offered_to(w.buyer, ["SV-COM-01"]) == [wish]
    assert wishes.offered_to(w.buyer, ["SV-EMP-01"]) == []  # not its measure

    (u1, s1), (u2, s2) = w.suppliers
    w.bids = [complete_bid(u1, s1, w.opportunity, jobs="50")]
    w.bids.append(complete_bid(u2, s2, w.opportunity, jobs="20"))
    # More than the bid commits to for the measure is refused, naming the wish's box.
    with pytest.raises(ServiceError) as exc:
        pledges.save_pledges(u2, w.bids[1], {str(wish.id): "25"})
    assert exc.value.field == f"wish-{wish.id}" and "more than the 20" in str(exc.value)
    # More than the wish wants is refused too.
    with pytest.raises(ServiceError) as exc:
        pledges.save_pledges(u1, w.bids[0], {str(wish.id): "31"})
    assert "at most 30" in str(exc.value)
    pledges.save_pledges(u1, w.bids[0], {str(wish.id): "30"})
    pledges.save_pledges(u2, w.bids[1], {str(wish.id): "20"})
    for (user, _org), bid in zip(w.suppliers, w.bids):
        submission = submitting.submit(user, bid, conditions_confirmed=True)
        assert submission.snapshot["wish_pledges"] == {
            str(wish.id): str(bid.wish_pledges[str(wish.id)])
        }
    # Sealed: before the award nothing is pledged as far as the group or the public can tell.
    db.session.refresh(wish)
    assert wish.pledged == 0 and won.pledges_for([wish.id]) == {}

    contract = _award_to_first(w)
    db.session.refresh(wish)
    pledge = won.pledges_for([wish.id])[wish.id]
    assert [(p.contract_id, p.quantity) for p in pledge] == [(contract.id, Decimal("30"))]
    assert pledge[0].commitment.measure_id == "SV-COM-01" and pledge[0].commitment.promised == 50
    assert wish.status == WishStatus.PLEDGED and wish.pledged == 30 and wish.outstanding == 0
    # The loser's pledge is nowhere.
    assert db.session.execute(sa.select(sa.func.count()).select_from(WishPledge)).scalar() == 1
    told = db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.template == "wish_pledged")
    ).scalar_one()
    assert told.recipient == "mo@gipton.example"
    subject, body, _html = render_email("wish_pledged", told.personalisation)
    assert subject == f"A pledge to your wish: {DETAILS['title']}"
    assert "Supplier 1 CIC has won a contract with Leeds City Council and pledged 30 hours" in body
    # A fully pledged wish is no longer offered, and can no longer be withdrawn or taken down.
    assert wishes.offered_to(w.buyer, ["SV-COM-01"]) == []
    with pytest.raises(ServiceError):
        wishes.withdraw_wish(w.group_user, wish)

    # Only the group confirms delivery, once.
    with pytest.raises(NotAllowed):
        won.confirm_delivered(u1, pledge[0], "Done")
    won.confirm_delivered(w.group_user, pledge[0], "Two coats, hall and kitchen")
    db.session.refresh(wish)
    assert wish.status == WishStatus.DELIVERED and wish.delivered == 30
    assert [p.wish_id for p in won.delivered_in(w.place.id)] == [wish.id]
    with pytest.raises(ServiceError):
        won.confirm_delivered(w.group_user, pledge[0])

    events = [e.event_type for e in audit_events() if "wish" in e.event_type]
    assert events == [
        "post_wish",
        "approve_wish",
        "pledge_to_wishes",
        "pledge_to_wishes",
        "win_wish_pledge",
        "confirm_wish_delivered",
    ]


def test_a_pledge_to_a_wish_withdrawn_before_submission_stops_the_submission(world):
    w = world
    wish = wishes.post_wish(w.group_user, w.group, w.place, DETAILS)
    wishes.approve_wish(w.admin, wish)
    (u1, s1), _ = w.suppliers
    bid = complete_bid(u1, s1, w.opportunity, jobs="50")
    pledges.save_pledges(u1, bid, {str(wish.id): "10"})
    wishes.withdraw_wish(w.group_user, wish)
    with pytest.raises(submitting.BidIncomplete) as exc:
        submitting.submit(u1, bid, conditions_confirmed=True)
    assert exc.value.problems[f"wish-{wish.id}"].endswith("no longer open for pledges")
    pledges.save_pledges(u1, bid, {str(wish.id): ""})  # taken out: a blank is no pledge
    assert (
        submitting.submit(u1, bid, conditions_confirmed=True).snapshot.get("wish_pledges") is None
    )


def test_a_bid_without_pledges_keeps_the_hash_it_had_before_wishes(world):
    (u1, s1), _ = world.suppliers
    bid = complete_bid(u1, s1, world.opportunity)
    assert "wish_pledges" not in submitting.snapshot_of(bid)


def test_the_operator_moderates_and_the_group_is_told(world):
    w = world
    wish = wishes.post_wish(w.group_user, w.group, w.place, {**DETAILS, "title": "Raffle prizes"})
    with pytest.raises(NotAllowed):
        wishes.approve_wish(w.group_user, wish)
    with pytest.raises(ServiceError) as exc:
        wishes.reject_wish(w.admin, wish, "  ")
    assert exc.value.field == "reason"
    wishes.reject_wish(w.admin, wish, "Raffle prizes are not social value from a contract")
    assert wish.status == WishStatus.REJECTED and not wishes.may_see(None, wish)
    assert wishes.may_see(w.group_user, wish)
    with pytest.raises(ServiceError):
        wishes.approve_wish(w.admin, wish)
    told = db.session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.template == "wish_moderated")
    ).scalar_one()
    assert told.personalisation["approved"] is False
    subject, body, _html = render_email("wish_moderated", told.personalisation)
    assert subject == "Your wish was not approved: Raffle prizes"
    assert "The reason: Raffle prizes are not social value from a contract" in body


@pytest.mark.parametrize(
    "change, field",
    [
        ({"title": ""}, "title"),
        ({"title": "Paint\u202e the hall"}, "title"),  # hidden formatting is refused
        ({"contact_name": "Mo\u200b Ahmed"}, "contact_name"),
        ({"description": ""}, "description"),
        ({"measure": "SV-FW-01"}, "measure"),  # a percentage is not a quantity to ask for
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "2.5", "measure": "SV-EMP-02"}, "quantity"),  # people are whole
        ({"local_authority_code": "MAN"}, "council"),  # not in West Yorkshire
        ({"area": ""}, "area"),
        ({"contact_name": ""}, "contact_name"),
        ({"contact_email": "mo at gipton"}, "contact_email"),
        ({"contact_phone": "call me"}, "contact_phone"),
    ],
)
def test_a_wish_says_what_is_wrong_with_it(world, change, field):
    with pytest.raises(ServiceError) as exc:
        wishes.post_wish(world.group_user, world.group, world.place, {**DETAILS, **change})
    assert exc.value.field == field


def test_only_members_post_for_an_organisation(world):
    (u1, _s1), _ = world.suppliers
    with pytest.raises(NotAllowed):
        wishes.post_wish(u1, world.group, world.place, DETAILS)
