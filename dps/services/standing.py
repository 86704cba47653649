"""Staying admitted: exclusion and debarment, suspension and reinstatement, removal, leaving,
renewing the self-declaration, and documents that expire."""

from datetime import timedelta

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.documents.models import Document, DocumentPurpose, DocumentStatus
from app.extensions import db
from app.organisations.models import Membership
from app.outbox.services import queue_email
from app.permissions import is_admin, membership
from app.timeutil import utcnow
from app.unitofwork import commit
from app.urls import absolute_url
from dps.models import (
    Application,
    ApplicationLot,
    ApplicationStatus,
    Dps,
    Lot,
    LotDecision,
    LotMembership,
    MembershipStatus,
    RenewalRequest,
    SupplierExclusion,
)
from dps.services import DpsError, NotAllowed
from dps.services.clock import today
from dps.working_days import add_working_days, working_days_between

RENEWAL_WORKING_DAYS = 5
# Suspensions for an expired certificate start with this, so they can be lifted on replacement.
EXPIRED_DOCUMENT = "Expired document:"
EXPIRY_REMINDER_DAYS = (30, 7)
HELD = (MembershipStatus.ADMITTED, MembershipStatus.SUSPENDED)


def _require_admin(user):
    if not is_admin(user):
        raise NotAllowed("Only the DPS operator can do this")


def _reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise DpsError("Enter the reason. The supplier will see it", "reason")
    return reason


def _email_organisation(organisation_id, template, key, **personalisation):
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


def _set_status(rows, status, reason, now):
    for row in rows:
        row.status = status
        row.status_reason = reason
        row.status_changed_at = now


def exclude_organisation(admin, organisation, kind, reason):
    """Exclude or debar: the organisation is removed from every lot it holds, its pending lots are
    rejected, and it cannot be admitted while the exclusion stands."""
    _require_admin(admin)
    if kind not in ("excluded", "debarred"):
        raise DpsError("Choose excluded or debarred", "kind")
    reason = _reason(reason)
    if active_exclusion(organisation.id) is not None:
        raise DpsError("This organisation is already excluded")
    now = utcnow()
    exclusion = SupplierExclusion(
        organisation_id=organisation.id,
        kind=kind,
        reason=reason,
        created_by_id=admin.id,
        created_at=now,
    )
    db.session.add(exclusion)
    held = memberships_in(organisation.id)
    _set_status(held, MembershipStatus.REMOVED, f"{kind.capitalize()}: {reason}", now)
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
        application_lot.decided_by_id = admin.id
        application = application_lot.application
        if all(al.decision != LotDecision.PENDING for al in application.lots):
            application.status = ApplicationStatus.DECIDED
            application.decided_at = now
            application.clock_stopped_on = None
    db.session.flush()
    record(
        E.EXCLUDE_SUPPLIER,
        subject=organisation,
        actor=admin,
        organisation=organisation,
        detail={
            "kind": kind,
            "reason": reason,
            "lots_removed": [m.lot_id for m in held],
            "lots_rejected": [al.lot_id for al in pending],
        },
    )
    _email_organisation(
        organisation.id, "supplier_excluded", f"{exclusion.id}", kind=kind, reason=reason
    )
    commit()
    return exclusion


def lift_exclusion(admin, organisation, reason):
    _require_admin(admin)
    exclusion = active_exclusion(organisation.id)
    if exclusion is None:
        raise DpsError("This organisation is not excluded")
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


def suspend(admin, organisation, dps, reason, *, actor_is_system=False):
    """Suspend from new call-offs in every lot of the DPS (the supplier stays admitted)."""
    if not actor_is_system:
        _require_admin(admin)
    reason = _reason(reason)
    rows = memberships_in(organisation.id, dps.id, (MembershipStatus.ADMITTED,))
    if not rows:
        raise DpsError("This organisation holds no lots in this DPS that can be suspended")
    now = utcnow()
    _set_status(rows, MembershipStatus.SUSPENDED, reason, now)
    record(
        E.SUSPEND_SUPPLIER,
        subject=organisation,
        actor=admin,
        organisation=organisation,
        detail={"dps_id": dps.id, "reason": reason, "lots": [m.lot_id for m in rows]},
    )
    _email_organisation(
        organisation.id,
        "supplier_suspended",
        f"{dps.id}:{now:%Y%m%d%H%M%S}",
        dps=dps.name,
        reason=reason,
    )
    return rows


def suspend_supplier(admin, organisation, dps, reason):
    rows = suspend(admin, organisation, dps, reason)
    commit()
    return rows


def reinstate_supplier(admin, organisation, dps, reason):
    _require_admin(admin)
    reason = _reason(reason)
    if active_exclusion(organisation.id) is not None:
        raise DpsError("This organisation is excluded. Lift the exclusion first")
    rows = memberships_in(organisation.id, dps.id, (MembershipStatus.SUSPENDED,))
    if not rows:
        raise DpsError("This organisation is not suspended in this DPS")
    now = utcnow()
    _set_status(rows, MembershipStatus.ADMITTED, None, now)
    record(
        E.REINSTATE_SUPPLIER,
        subject=organisation,
        actor=admin,
        organisation=organisation,
        detail={"dps_id": dps.id, "reason": reason, "lots": [m.lot_id for m in rows]},
    )
    _email_organisation(
        organisation.id,
        "supplier_reinstated",
        f"{dps.id}:{now:%Y%m%d%H%M%S}",
        dps=dps.name,
        reason=reason,
    )
    commit()
    return rows


def remove_from_lot(admin, lot_membership, reason):
    _require_admin(admin)
    reason = _reason(reason)
    if lot_membership.status not in HELD:
        raise DpsError("This supplier does not hold this lot")
    _set_status([lot_membership], MembershipStatus.REMOVED, reason, utcnow())
    record(
        E.REMOVE_SUPPLIER_FROM_LOT,
        subject=lot_membership,
        actor=admin,
        organisation_id=lot_membership.organisation_id,
        detail={"lot_id": lot_membership.lot_id, "reason": reason},
    )
    _email_organisation(
        lot_membership.organisation_id,
        "supplier_removed_from_lot",
        f"{lot_membership.id}:{lot_membership.status_changed_at:%Y%m%d%H%M%S}",
        lot=lot_membership.lot.label,
        reason=reason,
    )
    commit()


def leave_lots(user, organisation, lot_memberships):
    """A supplier leaves one lot, or every lot of a DPS."""
    if membership(user, organisation.id) is None:
        raise NotAllowed("You are not a member of this organisation")
    rows = [m for m in lot_memberships if m.organisation_id == organisation.id and m.status in HELD]
    if not rows:
        raise DpsError("Your organisation does not hold these lots")
    now = utcnow()
    _set_status(rows, MembershipStatus.LEFT, "Left at the supplier's request", now)
    record(
        E.LEAVE_LOT,
        subject=organisation,
        actor=user,
        organisation=organisation,
        detail={"lots": [m.lot_id for m in rows]},
    )
    commit()


def request_renewal(admin, organisation, dps):
    """Ask an admitted supplier to renew its self-declaration within 5 working days."""
    _require_admin(admin)
    if not memberships_in(organisation.id, dps.id):
        raise DpsError("This organisation holds no lots in this DPS")
    open_request = db.session.execute(
        sa.select(RenewalRequest).where(
            RenewalRequest.organisation_id == organisation.id,
            RenewalRequest.dps_id == dps.id,
            RenewalRequest.completed_at.is_(None),
            RenewalRequest.lapsed_at.is_(None),
        )
    ).scalar_one_or_none()
    if open_request is not None:
        raise DpsError("This organisation already has a renewal to complete")
    due = add_working_days(today(), RENEWAL_WORKING_DAYS, dps.calendar)
    renewal = RenewalRequest(
        dps_id=dps.id, organisation_id=organisation.id, requested_by_id=admin.id, due_on=due
    )
    db.session.add(renewal)
    db.session.flush()
    record(
        E.REQUEST_RENEWAL,
        subject=renewal,
        actor=admin,
        organisation=organisation,
        detail={"dps_id": dps.id, "due_on": due.isoformat()},
    )
    _email_organisation(
        organisation.id,
        "renewal_requested",
        f"{renewal.id}",
        dps=dps.name,
        due=f"{due.day} {due.strftime('%B %Y')}",
        url=absolute_url("dps.renew_declaration", renewal_id=renewal.id),
    )
    commit()
    return renewal


def complete_renewal(user, renewal, confirmed):
    if membership(user, renewal.organisation_id) is None:
        raise NotAllowed("You are not a member of this organisation")
    if renewal.completed_at or renewal.lapsed_at:
        raise DpsError("This renewal is closed")
    if not confirmed:
        raise DpsError("Confirm that your answers are still correct", "confirm")
    renewal.completed_at = utcnow()
    renewal.completed_by_id = user.id
    record(
        E.COMPLETE_RENEWAL,
        subject=renewal,
        actor=user,
        organisation_id=renewal.organisation_id,
        detail={"dps_id": renewal.dps_id},
    )
    commit()


def process_renewals(on=None):
    """Daily: remind suppliers on the last working day; suspend those whose renewal lapsed.
    Idempotent: each reminder and suspension happens once."""
    on = on or today()
    open_requests = (
        db.session.execute(
            sa.select(RenewalRequest).where(
                RenewalRequest.completed_at.is_(None), RenewalRequest.lapsed_at.is_(None)
            )
        )
        .scalars()
        .all()
    )
    reminded = lapsed = 0
    for renewal in open_requests:
        left = working_days_between(on, renewal.due_on, renewal.dps.calendar)
        if on > renewal.due_on:
            renewal.lapsed_at = utcnow()
            if memberships_in(
                renewal.organisation_id, renewal.dps_id, (MembershipStatus.ADMITTED,)
            ):
                suspend(
                    None,
                    renewal.organisation,
                    renewal.dps,
                    "You did not renew your self-declaration by "
                    f"{renewal.due_on.day} {renewal.due_on.strftime('%B %Y')}",
                    actor_is_system=True,
                )
            record(
                E.LAPSE_RENEWAL,
                subject=renewal,
                organisation_id=renewal.organisation_id,
                detail={"due_on": renewal.due_on.isoformat()},
            )
            lapsed += 1
        elif left <= 1 and renewal.reminded_at is None:
            renewal.reminded_at = utcnow()
            _email_organisation(
                renewal.organisation_id,
                "renewal_reminder",
                f"{renewal.id}",
                dps=renewal.dps.name,
                due=f"{renewal.due_on.day} {renewal.due_on.strftime('%B %Y')}",
                url=absolute_url("dps.renew_declaration", renewal_id=renewal.id),
            )
            reminded += 1
    commit()
    return {"reminded": reminded, "lapsed": lapsed}


def _documents_in_latest_decided_applications():
    """{document_id: organisation_id} of insurance certificates that admitted suppliers rely on."""
    rows = db.session.execute(
        sa.select(Application.organisation_id, Application.snapshot).where(
            Application.status == ApplicationStatus.DECIDED
        )
    ).all()
    relied = {}
    for organisation_id, snapshot in rows:
        for document_id, info in (snapshot or {}).get("documents", {}).items():
            if info.get("purpose") == DocumentPurpose.INSURANCE_CERTIFICATE.value:
                relied[int(document_id)] = organisation_id
    return relied


def process_document_expiry(on=None):
    """Daily: remind owners 30 and 7 days before a document expires; when a certificate an
    admitted supplier relies on has expired and no newer one of the same purpose is in its
    library, suspend it from new call-offs and tell it. Idempotent."""
    on = on or today()
    reminders = 0
    for days in EXPIRY_REMINDER_DAYS:
        target = on + timedelta(days=days)
        documents = (
            db.session.execute(
                sa.select(Document).where(
                    Document.expires_on == target, Document.status == DocumentStatus.ACTIVE
                )
            )
            .scalars()
            .all()
        )
        for document in documents:
            _email_organisation(
                document.owner_organisation_id,
                "document_expiring",
                f"{document.id}:{days}",
                filename=document.original_filename,
                days=days,
                expires=f"{target.day} {target.strftime('%B %Y')}",
                url=absolute_url(
                    "documents.list_documents", organisation_id=document.owner_organisation_id
                ),
            )
            reminders += 1
    reinstated = _reinstate_replaced(on)
    suspended = 0
    relied = _documents_in_latest_decided_applications()
    if relied:
        expired = (
            db.session.execute(
                sa.select(Document).where(Document.id.in_(list(relied)), Document.expires_on < on)
            )
            .scalars()
            .all()
        )
        for document in expired:
            replacement = db.session.execute(
                sa.select(Document.id)
                .where(
                    Document.owner_organisation_id == document.owner_organisation_id,
                    Document.purpose == document.purpose,
                    Document.status == DocumentStatus.ACTIVE,
                    Document.expires_on >= on,
                )
                .limit(1)
            ).first()
            if replacement:
                continue
            reason = (
                f"{EXPIRED_DOCUMENT} your {document.purpose_label.lower()} "
                f"{document.original_filename} expired on {document.expires_on.day} "
                f"{document.expires_on.strftime('%B %Y')}. Upload a current one"
            )
            dps_ids = {
                m.lot.dps_id
                for m in memberships_in(
                    document.owner_organisation_id, statuses=(MembershipStatus.ADMITTED,)
                )
            }
            for dps_id in dps_ids:
                suspend(
                    None, document.owner, db.session.get(Dps, dps_id), reason, actor_is_system=True
                )
                suspended += 1
    commit()
    return {"reminders": reminders, "suspended": suspended, "reinstated": reinstated}


def _expired_without_replacement(organisation_id, on):
    """Certificates the organisation relies on that have expired with no current one of the
    same kind in its library."""
    relied = [
        d
        for d, org in _documents_in_latest_decided_applications().items()
        if org == organisation_id
    ]
    if not relied:
        return []
    expired = (
        db.session.execute(
            sa.select(Document).where(Document.id.in_(relied), Document.expires_on < on)
        )
        .scalars()
        .all()
    )
    return [
        d
        for d in expired
        if db.session.execute(
            sa.select(Document.id)
            .where(
                Document.owner_organisation_id == organisation_id,
                Document.purpose == d.purpose,
                Document.status == DocumentStatus.ACTIVE,
                Document.expires_on >= on,
            )
            .limit(1)
        ).first()
        is None
    ]


def _reinstate_replaced(on):
    """Suppliers suspended only because a certificate expired are reinstated once a current one
    is in their library ("suspended until replaced")."""
    rows = (
        db.session.execute(
            sa.select(LotMembership).where(
                LotMembership.status == MembershipStatus.SUSPENDED,
                LotMembership.status_reason.like(f"{EXPIRED_DOCUMENT}%"),
            )
        )
        .scalars()
        .all()
    )
    done = set()
    for row in rows:
        if row.organisation_id in done or _expired_without_replacement(row.organisation_id, on):
            continue
        done.add(row.organisation_id)
        again = [m for m in rows if m.organisation_id == row.organisation_id]
        _set_status(again, MembershipStatus.ADMITTED, None, utcnow())
        record(
            E.REINSTATE_SUPPLIER,
            subject=row.organisation,
            organisation_id=row.organisation_id,
            detail={
                "reason": "a current document replaced the expired one",
                "lots": [m.lot_id for m in again],
            },
        )
        for dps_id in {m.lot.dps_id for m in again}:
            _email_organisation(
                row.organisation_id,
                "supplier_reinstated",
                f"{dps_id}:replaced:{on.isoformat()}",
                dps=db.session.get(Dps, dps_id).name,
                reason="You uploaded a current document to replace the one that expired",
            )
    return len(done)
