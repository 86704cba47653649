"""Builders for lots tests: an approved buyer in a DPS, admitted suppliers, a ready draft."""

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from app.extensions import db
from app.organisations.models import (
    BuyerType,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    StaffBand,
    SupplierType,
    TurnoverBand,
)
from app.outbox.models import OutboxMessage
from dps.models import LotMembership, MembershipStatus, SupplierExclusion
from lots.opportunities import buyers
from lots.opportunities import services as opportunities
from lots.opportunities.models import BuyerRole
from tests.dps.helpers import make_admin, make_dps
from tests.factories import make_user

# Thursday 3 December 2026, 10:00 UTC (10:00 in London).
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)
DEADLINE = datetime(2026, 12, 18, 12, 0, tzinfo=timezone.utc)  # Friday 18 December, midday


def make_buyer(admin, dps, email="bea@leeds.example", name="Leeds City Council"):
    user = make_user(email=email, name="Bea Buyer")
    org = Organisation(kind=OrganisationKind.BUYER, name=name, buyer_type=BuyerType.LOCAL_AUTHORITY)
    db.session.add(org)
    db.session.flush()
    db.session.add(Membership(user_id=user.id, organisation_id=org.id, role=Role.OWNER))
    db.session.commit()
    buyers.request_approval(user, org, "Bea Buyer", email)
    buyers.decide_approval(admin, org, True, None)
    buyers.join_dps(user, org, dps)
    return user, org


def admit(org, lot, status=MembershipStatus.ADMITTED):
    db.session.add(LotMembership(organisation_id=org.id, lot_id=lot.id, status=status))
    db.session.commit()


def make_colleague(buyer, email="cal@leeds.example", name="Cal Colleague", roles=()):
    """(user, membership): a member (not an owner) of the buyer organisation, with ``roles``."""
    user = make_user(email=email, name=name)
    membership = Membership(user_id=user.id, organisation_id=buyer.id, role=Role.MEMBER)
    db.session.add(membership)
    db.session.flush()
    db.session.add_all([BuyerRole(membership_id=membership.id, role=role) for role in roles])
    db.session.commit()
    return user, membership


def admitted_supplier(lot, name="Admitted CIC", email="a@a.example"):
    """A supplier admitted to the lot, so invited to what is published under it."""
    _, org = supplier(name, email)
    admit(org, lot)
    return org


def outbox_recipients(template):
    """Who the outbox has an email of ``template`` for, one row an email."""
    return (
        db.session.execute(
            sa.select(OutboxMessage.recipient).where(OutboxMessage.template == template)
        )
        .scalars()
        .all()
    )


def supplier(name, email, sme=True, la="LDS", region="TLE"):
    user = make_user(email=email, name=f"{name} owner")
    org = Organisation(
        kind=OrganisationKind.SUPPLIER,
        name=name,
        supplier_type=SupplierType.CIC,
        staff_band=StaffBand.SMALL if sme else StaffBand.LARGE,
        turnover_band=TurnoverBand.UNDER_1M if sme else TurnoverBand.OVER_44M,
        local_authority_code=la,
        region_code=region,
    )
    db.session.add(org)
    db.session.flush()
    db.session.add(Membership(user_id=user.id, organisation_id=org.id, role=Role.OWNER))
    db.session.commit()
    return user, org


def ready_draft(user, buyer, lot, **overrides):
    fields = dict(
        title="Befriending for older people in Leeds",
        summary="Weekly befriending visits for 60 older people",
        description="We want a local organisation to run befriending.",
        estimated_value_pence=4_000_000,
        price_weight=50,
        quality_weight=40,
        social_value_weight=10,
        submission_deadline=DEADLINE,
        question_deadline=DEADLINE - timedelta(days=5),
        contact_name="Bea Buyer",
        contact_email="bea@leeds.example",
    )
    fields.update(overrides)
    opportunity = opportunities.create_draft(user, buyer, lot, **fields)
    opportunities.set_questions(
        user,
        opportunity,
        [
            {
                "kind": "quality",
                "text": "How will you recruit volunteers?",
                "word_limit": 500,
                "weight": 40,
            },
            {
                "kind": "social_value",
                "text": "What local jobs will you create?",
                "word_limit": 300,
                "weight": 10,
            },
            {"kind": "pass_fail", "text": "Do you hold public liability insurance?"},
        ],
    )
    return opportunity


def setup_world():
    admin = make_admin()
    dps, lots = make_dps(admin)
    buyer_user, buyer = make_buyer(admin, dps)
    return admin, dps, lots, buyer_user, buyer


__all__ = ["sa", "SupplierExclusion"]
