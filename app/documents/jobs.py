"""Jobs for documents. Each takes an id and is safe to run more than once."""

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.documents.models import Document, DocumentStatus
from app.extensions import db
from app.queue import enqueue
from app.storage import get_storage
from app.timeutil import utcnow


def remove_deleted_object(document_id):
    """Remove a soft-deleted document's stored object. Returns True if it removed it now."""
    document = db.session.get(Document, document_id)
    if document is None or document.status != DocumentStatus.DELETED or document.object_removed_at:
        return False
    get_storage().delete(document.storage_key)
    document.object_removed_at = utcnow()
    record(
        E.REMOVE_DOCUMENT_OBJECT, subject=document, organisation_id=document.owner_organisation_id
    )
    db.session.commit()
    return True


def remove_all_deleted_objects():
    """Scheduled: catch up on removals whose job was lost."""
    ids = (
        db.session.execute(
            sa.select(Document.id).where(
                Document.status == DocumentStatus.DELETED, Document.object_removed_at.is_(None)
            )
        )
        .scalars()
        .all()
    )
    return sum(1 for document_id in ids if remove_deleted_object(document_id))


def recover_removals(now, idle):
    """Recoverer (``app.recovery``): queue the removal of each deleted document's stored file
    whose job was lost. Returns how many it queued."""
    ids = (
        db.session.execute(
            sa.select(Document.id).where(
                Document.status == DocumentStatus.DELETED,
                Document.object_removed_at.is_(None),
                Document.deleted_at < now - idle,
            )
        )
        .scalars()
        .all()
    )
    db.session.rollback()
    queued = 0
    for document_id in ids:
        if not enqueue(
            remove_deleted_object, document_id, job_id=f"remove_deleted_object-{document_id}"
        ):
            break
        queued += 1
    return queued
