"""What suppliers asked to hear about (alert subscriptions), and the alerts written for them."""

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.timeutil import utcnow
from app.types import UTCDateTime, string_enum


class AlertKind(enum.StrEnum):
    SUPPLIER = "supplier"  # a person in a supplier organisation: their alert preferences
    SEARCH = "search"  # anyone following a saved search (a buyer, a member of the public)


class AlertFrequency(enum.StrEnum):
    INSTANT = "instant"
    DAILY = "daily"
    WEEKLY = "weekly"
    NEVER = "never"


class AlertSubscription(db.Model):
    """What one person wants to hear about, and how often.

    A supplier person has one row per supplier organisation they belong to (no row means the
    defaults: the organisation's admitted lots, at once). A saved search is a row with an email
    address, confirmed by a signed link before anything is sent to it. Every list is empty for
    "any"; each filter that is set narrows what matches.
    """

    __tablename__ = "alert_subscriptions"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "organisation_id"),
        sa.CheckConstraint(
            "kind <> 'supplier' OR (user_id IS NOT NULL AND organisation_id IS NOT NULL)",
            name="supplier_person",
        ),
        sa.CheckConstraint("kind <> 'search' OR email IS NOT NULL", name="search_email"),
        sa.CheckConstraint(
            "min_value_pence IS NULL OR max_value_pence IS NULL OR "
            "min_value_pence <= max_value_pence",
            name="value_range",
        ),
        sa.Index("ix_alert_subscriptions_kind_frequency", "kind", "frequency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AlertKind] = mapped_column(string_enum(AlertKind, "alert_kind", 20))
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE")
    )
    email: Mapped[str | None] = mapped_column(sa.String(320), index=True)  # saved searches
    confirmed_at = mapped_column(UTCDateTime(), nullable=True)
    frequency: Mapped[AlertFrequency] = mapped_column(
        string_enum(AlertFrequency, "alert_frequency", 20), default=AlertFrequency.INSTANT
    )
    admitted_lots: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    lot_ids: Mapped[list] = mapped_column(sa.JSON, default=list)
    cpv_divisions: Mapped[list] = mapped_column(sa.JSON, default=list)
    area_codes: Mapped[list] = mapped_column(sa.JSON, default=list)  # regions and local authorities
    min_value_pence: Mapped[int | None] = mapped_column(sa.BigInteger)
    max_value_pence: Mapped[int | None] = mapped_column(sa.BigInteger)
    keywords: Mapped[str | None] = mapped_column(sa.String(500))  # comma-separated, any of them
    vcse_only: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    opportunity_kind: Mapped[str | None] = mapped_column(sa.String(30))
    search_args: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # the search page's URL
    unsubscribed_at = mapped_column(UTCDateTime(), nullable=True)
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    @property
    def is_active(self):
        return (
            self.unsubscribed_at is None
            and self.frequency != AlertFrequency.NEVER
            and (self.kind == AlertKind.SUPPLIER or self.confirmed_at is not None)
        )

    @property
    def keyword_list(self):
        return [k.strip() for k in (self.keywords or "").split(",") if k.strip()]


class OpportunityAlert(db.Model):
    """One opportunity told to one address by an alert, at once or in a digest: the unique key
    makes sure no address hears about an opportunity twice (a rerun, a second worker, a digest
    after an at-once alert)."""

    __tablename__ = "opportunity_alerts"
    __table_args__ = (
        sa.UniqueConstraint("opportunity_id", "email"),
        sa.Index("ix_opportunity_alerts_batch_email", "batch", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    opportunity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("opportunities.id", ondelete="CASCADE")
    )
    email: Mapped[str] = mapped_column(sa.String(320))
    subscription_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("alert_subscriptions.id", ondelete="SET NULL")
    )
    kind: Mapped[AlertFrequency] = mapped_column(string_enum(AlertFrequency, "alert_frequency", 20))
    batch: Mapped[str] = mapped_column(sa.String(60))  # "instant" or "daily:2026-12-03"
    # The digest email that listed it (its outbox key); empty until a digest has.
    emailed_key: Mapped[str | None] = mapped_column(sa.String(200))
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


class AlertFanout(db.Model):
    """An opportunity's alert fan-out: written in the publishing transaction, finished by the
    job. One left unfinished (Redis was down, a worker died) is queued again by the relay."""

    __tablename__ = "alert_fanouts"

    opportunity_id: Mapped[int] = mapped_column(
        sa.ForeignKey("opportunities.id", ondelete="CASCADE"), primary_key=True
    )
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    progress_at = mapped_column(UTCDateTime(), nullable=True)
    finished_at = mapped_column(UTCDateTime(), nullable=True)
    sent: Mapped[int] = mapped_column(sa.Integer, default=0)


class PipelineAlert(db.Model):
    """One planned item (``lots.pipeline``) told to one address by an alert, at once or in a
    digest: unique, as ``OpportunityAlert`` is, so no address hears about an item twice."""

    __tablename__ = "pipeline_alerts"
    __table_args__ = (
        sa.UniqueConstraint("item_id", "email"),
        sa.Index("ix_pipeline_alerts_batch_email", "batch", "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("pipeline_items.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(sa.String(320))
    subscription_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("alert_subscriptions.id", ondelete="SET NULL")
    )
    kind: Mapped[AlertFrequency] = mapped_column(string_enum(AlertFrequency, "alert_frequency", 20))
    batch: Mapped[str] = mapped_column(sa.String(60))
    emailed_key: Mapped[str | None] = mapped_column(sa.String(200))
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
