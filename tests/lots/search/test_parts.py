"""A search with words of closed or all opportunities reads each part of the set from its own
indexes (``lots.search.queries._PARTS``): the marked part (closed and marked so by the closing
job, awarded, cancelled ...) and the open set, of which a closed search wants only those past
their deadline that the job has not marked yet."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from lots.opportunities.models import Opportunity, OpportunityStatus
from lots.opportunities.services import mark_closed
from lots.search import queries as search_module
from lots.search.queries import Filters, search
from tests.lots.helpers import NOW
from tests.lots.search.helpers import lots_with_cpv_codes, publish


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
    assert "ix_opportunities_closed_id" in found or "ix_opportunities_search_closed_by" in found, (
        found
    )
