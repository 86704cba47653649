"""Demo data for the community wish list in West Yorkshire: a community group (Gipton Friends
Lunch Club, which registered only to post wishes) and a buyer post needs; the operator approved
three, took one down with a reason, and one waits for a decision. Chapeltown Befrienders pledged
to two in contracts the demo already holds: one is delivered (the group confirmed it), the
other pledged.

DEMO ONLY: the demo's contracts were written onto the rows, not won through bids, so their
pledges are made as a won bid's would be when its contract is entered
(``lots.awards.pledges.pledges_on_entry``) with the pledges a bid would have frozen. Everything
else goes through the services. Safe to run again: it does nothing once the group has wishes."""

import sqlalchemy as sa

from app.extensions import db
from app.organisations.models import Organisation, OrganisationKind
from app.places import wishes
from app.places.models import Wish
from lots.awards import pledges
from lots.awards.models import Contract
from lots.opportunities.models import Opportunity

GROUP_OWNER = ("mo@gipton-lunch.example", "Mo Ahmed")
GROUP_ROLE = (
    "A community group that registered only for the wish list: see its wishes (one delivered, "
    "one pledged, one taken down, one waiting), confirm delivery, post another"
)
GROUP = {
    "name": "Gipton Friends Lunch Club",
    "supplier_type": "community_group",
    "address": "Gipton Community Centre\nOak Tree Drive\nLeeds",
    "postcode": "LS9 6NL",
    "local_authority_code": "LDS",
    "staff_band": "0",
    "turnover_band": "under_100k",
    "description": "Volunteers who run a hot lunch, a chat and a game of bingo for about forty "
    "older people in Gipton and Harehills, two days a month.",
}


def _contact(**extra):
    return {"contact_name": "Mo Ahmed", "contact_email": GROUP_OWNER[0], **extra}


# (posted by: "group" or a buyer's name, details, what happens: "delivered", "pledged", "open",
# "rejected: reason" or "pending"; for a pledge, the title of the contract's call-off)
WISHES = [
    (
        "group",
        {
            "title": "Volunteers to paint the community centre",
            "description": "The main hall and the kitchen need two coats of paint before the "
            "winter lunch clubs start. We have the paint; we need people and ladders, over two "
            "Saturdays.",
            "measure": "SV-COM-01",
            "quantity": "40",
            "local_authority_code": "LDS",
            "area": "Gipton Community Centre, Harehills",
            **_contact(contact_phone="0113 496 0777"),
        },
        "delivered",
        "Lunch clubs for older people in Harehills",
    ),
    (
        "group",
        {
            "title": "A minibus and driver two days a month for the lunch club",
            "description": "About a third of our members cannot walk to the centre any more. "
            "A minibus with a driver, morning and afternoon on each lunch club day, would bring "
            "them back: about three and a half hours a day, two days a month, for a year.",
            "measure": "SV-COM-01",
            "quantity": "84",
            "local_authority_code": "LDS",
            "area": "Gipton and Harehills",
            **_contact(),
        },
        "pledged",
        "Social prescribing link workers in Chapeltown",
    ),
    (
        "Pennine Housing Association",
        {
            "title": "Work placements for six care leavers",
            "description": "Six young people leaving care in Calderdale want to try work in "
            "care, housing or catering: four weeks each, with a named person to support them.",
            "measure": "SV-SKL-04",
            "quantity": "24",
            "local_authority_code": "CLD",
            "area": "Halifax",
            "contact_name": "Gareth Hughes",
            "contact_email": "buyer@pennine-housing.example",
        },
        "open",
        None,
    ),
    (
        "group",
        {
            "title": "Raffle prizes for our summer gala",
            "description": "Prizes worth about £250 for the raffle at our summer gala.",
            "measure": "SV-COM-02",
            "quantity": "250",
            "local_authority_code": "LDS",
            "area": "Gipton Community Centre, Harehills",
            **_contact(),
        },
        "rejected: Raffle prizes are not something a contract can deliver as social value. If "
        "the gala needs help to run (volunteers on the day, or a donation towards the hall), "
        "post that instead.",
        None,
    ),
    (
        "group",
        {
            "title": "Help to set up our accounts in a bookkeeping package",
            "description": "Our treasurer keeps the books on paper. A few hours with someone "
            "who knows bookkeeping software would set us up for the next treasurer.",
            "measure": "SV-COM-04",
            "quantity": "12",
            "local_authority_code": "LDS",
            "area": "Gipton Community Centre, Harehills",
            **_contact(),
        },
        "pending",
        None,
    ),
]


def _organisation(kind, name):
    return db.session.execute(
        sa.select(Organisation).where(Organisation.kind == kind, Organisation.name == name)
    ).scalar_one_or_none()


def _owner(organisation):
    return next((m.user for m in organisation.memberships if m.is_owner), None)


def _contract(title):
    return db.session.execute(
        sa.select(Contract)
        .join(Opportunity, Opportunity.id == Contract.opportunity_id)
        .where(Opportunity.title == title)
        .order_by(Contract.id)
    ).scalar()


def _group():
    from app.demo.people import make_organisation

    organisation, _owner_user = make_organisation(
        "supplier", {"owner": GROUP_OWNER, "details": GROUP}
    )
    return organisation


def seed(place, admin):
    """The wishes in ``place`` (West Yorkshire); nothing if the group already has some."""
    group = _group()
    if db.session.execute(sa.select(Wish.id).where(Wish.organisation_id == group.id)).first():
        return
    for poster, details, outcome, contract_title in WISHES:
        organisation = group if poster == "group" else _organisation(OrganisationKind.BUYER, poster)
        if organisation is None:
            continue
        user = _owner(organisation)
        wish = wishes.post_wish(user, organisation, place, details)
        if outcome == "pending":
            continue
        if outcome.startswith("rejected: "):
            wishes.reject_wish(admin, wish, outcome.removeprefix("rejected: "))
            continue
        wishes.approve_wish(admin, wish)
        contract = _contract(contract_title) if contract_title else None
        if contract is None:
            continue
        made = pledges.pledges_on_entry(
            contract, {"wish_pledges": {str(wish.id): details["quantity"]}}
        )
        db.session.commit()
        if outcome == "delivered" and made:
            pledges.confirm_delivered(
                user, made[0], "Both rooms painted over two Saturdays by six of their staff."
            )


def demo_accounts():
    from app.demo.people import DemoAccount

    group = _organisation(OrganisationKind.SUPPLIER, GROUP["name"])
    owner = group and _owner(group)
    return [DemoAccount(owner.email, owner.name, group.display_name, GROUP_ROLE)] if owner else []
