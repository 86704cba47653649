"""Column types shared by every package."""

from datetime import timezone

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on PostgreSQL and SQLite alike.

    PostgreSQL stores ``timestamptz``; SQLite has no timezone, so values are stored as naive UTC and
    given their timezone back on the way out. Naive values are refused on the way in.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("UTCDateTime needs a timezone-aware datetime")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def string_enum(enum_cls, name, length=40):
    """A Python Enum stored as its string values (VARCHAR), so adding a value needs no ALTER TYPE
    and SQLite and PostgreSQL store the same thing."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )
