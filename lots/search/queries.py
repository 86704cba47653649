"""Finding opportunities: full-text search with filters, sorting and pagination.

On PostgreSQL, a stored ``tsvector`` column (title weighted A, summary B, description C, buyer D)
with a GIN index answers ``websearch_to_tsquery``; on SQLite (``make run``) a LIKE fallback gives
the same results on the demo data, with title matches ranked first. Every filter comes from the
URL, so a search can be bookmarked.

A results page reads only the columns it shows, and counts what matches in the same query when it
can: with words to match, every match is ranked anyway, so the count is exact. Without words, a
count stops at ``COUNT_LIMIT`` ("more than 1,000 opportunities"), so that the listing of every
open opportunity does not count them all on each request.

Rendered results are kept for a few seconds in Redis (see ``lots.search.cache``).
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.timeutil import utcnow
from dps.models import Dps, Lot, ReservedFor
from lots.opportunities.deadlines import closes_in_words  # noqa: F401  (lots.bids.views, for now)
from lots.opportunities.models import (
    PUBLIC_STATUSES,
    LotCpvCode,
    Opportunity,
    OpportunityAmendment,
    OpportunityKind,
)

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
# What a download or a feed entry shows besides: when it was published, last amended and
# cancelled (an entry's "updated" is the latest of them), and its reference.
LAST_AMENDED = (
    sa.select(sa.func.max(OpportunityAmendment.made_at))
    .where(OpportunityAmendment.opportunity_id == Opportunity.id)
    .scalar_subquery()
)
EXPORT_COLUMNS = (
    *RESULT_COLUMNS,
    Opportunity.reference,
    Opportunity.published_at,
    Opportunity.cancelled_at,
    LAST_AMENDED.label("last_amended_at"),
)
EXPORT_BATCH = 500  # rows fetched at a time from the server-side cursor
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
    order = _order(f, rank)
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


def every_match(f, now=None, limit=None, batch=EXPORT_BATCH):
    """Every opportunity the filters find, not one page (up to ``limit``), in the order of the
    search page's pages, as rows of ``EXPORT_COLUMNS``: for downloads and feeds. The rows come
    through a server-side cursor ``batch`` at a time, so that thousands are never held at once;
    the cursor closes when the generator does."""
    now = now or utcnow()
    dialect = db.session.get_bind().dialect.name
    stmt, rank = _matching(f, now, dialect, EXPORT_COLUMNS)
    if stmt is None:
        return
    columns = {**_COLUMNS, "rank": rank}
    stmt = stmt.order_by(*_ordered(columns, _order(f, rank))).limit(limit)
    result = db.session.execute(stmt.execution_options(yield_per=batch))
    try:
        yield from result
    finally:
        result.close()


def _order(f, rank):
    """[(column name, descending)] for the filters' sort, then the id, so that pages are
    stable."""
    return {
        "closing": [("submission_deadline", False)],
        "newest": [("published_at", True)],
        "value_high": [("estimated_value_pence", True)],
        "value_low": [("estimated_value_pence", False)],
        "relevance": [
            ("rank", True) if rank is not None else ("published_at", True),
            ("submission_deadline", False),
        ],
    }[f.sort] + [("id", False)]


def _matching(f, now, dialect, columns=RESULT_COLUMNS):
    """(select of ``columns``, rank expression or None) for the filters; (None, None) when
    nothing can match."""
    stmt = sa.select(*columns).where(Opportunity.status.in_(PUBLIC_STATUSES))
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
    open_now = Opportunity.open_at(now)  # at the moment the results (and their cache) are for
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
