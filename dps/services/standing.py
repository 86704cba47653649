"""Staying admitted: exclusion and debarment, suspension and reinstatement, removal from a lot,
and leaving. Renewing the self-declaration is ``renewals``; documents that expire, ``expiry``."""

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.organisations.models import Membership
from app.outbox.services import queue_email
from app.timeutil import utcnow
from app.unitofwork import commit
from dps.models import (
    Application,
    ApplicationLot,
    ApplicationStatus,
    Lot,
    LotDecision,
    LotMembership,
    MembershipStatus,
    SupplierExclusion,
)
from dps.permissions import require_acting_for, require_operator

HELD = (MembershipStatus.ADMITTED, MembershipStatus.SUSPENDED)


def _reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Enter the reason. The supplier will see it", "reason")
    return reason


def email_organisation(organisation_id, template, key, **personalisation):
    """Queue ``template`` to every member of the organisation, once per ``key``."""
    members = (
        db.session.execute(
            sa.select(Membership).where(Membership.organisation_id == organisation_id)
        )
        .scalars()
        .all()
    )
    for member in members:
        queue_email(
            member.user.email,
            template,
            {
                "name": member.user.name,
                "organisation": member.organisation.display_name,
                **personalisation,
            },
            idempotency_key=f"{template}:{key}:{member.user_id}",
        )


def active_exclusion(organisation_id):
    return db.session.execute(
        sa.select(SupplierExclusion)
        .where(
            SupplierExclusion.organisation_id == organisation_id,
            SupplierExclusion.lifted_at.is_(None),
        )
        .limit(1)
    ).scalar_one_or_none()


def memberships_in(organisation_id, dps_id=None, statuses=HELD):
    stmt = (
        sa.select(LotMembership)
        .join(Lot)
        .where(LotMembership.organisation_id == organisation_id, LotMembership.status.in_(statuses))
    )
    if dps_id is not None:
        stmt = stmt.where(Lot.dps_id == dps_id)
    return db.session.execute(stmt).scalars().all()


def set_status(rows, status, reason, now):
    for row in rows:
        row.status = status
        row.status_reason = reason
        row.status_changed_at = now


def exclude_organisation(admin, organisation, kind, reason):
    """Exclude or debar: the organisation is removed from every lot it holds, its pending lots are
    rejected, and it cannot be admitted while the exclusion stands."""
    require_operator(admin)
    if kind not in ("excluded", "debarred"):
        raise ServiceError("Choose excluded or debarred", "kind")
    reason = _reason(reason)
    if active_exclusion(organisation.id) is not None:
        raise ServiceError("This organisation is already excluded")
    exclusion = apply_exclusion(admin, organisation, kind, reason)
    commit()
    return exclusion


def apply_exclusion(actor, organisation, kind, reason, detail=None):
    """Record the exclusion, remove the organisation from every lot it holds, reject its lots
    waiting for a decision, audit it and email its members; part of the caller's transaction.
    ``actor`` is None when the service does it (a definite match on the debarment list)."""
    now = utcnow()
    exclusion = SupplierExclusion(
        organisation_id=organisation.id,
        kind=kind,
        reason=reason,
        created_by_id=getattr(actor, "id", None),
        created_at=now,
    )
    db.session.add(exclusion)
    held = memberships_in(organisation.id)
    set_status(held, MembershipStatus.REMOVED, f"{kind.capitalize()}: {reason}", now)
    pending = (
        db.session.execute(
            sa.select(ApplicationLot)
            .join(Application)
            .where(
                Application.organisation_id == organisation.id,
                Application.status.in_(
                    [ApplicationStatus.SUBMITTED, ApplicationStatus.CLARIFICATION]
                ),
                ApplicationLot.decision == LotDecision.PENDING,
            )
        )
        .scalars()
        .all()
    )
    for application_lot in pending:
        application_lot.decision = LotDecision.REJECTED
        application_lot.reason = f"Your organisation has been {kind}: {reason}"
        application_lot.decided_at = now
        application_lot.decided_by_id = getattr(actor, "id", None)
        application = application_lot.application
        if all(al.decision != LotDecision.PENDING for al in application.lots):
            application.status = ApplicationStatus.DECIDED
            application.decided_at = now
            application.clock_stopped_on = None
    db.session.flush()
    record(
        E.EXCLUDE_SUPPLIER,
        subject=organisation,
        actor=actor,
        organisation=organisation,
        detail={
            "kind": kind,
            "reason": reason,
            "lots_removed": [m.lot_id for m in held],
            "lots_rejected": [al.lot_id for al in pending],
            **(detail or {}),
        },
    )
    email_organisation(
        organisation.id, "supplier_excluded", f"{exclusion.id}", kind=kind, reason=reason
    )
    return exclusion


def lift_exclusion(admin, organisation, reason):
    require_operator(admin)
    exclusion = active_exclusion(organisation.id)
    if exclusion is None:
        raise ServiceError("This organisation is not excluded")
    exclusion.lifted_at = utcnow()
    exclusion.lifted_by_id = admin.id
    exclusion.lift_reason = _reason(reason)
    record(
        E.LIFT_EXCLUSION,
        subject=organisation,
        actor=admin,
        organisation=organisation,
        detail={"reason": exclusion.lift_reason},
    )
    commit()


# What suspending and reinstating in a DPS record and send.
_IN_DPS = {
    MembershipStatus.SUSPENDED: (E.SUSPEND_SUPPLIER, "supplier_suspended"),
    MembershipStatus.ADMITTED: (E.REINSTATE_SUPPLIER, "supplier_reinstated"),
}


def _change_in_dps(admin, organisation, dps, rows, reason, status):
    """Suspend or reinstate ``rows`` (the organisation's lots in the DPS), audited and emailed.
    A suspension keeps its reason on the rows; a reinstatement clears it."""
    event, template = _IN_DPS[status]
    now = utcnow()
    set_status(rows, status, reason if status == MembershipStatus.SUSPENDED else None, now)
    record(
        event,
        subject=organisation,
        actor=admin,
        organisation=organisation,
        detail={"dps_id": dps.id, "reason": reason, "lots": [m.lot_id for m in rows]},
    )
    email_organisation(
        organisation.id, template, f"{dps.id}:{now:%Y%m%d%H%M%S}", dps=dps.name, reason=reason
    )


def suspend(admin, organisation, dps, reason, *, actor_is_system=False):
    """Suspend from new call-offs in every lot of the DPS (the supplier stays admitted)."""
    if not actor_is_system:
        require_operator(admin)
    reason = _reason(reason)
    rows = memberships_in(organisation.id, dps.id, (MembershipStatus.ADMITTED,))
    if not rows:
        raise ServiceError("This organisation holds no lots in this DPS that can be suspended")
    _change_in_dps(admin, organisation, dps, rows, reason, MembershipStatus.SUSPENDED)
    return rows


def suspend_supplier(admin, organisation, dps, reason):
    rows = suspend(admin, organisation, dps, reason)
    commit()
    return rows


def reinstate_supplier(admin, organisation, dps, reason):
    require_operator(admin)
    reason = _reason(reason)
    if active_exclusion(organisation.id) is not None:
        raise ServiceError("This organisation is excluded. Lift the exclusion first")
    rows = memberships_in(organisation.id, dps.id, (MembershipStatus.SUSPENDED,))
    if not rows:
        raise ServiceError("This organisation is not suspended in this DPS")
    _change_in_dps(admin, organisation, dps, rows, reason, MembershipStatus.ADMITTED)
    commit()
    return rows


def remove_from_lot(admin, lot_membership, reason):
    require_operator(admin)
    reason = _reason(reason)
    if lot_membership.status not in HELD:
        raise ServiceError("This supplier does not hold this lot")
    set_status([lot_membership], MembershipStatus.REMOVED, reason, utcnow())
    record(
        E.REMOVE_SUPPLIER_FROM_LOT,
        subject=lot_membership,
        actor=admin,
        organisation_id=lot_membership.organisation_id,
        detail={"lot_id": lot_membership.lot_id, "reason": reason},
    )
    email_organisation(
        lot_membership.organisation_id,
        "supplier_removed_from_lot",
        f"{lot_membership.id}:{lot_membership.status_changed_at:%Y%m%d%H%M%S}",
        lot=lot_membership.lot.label,
        reason=reason,
    )
    commit()


def remove_for_reservation(lot_memberships, reason):
    """Remove a supplier that no longer qualifies for reserved lots (found at renewal), with the
    reason, told by email. Part of the caller's transaction; returns the lots' ids."""
    now = utcnow()
    set_status(lot_memberships, MembershipStatus.REMOVED, reason, now)
    for membership in lot_memberships:
        record(
            E.REMOVE_SUPPLIER_FROM_LOT,
            subject=membership,
            organisation_id=membership.organisation_id,
            detail={"lot_id": membership.lot_id, "reason": reason},
        )
        email_organisation(
            membership.organisation_id,
            "supplier_removed_from_lot",
            f"{membership.id}:{now:%Y%m%d%H%M%S}",
            lot=membership.lot.label,
            reason=reason,
        )
    return [m.lot_id for m in lot_memberships]


def leave_lots(user, organisation, lot_memberships):
    """A supplier leaves one lot, or every lot of a DPS."""
    require_acting_for(user, organisation.id)
    rows = [m for m in lot_memberships if m.organisation_id == organisation.id and m.status in HELD]
    if not rows:
        raise ServiceError("Your organisation does not hold these lots")
    now = utcnow()
    set_status(rows, MembershipStatus.LEFT, "Left at the supplier's request", now)
    record(
        E.LEAVE_LOT,
        subject=organisation,
        actor=user,
        organisation=organisation,
        detail={"lots": [m.lot_id for m in rows]},
    )
    commit()
