"""Builders for bid, evaluation and award tests: a published opportunity with a deadline in real
time (the database's clock enforces it at commit, so it cannot be time-travelled), two invited
suppliers, and complete bids."""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from app.extensions import db
from app.organisations.models import Membership, Role
from lots.bids import services as bids
from lots.bids import submitting
from lots.opportunities import buyers
from lots.opportunities import services as opportunities
from lots.opportunities.models import Opportunity
from tests.factories import make_user
from tests.lots.helpers import admit, ready_draft, setup_world, supplier


def real_deadline(days=11):
    """On the hour, ``days`` from now (UTC whole hours are whole hours in London). Now is the
    app's clock, which a session run ahead (tests/clock.py) puts after the database's: the
    deadline is ahead of both."""
    now = datetime.now(timezone.utc)
    return (now + timedelta(days=days)).replace(minute=0, second=0, microsecond=0) + timedelta(
        hours=1
    )


@dataclass
class World:
    admin: object
    dps: object
    lots: list
    buyer_user: object
    buyer: object
    opportunity: object
    suppliers: list  # [(user, organisation)]


def published(buyer_user, buyer, lot, **overrides):
    deadline = real_deadline()
    fields = dict(
        submission_deadline=deadline,
        question_deadline=deadline - timedelta(days=5),
        social_value_measures=["SV-EMP-01"],
    )
    fields.update(overrides)
    opportunity = ready_draft(buyer_user, buyer, lot, **fields)
    opportunities.publish(buyer_user, opportunity, acknowledge_bank_holiday=True)
    return opportunity


def bidding_world(n_suppliers=2, **overrides):
    admin, dps, lots, buyer_user, buyer = setup_world()
    people = []
    for i in range(n_suppliers):
        user, org = supplier(f"Supplier {i + 1} CIC", f"owner{i + 1}@supplier{i + 1}.example")
        admit(org, lots[0])
        people.append((user, org))
    opportunity = published(buyer_user, buyer, lots[0], **overrides)
    return World(admin, dps, lots, buyer_user, buyer, opportunity, people)


def questions(opportunity):
    return {q.kind.value: q for q in opportunity.questions}


def complete_bid(
    user,
    org,
    opportunity,
    price_pence=3_000_000,
    words="We recruit locally",
    pass_fail="yes",
    jobs="2",
):
    bid = bids.start_bid(user, org, opportunity)
    q = questions(opportunity)
    bids.save_draft(
        user,
        bid,
        answers={str(q["quality"].id): words, str(q["social_value"].id): words},
        pass_fail={str(q["pass_fail"].id): pass_fail},
        total_price_pence=price_pence,
        social_value={m: jobs for m in opportunity.social_value_measures},
    )
    return bid


def colleague(buyer, email, roles=("evaluator",), name="Eve Evaluator"):
    """A member of the buyer organisation with the given roles."""
    user = make_user(email=email, name=name)
    membership = Membership(user_id=user.id, organisation_id=buyer.id, role=Role.MEMBER)
    db.session.add(membership)
    db.session.commit()
    owner = (
        db.session.execute(
            sa.select(Membership).where(
                Membership.organisation_id == buyer.id, Membership.role == Role.OWNER
            )
        )
        .scalars()
        .first()
    )
    buyers.set_roles(owner.user, membership, list(roles))
    return user


def past_deadline(opportunity):
    """A moment just after the deadline, for time_machine (the app's clock)."""
    return opportunity.submission_deadline + timedelta(minutes=1)


__all__ = ["Opportunity"]


def world_with_bids(n_suppliers=2, prices=(3_000_000, 2_800_000)):
    """The bidding world with two evaluators (Eve, and Max who moderates) and an approver (Ann)
    at the buyer, and each supplier's bid submitted at its price."""
    w = bidding_world(n_suppliers=n_suppliers)
    w.eve = colleague(w.buyer, "eve@leeds.example", ("evaluator",), name="Eve")
    w.max = colleague(w.buyer, "max@leeds.example", ("evaluator",), name="Max")
    w.ann = colleague(w.buyer, "ann@leeds.example", ("approver",), name="Ann")
    w.bids = []
    for (user, org), price in zip(w.suppliers, prices):
        bid = complete_bid(user, org, w.opportunity, price_pence=price)
        submitting.submit(user, bid, conditions_confirmed=True)
        w.bids.append(bid)
    return w
