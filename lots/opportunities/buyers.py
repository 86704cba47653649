"""Buyer organisations: approval by an administrator, roles, and joining a DPS."""

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.organisations.models import OrganisationKind, Role
from app.timeutil import utcnow
from app.unitofwork import commit
from lots.opportunities.models import BuyerProfile, BuyerRole, BuyerRoleName, BuyerStatus, DpsBuyer
from lots.opportunities.permissions import require_buyer_owner, require_operator


def profile(organisation_id):
    return db.session.get(BuyerProfile, organisation_id)


def is_approved(organisation_id):
    p = profile(organisation_id)
    return p is not None and p.status == BuyerStatus.APPROVED


def request_approval(user, organisation, contact_name, contact_email, contact_phone=None):
    if organisation.kind != OrganisationKind.BUYER:
        raise ServiceError("Only buyer organisations can ask to publish opportunities")
    require_buyer_owner(user, organisation.id, "Only an owner can ask for approval")
    if not (contact_name or "").strip() or not (contact_email or "").strip():
        raise ServiceError("Give a contact name and email address", "contact_name")
    existing = profile(organisation.id)
    if existing is not None and existing.status == BuyerStatus.APPROVED:
        raise ServiceError("This organisation is already approved")
    p = existing or BuyerProfile(organisation_id=organisation.id)
    p.status, p.decided_at, p.decided_by_id, p.decision_reason = (
        BuyerStatus.PENDING,
        None,
        None,
        None,
    )
    p.contact_name, p.contact_email = contact_name.strip(), contact_email.strip().lower()
    p.contact_phone = (contact_phone or "").strip() or None
    p.requested_at = utcnow()
    db.session.add(p)
    record(E.REQUEST_BUYER_APPROVAL, subject=organisation, actor=user, organisation=organisation)
    commit()
    return p


def decide_approval(admin, organisation, approve, reason):
    require_operator(admin, "Only the DPS operator can approve buyers")
    p = profile(organisation.id)
    if p is None:
        raise ServiceError("This organisation has not asked for approval")
    if not approve and not (reason or "").strip():
        raise ServiceError("Enter the reason. The buyer will see it", "reason")
    p.status = BuyerStatus.APPROVED if approve else BuyerStatus.REJECTED
    p.decided_at, p.decided_by_id = utcnow(), admin.id
    p.decision_reason = (reason or "").strip() or None
    record(
        E.APPROVE_BUYER if approve else E.REJECT_BUYER,
        subject=organisation,
        actor=admin,
        organisation=organisation,
        detail={"reason": p.decision_reason},
    )
    commit()
    return p


def set_roles(owner, member, roles):
    """An owner gives a colleague buyer roles (buyer, evaluator, approver)."""
    require_buyer_owner(owner, member.organisation_id, "Only an owner can change roles")
    if member.role == Role.OWNER:
        raise ServiceError("Owners already hold every role")
    try:
        roles = {BuyerRoleName(r) for r in roles}
    except ValueError as exc:
        raise ServiceError("Choose roles from the list", "roles") from exc
    db.session.execute(sa.delete(BuyerRole).where(BuyerRole.membership_id == member.id))
    db.session.add_all([BuyerRole(membership_id=member.id, role=r) for r in sorted(roles)])
    record(
        E.SET_BUYER_ROLES,
        subject=member,
        actor=owner,
        organisation_id=member.organisation_id,
        detail={"roles": sorted(roles)},
    )
    commit()


def join_dps(user, organisation, dps):
    require_buyer_owner(user, organisation.id, "Only an owner can join a DPS for the organisation")
    if not is_approved(organisation.id):
        raise ServiceError("Your organisation must be approved before it can join a DPS")
    existing = db.session.execute(
        sa.select(DpsBuyer).where(
            DpsBuyer.dps_id == dps.id, DpsBuyer.organisation_id == organisation.id
        )
    ).scalar_one_or_none()
    if existing:
        return existing
    joined = DpsBuyer(dps_id=dps.id, organisation_id=organisation.id)
    db.session.add(joined)
    db.session.flush()
    record(
        E.JOIN_DPS_AS_BUYER,
        subject=organisation,
        actor=user,
        organisation=organisation,
        detail={"dps_id": dps.id},
    )
    commit()
    return joined


def has_joined(organisation_id, dps_id):
    return (
        db.session.execute(
            sa.select(DpsBuyer.id).where(
                DpsBuyer.dps_id == dps_id, DpsBuyer.organisation_id == organisation_id
            )
        ).first()
        is not None
    )
