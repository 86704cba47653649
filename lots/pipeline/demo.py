"""Demo data for the pipeline (``flask seed-demo``, safe to run again): planned work from the
demo buyers under the demo DPS's lots, interest from the demo suppliers (one as a consortium's
lead, one to join one, one on its own), and a market engagement event with a place booked."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.extensions import db
from app.organisations.models import OrganisationKind
from app.organisations.queries import find_organisation, owner_of
from app.timeutil import to_local, utcnow
from lots.pipeline import queries
from lots.pipeline import services as pipeline
from lots.pipeline.models import EngagementEvent, PipelineItem

LONDON = ZoneInfo("Europe/London")

# (buyer, lot number, quarters ahead, title, description, value in pounds)
ITEMS = [
    (
        "Leeds City Council",
        1,
        1,
        "Befriending and social prescribing in east Leeds",
        "We expect to buy a befriending and social prescribing service for about 200 older "
        "people in east Leeds, working with GP practices. Small local organisations are welcome "
        "to bid together: tell us now if you would lead or join a consortium.",
        45_000,
    ),
    (
        "Leeds City Council",
        2,
        2,
        "Community meals for people leaving hospital",
        "Hot meals delivered for up to six weeks to people leaving hospital in Leeds, "
        "reserved for VCSEs.",
        80_000,
    ),
    (
        "NHS West Yorkshire ICB",
        1,
        3,
        "Peer support for carers across West Yorkshire",
        "Peer support groups and one-to-one help for unpaid carers in the five West Yorkshire "
        "places.",
        48_000,
    ),
]
# (supplier, intent) for the first item.
INTEREST = [
    ("Riverside Community Care CIO", "lead"),
    ("Northern Lights Social Enterprise CIC", "consortium"),
    ("Greenfield Food Co-operative", "alone"),
]


def seed(dps):
    """Returns the items it found or made."""
    lots = {lot.number: lot for lot in dps.lots}
    today = to_local(utcnow()).date()
    quarters = pipeline.quarters_open(today)
    items = []
    for name, number, ahead, title, description, pounds in ITEMS:
        buyer = find_organisation(OrganisationKind.BUYER, name)
        if buyer is None or number not in lots:
            continue
        item = db.session.execute(
            sa.select(PipelineItem).where(
                PipelineItem.buyer_id == buyer.id, PipelineItem.title == title
            )
        ).scalar_one_or_none()
        if item is None:
            owner = owner_of(buyer)
            year, quarter = quarters[min(ahead, len(quarters) - 1)]
            item = pipeline.create_item(
                owner,
                buyer,
                lots[number],
                title=title,
                description=description,
                estimated_value_pence=pounds * 100,
                expected_year=year,
                expected_quarter=quarter,
                contact_name=owner.name,
                contact_email=owner.email,
            )
        items.append(item)
    if not items:
        return items
    first = items[0]
    for name, intent in INTEREST:
        supplier = find_organisation(OrganisationKind.SUPPLIER, name)
        if supplier is not None and queries.interest_of(first.id, supplier.id) is None:
            pipeline.register_interest(owner_of(supplier), supplier, first, intent)
    if not first.events:
        day = today + timedelta(days=21)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        pipeline.create_event(
            owner_of(first.buyer),
            first,
            starts_at=datetime.combine(day, time(14), tzinfo=LONDON).astimezone(ZoneInfo("UTC")),
            place="Leeds Civic Hall, Calverley Street, Leeds LS1 1UR",
            link="https://meet.example/leeds-befriending",
            details="Hear what we plan, tell us what would make it work for small "
            "organisations, and meet possible partners.",
            capacity=30,
        )
    event = db.session.execute(
        sa.select(EngagementEvent).where(EngagementEvent.item_id == first.id)
    ).scalar_one()
    riverside = find_organisation(OrganisationKind.SUPPLIER, INTEREST[0][0])
    if riverside is not None:
        owner = owner_of(riverside)
        if queries.booking_of(event.id, owner.id) is None and event.starts_at > utcnow():
            pipeline.book_place(owner, riverside, event)
    return items
