"""Notices: what the law requires a buyer or the operator to publish, each with its OCDS release.

A notice is written by the service that causes it, in the same transaction. Once published it
never changes (a trigger refuses on PostgreSQL and SQLite): a correction is a new version of the
same notice (``notice_type`` and ``ocid``) that names the one it replaces. A notice that the law
gives time for (the contract details notice, within 30 days) is first written as due, with no
release, and the buyer publishes it.
"""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow
from app.types import UTCDateTime


class Notice(db.Model):
    __tablename__ = "notices"
    __table_args__ = (
        sa.UniqueConstraint("ocid", "notice_type", "version", name="uq_notices_version"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint("(version = 1) = (replaces_id IS NULL)", name="replaces_earlier"),
        sa.CheckConstraint(
            "published_at IS NULL OR (release IS NOT NULL AND release_id IS NOT NULL)",
            name="published_has_release",
        ),
        sa.CheckConstraint("published_at IS NOT NULL OR due_on IS NOT NULL", name="due_or_out"),
        # The changes feed and the bulk file read published releases in order.
        sa.Index("ix_notices_published", "published_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_type: Mapped[str] = mapped_column(sa.String(30))  # "UK4", "PCR-CN-DPS"...
    event: Mapped[str] = mapped_column(sa.String(40))  # publishing.rules.Event
    regime: Mapped[str] = mapped_column(sa.String(30))
    ocid: Mapped[str] = mapped_column(sa.String(120), index=True)
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notices.id"))
    release_id: Mapped[str | None] = mapped_column(sa.String(200), unique=True)
    release: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    published_at = mapped_column(UTCDateTime(), nullable=True)
    # A notice the law gives time for: due by this day (Europe/London); reminded once.
    due_on = mapped_column(sa.Date, nullable=True)
    reminded_at = mapped_column(UTCDateTime(), nullable=True)
    # What it is about.
    dps_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dps.id"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("opportunities.id"), index=True
    )
    contract_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contracts.id"))
    # A planned call-off's pipeline notice (UK1) is about its pipeline item.
    pipeline_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("pipeline_items.id"), index=True
    )
    # The buyer whose notice it is (none for the operator's DPS notices).
    buyer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    summary: Mapped[str | None] = mapped_column(sa.Text)  # what a correction changed

    replaces = relationship("Notice", remote_side=[id])

    @property
    def is_published(self):
        return self.published_at is not None
