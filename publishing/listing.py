"""The public list of published notices: newest first, a page at a time, of every kind or of one.

A page ends with a cursor naming its last notice (when it was published, and its id), and the next
page starts after it. A notice published while someone reads therefore never pushes one they
have seen onto the next page, as a page number would."""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from app.errors import ServiceError
from app.extensions import db
from publishing import rules
from publishing.models import Notice

PER_PAGE = 50
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class NoticesPage:
    notices: list
    next_cursor: str | None


def kinds():
    """[(notice type, its name)] of every kind of notice the product publishes, by type."""
    return sorted(rules.NAMES.items())


def cursor_after(notice):
    """The cursor of the page that starts after ``notice``."""
    return f"{(notice.published_at - EPOCH) // MICROSECOND}-{notice.id}"


def _read_cursor(cursor):
    try:
        micros, notice_id = (int(part) for part in cursor.split("-"))
        moment = EPOCH + micros * MICROSECOND
    except (ValueError, OverflowError, OSError):
        raise ServiceError(
            "That page of notices could not be found. Start again from the newest.", "cursor"
        ) from None
    if notice_id < 1:
        raise ServiceError(
            "That page of notices could not be found. Start again from the newest.", "cursor"
        )
    return moment, notice_id


def published(kind=None, cursor=None, per_page=None):
    """A page of published notices, newest first: of one ``kind`` (a notice type, such as
    "UK4") when given, after ``cursor`` when given. An unknown kind or a cursor this product did
    not make is refused (ServiceError naming the field)."""
    per_page = per_page or PER_PAGE
    if kind is not None and kind not in rules.NAMES:
        raise ServiceError("Choose a kind of notice from the list.", "kind")
    query = sa.select(Notice).where(Notice.published_at.is_not(None))
    if kind is not None:
        query = query.where(Notice.notice_type == kind)
    if cursor:
        moment, notice_id = _read_cursor(cursor)
        query = query.where(
            sa.or_(
                Notice.published_at < moment,
                sa.and_(Notice.published_at == moment, Notice.id < notice_id),
            )
        )
    rows = (
        db.session.execute(
            query.order_by(Notice.published_at.desc(), Notice.id.desc()).limit(per_page + 1)
        )
        .scalars()
        .all()
    )
    notices = rows[:per_page]
    more = len(rows) > per_page
    return NoticesPage(notices, cursor_after(notices[-1]) if more else None)
