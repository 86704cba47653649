"""Who may bid, and who may see a bid. The one place this is decided: the bid services ask here
before any change, and the bid pages ask here who they are for.

A supplier may bid while the opportunity is published and open (``Opportunity.is_open``), it was
invited, and it is still eligible (admitted to the lot, not suspended, within the reservation).
Only members of an invited organisation see its bid pages.
"""

import sqlalchemy as sa

from app.errors import DeadlinePassed, NotAllowed
from app.extensions import db
from app.organisations.models import Organisation
from app.permissions import membership
from lots.opportunities import queries
from lots.opportunities.invitations import eligible_supplier_ids
from lots.opportunities.models import Invitation, OpportunityStatus

DEADLINE_PASSED = "The deadline for bids has passed"


def bidding_organisations(user, opportunity_id):
    """The organisations this person may bid for, and see the bid of: theirs that are invited to
    the opportunity (by name). Nobody else sees a bid page."""
    return queries.invited_organisations_for(user, opportunity_id)


def eligibility_refusal(organisation_id, opportunity):
    """Why this supplier cannot bid now, as the refusal to raise (DeadlinePassed once the
    deadline has passed, else NotAllowed), or None."""
    if opportunity.status != OpportunityStatus.PUBLISHED:
        return NotAllowed("This opportunity is not open for bids")
    if not opportunity.is_open:
        return DeadlinePassed(DEADLINE_PASSED)
    invited = db.session.execute(
        sa.select(Invitation.id).where(
            Invitation.opportunity_id == opportunity.id,
            Invitation.organisation_id == organisation_id,
        )
    ).first()
    if invited is None:
        return NotAllowed("Your organisation was not invited to bid for this opportunity")
    still = db.session.execute(
        eligible_supplier_ids(opportunity).where(Organisation.id == organisation_id)
    ).first()
    if still is None:
        return NotAllowed(
            "Your organisation can no longer bid: it is not admitted to this lot, is "
            "suspended, or no longer meets the reservation"
        )
    return None


def eligibility_problem(organisation_id, opportunity):
    """Why this supplier cannot bid now, in words for a page, or None."""
    refusal = eligibility_refusal(organisation_id, opportunity)
    return None if refusal is None else str(refusal)


def require_member(user, organisation_id):
    if membership(user, organisation_id) is None:
        raise NotAllowed("You are not a member of this organisation")


def require_eligible(organisation_id, opportunity):
    """The organisation may bid now (else NotAllowed, or DeadlinePassed)."""
    refusal = eligibility_refusal(organisation_id, opportunity)
    if refusal is not None:
        raise refusal


def require_may_bid(user, organisation_id, opportunity):
    """The person acts for the organisation, and it may bid now."""
    require_member(user, organisation_id)
    require_eligible(organisation_id, opportunity)


def require_before_deadline(organisation_id, opportunity):
    """Refuse only for the deadline (withdrawing is allowed to a supplier that could no longer
    bid for another reason)."""
    refusal = eligibility_refusal(organisation_id, opportunity)
    if isinstance(refusal, DeadlinePassed):
        raise refusal
