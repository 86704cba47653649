"""Uploading, downloading and deleting documents. Each function is one transaction.

Order matters for "nothing half-stored": the file is checked, scanned and stored first; the row
is written and committed only after the store said yes; if the commit fails, the stored object is
removed again. Deletes are soft and audited; a job removes the stored object afterwards.
"""

import hashlib
import io
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.documents.jobs import remove_deleted_object
from app.documents.models import Document, DocumentPurpose, DocumentStatus
from app.documents.scanning import ScannerUnavailable, get_scanner
from app.documents.uploads import check_upload
from app.errors import NotAllowed, NotFound, ServiceError
from app.extensions import db
from app.outbox.services import queue_email
from app.permissions import can_manage_document, can_read_document, can_upload_document
from app.queue import enqueue
from app.storage import StorageUnavailable, get_storage
from app.timeutil import utcnow
from app.unitofwork import after_commit, commit
from app.urls import absolute_url


class DocumentError(ServiceError):
    """A document could not be stored, deleted or sent; the message is fit to show the user.
    (Someone who may not touch the document is refused with ``app.errors.NotAllowed``, or
    ``NotFound`` when even its name must not leak.)"""


class UploadFailed(DocumentError):
    """The store or scanner could not be reached: nothing was kept; the person should try again."""


def new_storage_key(organisation_id):
    # Opaque: nothing from the person's file name, nothing guessable.
    return f"documents/{organisation_id}/{secrets.token_hex(16)}"


def upload_document(
    user, organisation, file_storage, purpose, expires_on=None, subject_type=None, subject_id=None
):
    """Check, scan, store and record one upload. Raises UploadRefused (a message about the file),
    UploadFailed (try again) or NotAllowed. Returns the Document."""
    if not can_upload_document(user, organisation.id):
        raise NotAllowed("You are not a member of this organisation")
    purpose = DocumentPurpose(purpose)
    checked = check_upload(file_storage, current_app.config["MAX_UPLOAD_BYTES"])
    key = new_storage_key(organisation.id)
    storage = get_storage()
    try:
        try:
            result = get_scanner().scan(checked.stream)
        except ScannerUnavailable as exc:
            current_app.logger.warning("virus scanner unavailable: %s", exc)
            raise UploadFailed(
                "We could not check your file for viruses just now. "
                "Nothing was saved. Try again in a few minutes"
            ) from exc
        try:
            storage.put(
                key,
                checked.stream,
                checked.content_type,
                metadata={"sha256": checked.sha256, "organisation": organisation.id},
            )
        except StorageUnavailable as exc:
            current_app.logger.warning("storage unavailable on upload: %s", exc)
            raise UploadFailed(
                "Your file could not be saved because of a problem on our side. "
                "Nothing was saved. Try again"
            ) from exc
    finally:
        checked.stream.close()

    document = Document(
        owner_organisation_id=organisation.id,
        purpose=purpose,
        original_filename=checked.filename,
        content_type=checked.content_type,
        size_bytes=checked.size,
        sha256=checked.sha256,
        storage_key=key,
        uploaded_by_id=user.id,
        uploaded_at=utcnow(),
        expires_on=expires_on,
        subject_type=subject_type,
        subject_id=subject_id,
        status=DocumentStatus.ACTIVE if result.clean else DocumentStatus.QUARANTINED,
        scan_result=_scan_result(result),
    )
    try:
        db.session.add(document)
        db.session.flush()
        record(
            E.UPLOAD_DOCUMENT,
            subject=document,
            actor=user,
            organisation=organisation,
            detail={
                "purpose": purpose.value,
                "sha256": checked.sha256,
                "size": checked.size,
                "filename": checked.filename,
            },
        )
        if not result.clean:
            record(
                E.QUARANTINE_DOCUMENT,
                subject=document,
                actor=user,
                organisation=organisation,
                detail={"signature": result.signature},
            )
            queue_email(
                user.email,
                "document_quarantined",
                {
                    "name": user.name,
                    "filename": checked.filename,
                    "organisation": organisation.display_name,
                    "documents_url": absolute_url(
                        "documents.list_documents", organisation_id=organisation.id
                    ),
                },
                idempotency_key=f"document_quarantined:{document.id}",
            )
        commit()
    except Exception as exc:
        db.session.rollback()
        try:
            storage.delete(key)
        except StorageUnavailable:
            current_app.logger.error("could not remove orphan object %s", key)
        if isinstance(exc, sa.exc.SQLAlchemyError):
            current_app.logger.exception("database failure on upload")
            raise UploadFailed(
                "Your file could not be saved because of a problem on our side. "
                "Nothing was saved. Try again"
            ) from exc
        raise
    return document


def store_generated(
    organisation_id,
    purpose,
    filename,
    content,
    content_type,
    created_by_id,
    subject_type=None,
    subject_id=None,
):
    """Store a document the service made itself (an award letter), not an upload: no upload
    checks, but the same private storage, hash and record. Part of the caller's transaction; the
    object is stored first, so a failed commit leaves at most an orphan object, never a row
    without its file."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    digest = hashlib.sha256(data).hexdigest()
    key = new_storage_key(organisation_id)
    try:
        get_storage().put(
            key,
            io.BytesIO(data),
            content_type,
            metadata={"sha256": digest, "organisation": organisation_id},
        )
    except StorageUnavailable as exc:
        raise UploadFailed("The document could not be stored. Try again") from exc
    document = Document(
        owner_organisation_id=organisation_id,
        purpose=DocumentPurpose(purpose),
        original_filename=filename[:255],
        content_type=content_type,
        size_bytes=len(data),
        sha256=digest,
        storage_key=key,
        uploaded_by_id=created_by_id,
        uploaded_at=utcnow(),
        subject_type=subject_type,
        subject_id=subject_id,
        status=DocumentStatus.ACTIVE,
        scan_result="generated",
    )
    db.session.add(document)
    db.session.flush()
    lock_document(document, "it is a letter sent to the supplier")
    return document


def _scan_result(result):
    if result.scanner == "none":
        return "not scanned"
    return (
        f"{result.scanner}: clean" if result.clean else f"{result.scanner}: {result.signature}"
    )[:200]


def lock_document(document, reason):
    """Called by a feature when a submitted bid or decided application points to the document.
    Part of the caller's transaction."""
    if document.locked_at is None:
        document.locked_at = utcnow()
        document.locked_reason = reason[:200]


def deletion_refusal(document):
    """Why the document cannot be deleted (a submission points to it), or None."""
    if document.locked_at is not None:
        return (
            f"You cannot delete {document.original_filename} because "
            f"{document.locked_reason or 'it is part of a submission'}"
        )
    return None


def delete_document(user, document):
    if not can_manage_document(user, document):
        raise NotAllowed("You cannot delete this document")
    refusal = deletion_refusal(document)
    if refusal:
        raise DocumentError(refusal)
    document.status = DocumentStatus.DELETED
    document.deleted_at = utcnow()
    document.deleted_by_id = user.id
    record(
        E.DELETE_DOCUMENT,
        subject=document,
        actor=user,
        organisation_id=document.owner_organisation_id,
        detail={"filename": document.original_filename},
    )
    after_commit(_enqueue_removal, document.id)
    commit()


def _enqueue_removal(document_id):
    enqueue(remove_deleted_object, document_id, job_id=f"remove_deleted_object-{document_id}")


class IntegrityFailure(DocumentError):
    pass


@dataclass
class Delivery:
    """How to hand a document over: a short-lived URL to redirect to, or an open file to stream."""

    url: str | None = None
    stream: object = None


def download_document(user, document):
    """Check the reader may have it, check a locally stored file still matches its fingerprint,
    audit the download and say how to deliver it.

    Raises NotFound (for whoever may not read it, so its name does not leak), IntegrityFailure
    (the stored file changed: not sent) or StorageUnavailable."""
    if not can_read_document(user, document) or document.status != DocumentStatus.ACTIVE:
        raise NotFound("Not found")
    storage = get_storage()
    if storage.streams:
        delivery = Delivery(stream=verified_local_stream(document))
    else:
        delivery = Delivery(
            url=storage.presigned_url(
                document.storage_key,
                document.original_filename,
                document.content_type,
                seconds=current_app.config["DOWNLOAD_URL_SECONDS"],
            )
        )
    try:
        record(
            E.DOWNLOAD_DOCUMENT,
            subject=document,
            actor=user,
            organisation_id=document.owner_organisation_id,
            detail={"sha256": document.sha256},
        )
        commit()
    except Exception:
        if delivery.stream is not None:
            delivery.stream.close()
        raise
    return delivery


def verified_local_stream(document):
    """Read a locally stored file, checking its SHA-256 still matches before serving it."""
    storage = get_storage()
    digest = hashlib.sha256()
    handle = storage.open(document.storage_key)
    while chunk := handle.read(1024 * 1024):
        digest.update(chunk)
    if digest.hexdigest() != document.sha256:
        handle.close()
        record(
            E.DOCUMENT_INTEGRITY_FAILURE,
            subject=document,
            organisation_id=document.owner_organisation_id,
            detail={"expected": document.sha256, "found": digest.hexdigest()},
        )
        commit()
        current_app.logger.error("document %s failed its integrity check", document.id)
        raise IntegrityFailure(
            "This file has changed since it was uploaded, so we have not "
            "sent it. We have been told and will look into it"
        )
    handle.seek(0)
    return handle


def replaced_by_a_current_one(document, on):
    """Whether the owner's library holds another document of the same purpose, active and
    current on the day ``on`` (a certificate renewed before the old one expired)."""
    return (
        db.session.execute(
            sa.select(Document.id)
            .where(
                Document.owner_organisation_id == document.owner_organisation_id,
                Document.purpose == document.purpose,
                Document.status == DocumentStatus.ACTIVE,
                Document.expires_on >= on,
            )
            .limit(1)
        ).first()
        is not None
    )


def documents_for(organisation_id):
    return (
        db.session.execute(
            sa.select(Document)
            .where(
                Document.owner_organisation_id == organisation_id,
                Document.status != DocumentStatus.DELETED,
            )
            .order_by(Document.uploaded_at.desc())
        )
        .scalars()
        .all()
    )


# --- Records retention: called by the job that expires a call-off's records ---------------------


def read_content(document):
    """The stored bytes of a document (for a service that rewrites its own letters)."""
    handle = get_storage().open(document.storage_key)
    try:
        return handle.read()
    finally:
        handle.close()


def replace_content(document, data):
    """Give a document the service made (a letter) new content, with personal data taken out.
    The new object is stored first, under a new key; the row follows in the caller's transaction.
    Returns the old key, for the caller to remove (``remove_object``) once it has committed, so a
    failed commit leaves at most an orphan object, never a row without its file."""
    digest = hashlib.sha256(data).hexdigest()
    key = new_storage_key(document.owner_organisation_id)
    get_storage().put(
        key,
        io.BytesIO(data),
        document.content_type,
        metadata={"sha256": digest, "organisation": document.owner_organisation_id},
    )
    old_key = document.storage_key
    document.storage_key, document.sha256, document.size_bytes = key, digest, len(data)
    return old_key


def expire_document(document):
    """Delete a document whose retention period is over, locked or not: in the caller's
    transaction, which audits it. The caller removes the stored object once it has committed
    (``remove_object``); if that fails, the hourly removal job does it."""
    document.status = DocumentStatus.DELETED
    document.deleted_at = utcnow()
    document.deleted_by_id = None


def remove_object(key, document=None):
    """Remove a stored object; mark the (deleted) document's object removed. Returns False if the
    store could not be reached (the hourly removal job tries deleted documents again)."""
    try:
        get_storage().delete(key)
    except StorageUnavailable:
        current_app.logger.warning("could not remove stored object %s", key)
        return False
    if document is not None and document.status == DocumentStatus.DELETED:
        document.object_removed_at = utcnow()
    return True
