"""API tokens: a buyer organisation's key for its own systems. Only a hash of the secret is kept."""

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow
from app.types import UTCDateTime


class Scope(enum.StrEnum):
    READ_DRAFTS = "read_drafts"
    CREATE_DRAFTS = "create_drafts"
    PUBLISH = "publish"


SCOPE_LABELS = {
    Scope.READ_DRAFTS: "Read drafts",
    Scope.CREATE_DRAFTS: "Create and change drafts",
    Scope.PUBLISH: "Publish opportunities",
}
SCOPE_HINTS = {
    Scope.READ_DRAFTS: "See your organisation’s draft opportunities, which nobody else can",
    Scope.CREATE_DRAFTS: "Create drafts and change them, as the draft pages do",
    Scope.PUBLISH: "Publish a draft, which invites every supplier admitted to its lot",
}


class ApiToken(db.Model):
    """A token made by an owner of a buyer organisation. It acts for the person who made it, with
    at most their roles, and only within the scopes given; it stops working when revoked or when
    that person is no longer an owner of the organisation."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        sa.CheckConstraint("revoked_at IS NULL OR revoked_by_id IS NOT NULL", name="revoked_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(sa.String(100))
    scopes: Mapped[list] = mapped_column(sa.JSON, default=list)
    # The first characters of the token, shown so an owner can tell tokens apart; never enough to
    # use it. The token itself is never stored: only its SHA-256, to look it up by.
    prefix: Mapped[str] = mapped_column(sa.String(16))
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    last_used_at = mapped_column(UTCDateTime(), nullable=True)
    revoked_at = mapped_column(UTCDateTime(), nullable=True)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    organisation = relationship("Organisation")
    created_by = relationship("User", foreign_keys=[created_by_id])

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    def allows(self, scope):
        return Scope(scope).value in (self.scopes or [])
