"""The demo's community wish list in West Yorkshire: a wish in every state a visitor should
meet (waiting, open, taken down with a reason, pledged, delivered), the pledges on the demo's
contracts, and nothing added by seeding again."""

import sqlalchemy as sa

from app.demo import seed
from app.extensions import db
from app.places import services as places
from app.places.models import Wish, WishStatus
from insight import demo as insight_demo
from lots.awards import pledges
from lots.awards.models import WishPledge


def _count(model):
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar()


def test_the_demo_has_wishes_in_every_state_and_seeding_again_adds_none(app, seeded_demo):
    result = seeded_demo
    place = places.place_by_slug("west-yorkshire")
    found = db.session.execute(sa.select(Wish).where(Wish.place_id == place.id)).scalars().all()
    by_status = {}
    for wish in found:
        by_status.setdefault(wish.status, []).append(wish)
    assert set(by_status) == {
        WishStatus.PENDING,
        WishStatus.OPEN,
        WishStatus.REJECTED,
        WishStatus.PLEDGED,
        WishStatus.DELIVERED,
    }
    assert by_status[WishStatus.REJECTED][0].rejection_reason
    delivered = pledges.delivered_in(place.id)
    assert [p.wish.title for p in delivered] == ["Volunteers to paint the community centre"]
    assert delivered[0].commitment.contract_id == delivered[0].contract_id
    assert "mo@gipton-lunch.example" in [a.email for a in result["accounts"]]
    before = (_count(Wish), _count(WishPledge))
    insight_demo.seed()
    seed()
    assert (_count(Wish), _count(WishPledge)) == before
