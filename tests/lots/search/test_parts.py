"""A search with words of closed or all opportunities reads each part of the set from its own
indexes (``lots.search.queries._PARTS``): the marked part (closed and marked so by the closing
job, awarded, cancelled ...) and the open set, of which a closed search wants only those past
their deadline that the job has not marked yet."""

import itertools
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from dps.models import Lot
from lots.opportunities.models import Opportunity, OpportunityStatus
from lots.opportunities.services import mark_closed
from lots.search import queries as search_module
from lots.search.queries import Filters, search
from tests.lots.helpers import NOW
from tests.lots.search.helpers import lots_with_cpv_codes, publish, ranked_words
from tests.lots.search.test_fast_path import many  # noqa: F401  (a fixture)


@pytest.fixture
def gardens(app):
    """One opportunity of each part, every one about gardens: open; past its deadline and not
    yet marked; past it and marked; awarded (and marked); and one about meals, marked."""
    lots, buyer = lots_with_cpv_codes()
    made = {
        "open": publish(lots[0], buyer, "Community gardens, open"),
        "unmarked": publish(lots[0], buyer, "Community gardens, unmarked", days=-1),
        "marked": publish(
            lots[0], buyer, "Community gardens, marked", days=-3, closed_recorded_at=NOW
        ),
        "awarded": publish(
            lots[1],
            buyer,
            "Community gardens, awarded",
            days=-9,
            status=OpportunityStatus.AWARDED,
            closed_recorded_at=NOW - timedelta(days=8),
        ),
        "meals": publish(lots[0], buyer, "Meals on wheels", days=-2, closed_recorded_at=NOW),
    }
    return {name: o.id for name, o in made.items()}


def _sent(f):
    """The search's results, and the SQL it sent to PostgreSQL."""
    statements = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", keep)
    try:
        results = search(f, now=NOW)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", keep)
    return results, statements


@pytest.mark.parametrize("past_ids_limit", [1000, 0])
def test_closed_and_all_find_every_part(gardens, monkeypatch, past_ids_limit):
    # With none to name (the closing job stalled), the search reads the set as one.
    monkeypatch.setattr(search_module, "PAST_IDS_LIMIT", past_ids_limit)
    closed, sent = _sent(Filters(q="gardens", status="closed", sort="newest"))
    assert {row.id for row in closed.rows} == {
        gardens["unmarked"],
        gardens["marked"],
        gardens["awarded"],
    }
    assert closed.total == 3
    assert any("UNION ALL" in s for s, _ in sent) == bool(past_ids_limit)
    every = search(Filters(q="gardens", status="all", sort="newest"), now=NOW)
    assert {row.id for row in every.rows} == {
        gardens[name] for name in ("open", "unmarked", "marked", "awarded")
    }
    opened = search(Filters(q="gardens", status="open"), now=NOW)
    assert [row.id for row in opened.rows] == [gardens["open"]]


def test_one_past_its_deadline_is_found_when_the_job_has_not_marked_it(gardens):
    later = NOW + timedelta(days=30)  # now every garden is closed, none newly marked
    results = search(Filters(q="gardens", status="closed"), now=later)
    assert gardens["open"] in {row.id for row in results.rows}
    assert results.total == 4


def _between(monkeypatch, change):
    """Commit ``change`` after a closed search has named those past their deadline and not yet
    marked, before it reads the parts (as the closing job or an award may, at any moment)."""
    named = search_module._past_deadline_ids

    def racing(now):
        ids = named(now)
        change()
        return ids

    monkeypatch.setattr(search_module, "_past_deadline_ids", racing)


def _no_suitable_bid(opportunity_id):
    opportunity = db.session.get(Opportunity, opportunity_id)
    opportunity.status = OpportunityStatus.NO_SUITABLE_BID
    db.session.commit()


@pytest.mark.parametrize("change", ["marked by the job", "no suitable bid"])
def test_one_that_changes_part_while_a_search_runs_is_counted_once(gardens, monkeypatch, change):
    """Found by the review of this change: read from both parts, it was shown and counted
    twice."""
    if change == "marked by the job":
        _between(monkeypatch, lambda: mark_closed(NOW))
    else:
        _between(monkeypatch, lambda: _no_suitable_bid(gardens["unmarked"]))
    results = search(Filters(q="gardens", status="closed", sort="newest"), now=NOW)
    ids = [row.id for row in results.rows]
    assert sorted(ids) == sorted([gardens["unmarked"], gardens["marked"], gardens["awarded"]])
    assert results.total == 3


def _plan(statement, parameters):
    with db.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")
        rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
    return "\n".join(row[0] for row in rows)


def test_each_part_can_be_read_from_its_own_indexes(gardens):
    """PostgreSQL uses a partial index only when the query's conditions imply its predicate:
    written differently from migration 0038's, the marked part's indexes would never serve."""
    _results, sent = _sent(Filters(q="gardens", region_code="TLE", status="closed"))
    plans = [_plan(s, p) for s, p in sent if "opportunities" in s]
    past, found = plans[0], plans[-1]
    assert "ix_opportunities_open_deadline" in past
    marked = (  # (with a region, the region's own: migration 0039, see the test below)
        "ix_opportunities_closed_id",
        "ix_opportunities_search_closed_by",
        "ix_opportunities_closed_region_id",
    )
    assert any(index in found for index in marked), found


def _odd_rows(lots):
    """Rows the hypothesis test's fixture never makes: published and marked with its deadline
    ahead (as an extension racing the closing job could leave one before it unmarked them);
    cancelled, awarded and without a suitable bid, marked or not; drafts and the unapproved."""
    first = db.session.execute(sa.select(Opportunity).limit(1)).scalar_one()
    odd = [
        (OpportunityStatus.PUBLISHED, 5, NOW - timedelta(hours=1)),
        (OpportunityStatus.PUBLISHED, 40, NOW - timedelta(hours=1)),
        (OpportunityStatus.CANCELLED, 5, None),
        (OpportunityStatus.AWARDED, -5, None),
        (OpportunityStatus.NO_SUITABLE_BID, -2, None),
        (OpportunityStatus.NO_SUITABLE_BID, 3, NOW),
        (OpportunityStatus.DRAFT, -5, None),
        (OpportunityStatus.AWAITING_APPROVAL, 5, None),
        (OpportunityStatus.APPROVED, -5, NOW),
    ]
    for i, (status, days, marked) in enumerate(odd):
        publish(
            lots[i % len(lots)],
            first.buyer,
            f"Care garden odd {i}",
            summary="care garden",
            description="care",
            value=3_000_000,
            days=days,
            published_days_ago=i,
            status=status,
            closed_recorded_at=marked,
            location_type="national",
            cancel_reason="Withdrawn" if status == OpportunityStatus.CANCELLED else None,
        )


def _plainly(f, now):
    """The page, count and exactness of a closed or all search, read plainly at ``now``."""
    query = sa.func.websearch_to_tsquery("english", f.q)
    vector = sa.column("search_vector")
    rows = db.session.execute(
        sa.select(Opportunity, vector.op("@@")(query), sa.func.ts_rank(vector, ranked_words(query)))
    ).all()

    def found(o, hit):
        is_open = o.status == OpportunityStatus.PUBLISHED and o.submission_deadline > now
        public = o.status in search_module.PUBLIC_STATUSES
        in_region = not f.region_code or o.region_code == f.region_code
        placed = in_region or o.location_type == "national"
        return public and hit and placed and (f.status != "closed" or not is_open)

    matches = [(o, rank) for o, hit, rank in rows if found(o, hit)]
    keys = {
        "newest": lambda m: (-m[0].published_at.timestamp(), m[0].id),
        "relevance": lambda m: (-m[1], m[0].submission_deadline, m[0].id),
    }
    offset = (f.page - 1) * search_module.PAGE_SIZE
    exact = len(matches) <= search_module.COUNT_LIMIT
    total = len(matches) if exact else search_module.COUNT_LIMIT
    if not exact and f.sort == "relevance":
        matches = sorted(matches, key=lambda m: -m[0].id)[: search_module.RANK_LIMIT]
    page = sorted(matches, key=keys[f.sort])[offset : offset + search_module.PAGE_SIZE]
    return [o.id for o, _ in page], total, exact


def test_closed_and_all_agree_with_a_plain_reading_on_odd_rows(many, monkeypatch):  # noqa: F811
    """From the review of this change: the parts, at several moments, with those past their
    deadline named or not, on rows of every status, marked or not."""
    _odd_rows(many)
    monkeypatch.setattr(search_module, "COUNT_LIMIT", 9)
    monkeypatch.setattr(search_module, "RANK_LIMIT", 9)
    monkeypatch.setattr(search_module, "PAGE_SIZE", 4)
    failures = []
    for past_limit, days, status, q, sort, page, region in itertools.product(
        [1000, 0], [-30, 0, 4, 30], ["closed", "all"], ["care", "garden meals"],
        ["relevance", "newest"], [1, 3], [None, "TLD"],
    ):  # fmt: skip
        monkeypatch.setattr(search_module, "PAST_IDS_LIMIT", past_limit)
        now = NOW + timedelta(days=days)
        f = Filters(q=q, status=status, sort=sort, page=page, region_code=region)
        results = search(f, now=now)
        if ([row.id for row in results.rows], results.total, results.exact) != _plainly(f, now):
            failures.append((past_limit, days, status, q, sort, page, region))
    assert failures == []


@pytest.fixture
def gardens_by_place(gardens):
    """Besides ``gardens`` (every one national, as opportunities are by default): marked gardens
    in the North West (TLD) and in London (TLI), two more national ones (one of them naming the
    North West too), and an open one in the North West."""
    first = db.session.get(Opportunity, gardens["open"])
    lots, buyer = [db.session.get(Lot, first.lot_id)], first.buyer
    marked = {"days": -3, "closed_recorded_at": NOW}
    made = {
        "north west": publish(
            lots[0], buyer, "Gardens, North West", region_code="TLD", location_type="region",
            location_code="TLD", **marked,
        ),
        "london": publish(
            lots[0], buyer, "Gardens, London", region_code="TLI", location_type="region",
            location_code="TLI", **marked,
        ),
        "national": publish(lots[0], buyer, "Gardens, national", location_type="national",
                            **marked),
        "national naming a region": publish(
            lots[0], buyer, "Gardens, national too", location_type="national", region_code="TLD",
            **marked,
        ),
        "open in the north west": publish(
            lots[0], buyer, "Gardens, North West, open", region_code="TLD",
            location_type="region", location_code="TLD",
        ),
    }  # fmt: skip
    return {**gardens, **{name: o.id for name, o in made.items()}}


@pytest.mark.parametrize("status", ["closed", "all"])
@pytest.mark.parametrize("count_limit", [1000, 2])
def test_a_region_finds_its_own_and_the_national_ones_once(
    gardens_by_place, monkeypatch, status, count_limit
):
    """The marked part is read as the region's own and the national ones (``_PLACES``): each
    found once, a national one that names the region too included, another region's left out."""
    monkeypatch.setattr(search_module, "COUNT_LIMIT", count_limit)
    monkeypatch.setattr(search_module, "RANK_LIMIT", count_limit)
    results, sent = _sent(Filters(q="gardens", region_code="TLD", status=status, sort="relevance"))
    closed = ("unmarked", "marked", "awarded", "north west", "national", "national naming a region")
    expected = {
        gardens_by_place[name]
        for name in closed + (("open", "open in the north west") if status == "all" else ())
    }
    if count_limit == 1000:
        assert sorted(row.id for row in results.rows) == sorted(expected)
        assert (results.total, results.exact) == (len(expected), True)
    else:  # more than the limit: counted so, and only the newest ranked
        assert (results.total, results.exact) == (count_limit, False)
        assert sorted(row.id for row in results.rows) == sorted(expected)[-count_limit:]
    assert any("UNION ALL" in s for s, _ in sent)


def test_a_region_s_marked_ones_are_read_from_its_own_index(gardens_by_place):
    """Written differently from migration 0039's predicates, the region's index and the national
    ones' would never serve: with the index of every marked id gone (in a transaction, undone),
    and nothing read in bulk, the plan reads from both."""
    _results, sent = _sent(Filters(q="gardens", region_code="TLD", status="closed"))
    plan = _plan_without(
        "ix_opportunities_closed_id", sent[-1], "enable_seqscan", "enable_bitmapscan"
    )
    assert "ix_opportunities_closed_region_id" in plan, plan
    assert "ix_opportunities_closed_national_id" in plan, plan


@pytest.mark.parametrize("sort", ["newest", "closing", "value_high"])
def test_a_closed_page_in_order_is_read_from_each_part(gardens, monkeypatch, sort):
    """More closed matches than the count's limit, sorted other than by relevance: the page is
    read from each part in the sort's order and merged (the awarded garden is the oldest)."""
    monkeypatch.setattr(search_module, "COUNT_LIMIT", 2)
    monkeypatch.setattr(search_module, "PAGE_SIZE", 2)
    results, sent = _sent(Filters(q="gardens", status="closed", sort=sort))
    assert (results.total, results.exact) == (2, False)
    expected = {
        "newest": ["unmarked", "marked"],  # published the same day: by id
        "closing": ["awarded", "marked"],
        "value_high": ["unmarked", "marked"],  # the same value: by id
    }[sort]
    assert [row.id for row in results.rows] == [gardens[name] for name in expected]
    assert "UNION ALL" in sent[-1][0] and "ORDER BY" in sent[-1][0]


def test_the_marked_part_newest_first_is_read_from_its_own_index(gardens, monkeypatch):
    """Written differently from migration 0040's predicate, the index of the marked part's
    publication dates would never serve: with the index of every date gone (in a transaction,
    undone) and nothing sorted or read in bulk, the plan reads from it."""
    monkeypatch.setattr(search_module, "COUNT_LIMIT", 2)
    _results, sent = _sent(Filters(q="gardens", status="closed", sort="newest"))
    plan = _plan_without(
        "ix_opportunities_published_at",
        sent[-1],
        "enable_seqscan",
        "enable_bitmapscan",
        "enable_sort",
    )
    assert "ix_opportunities_closed_published" in plan, plan


def test_an_open_search_reads_its_newest_matches_from_the_open_sets_ids(gardens):
    """Written differently from migration 0041's index (the open set's ids, negated), it would
    never serve: with the index of open deadlines gone (in a transaction, undone) and nothing
    sorted or read in bulk, the newest matches are read from it, not from every id."""
    _results, sent = _sent(Filters(q="gardens", status="open"))
    plan = _plan_without(
        "ix_opportunities_open_deadline",
        sent[-1],
        "enable_seqscan",
        "enable_bitmapscan",
        "enable_sort",
    )
    assert "Index Scan using ix_opportunities_open_newest" in plan, plan


def test_an_open_page_by_value_is_read_from_the_open_sets_values(gardens, monkeypatch):
    """More open matches than the count's limit, by value: with the whole table's index of
    values gone (in a transaction, undone) and nothing sorted or read in bulk, the page is read
    from the open set's own (migration 0041), written as its predicate."""
    monkeypatch.setattr(search_module, "COUNT_LIMIT", 0)
    results, sent = _sent(Filters(q="gardens", status="open", sort="value_low"))
    assert (results.total, results.exact) == (0, False)
    assert [row.id for row in results.rows] == [gardens["open"]]
    plan = _plan_without(
        "ix_opportunities_value", sent[-1], "enable_seqscan", "enable_bitmapscan", "enable_sort"
    )
    assert "ix_opportunities_open_value" in plan, plan


def _plan_without(index, sent, *settings):
    """The plan of ``sent`` (a statement and its parameters) with ``index`` dropped and each of
    ``settings`` off, in a transaction that is then undone."""
    statement, parameters = sent
    db.session.rollback()  # (its read of the fixture holds a lock that DROP INDEX waits for)
    with db.engine.connect() as conn:
        with conn.begin() as transaction:
            conn.exec_driver_sql(f"DROP INDEX {index}")
            for setting in settings:
                conn.exec_driver_sql(f"SET LOCAL {setting} = off")
            rows = conn.exec_driver_sql("EXPLAIN " + statement, parameters).all()
            transaction.rollback()
    return "\n".join(row[0] for row in rows)
