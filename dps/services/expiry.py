"""Documents that expire: owners are reminded before an expiry date; a supplier relying on an
insurance certificate that has expired, with no current one in its library, is suspended from new
call-offs until it uploads one (the daily job)."""

from datetime import timedelta

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.documents.models import Document, DocumentPurpose, DocumentStatus
from app.documents.services import replaced_by_a_current_one
from app.extensions import db
from app.timeutil import format_date, utcnow
from app.unitofwork import commit
from app.urls import absolute_url
from dps.models import Application, ApplicationStatus, Dps, LotMembership, MembershipStatus
from dps.services.clock import today
from dps.services.standing import email_organisation, memberships_in, set_status, suspend

# Suspensions for an expired certificate start with this, so they can be lifted on replacement.
EXPIRED_DOCUMENT = "Expired document:"
EXPIRY_REMINDER_DAYS = (30, 7)


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


def _expired(document_ids, on):
    return (
        db.session.execute(
            sa.select(Document).where(Document.id.in_(document_ids), Document.expires_on < on)
        )
        .scalars()
        .all()
    )


def _remind(on):
    """Remind owners of documents that expire in 30 or 7 days. Returns how many reminders."""
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
            email_organisation(
                document.owner_organisation_id,
                "document_expiring",
                f"{document.id}:{days}",
                filename=document.original_filename,
                days=days,
                expires=format_date(target),
                url=absolute_url(
                    "documents.list_documents", organisation_id=document.owner_organisation_id
                ),
            )
            reminders += 1
    return reminders


def process_document_expiry(on=None):
    """Daily: remind owners 30 and 7 days before a document expires; when a certificate an
    admitted supplier relies on has expired and no newer one of the same purpose is in its
    library, suspend it from new call-offs and tell it. Idempotent."""
    on = on or today()
    reminders = _remind(on)
    reinstated = _reinstate_replaced(on)
    suspended = 0
    relied = _documents_in_latest_decided_applications()
    if relied:
        for document in _expired(list(relied), on):
            if replaced_by_a_current_one(document, on):
                continue
            reason = (
                f"{EXPIRED_DOCUMENT} your {document.purpose_label.lower()} "
                f"{document.original_filename} expired on {format_date(document.expires_on)}. "
                "Upload a current one"
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
    return [d for d in _expired(relied, on) if not replaced_by_a_current_one(d, on)]


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
        set_status(again, MembershipStatus.ADMITTED, None, utcnow())
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
            email_organisation(
                row.organisation_id,
                "supplier_reinstated",
                f"{dps_id}:replaced:{on.isoformat()}",
                dps=db.session.get(Dps, dps_id).name,
                reason="You uploaded a current document to replace the one that expired",
            )
    return len(done)
