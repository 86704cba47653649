"""Finding opportunities: full-text search with filters, sorting and pagination.

On PostgreSQL, a stored ``tsvector`` column (title weighted A, summary B, description C, buyer D)
with a GIN index answers ``websearch_to_tsquery``; on SQLite (``make run``) a LIKE fallback gives
the same results on the demo data, with title matches ranked first. Every filter comes from the
URL, so a search can be bookmarked.

A results page reads only the columns it shows, and only for the page's rows. Counts stop at
``COUNT_LIMIT`` ("more than 1,000 opportunities"), so that no page counts everything:

- without words, the listing of every open opportunity reads its page from an index in its
  order; a narrower one (a lot, an area ...) finds up to the limit and sorts them;
- with words, the newest ``COUNT_LIMIT + 1`` matches are found as narrow rows; when that is all
  of them they are ranked (``ts_rank``, see ``_rank``) or sorted and counted exactly, and when there are more,
  relevance ranks the newest ``RANK_LIMIT`` (the page says so): ranking and sorting never see
  more than that many narrow rows. An open search whose words PostgreSQL's statistics say are
  in more open notices than the limit looks first among as many of the newest ids as should
  hold the limit and a half (``_first_span``, ``lots.search.word_stats``): when they hold more
  than the limit, no other match is read; otherwise a second look reaches as far back as
  their density says should hold enough, and then every match of the open set is read (which
  its own GIN index of words, regions and lots holds: migrations 0026 and 0037). For words so
  common that a walk reads few notices (``WALK_RATIO``), the open set is walked newest first
  until the limit (0041). Closed or all: the newest matches of each part of the set (open, and
  marked closed: migration 0038; a region's own and the national ones apart: 0039) are merged
  and ranked (see ``_PARTS``).

Every query runs on ``app.replica.reads()``: a read replica when ``DATABASE_REPLICA_URL`` is set.

Rendered results are kept for a few seconds in Redis (see ``lots.search.cache``).
"""

import math
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY

from app.driver_rows import rows as read_rows
from app.replica import read_engine, reads, retried
from app.timeutil import utcnow
from dps.models import Dps, Lot, ReservedFor
from lots.opportunities.deadlines import closes_in_words  # noqa: F401  (lots.bids.views, for now)
from lots.opportunities.models import (
    PUBLIC_STATUSES,
    LotCpvCode,
    Opportunity,
    OpportunityAmendment,
    OpportunityKind,
    OpportunityStatus,
)
from lots.search import stop_words, word_stats

PAGE_SIZE = 20
COUNT_LIMIT = 1000  # counts stop here: "more than 1,000 opportunities"
# With more matches than COUNT_LIMIT, relevance ranks the newest this many (see ``search``).
RANK_LIMIT = 1000
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
    ranked_only: int | None = None  # relevance ranked only the newest this many matches

    @property
    def has_next(self):
        end = self.total if self.exact else self.ranked_only
        return bool(self.rows) and (end is None or end > self.offset + PAGE_SIZE)


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
    if _closed_yet_closing(f):
        f.errors["closing_within"] = (
            "‘Closing within’ finds only open opportunities: choose open or all, or leave it empty"
        )
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


@retried
def search(f, now=None):
    """The page of results the filters ask for, and how many match (see ``Results``). Its
    connection is lent untested: it reads again on a new one if that was lost (``retried``).

    Each kind of search (which filters are given, the status and the sort: its ``_Shape``) is
    built as SQL once per process, with every value a bound parameter: building the statements
    again for each search cost more than PostgreSQL took to run them (``bench/RESULTS.md``)."""
    now = now or utcnow()
    dialect = read_engine().dialect.name  # (no connection taken before one is needed)
    shape = _shape(f, dialect)
    if shape is None:
        return Results([], 0)
    values = _values(f, now, shape)
    offset = values["offset"]
    if shape.words:
        name = "found"
        if dialect == "postgresql" and shape.status != "open":
            # Closed or all: from each part of the set (see ``_PARTS``), when the closed ones
            # not yet marked are few enough to name (as they are while the closing job runs).
            past = _past_deadline_ids(now) if shape.status == "closed" else []
            if past is not None:
                name, values = "found_parts", {**values, "past_ids": past}
        # (Not with a lot, an area ... : the newest ids seldom hold enough of their matches. Nor
        # closed or all: the open ones are the newest, and further back the marked ones are
        # spread too unevenly among them for the second look below to judge how far to go.)
        top = _newest_id(dialect) if _open_only(f) and not _narrowed(f) else None
        span = _first_span(f.q, top) if top is not None else None
        if isinstance(span, Walk):
            # Words in so many open notices that walking the open set newest first, checking
            # each, reaches the page's need soonest (``_first_span``); no further back than
            # the guess says it should need, and then, when fewer matched, every match.
            walked = _search_words(shape, {**values, "walk_bound": span.reach - top}, "found_walk")
            if not walked.exact:
                return walked
            return _search_words(shape, values, name)
        if span is not None:
            # First among the newest ids only: when they hold more than COUNT_LIMIT matches,
            # those are the newest matches of all, and the rest of the open set is never read.
            results = _search_words(shape, {**values, "floor": top - span}, "found_newest")
            if not results.exact:
                return results
            # Fewer there: as far back again as the matches found there say should hold enough,
            # when they are not so few that reading every match costs less.
            wider = _wider_span(span, results.total)
            if wider is not None:
                results = _search_words(shape, {**values, "floor": top - wider}, "found_newest")
                if not results.exact:
                    return results
        return _search_words(shape, values, name)
    limit = values["limit"]  # counts stop here without words
    if not _narrowed(f):
        # (Nearly) every open, closed or public opportunity: the page comes from an index in
        # its order, and the count stops at the limit.
        rows = read_rows(reads(), _statement(shape, "in_order"), values)
        total = read_rows(reads(), _statement(shape, "count"), values)[0][0]
        return Results(rows, min(total, limit - 1), exact=total < limit, offset=offset)
    # Up to ``limit`` matches in no order, counted: when that is all of them (those of a lot,
    # an area ...), the page is among them, and one query does both.
    rows = read_rows(reads(), _statement(shape, "counted_page"), values)
    if rows:
        total = rows[0].matches
    else:
        total = read_rows(reads(), _statement(shape, "count"), values)[0][0] if offset else 0
    if total < limit:
        return Results(rows, total, offset=offset)
    rows = read_rows(reads(), _statement(shape, "in_order"), values)  # more than the limit
    return Results(rows, limit - 1, exact=False, offset=offset)


class _Shape(NamedTuple):
    """What the SQL of a search depends on, besides the values it is given."""

    dialect: str
    words: bool
    terms: int  # how many words (SQLite's LIKE fallback: one condition each)
    lot: bool
    cpv: bool
    region: bool
    local_authority: bool
    min_value: bool
    max_value: bool
    vcse_only: bool
    kind: bool
    status: str
    closing_within: bool
    sort: str


def _shape(f, dialect):
    """The filters' ``_Shape`` (None when nothing can match: SQLite given no usable word, or
    closed opportunities closing within some days)."""
    terms = len(_terms(f.q)) if f.q and dialect != "postgresql" else 0
    if f.q and dialect != "postgresql" and not terms:
        return None
    if _closed_yet_closing(f):
        return None
    return _Shape(
        dialect=dialect,
        words=bool(f.q),
        terms=terms,
        lot=bool(f.lot_id),
        cpv=bool(f.cpv_division),
        region=bool(f.region_code),
        local_authority=bool(f.local_authority_code),
        min_value=f.min_value_pence is not None,
        max_value=f.max_value_pence is not None,
        vcse_only=f.vcse_only,
        kind=bool(f.kind),
        status="open" if _open_only(f) else f.status,
        closing_within=bool(f.closing_within_days),
        sort=f.sort,
    )


def _values(f, now, shape):
    """The bound parameters' values for the filters (the names ``_matching`` binds)."""
    offset = (f.page - 1) * PAGE_SIZE
    values = {
        "now": now,
        "offset": offset,
        "limit": max(COUNT_LIMIT, offset + PAGE_SIZE) + 1,
        "reach": offset + PAGE_SIZE,  # (how many rows of each part the page may need)
        "q": f.q,
        "lot_id": f.lot_id,
        "cpv_prefix": f"{f.cpv_division}%" if f.cpv_division else None,
        "region": f.region_code,
        "local_authority": f.local_authority_code,
        "min_value": f.min_value_pence,
        "max_value": f.max_value_pence,
        "kind": f.kind,
        "closing_by": (
            now + timedelta(days=f.closing_within_days) if f.closing_within_days else None
        ),
    }
    if shape.terms:
        values.update({f"term_{i}": f"%{t}%" for i, t in enumerate(_terms(f.q))})
    return values


# A search with words on the open set looks first among the newest ids, as many as should hold
# WIDER_MARGIN times the matches a page may need, when PostgreSQL's statistics of the notices'
# words say the open set holds more than COUNT_LIMIT of its matches (``lots.search.word_stats``):
# reading the newest matches alone, not all of them (at 100,000 opportunities "volunteering", in
# a fifth of the notices, read 1,462 rows instead of 2,235, 5.5 ms against 7.6), and a rare word
# reads all its matches at once, without a first look that finds too few (``bench/RESULTS.md``).
#
# A query whose matches those statistics do not guess (``or``, a word left out, a phrase), or a
# table never analysed, looks first among the newest NEWEST_IDS ids where the table holds more
# than BOUND_FROM (at 1,000,000 opportunities a common word's open matches went from 254 ms to
# 25 ms), but not when a match must hold more than FIRST_LOOK_WORDS words: at 1,000,000, the
# newest 10,000 held more than 1,000 matches for 132 of 216 one-word searches and 19 of 271
# two-word ones (whose count there tells the second look below how far to go), but for none of
# 191 three-word ones, whose first look was only one statement more. The highest id is read at
# most every BOUND_SECONDS per process.
NEWEST_IDS = 10_000
FIRST_LOOK_WORDS = 2
# Words so common that walking the open set newest first (migration 0041), checking each notice's
# words until the page's need (COUNT_LIMIT + 1 / their share of the notices), reads no more than
# WALK_RATIO times as many notices as there are matches (which a first look reads from the index
# of words, then the newest of them): no first look, the walk. So the walk takes over from a
# smaller share as the open set grows (at 100,000 from about a quarter of the notices, at
# 1,000,000 from a tenth, where it was measured to, ``bench/RESULTS.md``, session 22). Left to
# itself PostgreSQL walks only for the commonest words, and otherwise reads every match.
WALK_RATIO = 1.5
# A walk goes back no further than the ids that should hold WALK_REACH times the page's need
# (should the words be rarer in open notices than in all of them: a year's name ...).
WALK_REACH = 3


class Walk(NamedTuple):
    """``_first_span``'s answer for words that a walk of the open set finds soonest."""

    reach: int  # the newest ids it walks at most


BOUND_FROM = 200_000
BOUND_SECONDS = 60
# With fewer than COUNT_LIMIT matches there, a second look reaches back far enough to hold this
# many times the matches wanted at the same density, up to WIDER_IDS ids (at 1,000,000, a word
# in a twelfth of the open set: 8,608 matches read from the table, 25 ms, against ~1,500).
WIDER_MARGIN = 1.5
WIDER_IDS = 150_000
OFFSET = sa.bindparam("offset", type_=sa.Integer)
LIMIT = sa.bindparam("limit", type_=sa.Integer)


def _newest_id(dialect):
    """The highest id, read at most every ``BOUND_SECONDS`` (None on SQLite). Any value gives the
    same results (see ``search``); a stale one only narrows less."""
    if dialect != "postgresql":
        return None
    kept = current_app.extensions.get("search_newest_id")
    if kept is None or kept[0] < time.monotonic():
        top = reads().execute(sa.select(sa.func.max(Opportunity.id))).scalar() or 0
        kept = current_app.extensions["search_newest_id"] = (time.monotonic() + BOUND_SECONDS, top)
    return kept[1]


def _first_span(q, top):
    """How many of the newest ids (below ``top``, the highest) a search for ``q`` on the open set
    looks among first, or None to read every match at once. From the matches PostgreSQL's
    statistics say the open set holds (``word_stats``): none when they are no more than
    ``COUNT_LIMIT``, or when the ids that should hold ``WIDER_MARGIN`` times the matches wanted
    (taking every newest id for an open one) are no fewer than the open set; a ``Walk`` when
    walking the open set to the page's need reads no more than ``WALK_RATIO`` times the matches.
    Only how fast: any span, or a walk, gives the same results."""
    stats = word_stats.word_stats()
    share = word_stats.matching_share(q, stats) if stats else None
    if share is None:
        return _first_span_unguessed(q) if top > BOUND_FROM else None
    expected = share * stats.open_notices
    if expected <= COUNT_LIMIT:
        return None
    if (COUNT_LIMIT + 1) / share <= WALK_RATIO * expected:
        return Walk(math.ceil(WALK_REACH * (COUNT_LIMIT + 1) / share))
    span = math.ceil(WIDER_MARGIN * (COUNT_LIMIT + 1) / share)
    return span if span < stats.open_notices else None


def _first_span_unguessed(q):
    """``_first_span`` of a big table without a guess from the statistics: ``NEWEST_IDS``, or None
    when a match must hold more than ``FIRST_LOOK_WORDS`` of its words, not counting those the
    dictionary leaves out (every match is read at once). A query whose words are not simply all
    required (``or``, a word left out with ``-``, a quoted phrase) is looked for first among the
    newest, as before."""
    if word_stats.NOT_ALL_REQUIRED.search(q.lower()):
        return NEWEST_IDS
    words = {w for w in (t.strip("'-") for t in _terms(q)) if w and w not in stop_words.ENGLISH}
    return NEWEST_IDS if len(words) <= FIRST_LOOK_WORDS else None


def _wider_span(span, found):
    """A wider span than ``span`` (the newest ids a first look read), back to where
    ``WIDER_MARGIN`` times the matches wanted should lie if matches were as dense further back as
    the ``found`` among them; None when that would reach back more than ``WIDER_IDS``."""
    if found < 1:
        return None
    wider = int(span * (COUNT_LIMIT + 1) * WIDER_MARGIN / found)
    return wider if wider <= WIDER_IDS else None


def _search_words(shape, values, name):
    """A search with words. The newest ``COUNT_LIMIT + 1`` matches (by id: the order in which
    they were drafted) are found once, as narrow rows (the id, what the orders sort by, and the
    rank); when they are all the matches, they are ranked or sorted and counted exactly in one
    query. When there are more, the count says "more than 1,000", relevance ranks only the
    newest ``RANK_LIMIT`` of them (so a word in every notice costs no more than a rare one), and
    the other orders read the page from an index in their order. Only the page's rows are read
    in full. ``name``: the statement (see ``_built``)."""
    offset = values["offset"]
    found = read_rows(reads(), _statement(shape, name), values)
    rows = [row for row in found if row.id is not None]
    total = found[0].matches
    if total <= COUNT_LIMIT:
        return Results(rows, total, offset=offset)
    if shape.sort != "relevance":
        # Closed, from each part in the order: read as one, the walk by date passed every open
        # opportunity first (at 1,000,000, the newest tenth of the table: 90-140 ms).
        in_parts = name == "found_parts" and shape.status == "closed"
        rows = read_rows(
            reads(), _statement(shape, "in_order_parts" if in_parts else "in_order"), values
        )
        return Results(rows, COUNT_LIMIT, exact=False, offset=offset)
    return Results(rows, COUNT_LIMIT, exact=False, offset=offset, ranked_only=RANK_LIMIT)


def _statement(shape, name):
    """The statement ``name`` of a search of ``shape`` (see ``_built``)."""
    return _built(shape, name, PAGE_SIZE, COUNT_LIMIT, RANK_LIMIT)


@lru_cache(maxsize=2048)
def _built(shape, name, page_size, count_limit, rank_limit):
    """The statement ``name`` of a search of ``shape``, with every value a bound parameter (see
    ``_values``), built once per process:

    - ``in_order``: the page read from an index in the sort's order;
    - ``count``: how many match, stopping at ``limit``;
    - ``counted_page``: up to ``limit`` matches in no order, the page sorted among them, each row
      with the count;
    - ``found`` / ``found_newest``: a search with words (see ``_search_words``), among all the
      matches or only those above the id ``floor``; ``found_walk``: of the open set, walked
      newest first checking each one's words (never from an index of words), down to the
      negated id ``walk_bound``;
    - ``found_parts``: the same, of closed or all opportunities, merging the newest matches of
      each part of the set (``_PARTS``), given the ids of those past their deadline but not yet
      marked closed (``past_ids``);
    - ``in_order_parts``: the page of a closed search read from each part in the sort's order
      (up to ``reach`` rows of each), merged, given ``past_ids`` too.

    The sizes are given (not read here) so that a statement built for other sizes is never
    used."""
    stmt, rank = _matching(shape, walk=name == "found_walk")
    order = _order(shape.sort, rank)
    if name == "in_order":
        return stmt.order_by(*_ordered(_COLUMNS, order)).limit(page_size).offset(OFFSET)
    if name == "in_order_parts":
        # Each part of the set (``_PARTS``) in the sort's order, as far as the page reaches (from
        # the marked part's own index of dates, migration 0040, when newest first), merged.
        parts = _each_part(
            shape,
            (*RESULT_COLUMNS, Opportunity.published_at),
            _ordered(_COLUMNS, order),
            sa.bindparam("reach", type_=sa.Integer),
        )
        return (
            sa.select(*(parts.c[c.key] for c in RESULT_COLUMNS))
            .order_by(*_ordered(parts.c, order))
            .limit(page_size)
            .offset(OFFSET)
        )
    if name == "count":
        matches = stmt.with_only_columns(Opportunity.id).order_by(None).limit(LIMIT).subquery()
        return sa.select(sa.func.count()).select_from(matches)
    if name == "counted_page":
        matches = _materialized(
            stmt.add_columns(Opportunity.published_at).limit(LIMIT), shape.dialect
        )
        return (
            sa.select(
                *(matches.c[c.key] for c in RESULT_COLUMNS), sa.func.count().over().label("matches")
            )
            .order_by(*_ordered(matches.c, order))
            .limit(page_size)
            .offset(OFFSET)
        )
    if name == "found_newest":
        stmt = stmt.where(Opportunity.id > sa.bindparam("floor", type_=sa.Integer))
    elif name == "found_walk":  # (negated, as the index it walks: migration 0041)
        stmt = stmt.where(-Opportunity.id < sa.bindparam("walk_bound", type_=sa.Integer))
    elif name not in ("found", "found_walk", "found_parts"):
        raise ValueError(name)
    keys = [
        Opportunity.id,
        Opportunity.submission_deadline,
        Opportunity.published_at,
        Opportunity.estimated_value_pence,
    ]
    if shape.sort == "relevance":
        keys.append(rank.label("rank"))
    newest = Opportunity.id.desc()
    if name in ("found", "found_walk") and shape.status == "open":
        # Newest first as the open set's index of negated ids orders them (migration 0041):
        # for a word in most open notices, walking it stops at the 1,001st match. (Written
        # differently from ``id`` so that the looks among the newest ids above, which ask for
        # ids above a floor, are planned as before: taking the open set for spread over the
        # whole table, PostgreSQL chose an index of plain open ids for them and read ten times
        # the rows it expected.)
        newest = (-Opportunity.id).asc()
    if name == "found_parts":
        # The newest matches of each part of the set (see ``_PARTS``), merged. Ranked once
        # merged, the newest only: a part's matches can be many (at 1,000,000, 14,464 marked ones
        # for two words), and ranking each before the newest were chosen took 55-75 ms where
        # ranking the 1,001 after took 40 ms (finding them ~38 of it).
        relevance = shape.sort == "relevance"
        read = [*keys[:4], SEARCH_VECTOR.label("vector")] if relevance else keys
        parts = _each_part(shape, read, [newest], count_limit + 1, places=True)
        newest_parts = sa.select(parts).order_by(parts.c.id.desc()).limit(count_limit + 1)
        if relevance:
            chosen = newest_parts.subquery("newest_parts")
            newest_parts = sa.select(
                *(chosen.c[key.key] for key in keys[:4]),
                _rank({"search_vector": chosen.c.vector}, shape).label("rank"),
            )
        candidates = _materialized(newest_parts, shape.dialect)
    else:
        candidates = _materialized(
            stmt.with_only_columns(*keys).order_by(newest).limit(count_limit + 1),
            shape.dialect,
        )
    ranked = sa.select(candidates).order_by(candidates.c.id.desc()).limit(rank_limit).subquery()
    page = (
        sa.select(ranked)
        .order_by(*_ordered(ranked.c, order))
        .limit(page_size)
        .offset(OFFSET)
        .subquery()
    )
    # The page's rows, each with what it is sorted by; joined to the count of the candidates, so
    # that an empty page (past the last, or nothing found: a quarter of searches) still gives
    # the count in the same statement, as a single row without an opportunity.
    shown = (
        sa.select(*RESULT_COLUMNS, *(page.c[name].label(f"by_{name}") for name, _ in order))
        .join_from(page, Opportunity, Opportunity.id == page.c.id)
        .subquery("shown")
    )
    counted = sa.select(sa.func.count().label("matches")).select_from(candidates).subquery()
    return (
        sa.select(*(shown.c[c.key] for c in RESULT_COLUMNS), counted.c.matches)
        .select_from(counted)
        .outerjoin(shown, sa.true())
        .order_by(*_ordered({f"by_{n}": shown.c[f"by_{n}"] for n, _ in order}, _by(order)))
    )


def _each_part(shape, columns, order_by, limit, places=False):
    """The first ``limit`` rows (of ``columns``, by ``order_by``) of each part of the set that a
    closed or all search reads (``_PARTS``), as one subquery to merge; with ``places``, a region's
    marked part read as its own and the national ones (``_PLACES``)."""
    return sa.union_all(
        *(
            _matching(shape, part=part, place=place)[0]
            .with_only_columns(*columns)
            .order_by(*order_by)
            .limit(limit)
            for part in _PARTS[shape.status]
            for place in (_PLACES if places and shape.region and part == "marked" else (None,))
        )
    ).subquery("parts")


def _materialized(stmt, dialect):
    """``stmt`` as a CTE that PostgreSQL works out once, before the query that reads it."""
    cte = stmt.cte("matches")
    return cte.prefix_with("MATERIALIZED") if dialect == "postgresql" else cte


def _rank(columns, shape):
    """How well a row of ``columns`` matches the words: PostgreSQL's ``ts_rank`` over the weighted
    vector (title A, summary B, description C, buyer D: how often the words occur, by where,
    and for several words how close together); on SQLite, how many of the words its title holds.

    Not ``ts_rank_cd`` (cover density), which zeroes some 32 KB of memory for each item of the
    query on every row it ranks (PostgreSQL 15's ``calc_rank_cd``): for the newest 1,001 matches
    of two words, 98 MB. Over 400 realistic searches at 100,000 opportunities, PostgreSQL's
    execution took a fifth less with ``ts_rank`` (``bench/RESULTS.md``, session 23).

    Ranked by the words wanted only (``_ranked_words``): ``ts_rank`` counts a word the query
    excludes (``care -home``) as missing from every match, which gave every match the same
    score."""
    if shape.dialect == "postgresql":
        return sa.func.ts_rank(columns["search_vector"], _ranked_words())
    return (
        sum(
            sa.case((sa.func.lower(columns["title"]).like(sa.bindparam(f"term_{i}")), 1), else_=0)
            for i in range(shape.terms)
        )
        * 1.0
    )


def _tsquery():
    return sa.func.websearch_to_tsquery("english", sa.bindparam("q", type_=sa.String))


def _ranked_words():
    """The query without the words it excludes (PostgreSQL's ``querytree``, ``'care'`` for
    ``care -home``), or the whole query when it only excludes (``querytree`` then says ``T``).
    Worked out once when PostgreSQL plans the statement (each function is immutable), not for
    each row."""
    wanted = sa.func.querytree(_tsquery())
    return sa.case((wanted == "T", _tsquery()), else_=sa.cast(wanted, TSQUERY))


def every_match(f, now=None, limit=None, batch=None):
    """Every opportunity the filters find, not one page (up to ``limit``), in the order of the
    search page's pages, as rows of ``EXPORT_COLUMNS``: for downloads and feeds. The rows come
    through a server-side cursor ``batch`` (``EXPORT_BATCH``) at a time, so that thousands are
    never held at once. A server-side cursor lives in a transaction: this reads on a connection
    of its own (not in autocommit, as ``reads()`` is), given back when the generator closes."""
    now = now or utcnow()
    batch = batch or EXPORT_BATCH
    engine = read_engine()
    shape = _shape(f, engine.dialect.name)
    if shape is None:
        return
    stmt, rank = _matching(shape, EXPORT_COLUMNS)
    columns = {**_COLUMNS, "rank": rank}
    stmt = stmt.order_by(*_ordered(columns, _order(shape.sort, rank))).limit(limit)
    with engine.connect() as connection:
        result = connection.execute(stmt.execution_options(yield_per=batch), _values(f, now, shape))
        try:
            yield from result
        finally:
            result.close()


def _order(sort, rank):
    """[(column name, descending)] for the sort, then the id, so that pages are stable."""
    return {
        "closing": [("submission_deadline", False)],
        "newest": [("published_at", True)],
        "value_high": [("estimated_value_pence", True)],
        "value_low": [("estimated_value_pence", False)],
        "relevance": [
            ("rank", True) if rank is not None else ("published_at", True),
            ("submission_deadline", False),
        ],
    }[sort] + [("id", False)]


def _matching(shape, columns=RESULT_COLUMNS, part=None, place=None, walk=False):
    """(select of ``columns``, rank expression or None) for a search of ``shape``, its values
    bound by name (see ``_values``); given a ``part`` (see ``_PARTS``), only that part of the
    set its status asks for, and given a ``place`` (see ``_PLACES``), only the region's own or
    only the national ones. With ``walk``, the words are checked on each row and never looked
    up in an index of words."""
    postgresql = shape.dialect == "postgresql"
    stmt = sa.select(*columns)
    open_only = shape.status == "open"
    if not (part in ("open_set", "past_deadline") or (part is None and open_only)):
        # (The open set is public: said again, the condition only cost PostgreSQL's planner
        # time, a sixth of it for an open search, proving each partial index against it.)
        stmt = stmt.where(Opportunity.status.in_(PUBLIC_STATUSES))
    rank = None
    if shape.words:
        if postgresql:
            found = SEARCH_VECTOR.op("@@")(_tsquery())
            stmt = stmt.where(found.is_(sa.true()) if walk else found)
        else:
            for i in range(shape.terms):
                like = sa.bindparam(f"term_{i}")
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
        rank = _rank({"search_vector": SEARCH_VECTOR, "title": Opportunity.title}, shape)
    if shape.lot:
        stmt = stmt.where(Opportunity.lot_id == sa.bindparam("lot_id"))
    if shape.cpv:
        stmt = stmt.where(
            Opportunity.lot_id.in_(
                sa.select(LotCpvCode.lot_id).where(
                    LotCpvCode.cpv_code.like(sa.bindparam("cpv_prefix"))
                )
            )
        )
    if shape.region and place == "in_region":
        stmt = stmt.where(
            Opportunity.region_code == sa.bindparam("region"),
            Opportunity.location_type != "national",
        )
    elif shape.region and place == "national":
        stmt = stmt.where(Opportunity.location_type == "national")
    elif shape.region:
        # With words on the open set, the open set's GIN index of words, regions, kinds of place
        # and lots finds the region's matches (migration 0037).
        stmt = stmt.where(
            sa.or_(
                Opportunity.region_code == sa.bindparam("region"),
                Opportunity.location_type == "national",
            )
        )
    if shape.local_authority:
        stmt = stmt.where(
            Opportunity.location_type == "local_authority",
            Opportunity.location_code == sa.bindparam("local_authority"),
        )
    if shape.min_value:
        stmt = stmt.where(Opportunity.estimated_value_pence >= sa.bindparam("min_value"))
    if shape.max_value:
        stmt = stmt.where(Opportunity.estimated_value_pence <= sa.bindparam("max_value"))
    if shape.vcse_only:
        stmt = stmt.where(
            sa.or_(
                Opportunity.reserved_vcse.is_(True),
                Opportunity.lot_id.in_(
                    sa.select(Lot.id).where(Lot.reserved_for == ReservedFor.VCSE)
                ),
            )
        )
    if shape.kind:
        stmt = stmt.where(Opportunity.kind == sa.bindparam("kind"))
    # At the moment the results (and their cache) are for.
    now = sa.bindparam("now", type_=Opportunity.submission_deadline.type)
    if part == "marked":
        stmt = stmt.where(_MARKED)
        if shape.status == "closed":
            stmt = stmt.where(~Opportunity.open_at(now))
    elif part == "open_set":
        stmt = stmt.where(_OPEN_SET)
    elif part == "past_deadline":
        # Closed but not yet marked: few, named by ``_past_deadline_ids``. Still in the open set
        # when this statement reads them: one marked (or awarded ...) since they were named is
        # read from the marked part only, never twice.
        past_ids = sa.bindparam("past_ids", type_=ARRAY(sa.Integer))
        stmt = stmt.where(
            Opportunity.id == sa.func.any(past_ids),
            _OPEN_SET,
            Opportunity.submission_deadline <= now,
        )
    elif open_only:
        # Every open one is still unmarked by the closing job (``mark_closed`` marks only those
        # past their deadline, and a deadline never moves once passed): saying so lets the
        # partial indexes of the open set (migration 0021) answer.
        after_now = Opportunity.submission_deadline > now
        if shape.words and postgresql:
            # The words' GIN index of the open set finds the candidates, and the deadline is
            # checked on each. Written plainly, the planner would take "published, unmarked and
            # after now" for a hundredth of the table (it is a tenth: the three go together)
            # and intersect a bitmap of every deadline after now with the words'.
            after_now = after_now.is_(sa.true())
        stmt = stmt.where(_OPEN_SET, after_now)
    elif shape.status == "closed":
        stmt = stmt.where(~Opportunity.open_at(now))
    if shape.closing_within:
        stmt = stmt.where(
            Opportunity.submission_deadline
            <= sa.bindparam("closing_by", type_=Opportunity.submission_deadline.type)
        )
    return stmt, rank


# Every public opportunity is in one of two parts, each with its own partial indexes: the open
# set (published and not yet marked closed by the closing job: migrations 0026 and 0037), and
# the marked: closed and marked so, awarded, cancelled ... (migration 0038). A search with words
# of closed or all opportunities reads the newest matches of each part and merges them: walking
# the whole table from the newest, a closed search read past every open one first (the newest
# tenth of the table), and each part's GIN index holds the region, kind of place and lot beside
# the words. Of the open set, a closed search wants only those past their deadline that the
# job has not marked yet: a few, found by their deadlines (``_past_deadline_ids``).
# (``_OPEN_SET`` is ``lots.opportunities.models.OPEN_SET`` as SQLAlchemy expressions, and
# ``_MARKED`` with the public statuses is migration 0038's predicate: each written as the
# indexes' predicates are, so that PostgreSQL sees that a search implies them.)
_OPEN_SET = sa.and_(
    Opportunity.status == OpportunityStatus.PUBLISHED,
    Opportunity.closed_recorded_at.is_(None),
)
_MARKED = sa.or_(
    Opportunity.status != OpportunityStatus.PUBLISHED,
    Opportunity.closed_recorded_at.isnot(None),
)
_PARTS = {"closed": ("marked", "past_deadline"), "all": ("marked", "open_set")}
# With a region, the marked part is read as two: the region's own (from its index of regions
# and ids, migration 0039) and the national ones (their own index of ids), each newest first.
# Asked as one ("the region's or national"), no index gives the matches in id order, and a
# common word's newest matches in a region were found by walking every marked id back from
# the newest (at 1,000,000, 57,343 rows for "youth" in one region).
_PLACES = ("in_region", "national")
# Past their deadline and not yet marked: up to this many are named in a closed search's SQL.
PAST_IDS_LIMIT = 1000
_PAST_DEADLINE = (
    sa.select(Opportunity.id)
    .where(
        _OPEN_SET,
        Opportunity.submission_deadline
        <= sa.bindparam("now", type_=Opportunity.submission_deadline.type),
    )
    .order_by(Opportunity.submission_deadline)
    .limit(sa.bindparam("past_limit", type_=sa.Integer))
)


def _past_deadline_ids(now):
    """The ids of the open set's opportunities past their deadline at ``now`` (closed, and not
    yet marked so by the closing job), read from the open set's index by deadline; None when
    there are more than ``PAST_IDS_LIMIT`` (the job has not run for a while)."""
    ids = reads().execute(_PAST_DEADLINE, {"now": now, "past_limit": PAST_IDS_LIMIT + 1})
    ids = ids.scalars().all()
    return ids if len(ids) <= PAST_IDS_LIMIT else None


def _closed_yet_closing(f):
    """Closed opportunities closing within some days: nothing can match (they close within
    none), and the page says why."""
    return f.status == "closed" and bool(f.closing_within_days)


def _open_only(f):
    """Whether only open opportunities can match (then the open set's indexes answer)."""
    return f.status == "open" or bool(f.closing_within_days)


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


def _by(order):
    """``order`` naming the ``by_`` columns of ``_search_words``."""
    return [(f"by_{name}", descending) for name, descending in order]


def _ordered(columns, order):
    return [
        columns[name].desc() if descending else columns[name].asc() for name, descending in order
    ]


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
    rows = (
        reads()
        .execute(
            sa.select(Lot.id, Lot.number, Lot.title, Lot.reserved_for, Dps.name.label("dps_name"))
            .join(Dps, Dps.id == Lot.dps_id)
            .order_by(Dps.name, Lot.number)
        )
        .all()
    )
    choices = tuple(
        LotChoice(row.id, Lot.label.fget(row), row.reserved_for, row.dps_name) for row in rows
    )
    if generation is not None:
        current_app.extensions["search_lot_choices"] = (generation, choices)
    return choices
