"""The pipeline in the service layer on PostgreSQL: the 18-month window, interest by kind of
supplier, the places of an engagement event (one UPDATE that never passes the capacity, even
for two bookings of the last place at once), and a call-off drafted from an item."""

import threading

import pytest
import sqlalchemy as sa
import time_machine

from app.accounts.models import User
from app.audit.models import AuditEvent
from app.errors import Conflict, NotAllowed, ServiceError
from app.extensions import db
from app.organisations.models import Membership, Organisation, Role
from lots.opportunities.models import Opportunity, OpportunityStatus
from lots.pipeline import queries
from lots.pipeline import services as pipeline
from lots.pipeline.models import BidIntent, EngagementEvent, EventBooking, PipelineInterest
from tests.factories import make_user
from tests.lots.helpers import setup_world, supplier
from tests.lots.pipeline.helpers import NOW, add_event, list_item


@pytest.fixture
def world(app):
    return setup_world()


@pytest.mark.parametrize(
    "year, quarter, allowed",
    [
        (2026, 3, False),  # ended on 30 September 2026
        (2026, 4, True),  # this quarter
        (2028, 2, True),  # starts 1 April 2028, within 18 months of 3 December 2026
        (2028, 3, False),  # starts 1 July 2028, after 3 June 2028
    ],
)
def test_the_18_month_window(world, year, quarter, allowed):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        assert ((year, quarter) in pipeline.quarters_open(NOW.date())) == allowed
        if allowed:
            item = list_item(user, buyer, lots[0], expected_year=year, expected_quarter=quarter)
            assert item.published_at == NOW
        else:
            with pytest.raises(ServiceError) as refused:
                list_item(user, buyer, lots[0], expected_year=year, expected_quarter=quarter)
            assert refused.value.field == "expected"


def test_the_window_follows_configuration(world, app):
    admin, dps, lots, user, buyer = world
    app.config["PIPELINE_MONTHS"] = 6
    with time_machine.travel(NOW, tick=False):
        assert pipeline.quarters_open(NOW.date())[-1] == (2027, 2)  # starts 1 April 2027
        with pytest.raises(ServiceError, match="next 6 months"):
            list_item(user, buyer, lots[0], expected_year=2027, expected_quarter=3)


def test_only_the_buyer_role_lists_and_each_listing_is_audited(world):
    admin, dps, lots, user, buyer = world
    outsider, other = supplier("Outsider CIC", "out@out.example")
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(NotAllowed):
            list_item(outsider, buyer, lots[0])
        item = list_item(user, buyer, lots[0])
    events = db.session.execute(
        sa.select(AuditEvent.event_type).where(AuditEvent.subject_type == "pipeline_items")
    ).scalars()
    assert list(events) == ["add_pipeline_item"]
    assert queries.listed()[1] == 1 and queries.items_of_lot(lots[0].id) == [item]


def test_interest_is_registered_once_per_organisation_and_its_intent_can_change(world):
    admin, dps, lots, user, buyer = world
    owner, org = supplier("Kind Hearts CIC", "k@kind.example")
    with time_machine.travel(NOW, tick=False):
        item = list_item(user, buyer, lots[0])
        pipeline.register_interest(owner, org, item)
        pipeline.register_interest(owner, org, item, "lead")
        with pytest.raises(NotAllowed):
            pipeline.register_interest(user, buyer, item)  # a buyer is not a supplier
        with pytest.raises(ServiceError, match="how you would expect to bid"):
            pipeline.register_interest(owner, org, item, "sideways")
    [interest] = db.session.execute(sa.select(PipelineInterest)).scalars()
    assert (interest.organisation_id, interest.intent) == (org.id, BidIntent.LEAD)


def test_interest_by_kind_of_supplier(app):
    """VCSE by the directory's rule, SME by its bands, local to the buyer's own area (Leeds), and
    in a deprived area (deciles 1 and 2) by its postcode: the classification spend uses."""
    from tests.spend.helpers import make_world

    world = make_world()
    with time_machine.travel(NOW, tick=False):
        item = list_item(world.buyer_user, world.buyer, world.lots[0])
    intents = {world.vcse: "lead", world.large: "alone", world.sme: "consortium"}
    for org, intent in intents.items():
        db.session.add(
            PipelineInterest(item_id=item.id, organisation_id=org.id, intent=BidIntent(intent))
        )
    db.session.commit()

    analysis = pipeline.interest_analysis(item)
    assert (analysis.total, analysis.vcse, analysis.sme, analysis.local, analysis.deprived) == (
        3,
        1,
        2,
        1,
        2,
    )
    kinds = {interest.organisation_id: kind for interest, kind in analysis.rows}
    assert kinds[world.vcse.id].vcse and kinds[world.vcse.id].local
    # Bradford's BD6 2 sector is decile 2: deprived, though not local to Leeds.
    assert kinds[world.large.id].sme is False and kinds[world.large.id].local is False
    assert kinds[world.large.id].deprived_20 and not kinds[world.sme.id].deprived_20
    assert kinds[world.sme.id].vcse is False and kinds[world.sme.id].sme
    assert analysis.intents == {
        BidIntent.ALONE: 1,
        BidIntent.LEAD: 1,
        BidIntent.CONSORTIUM: 1,
        BidIntent.UNDECIDED: 0,
    }


def _interested(item, n):
    people = []
    for i in range(n):
        owner, org = supplier(f"Supplier {i} CIC", f"s{i}@s{i}.example")
        pipeline.register_interest(owner, org, item)
        people.append((owner, org))
    return people


def test_an_event_never_takes_more_bookings_than_its_places(world):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        item = list_item(user, buyer, lots[0])
        (a, a_org), (b, b_org), (c, c_org) = _interested(item, 3)
        outsider, outsider_org = supplier("Not Interested CIC", "n@n.example")
        event = add_event(user, item, capacity=2)
        pipeline.book_place(a, a_org, event)
        with pytest.raises(Conflict, match="already booked"):
            pipeline.book_place(a, a_org, event)
        with pytest.raises(NotAllowed, match="Register your organisation"):
            pipeline.book_place(outsider, outsider_org, event)
        pipeline.book_place(b, b_org, event)
        with pytest.raises(Conflict, match="no places left"):
            pipeline.book_place(c, c_org, event)
        pipeline.cancel_booking(a, queries.booking_of(event.id, a.id))
        pipeline.book_place(c, c_org, event)
    db.session.expire_all()
    assert (event.booked, event.places_left) == (2, 0)
    booked = db.session.execute(sa.select(EventBooking.user_id)).scalars().all()
    assert sorted(booked) == sorted([b.id, c.id])


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"place": None, "link": None}, "place"),
        ({"place": None, "link": "meet.example/abc"}, "link"),
        ({"capacity": 0}, "capacity"),
        ({"starts_at": NOW}, "starts_at"),
    ],
)
def test_an_event_needs_a_future_time_a_place_or_link_and_places(world, fields, field):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        item = list_item(user, buyer, lots[0])
        with pytest.raises(ServiceError) as refused:
            add_event(user, item, **fields)
    assert refused.value.field == field


def test_two_bookings_of_the_last_place_at_once_take_it_once(app, world, monkeypatch):
    """Both bookings pass their checks before either counts its place; the UPDATE that counts
    waits for the other's commit on PostgreSQL and then finds no place left."""
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        item = list_item(user, buyer, lots[0])
        (a, a_org), (b, b_org) = _interested(item, 2)
        event = add_event(user, item, capacity=1)
    ids = (event.id, [(a.id, a_org.id), (b.id, b_org.id)])
    db.session.commit()

    checked = threading.Barrier(2)
    real_interest_of = queries.interest_of

    def interest_then_wait(*args):
        found = real_interest_of(*args)
        try:
            checked.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass
        return found

    monkeypatch.setattr(queries, "interest_of", interest_then_wait)
    outcomes, errors = [], []

    def book(user_id, org_id):
        try:
            with app.app_context():
                try:
                    pipeline.book_place(
                        db.session.get(User, user_id),
                        db.session.get(Organisation, org_id),
                        db.session.get(EngagementEvent, ids[0]),
                    )
                    outcomes.append("booked")
                except Conflict as exc:
                    outcomes.append(str(exc))
                finally:
                    db.session.remove()
        except Exception as exc:  # reported below: an assert in a thread would be lost
            errors.append(exc)

    threads = [threading.Thread(target=book, args=person) for person in ids[1]]
    with time_machine.travel(NOW, tick=True):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert errors == []
    assert sorted(outcomes) == ["There are no places left at this event", "booked"]
    db.session.expire_all()
    assert db.session.get(EngagementEvent, ids[0]).booked == 1
    assert db.session.execute(sa.select(sa.func.count(EventBooking.id))).scalar() == 1


def test_a_call_off_is_drafted_from_an_item_once(world):
    admin, dps, lots, user, buyer = world
    with time_machine.travel(NOW, tick=False):
        item = list_item(user, buyer, lots[0])
        opportunity = pipeline.draft_call_off(user, item)
        with pytest.raises(Conflict, match="already been drafted"):
            pipeline.draft_call_off(user, item)
    db.session.expire_all()
    assert item.opportunity_id == opportunity.id and item.drafted_at == NOW
    assert opportunity.status == OpportunityStatus.DRAFT
    assert (opportunity.title, opportunity.estimated_value_pence, opportunity.lot_id) == (
        item.title,
        item.estimated_value_pence,
        lots[0].id,
    )
    assert opportunity.contact_email == "bea@leeds.example"
    assert db.session.execute(sa.select(sa.func.count(Opportunity.id))).scalar() == 1
    drafted = db.session.execute(
        sa.select(AuditEvent.detail).where(AuditEvent.event_type == "draft_call_off_from_pipeline")
    ).scalar_one()
    assert drafted["opportunity_id"] == opportunity.id


def test_a_member_without_the_buyer_role_cannot_draft_or_add_events(world):
    admin, dps, lots, user, buyer = world
    evaluator = make_user(email="eve@leeds.example", name="Eve")
    db.session.add(Membership(user_id=evaluator.id, organisation_id=buyer.id, role=Role.MEMBER))
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        item = list_item(user, buyer, lots[0])
        with pytest.raises(NotAllowed):
            pipeline.draft_call_off(evaluator, item)
        with pytest.raises(NotAllowed):
            add_event(evaluator, item)
