"""A place with buyers and contracts for social value reports: West Yorkshire (Leeds and
Bradford councils' buyers in it, Manchester's outside), each contract with commitments (as the
service makes them) and accepted periods written straight onto the rows."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.extensions import db
from app.organisations.models import Membership
from app.places import services as places
from app.timeutil import utcnow
from lots.awards import figures
from lots.awards.contracts import add_commitments
from lots.awards.models import (
    Contract,
    ReturnStatus,
    SocialValueDelivery,
    SocialValueReturn,
    SocialValueReturnLine,
)
from tests.lots.helpers import make_buyer, ready_draft, setup_world, supplier

PRIORITIES = ["SV-EMP-01", "SV-COM-01", "SV-FW-01"]


@dataclass
class PlaceWorld:
    admin: object
    lot: object
    buyers: dict  # name -> (user, organisation)
    suppliers: list  # [(user, organisation)]
    place: object


def place_world():
    admin, dps, lots, leeds_user, leeds = setup_world()
    leeds.local_authority_code = "LDS"
    bradford_user, bradford = make_buyer(
        admin, dps, email="bo@bradford.example", name="Bradford Council"
    )
    bradford.local_authority_code = "BRD"
    manchester_user, manchester = make_buyer(
        admin, dps, email="mo@manchester.example", name="Manchester Housing"
    )
    manchester.local_authority_code = "MAN"
    db.session.commit()
    people = [
        supplier("Kirkstall Care CIC", "k@kirkstall.example"),
        supplier("Aire Valley Trust", "a@aire.example", la="BRD"),
    ]
    place = places.create_place(admin, "West Yorkshire", "West Yorkshire")
    places.set_priorities(admin, place, PRIORITIES)
    return PlaceWorld(
        admin,
        lots[0],
        {
            "Leeds City Council": (leeds_user, leeds),
            "Bradford Council": (bradford_user, bradford),
            "Manchester Housing": (manchester_user, manchester),
        },
        people,
        place,
    )


def contract(world, buyer_name, supplier_index, promised, start=date(2027, 1, 4), title=None):
    user, buyer = world.buyers[buyer_name]
    _, org = world.suppliers[supplier_index]
    opportunity = ready_draft(user, buyer, world.lot, title=title or f"Work for {buyer_name}")
    c = Contract(
        opportunity_id=opportunity.id,
        buyer_id=buyer.id,
        supplier_id=org.id,
        lot_id=world.lot.id,
        value_pence=3_000_000,
        start_date=start,
        end_date=date(start.year + 1, start.month, start.day),
        supplier_is_vcse=True,
        supplier_is_sme=True,
        supplier_region_code="TLE",
        entered_at=utcnow(),
    )
    db.session.add(c)
    db.session.flush()
    # As entering a contract does: its promises counted in the figures and sums at once.
    add_commitments(c, promised.items())
    db.session.commit()
    return c


def accepted_period(c, start, end, values, sectors=None, council=None):
    """An accepted return for the period, and its delivery rows: ``values`` {measure: value};
    ``sectors`` {measure: [postcode sectors]}; ``council`` {measure: council code}."""
    by_measure = {x.measure_id: x for x in c.commitments}
    user_id = world_user_id(c)
    ret = SocialValueReturn(
        contract_id=c.id,
        period_start=start,
        period_end=end,
        due_on=date.fromordinal(end.toordinal() + 30),
        status=ReturnStatus.ACCEPTED,
        evidence_ids=[],
        submissions=1,
        submitted_at=utcnow(),
        accepted_at=utcnow(),
    )
    db.session.add(ret)
    db.session.flush()
    for measure_id, value in values.items():
        commitment = by_measure[measure_id]
        db.session.add(
            SocialValueReturnLine(
                return_id=ret.id,
                commitment_id=commitment.id,
                value=Decimal(value),
                postcode_sectors=(sectors or {}).get(measure_id, []),
                local_authority_code=(council or {}).get(measure_id),
            )
        )
        db.session.add(
            SocialValueDelivery(
                commitment_id=commitment.id,
                period_start=start,
                period_end=end,
                delivered=Decimal(value),
                recorded_by_id=user_id,
                recorded_at=utcnow(),
                return_id=ret.id,
            )
        )
    # As accepting a return does: the figures reports read, kept with the records.
    figures.refresh([by_measure[m].id for m in values])
    figures.count_accepted(c)
    db.session.commit()
    return ret


def world_user_id(c):
    return (
        db.session.execute(
            db.select(Membership.user_id).where(Membership.organisation_id == c.buyer_id)
        )
        .scalars()
        .first()
    )
