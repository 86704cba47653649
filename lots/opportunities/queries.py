"""Reads for the lots pages (no commits)."""

import sqlalchemy as sa

from app.documents.models import Document, DocumentPurpose, DocumentStatus
from app.extensions import db
from app.organisations.models import Membership, Organisation, OrganisationKind
from dps.models import Dps, Lot
from lots.opportunities.models import (
    BuyerProfile,
    BuyerRole,
    BuyerStatus,
    ClarificationQuestion,
    DpsBuyer,
    Invitation,
    Opportunity,
    OpportunityAmendment,
    OpportunityStatus,
)

OPPORTUNITY_SUBJECT = "opportunity"
DRAFTING = (
    OpportunityStatus.DRAFT,
    OpportunityStatus.AWAITING_APPROVAL,
    OpportunityStatus.APPROVED,
)


def opportunity(opportunity_id):
    return db.session.get(Opportunity, opportunity_id)


def lot(lot_id):
    return db.session.get(Lot, lot_id)


def organisation(organisation_id):
    return db.session.get(Organisation, organisation_id)


def _organisations_of(user, stmt):
    """The organisations of ``stmt`` (a select of them) that the user belongs to, by name."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return (
        db.session.execute(
            stmt.join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.user_id == user.id)
            .order_by(sa.func.lower(Organisation.name), Organisation.id)
        )
        .scalars()
        .all()
    )


def buyer_organisations_for(user):
    """The buyer organisations the user belongs to, by name."""
    return _organisations_of(
        user, sa.select(Organisation).where(Organisation.kind == OrganisationKind.BUYER)
    )


def opportunities_of(buyer_id):
    """{"drafts", "open", "closed", "cancelled"}: the buyer's opportunities, newest first."""
    rows = (
        db.session.execute(
            sa.select(Opportunity)
            .where(Opportunity.buyer_id == buyer_id)
            .order_by(Opportunity.created_at.desc(), Opportunity.id.desc())
        )
        .scalars()
        .all()
    )
    groups = {"drafts": [], "open": [], "closed": [], "cancelled": []}
    for row in rows:
        if row.status in DRAFTING:
            groups["drafts"].append(row)
        elif row.status == OpportunityStatus.CANCELLED:
            groups["cancelled"].append(row)
        elif row.is_open:
            groups["open"].append(row)
        else:
            groups["closed"].append(row)
    return groups


def joined_dps(organisation_id):
    return (
        db.session.execute(
            sa.select(Dps)
            .join(DpsBuyer, DpsBuyer.dps_id == Dps.id)
            .where(DpsBuyer.organisation_id == organisation_id)
            .order_by(Dps.name)
        )
        .scalars()
        .all()
    )


def dps_to_join(organisation_id, on):
    """Every DPS open on ``on`` that the buyer has not joined yet."""
    joined = sa.select(DpsBuyer.dps_id).where(DpsBuyer.organisation_id == organisation_id)
    return (
        db.session.execute(
            sa.select(Dps)
            .where(Dps.id.not_in(joined), Dps.starts_on <= on, Dps.ends_on >= on)
            .order_by(Dps.name)
        )
        .scalars()
        .all()
    )


def lots_for_buyer(organisation_id):
    """The lots of every DPS the buyer has joined, by DPS and number."""
    return (
        db.session.execute(
            sa.select(Lot)
            .join(Dps, Dps.id == Lot.dps_id)
            .join(DpsBuyer, DpsBuyer.dps_id == Dps.id)
            .where(DpsBuyer.organisation_id == organisation_id)
            .order_by(Dps.name, Lot.number)
        )
        .scalars()
        .all()
    )


def invited_count(opportunity_id):
    return db.session.execute(
        sa.select(sa.func.count(Invitation.id)).where(Invitation.opportunity_id == opportunity_id)
    ).scalar_one()


def invited_organisations_for(user, opportunity_id):
    """The user's organisations that are invited to the opportunity, by name."""
    return _organisations_of(
        user,
        sa.select(Organisation)
        .join(Invitation, Invitation.organisation_id == Organisation.id)
        .where(Invitation.opportunity_id == opportunity_id),
    )


def tender_documents(opportunity_id, available_only=True):
    """The opportunity's current tender documents: not those an amendment replaced (they stay
    on record, listed with the amendment)."""
    stmt = sa.select(Document).where(
        Document.subject_type == OPPORTUNITY_SUBJECT,
        Document.subject_id == opportunity_id,
        Document.purpose == DocumentPurpose.TENDER_DOCUMENT,
        ~sa.exists().where(OpportunityAmendment.replaced_document_id == Document.id),
    )
    if available_only:
        stmt = stmt.where(Document.status == DocumentStatus.ACTIVE)
    else:
        stmt = stmt.where(Document.status != DocumentStatus.DELETED)
    return db.session.execute(stmt.order_by(Document.uploaded_at, Document.id)).scalars().all()


def public_answers(opportunity_id):
    """Answered questions the buyer shared with everyone, oldest first."""
    return (
        db.session.execute(
            sa.select(ClarificationQuestion)
            .where(
                ClarificationQuestion.opportunity_id == opportunity_id,
                ClarificationQuestion.public.is_(True),
                ClarificationQuestion.answer.is_not(None),
            )
            .order_by(ClarificationQuestion.answered_at, ClarificationQuestion.id)
        )
        .scalars()
        .all()
    )


def questions_from(opportunity_id, organisation_id):
    """An organisation's own questions about an opportunity, oldest first."""
    return (
        db.session.execute(
            sa.select(ClarificationQuestion)
            .where(
                ClarificationQuestion.opportunity_id == opportunity_id,
                ClarificationQuestion.organisation_id == organisation_id,
            )
            .order_by(ClarificationQuestion.id)
        )
        .scalars()
        .all()
    )


def clarification_inbox(opportunity_id):
    """(waiting, answered): every question, those waiting for an answer oldest first."""
    rows = (
        db.session.execute(
            sa.select(ClarificationQuestion)
            .where(ClarificationQuestion.opportunity_id == opportunity_id)
            .order_by(ClarificationQuestion.asked_at, ClarificationQuestion.id)
        )
        .scalars()
        .all()
    )
    return (
        [c for c in rows if c.answer is None],
        sorted(
            (c for c in rows if c.answer is not None),
            key=lambda c: (c.answered_at, c.id),
            reverse=True,
        ),
    )


def clarification(opportunity_id, clarification_id):
    return db.session.execute(
        sa.select(ClarificationQuestion).where(
            ClarificationQuestion.id == clarification_id,
            ClarificationQuestion.opportunity_id == opportunity_id,
        )
    ).scalar_one_or_none()


def waiting_questions_count(opportunity_id):
    return db.session.execute(
        sa.select(sa.func.count(ClarificationQuestion.id)).where(
            ClarificationQuestion.opportunity_id == opportunity_id,
            ClarificationQuestion.answer.is_(None),
        )
    ).scalar_one()


def buyer_profiles(status):
    """Buyer organisations' approval requests of a status: pending oldest first, decided newest
    first."""
    order = (
        BuyerProfile.requested_at.asc()
        if status == BuyerStatus.PENDING
        else BuyerProfile.decided_at.desc()
    )
    return (
        db.session.execute(
            sa.select(BuyerProfile)
            .where(BuyerProfile.status == status)
            .order_by(order, BuyerProfile.organisation_id)
        )
        .scalars()
        .all()
    )


def open_opportunities_of_lot(lot_id, limit=20):
    """(opportunities, total): the lot's open opportunities, closing soonest first."""
    stmt = sa.select(Opportunity).where(Opportunity.lot_id == lot_id, Opportunity.is_open)
    total = db.session.execute(sa.select(sa.func.count()).select_from(stmt.subquery())).scalar_one()
    rows = (
        db.session.execute(
            stmt.order_by(Opportunity.submission_deadline, Opportunity.id).limit(limit)
        )
        .scalars()
        .all()
    )
    return rows, total


def members_with_roles(organisation_id):
    """[(membership, {role, ...})] of a buyer organisation, owners first."""
    members = (
        db.session.execute(
            sa.select(Membership)
            .where(Membership.organisation_id == organisation_id)
            .order_by(Membership.role.desc(), Membership.id)
        )
        .scalars()
        .all()
    )
    roles = {}
    for membership_id, role in db.session.execute(
        sa.select(BuyerRole.membership_id, BuyerRole.role).where(
            BuyerRole.membership_id.in_([m.id for m in members])
        )
    ):
        roles.setdefault(membership_id, set()).add(role.value)
    return [(m, roles.get(m.id, set())) for m in members]
