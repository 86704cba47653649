"""The email outbox: every email is a row written in the same transaction as the change it reports."""

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import utcnow
from app.types import UTCDateTime


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # committed, waiting for a worker
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"
    FAILED = "failed"  # permanent failure, or retries used up
    SUPPRESSED = "suppressed"  # address known to be undeliverable; not tried


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: writing the same email twice (a retried job, a second worker) is a no-op.
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    recipient: Mapped[str] = mapped_column(sa.String(320), index=True)
    template: Mapped[str] = mapped_column(sa.String(100))
    personalisation: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    status: Mapped[OutboxStatus] = mapped_column(
        sa.Enum(
            OutboxStatus,
            name="outbox_status",
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=OutboxStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(sa.Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    next_attempt_at = mapped_column(UTCDateTime(), default=utcnow, nullable=True)
    claimed_until = mapped_column(UTCDateTime(), nullable=True)
    sent_at = mapped_column(UTCDateTime(), nullable=True)
    # What was actually sent, kept so an operator (and /dev/outbox) can read it.
    subject: Mapped[str | None] = mapped_column(sa.String(300))
    body_text: Mapped[str | None] = mapped_column(sa.Text)
    provider_reference: Mapped[str | None] = mapped_column(sa.String(200))
