"""Who is invited to an opportunity, and telling them.

Invited: every supplier admitted to the lot and not suspended, not excluded, and meeting any
reservation of the call-off (VCSE, SME, area). Recorded set-based (INSERT ... SELECT) in the
publishing transaction; a supplier admitted later while the opportunity is open is invited too.
"""

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.accounts.models import User
from app.extensions import db
from app.organisations.models import Membership, Organisation
from app.outbox.fanout import fan_out
from app.queue import enqueue
from app.recovery import enqueue_recorded
from app.timeutil import format_datetime, utcnow
from app.unitofwork import many_rows_ahead
from app.urls import absolute_url
from dps.models import LotMembership, MembershipStatus, SupplierExclusion
from dps.queries import vcse_organisation_ids
from lots.opportunities.models import (
    ClarificationQuestion,
    Invitation,
    Opportunity,
    OpportunityAmendment,
    OpportunityStatus,
)


def eligible_supplier_ids(opportunity):
    """A SELECT of organisation ids that this opportunity invites."""
    stmt = (
        sa.select(LotMembership.organisation_id)
        .join(Organisation, Organisation.id == LotMembership.organisation_id)
        .where(
            LotMembership.lot_id == opportunity.lot_id,
            LotMembership.status == MembershipStatus.ADMITTED,
            ~sa.exists().where(
                SupplierExclusion.organisation_id == Organisation.id,
                SupplierExclusion.lifted_at.is_(None),
            ),
        )
    )
    if opportunity.reserved_vcse:
        stmt = stmt.where(Organisation.id.in_(vcse_organisation_ids()))
    if opportunity.reserved_sme:
        stmt = stmt.where(Organisation.is_sme)
    if opportunity.reserved_area_code:
        code = opportunity.reserved_area_code
        stmt = stmt.where(
            sa.or_(Organisation.local_authority_code == code, Organisation.region_code == code)
        )
    return stmt


def _insert(dialect):
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def invite_eligible(opportunity, via, organisation_id=None):
    """Record invitations for every eligible supplier not yet invited (or just one). Part of the
    caller's transaction. Returns how many were invited now."""
    ids = eligible_supplier_ids(opportunity)
    if organisation_id is not None:
        ids = ids.where(LotMembership.organisation_id == organisation_id)
    ids = ids.subquery()
    now = utcnow()
    # WHERE true: SQLite cannot parse INSERT ... SELECT ... FROM x ON CONFLICT without a WHERE
    # (it reads ON as a join constraint).
    select = sa.select(
        sa.literal(opportunity.id),
        ids.c.organisation_id,
        sa.literal(now, Invitation.invited_at.type),
        sa.literal(via),
    ).where(sa.true())
    if organisation_id is None:
        many_rows_ahead()  # a lot's every supplier: 50,000 rows, each checked against two keys
    stmt = (
        _insert(db.session.get_bind().dialect.name)(Invitation.__table__)
        .from_select(["opportunity_id", "organisation_id", "invited_at", "via"], select)
        .on_conflict_do_nothing(index_elements=["opportunity_id", "organisation_id"])
        .returning(Invitation.__table__.c.id)
    )
    return len(db.session.execute(stmt).scalars().all())


def invited_people(opportunity_id, organisation_id=None):
    """A SELECT of (user_id, email, name) for the members of invited organisations whose email
    address still works."""
    stmt = (
        sa.select(User.id.label("user_id"), User.email.label("email"), User.name.label("name"))
        .join(Membership, Membership.user_id == User.id)
        .join(Invitation, Invitation.organisation_id == Membership.organisation_id)
        .where(Invitation.opportunity_id == opportunity_id, User.email_undeliverable_at.is_(None))
    )
    if organisation_id is not None:
        stmt = stmt.where(Invitation.organisation_id == organisation_id)
    return stmt.distinct()


def invitation_job_id(opportunity_id, kind, organisation_id=None):
    job_id = f"send_invitation_emails-{opportunity_id}-{kind.replace(':', '-')}"
    return job_id if organisation_id is None else f"{job_id}-{organisation_id}"


def enqueue_invitation_emails(opportunity_id, kind):
    """Queue the invitation fan-out of a published opportunity (after its commit; its own
    recoverer, ``recover_invitations``, finds one that never finished)."""
    return enqueue(
        send_invitation_emails,
        opportunity_id,
        kind,
        job_id=invitation_job_id(opportunity_id, kind),
    )


def record_invitation_emails(opportunity_id, kind, organisation_id=None):
    """In the caller's transaction: record the fan-out that tells the invited people (or one
    organisation's) about ``kind`` (an amendment, a cancellation, an answer, a late invitation).
    It is queued after commit, and ``flask jobs recover`` runs it if it never finishes."""
    args = [opportunity_id, kind] + ([organisation_id] if organisation_id is not None else [])
    return enqueue_recorded(
        send_invitation_emails,
        *args,
        job_key=invitation_job_id(opportunity_id, kind, organisation_id),
    )


def recover_invitations(now, idle):
    """Recoverer (``app.recovery``): queue again each open, published opportunity whose
    invitations were never all written (Redis was down at publication, or its worker died).
    The fan-out writes nothing twice. Returns how many it queued."""
    ids = (
        db.session.execute(
            sa.select(Opportunity.id).where(
                Opportunity.status == OpportunityStatus.PUBLISHED,
                Opportunity.invitations_sent_at.is_(None),
                Opportunity.published_at < now - idle,
                Opportunity.submission_deadline > now,
            )
        )
        .scalars()
        .all()
    )
    db.session.rollback()
    queued = 0
    for opportunity_id in ids:
        if not enqueue_invitation_emails(opportunity_id, "invitation"):
            break
        queued += 1
    return queued


TEMPLATES = {
    "invitation": "opportunity_invitation",
    "amendment": "opportunity_amended",
    "cancellation": "opportunity_cancelled",
    "clarification": "clarification_answered",
}


def send_invitation_emails(opportunity_id, kind, organisation_id=None):
    """Job: write one email per invited person, set-based, and queue them. Safe to run again:
    each person's row has the key (opportunity, kind, person)."""
    opportunity = db.session.get(Opportunity, opportunity_id)
    if opportunity is None:
        return 0
    base = kind.split(":")[0]
    personalisation = {
        "title": opportunity.title,
        "buyer": opportunity.buyer_name or opportunity.buyer.name,
        "reference": opportunity.reference or "",
        "deadline": format_datetime(opportunity.submission_deadline),
        "url": absolute_url("lots.view_opportunity", opportunity_id=opportunity.id),
    }
    if base == "amendment":
        amendment = db.session.get(OpportunityAmendment, int(kind.split(":")[1]))
        personalisation["change"] = amendment.summary
    if base == "cancellation":
        personalisation["reason"] = opportunity.cancel_reason or ""
    if base == "clarification":
        clarification = db.session.get(ClarificationQuestion, int(kind.split(":")[1]))
        personalisation["question"] = clarification.question
        personalisation["answer"] = clarification.answer or ""
    written = fan_out(
        invited_people(opportunity_id, organisation_id),
        TEMPLATES[base],
        personalisation,
        key_prefix=f"opportunity:{opportunity_id}:{kind}",
    )
    if base == "invitation" and organisation_id is None and opportunity.invitations_sent_at is None:
        opportunity.invitations_sent_at = utcnow()
        db.session.commit()
    return written


def invite_late_admission(lot_membership):
    """A supplier admitted while an opportunity of the lot is open is invited too (inside the
    admission's transaction; its email goes after commit)."""
    open_ids = (
        db.session.execute(
            sa.select(Opportunity.id).where(
                Opportunity.lot_id == lot_membership.lot_id, Opportunity.is_open
            )
        )
        .scalars()
        .all()
    )
    for opportunity_id in open_ids:
        opportunity = db.session.get(Opportunity, opportunity_id)
        if invite_eligible(
            opportunity, via="late_admission", organisation_id=lot_membership.organisation_id
        ):
            record_invitation_emails(opportunity_id, "invitation", lot_membership.organisation_id)
