"""Demo data for evaluation: an evaluator colleague at Leeds City Council who holds only the
evaluator role, assigned to the council's open befriending opportunity and not yet declared, so
an evaluator's own view (what they may follow, and what they may not) can be tried. The awarded
call-off's evaluation is in lots/awards/demo.py.

Safe to run again: the colleague is invited and assigned only if they are not already.
"""

import sqlalchemy as sa

from app.demo.people import add_member
from app.extensions import db
from app.organisations.models import Membership, Organisation, OrganisationKind
from lots.evaluation import services as evaluation
from lots.opportunities import buyers
from lots.opportunities.models import Opportunity
from lots.opportunities.permissions import has_buyer_role

BUYER = "Leeds City Council"
TITLE = "Befriending for older people in Leeds"
EVALUATOR = ("sam@leeds-council.example", "Sam Whitaker")


def seed_evaluator():
    """The evaluator colleague and their assignment; None when the demo buyer or opportunity is
    missing."""
    buyer = db.session.execute(
        sa.select(Organisation).where(
            Organisation.kind == OrganisationKind.BUYER, Organisation.name == BUYER
        )
    ).scalar_one_or_none()
    if buyer is None:
        return None
    owner = next((m.user for m in buyer.memberships if m.is_owner), None)
    opportunity = (
        db.session.execute(
            sa.select(Opportunity).where(
                Opportunity.buyer_id == buyer.id, Opportunity.title == TITLE
            )
        )
        .scalars()
        .first()
    )
    if owner is None or opportunity is None or opportunity.published_at is None:
        return None
    member = add_member(buyer, owner, *EVALUATOR)
    if not has_buyer_role(member, buyer.id, "evaluator"):
        membership = db.session.execute(
            sa.select(Membership).where(
                Membership.user_id == member.id, Membership.organisation_id == buyer.id
            )
        ).scalar_one()
        buyers.set_roles(owner, membership, ["evaluator"])
    evaluation.assign_evaluator(owner, opportunity, member)
    return member


def demo_accounts():
    """The sign-in this demo adds, for the list `make run` prints."""
    buyer = db.session.execute(
        sa.select(Organisation).where(
            Organisation.kind == OrganisationKind.BUYER, Organisation.name == BUYER
        )
    ).scalar_one_or_none()
    if buyer is None or not any(m.user.email == EVALUATOR[0] for m in buyer.memberships):
        return []
    return [(f"Buyer evaluator, {buyer.display_name}", EVALUATOR[0])]
