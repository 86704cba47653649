"""People who sign in."""

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.timeutil import utcnow
from app.types import UTCDateTime


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased so that the unique index is case-insensitive on every database.
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    email_confirmed_at = mapped_column(UTCDateTime(), nullable=True)
    is_admin: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    # Bumped when the password changes, which signs out every other session.
    session_version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    # Single-use reset links carry this; it changes whenever the password does.
    password_changed_at = mapped_column(UTCDateTime(), nullable=True)
    last_signed_in_at = mapped_column(UTCDateTime(), nullable=True)
    # Set when an email to this address bounces permanently; no more email is sent to it.
    email_undeliverable_at = mapped_column(UTCDateTime(), nullable=True)
    created_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    memberships = relationship("Membership", back_populates="user", cascade="all, delete-orphan")

    def get_id(self):
        return f"{self.id}:{self.session_version}"

    @property
    def is_confirmed(self):
        return self.email_confirmed_at is not None

    def __repr__(self):
        return f"<User {self.id} {self.email}>"


class SignIn(db.Model):
    """One signed-in session, held on the server so that signing out ends it: the cookie carries a
    random token and this row its hash. A copied cookie stops working when the row is ended. The
    address it came from is kept only as a keyed hash, to recognise the owner's own addresses."""

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    address_hash: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    started_at = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    ended_at = mapped_column(UTCDateTime(), nullable=True)
