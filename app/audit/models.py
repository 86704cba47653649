"""The append-only audit log. Each event carries the hash of the one before it."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.types import UTCDateTime


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at = mapped_column(UTCDateTime(), nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    event_type: Mapped[str] = mapped_column(sa.String(60), index=True)
    subject_type: Mapped[str | None] = mapped_column(sa.String(60))
    subject_id: Mapped[int | None] = mapped_column(sa.Integer)
    detail: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    # The actor's email at the time, so the log reads well even after an address changes.
    actor_label: Mapped[str | None] = mapped_column(sa.String(320))
    # The personal data of the event (actor_id, actor_label, and the detail's PERSONAL_DETAIL_KEYS)
    # are hashed apart, with a random salt, and only that hash is chained, so they can be erased
    # when their records expire and the chain still verifies (see services.canonical). Events
    # written before this have no personal hash and are chained whole.
    personal_salt: Mapped[str | None] = mapped_column(sa.String(32))
    personal_hash: Mapped[str | None] = mapped_column(sa.String(64))
    anonymised_at = mapped_column(UTCDateTime(), nullable=True)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)

    actor = relationship("User")
    organisation = relationship("Organisation")
