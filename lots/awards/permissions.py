"""Who may propose and decide an award, record what a contract delivered, and read a bidder's
letters. Roles at the buyer count only for someone who declared no conflict of interest for the
opportunity (``lots.evaluation.permissions``)."""

import sqlalchemy as sa

from app.errors import NotAllowed
from app.extensions import db
from app.organisations.models import Membership, Organisation
from app.permissions import is_member
from lots.awards.models import AwardLetter, SocialValueReturn
from lots.bids.models import Bid
from lots.evaluation.permissions import require_role
from lots.opportunities.permissions import has_buyer_role


def require_proposer(user, opportunity):
    """Proposing the award: the buyer role, no conflict."""
    require_role(user, opportunity, "buyer")


def require_approver(user, opportunity):
    """Deciding on the proposed award: the approver role, no conflict."""
    require_role(user, opportunity, "approver")


def require_four_eyes(user, award):
    """Whoever proposed the award cannot confirm it, whatever roles they hold."""
    if award.proposed_by_id == user.id:
        raise NotAllowed("Someone other than the person who proposed the award must confirm it")


def may_record_delivery(user, contract):
    """Recording the social value a contract delivered: the buyer role at its buyer."""
    return has_buyer_role(user, contract.buyer_id, "buyer")


def may_submit_return(user, contract):
    """Submitting the supplier's social value returns: any member of the supplier."""
    return is_member(user, contract.supplier_id)


def may_read_returns(user, contract):
    """A contract's returns and their evidence: the supplier's people and the buyer's buyers."""
    return may_submit_return(user, contract) or may_record_delivery(user, contract)


def buyer_may_read_return_evidence(user, document):
    """The buyer's buyers read the evidence attached to its contracts' returns."""
    if document.subject_type != "social_value_returns" or document.subject_id is None:
        return False
    ret = db.session.get(SocialValueReturn, document.subject_id)
    return ret is not None and may_record_delivery(user, ret.contract)


def letter_organisations(user, opportunity_id):
    """The person's organisations that bid for the opportunity: theirs are the only letters
    they may read (by name)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return (
        db.session.execute(
            sa.select(Organisation)
            .join(Bid, Bid.organisation_id == Organisation.id)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Bid.opportunity_id == opportunity_id, Membership.user_id == user.id)
            .order_by(Organisation.name)
        )
        .scalars()
        .all()
    )


def readable_letters(user, opportunity_id):
    """[(organisation, its letters)] for each of the person's organisations that bid for the
    opportunity and has been sent a letter: what they may read, and all they may know of any
    letter. Empty for everyone else (another bidder's letters are not theirs to know about)."""
    groups = []
    for organisation in letter_organisations(user, opportunity_id):
        letters = (
            db.session.execute(
                sa.select(AwardLetter)
                .join(Bid, Bid.id == AwardLetter.bid_id)
                .where(
                    AwardLetter.opportunity_id == opportunity_id,
                    Bid.organisation_id == organisation.id,
                )
                .order_by(AwardLetter.id)
            )
            .scalars()
            .all()
        )
        if letters:
            groups.append((organisation, letters))
    return groups


def may_read_letters(user, opportunity_id):
    """The person has a letter about the opportunity to read (its page links to it)."""
    return bool(readable_letters(user, opportunity_id))
