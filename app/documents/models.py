"""Documents: files people upload, kept private in storage, described here."""

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow
from app.types import UTCDateTime


class DocumentPurpose(enum.StrEnum):
    SELECTION_EVIDENCE = "selection_evidence"
    INSURANCE_CERTIFICATE = "insurance_certificate"
    ACCOUNTS = "accounts"
    POLICY = "policy"
    BID_ATTACHMENT = "bid_attachment"
    TENDER_DOCUMENT = "tender_document"
    CLARIFICATION_ATTACHMENT = "clarification_attachment"
    AWARD_LETTER = "award_letter"
    SOCIAL_VALUE_EVIDENCE = "social_value_evidence"


PURPOSE_LABELS = {
    DocumentPurpose.SELECTION_EVIDENCE: "Selection evidence",
    DocumentPurpose.INSURANCE_CERTIFICATE: "Insurance certificate",
    DocumentPurpose.ACCOUNTS: "Accounts",
    DocumentPurpose.POLICY: "Policy",
    DocumentPurpose.BID_ATTACHMENT: "Bid attachment",
    DocumentPurpose.TENDER_DOCUMENT: "Tender document",
    DocumentPurpose.CLARIFICATION_ATTACHMENT: "Clarification attachment",
    DocumentPurpose.AWARD_LETTER: "Award letter",
    DocumentPurpose.SOCIAL_VALUE_EVIDENCE: "Social value evidence",
}

# Purposes a supplier uploads to its own document library (the rest are attached by features).
LIBRARY_PURPOSES = (
    DocumentPurpose.INSURANCE_CERTIFICATE,
    DocumentPurpose.ACCOUNTS,
    DocumentPurpose.POLICY,
    DocumentPurpose.SELECTION_EVIDENCE,
)


class DocumentStatus(enum.StrEnum):
    ACTIVE = "active"
    QUARANTINED = "quarantined"  # a virus scanner flagged it: never served
    DELETED = "deleted"  # soft-deleted; the stored object is removed by a job


class Document(db.Model):
    __tablename__ = "documents"
    __table_args__ = (
        sa.CheckConstraint("size_bytes > 0", name="size_positive"),
        sa.CheckConstraint(
            "(status = 'deleted') = (deleted_at IS NOT NULL)", name="deleted_has_time"
        ),
        sa.Index("ix_documents_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    purpose: Mapped[DocumentPurpose] = mapped_column(
        sa.Enum(
            DocumentPurpose,
            name="document_purpose",
            native_enum=False,
            length=40,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    original_filename: Mapped[str] = mapped_column(sa.String(255))  # cleaned, for display
    content_type: Mapped[str] = mapped_column(sa.String(120))  # detected from the bytes
    size_bytes: Mapped[int] = mapped_column(sa.BigInteger)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    expires_on: Mapped[sa.Date | None] = mapped_column(sa.Date, nullable=True)
    status: Mapped[DocumentStatus] = mapped_column(
        sa.Enum(
            DocumentStatus,
            name="document_status",
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=DocumentStatus.ACTIVE,
    )
    scan_result: Mapped[str | None] = mapped_column(sa.String(200))
    # What the document is attached to (an application, a bid ...), set by the feature using it.
    subject_type: Mapped[str | None] = mapped_column(sa.String(60))
    subject_id: Mapped[int | None] = mapped_column(sa.Integer)
    # Set when a submitted bid or a decided application points to it: it can no longer be deleted.
    locked_at = mapped_column(UTCDateTime(), nullable=True)
    locked_reason: Mapped[str | None] = mapped_column(sa.String(200))
    deleted_at = mapped_column(UTCDateTime(), nullable=True)
    deleted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    object_removed_at = mapped_column(UTCDateTime(), nullable=True)

    owner = relationship("Organisation")
    uploaded_by = relationship("User", foreign_keys=[uploaded_by_id])

    @property
    def is_available(self):
        return self.status == DocumentStatus.ACTIVE

    @property
    def purpose_label(self):
        return PURPOSE_LABELS[self.purpose]

    @property
    def size_label(self):
        size = self.size_bytes
        if size < 1024:
            return f"{size} bytes"
        if size < 1024 * 1024:
            return f"{size / 1024:.0f} KB"
        return f"{size / (1024 * 1024):.1f} MB"
