"""Finding opportunities: full-text search with filters, sorting and pagination.

On PostgreSQL, a stored ``tsvector`` column (title weighted A, summary B, description C, buyer D)
with a GIN index answers ``websearch_to_tsquery``; on SQLite (``make run``) a LIKE fallback gives
the same results on the demo data, with title matches ranked first. Every filter comes from the
URL, so a search can be bookmarked.

A results page reads only the columns it shows, and counts what matches in the same query when it
can: with words to match, every match is ranked anyway, so the count is exact. Without words, a
count stops at ``COUNT_LIMIT`` ("more than 1,000 opportunities"), so that the listing of every
open opportunity does not count them all on each request.

Rendered results are kept for a few seconds in Redis (see "The results cache" below).
"""

import hashlib
import logging
import re
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import chain
from typing import NamedTuple
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from app.extensions import db
from app.timeutil import utcnow
from app.unitofwork import listen_once
from dps.models import Dps, Lot, ReservedFor
from lots.opportunities.deadlines import closes_in_words, next_local_midnight  # noqa: F401
from lots.opportunities.models import (
    PUBLIC_STATUSES,  # noqa: F401
    LotCpvCode,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
)

log = logging.getLogger(__name__)

PAGE_SIZE = 20
COUNT_LIMIT = 1000  # without words to match, counts stop here: "more than 1,000 opportunities"
SORTS = {
    "relevance": "Most relevant",
    "closing": "Closing soonest",
    "newest": "Newest",
    "value_high": "Highest value",
    "value_low": "Lowest value",
}
SEARCH_VECTOR = sa.column("search_vector")  # PostgreSQL only: added by migration 0005
# What a result shows: the page never loads descriptions, price schedules and the rest.
RESULT_COLUMNS = (
    Opportunity.id,
    Opportunity.title,
    Opportunity.buyer_name,
    Opportunity.summary,
    Opportunity.estimated_value_pence,
    Opportunity.location_type,
    Opportunity.location_code,
    Opportunity.status,
    Opportunity.kind,
    Opportunity.submission_deadline,
    Opportunity.lot_id,
    Opportunity.reserved_vcse,
)
# The URL parameters the page reads; anything else is ignored (and left out of its links).
QUERY_ARGS = (
    "q",
    "lot",
    "cpv",
    "region",
    "local_authority",
    "min_value",
    "max_value",
    "vcse",
    "kind",
    "status",
    "closing_within",
    "sort",
    "page",
)


@dataclass
class Filters:
    q: str = ""
    lot_id: int | None = None
    cpv_division: str | None = None
    region_code: str | None = None
    local_authority_code: str | None = None
    min_value_pence: int | None = None
    max_value_pence: int | None = None
    vcse_only: bool = False
    kind: str | None = None
    status: str = "open"
    closing_within_days: int | None = None
    sort: str = "closing"
    page: int = 1
    errors: dict = field(default_factory=dict)


@dataclass
class Results:
    rows: list  # rows of RESULT_COLUMNS, in order
    total: int  # how many match; when not ``exact``, more than this many do
    exact: bool = True
    offset: int = 0  # of the first row among all the matches

    @property
    def has_next(self):
        return bool(self.rows) and (not self.exact or self.total > self.offset + PAGE_SIZE)


def _int(value, minimum=None, maximum=None):
    value = (value or "").strip().replace(",", "").lstrip("£")
    if not re.fullmatch(r"\d{1,12}", value):
        return None
    number = int(value)
    if minimum is not None and number < minimum:
        return None
    if maximum is not None and number > maximum:
        return None
    return number


def parse(args):
    """Read filters from request.args, ignoring anything malformed (and saying so)."""
    f = Filters()
    f.q = (args.get("q") or "").strip()[:200]
    f.lot_id = _int(args.get("lot"))
    division = (args.get("cpv") or "").strip()
    f.cpv_division = division if re.fullmatch(r"\d{2}", division) else None
    region = (args.get("region") or "").strip()
    f.region_code = region if re.fullmatch(r"[A-Z]{3}", region) else None
    la = (args.get("local_authority") or "").strip()
    f.local_authority_code = la if re.fullmatch(r"[A-Z0-9]{2,5}", la) else None
    for name, attr in (("min_value", "min_value_pence"), ("max_value", "max_value_pence")):
        raw = args.get(name)
        if raw:
            pounds = _int(raw, 0)
            if pounds is None:
                f.errors[name] = "Enter an amount in pounds, like 25000"
            else:
                setattr(f, attr, pounds * 100)
    f.vcse_only = args.get("vcse") in ("1", "on", "yes", "true")
    f.kind = args.get("kind") if args.get("kind") in {k.value for k in OpportunityKind} else None
    f.status = args.get("status") if args.get("status") in ("open", "closed", "all") else "open"
    f.closing_within_days = _int(args.get("closing_within"), 1, 365)
    default_sort = "relevance" if f.q else "closing"
    f.sort = args.get("sort") if args.get("sort") in SORTS else default_sort
    if f.sort == "relevance" and not f.q:
        f.sort = "closing"
    f.page = _int(args.get("page"), 1, 10_000) or 1
    return f


def query_args(args):
    """The parameters the page reads, as given (first value of each, blanks left out), in a fixed
    order: what its links carry and what its cache is keyed by."""
    return tuple((name, args.get(name)) for name in QUERY_ARGS if args.get(name))


def _terms(q):
    return [t for t in re.findall(r"[\w£'-]+", q.lower()) if len(t) > 1][:10]


def search(f, now=None):
    """The page of results the filters ask for, and how many match (see ``Results``)."""
    now = now or utcnow()
    dialect = db.session.get_bind().dialect.name
    stmt, rank = _matching(f, now, dialect)
    if stmt is None:
        return Results([], 0)
    order = {  # (column, descending), then the id, so that pages are stable
        "closing": [("submission_deadline", False)],
        "newest": [("published_at", True)],
        "value_high": [("estimated_value_pence", True)],
        "value_low": [("estimated_value_pence", False)],
        "relevance": [
            ("rank", True) if rank is not None else ("published_at", True),
            ("submission_deadline", False),
        ],
    }[f.sort] + [("id", False)]
    offset = (f.page - 1) * PAGE_SIZE
    limit = max(COUNT_LIMIT, offset + PAGE_SIZE) + 1  # counts stop here without words
    if rank is not None:
        # Every match is ranked (or sorted), so they are counted on the way. They are found
        # first, as a whole: a plan that followed an index in the page's order would look for
        # a rare word in every open opportunity.
        stmt, limit = stmt.add_columns(rank.label("rank")), None
    elif not _narrowed(f):
        # (Nearly) every open, closed or public opportunity: the page comes from an index in
        # its order, and the count stops at the limit.
        rows = db.session.execute(_in_order(stmt, order, offset)).all()
        total = _count(stmt, limit)
        return Results(rows, min(total, limit - 1), exact=total < limit, offset=offset)
    # Up to ``limit`` matches in no order, counted: when that is all of them (those of a lot,
    # an area ...), the page is among them, and one query does both.
    matches = stmt.add_columns(Opportunity.published_at).limit(limit).cte("matches")
    if dialect == "postgresql":
        matches = matches.prefix_with("MATERIALIZED")
    rows = db.session.execute(
        sa.select(
            *(matches.c[c.key] for c in RESULT_COLUMNS), sa.func.count().over().label("matches")
        )
        .order_by(*_ordered(matches.c, order))
        .limit(PAGE_SIZE)
        .offset(offset)
    ).all()
    total = rows[0].matches if rows else (_count(stmt, limit) if offset else 0)
    if limit is None or total < limit:
        return Results(rows, total, offset=offset)
    rows = db.session.execute(_in_order(stmt, order, offset)).all()  # more than the limit
    return Results(rows, limit - 1, exact=False, offset=offset)


def _matching(f, now, dialect):
    """(select of RESULT_COLUMNS, rank expression or None) for the filters; (None, None) when
    nothing can match."""
    stmt = sa.select(*RESULT_COLUMNS).where(Opportunity.status.in_(PUBLIC_STATUSES))
    rank = None
    if f.q:
        if dialect == "postgresql":
            query = sa.func.websearch_to_tsquery("english", f.q)
            stmt = stmt.where(SEARCH_VECTOR.op("@@")(query))
            rank = sa.func.ts_rank_cd(SEARCH_VECTOR, query)
        else:
            terms = _terms(f.q)
            if not terms:
                return None, None
            for term in terms:
                like = f"%{term}%"
                stmt = stmt.where(
                    sa.or_(
                        *(
                            sa.func.lower(col).like(like)
                            for col in (
                                Opportunity.title,
                                Opportunity.summary,
                                Opportunity.description,
                                Opportunity.buyer_name,
                            )
                        )
                    )
                )
            title_hits = sum(
                sa.case((sa.func.lower(Opportunity.title).like(f"%{t}%"), 1), else_=0)
                for t in terms
            )
            rank = title_hits * 1.0
    if f.lot_id:
        stmt = stmt.where(Opportunity.lot_id == f.lot_id)
    if f.cpv_division:
        stmt = stmt.where(
            Opportunity.lot_id.in_(
                sa.select(LotCpvCode.lot_id).where(LotCpvCode.cpv_code.like(f"{f.cpv_division}%"))
            )
        )
    if f.region_code:
        stmt = stmt.where(
            sa.or_(
                Opportunity.region_code == f.region_code, Opportunity.location_type == "national"
            )
        )
    if f.local_authority_code:
        stmt = stmt.where(
            Opportunity.location_type == "local_authority",
            Opportunity.location_code == f.local_authority_code,
        )
    if f.min_value_pence is not None:
        stmt = stmt.where(Opportunity.estimated_value_pence >= f.min_value_pence)
    if f.max_value_pence is not None:
        stmt = stmt.where(Opportunity.estimated_value_pence <= f.max_value_pence)
    if f.vcse_only:
        stmt = stmt.where(
            sa.or_(
                Opportunity.reserved_vcse.is_(True),
                Opportunity.lot_id.in_(
                    sa.select(Lot.id).where(Lot.reserved_for == ReservedFor.VCSE)
                ),
            )
        )
    if f.kind:
        stmt = stmt.where(Opportunity.kind == f.kind)
    open_now = sa.and_(
        Opportunity.status == OpportunityStatus.PUBLISHED, Opportunity.submission_deadline > now
    )
    if f.status == "open":
        stmt = stmt.where(open_now)
    elif f.status == "closed":
        stmt = stmt.where(~open_now)
    if f.closing_within_days:
        stmt = stmt.where(
            open_now, Opportunity.submission_deadline <= now + timedelta(days=f.closing_within_days)
        )
    return stmt, rank


def _narrowed(f):
    """Whether a filter other than open/closed narrows the search."""
    return any(
        (
            f.lot_id,
            f.cpv_division,
            f.region_code,
            f.local_authority_code,
            f.min_value_pence is not None,
            f.max_value_pence is not None,
            f.vcse_only,
            f.kind,
            f.closing_within_days,
        )
    )


_COLUMNS = {c.key: c for c in (*RESULT_COLUMNS, Opportunity.published_at)}


def _ordered(columns, order):
    return [
        columns[name].desc() if descending else columns[name].asc() for name, descending in order
    ]


def _in_order(stmt, order, offset):
    return stmt.order_by(*_ordered(_COLUMNS, order)).limit(PAGE_SIZE).offset(offset)


def _count(stmt, limit):
    """How many rows ``stmt`` finds, stopping at ``limit`` (None: all of them)."""
    return db.session.execute(
        sa.select(sa.func.count()).select_from(
            stmt.with_only_columns(Opportunity.id).order_by(None).limit(limit).subquery()
        )
    ).scalar_one()


class LotChoice(NamedTuple):
    id: int
    label: str
    reserved_for: ReservedFor
    dps_name: str


def lot_choices(generation=None):
    """Every lot, by DPS, in one query: for the lot filter and the results' lot links. Given the
    results cache's ``generation`` (which changes whenever a lot or DPS does), the process keeps
    the answer until it changes."""
    kept = current_app.extensions.get("search_lot_choices")
    if generation is not None and kept and kept[0] == generation:
        return kept[1]
    rows = db.session.execute(
        sa.select(Lot.id, Lot.number, Lot.title, Lot.reserved_for, Dps.name.label("dps_name"))
        .join(Dps, Dps.id == Lot.dps_id)
        .order_by(Dps.name, Lot.number)
    ).all()
    choices = tuple(
        LotChoice(row.id, Lot.label.fget(row), row.reserved_for, row.dps_name) for row in rows
    )
    if generation is not None:
        current_app.extensions["search_lot_choices"] = (generation, choices)
    return choices


# --- The results cache ---------------------------------------------------------------------------
#
# Rendered results (and, for people who are not signed in, the whole page) are kept in Redis for
# SEARCH_CACHE_SECONDS (30 by default; 0 turns the cache off, as development does, which has no
# Redis), keyed by the page's URL parameters. An entry is used only while
#
# - nothing that a results page shows has been committed since it was made: committing a change
#   to an opportunity, a lot, a lot's categories or a DPS gives the data a new generation (a
#   random token in Redis), and entries made from another generation are ignored;
# - the app's clock is between when it was made and when it goes stale: the earliest of its age
#   limit, the next local midnight ("closes tomorrow" becoming "closes today") and the deadline
#   of any open opportunity it shows.
#
# What is not exact for those few seconds: an opportunity that is counted but not on the page
# closing, or one entering a "closing within N days" window.

CACHE_PREFIX = "search:v1:"
GENERATION_KEY = "search:generation"
_CHANGED = "search_results_changed"
WATCHED = (Opportunity, Lot, LotCpvCode, Dps)  # what a results page shows or filters on
REDIS_PAUSE_SECONDS = 30  # after a Redis error, the cache is left alone this long


def cache_seconds():
    config = current_app.config
    seconds = config.get("SEARCH_CACHE_SECONDS")
    if seconds is None:
        seconds = 0 if config["APP_ENV"] == "development" else 30
    return int(seconds)


def _cache_redis():
    """The app's Redis connection, or None while the cache is off or Redis recently failed."""
    if cache_seconds() <= 0:
        return None
    if current_app.extensions.get("search_cache_paused_until", 0) > time.monotonic():
        return None
    from app.queue import redis_connection

    return redis_connection()


def _redis_failed(exc):
    log.warning("search cache: Redis failed (%s); not using it for %ss", exc, REDIS_PAUSE_SECONDS)
    current_app.extensions["search_cache_paused_until"] = time.monotonic() + REDIS_PAUSE_SECONDS


def cache_key(args):
    """A short key for the page's parameters (``query_args``)."""
    return hashlib.sha256(urlencode(args).encode()).hexdigest()[:32]


@dataclass
class Cached:
    generation: str  # of the data, read before anything else (see ``cache_put``)
    text: bytes | None = None  # what was stored, if it is still good
    good_until: datetime | None = None


def cache_get(key, kind, now, keep=False):
    """What is stored as ``kind`` for ``key`` if it is still good at ``now``, and the current
    generation, in one round trip. None when the cache is off or Redis is failing. With
    ``keep``, the process keeps a copy of the last few it was given, and while one is still good
    asks Redis only for the generation."""
    from app.queue import REDIS_ERRORS

    conn = _cache_redis()
    if conn is None:
        return None
    kept = current_app.extensions.setdefault("search_cache_kept", OrderedDict()) if keep else {}
    name = f"{CACHE_PREFIX}{kind}:{key}"
    try:
        if name in kept:
            cached = Cached((conn.get(GENERATION_KEY) or b"0").decode())
            entry = kept[name]
            if entry.good_for(cached.generation, now):
                kept.move_to_end(name)
                cached.text, cached.good_until = entry.text, entry.good_until
                return cached
            del kept[name]
            raw = conn.get(name)
        else:
            generation, raw = conn.mget([GENERATION_KEY, name])
            cached = Cached((generation or b"0").decode())
    except REDIS_ERRORS as exc:
        _redis_failed(exc)
        return None
    entry = _Entry.parse(raw)
    if entry is not None and entry.good_for(cached.generation, now):
        cached.text, cached.good_until = entry.text, entry.good_until
        if keep:
            _keep(kept, name, entry)
    return cached


def cache_put(cached, key, entries, now, good_until, keep=()):
    """Store ``entries`` (kind -> text) for ``key``, made at ``now`` from data of the generation
    read before the data was (so a change committed meanwhile makes them stale at once). The
    process keeps a copy of the kinds in ``keep`` too (see ``cache_get``)."""
    from app.queue import REDIS_ERRORS

    conn = _cache_redis()
    if conn is None or cached is None:
        return
    good_until = min(good_until, now + timedelta(seconds=cache_seconds()))
    if good_until <= now:
        return
    header = f"{cached.generation} {now.timestamp()!r} {good_until.timestamp()!r}\n".encode()
    try:
        with conn.pipeline(transaction=False) as pipe:
            for kind, text in entries.items():
                pipe.set(f"{CACHE_PREFIX}{kind}:{key}", header + text.encode(), ex=cache_seconds())
            pipe.execute()
    except REDIS_ERRORS as exc:
        _redis_failed(exc)
        return
    kept = current_app.extensions.setdefault("search_cache_kept", OrderedDict())
    for kind in keep:
        if kind in entries:
            _keep(
                kept, f"{CACHE_PREFIX}{kind}:{key}", _Entry.parse(header + entries[kind].encode())
            )


KEPT_ENTRIES = 32  # copies a process keeps (of whole pages: some 60 KB each)


def _keep(kept, name, entry):
    kept[name] = entry
    kept.move_to_end(name)
    while len(kept) > KEPT_ENTRIES:
        kept.popitem(last=False)


@dataclass
class _Entry:
    generation: str
    made_at: float
    good_until: datetime
    text: bytes

    @classmethod
    def parse(cls, raw):
        if raw is None:
            return None
        header, _, text = raw.partition(b"\n")
        try:
            generation, made_at, good_until = header.decode().split(" ")
            return cls(
                generation,
                float(made_at),
                datetime.fromtimestamp(float(good_until), timezone.utc),
                text,
            )
        except ValueError:  # not written by this version
            return None

    def good_for(self, generation, now):
        return (
            self.generation == generation
            and self.made_at <= now.timestamp()
            and now < self.good_until
        )


def _note_changes(session, flush_context):
    if not session.info.get(_CHANGED) and any(
        isinstance(obj, WATCHED) for obj in chain(session.new, session.dirty, session.deleted)
    ):
        session.info[_CHANGED] = True


def _note_bulk_changes(state):
    if (
        not state.is_select
        and state.bind_mapper is not None
        and issubclass(state.bind_mapper.class_, WATCHED)
    ):
        state.session.info[_CHANGED] = True


def _new_generation(session):
    if session.in_nested_transaction() or not session.info.pop(_CHANGED, False):
        return
    if not has_app_context():
        return
    from app.queue import REDIS_ERRORS

    try:
        conn = _cache_redis()
        if conn is not None:
            conn.set(GENERATION_KEY, secrets.token_hex(8))
    except REDIS_ERRORS as exc:  # entries still go stale by age
        _redis_failed(exc)


def _forget_changes(session):
    session.info.pop(_CHANGED, None)


def init_app(app):
    """Install this module's session hooks, once per process however many apps are built:
    a commit that changes what search shows makes cached pages stale."""
    for name, fn in (
        ("after_flush", _note_changes),
        ("do_orm_execute", _note_bulk_changes),
        ("after_commit", _new_generation),
        ("after_rollback", _forget_changes),
    ):
        listen_once(Session, name, fn)
