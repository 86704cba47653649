"""A Core SELECT's rows read on psycopg's own connection (``app.driver_rows``): the same rows,
values and names as SQLAlchemy's, its cursor events still sent, a database error raised as
SQLAlchemy raises it, and the search page unavailable (503) rather than broken on a timeout."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_sqlalchemy.record_queries import get_recorded_queries

from app import driver_rows
from app.extensions import db
from app.replica import reads
from lots.opportunities.models import PUBLIC_STATUSES, Opportunity, OpportunityStatus
from lots.search.queries import RESULT_COLUMNS, Filters, search
from tests.lots.helpers import NOW
from tests.lots.search.helpers import lots_with_cpv_codes, publish

BY_TITLE = (
    sa.select(*RESULT_COLUMNS, Opportunity.published_at, sa.func.count().over())
    .where(Opportunity.status.in_(PUBLIC_STATUSES), Opportunity.title.like(sa.bindparam("like")))
    .order_by(Opportunity.id)
)


@pytest.fixture
def published(app):
    lots, buyer = lots_with_cpv_codes()
    publish(lots[0], buyer, "Garden care")
    publish(lots[1], buyer, "Garden meals", status=OpportunityStatus.AWARDED)
    publish(lots[1], buyer, "Garden draft", status=OpportunityStatus.DRAFT)


def test_the_rows_are_sqlalchemys(published):
    values = {"like": "Garden%"}
    expected = reads().execute(BY_TITLE, values).all()
    got = driver_rows.rows(reads(), BY_TITLE, values)
    assert len(got) == 2
    assert [tuple(row) for row in got] == [tuple(row) for row in expected]
    for row, theirs in zip(got, expected, strict=True):
        assert row.status is theirs.status  # an enum, as SQLAlchemy gives it
        assert row.published_at == theirs.published_at
        assert row.published_at.utcoffset() == theirs.published_at.utcoffset()
        assert row._fields[: len(RESULT_COLUMNS)] == tuple(c.key for c in RESULT_COLUMNS)
    # The kept SQL, with other values.
    assert [row.title for row in driver_rows.rows(reads(), BY_TITLE, {"like": "%meals"})] == [
        "Garden meals"
    ]


def test_its_cursor_events_are_sent(published):
    seen = []
    listener = lambda conn, cursor, statement, parameters, context, many: seen.append(statement)  # noqa: E731
    sa.event.listen(reads().engine, "before_cursor_execute", listener)
    try:
        driver_rows.rows(reads(), BY_TITLE, {"like": "Garden%"})
    finally:
        sa.event.remove(reads().engine, "before_cursor_execute", listener)
    assert len(seen) == 1 and "FROM opportunities" in seen[0]


def test_a_statement_timeout_is_sqlalchemys_error_and_the_connection_reads_on(app):
    connection = reads()
    connection.exec_driver_sql("SET statement_timeout = 50")
    try:
        with pytest.raises(sa.exc.OperationalError, match="statement timeout"):
            driver_rows.rows(connection, sa.select(sa.func.pg_sleep(1)), {})
        assert driver_rows.rows(connection, sa.select(sa.literal(7)), {})[0][0] == 7
    finally:
        connection.exec_driver_sql("RESET statement_timeout")


def test_the_search_page_is_unavailable_when_its_query_times_out(client, published, monkeypatch):
    """As when SQLAlchemy ran it: the 503 page, not a broken one."""

    def slow(connection, statement, values):
        connection.exec_driver_sql("SET statement_timeout = 50")
        try:
            return driver_rows.rows(connection, sa.select(sa.func.pg_sleep(1)), {})
        finally:
            connection.exec_driver_sql("RESET statement_timeout")

    monkeypatch.setattr("lots.search.queries.read_rows", slow)
    response = client.get("/opportunities?q=garden")
    assert response.status_code == 503


def test_a_lost_connection_is_invalidated_and_the_next_read_reconnects(published):
    connection = reads()
    backend = connection.connection.driver_connection.info.backend_pid
    db.session.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    db.session.commit()
    with pytest.raises(sa.exc.OperationalError) as lost:
        driver_rows.rows(connection, BY_TITLE, {"like": "Garden%"})
    assert lost.value.connection_invalidated and connection.invalidated
    again = driver_rows.rows(connection, BY_TITLE, {"like": "Garden%"})  # on a new connection
    assert len(again) == 2
    assert connection.connection.driver_connection.info.backend_pid != backend
    connection.close()  # given back without trying the lost one


def test_the_search_is_recorded_where_queries_are_recorded(make_app, published):
    """Flask-SQLAlchemy's recorded queries mark the context of each statement."""
    recording = make_app(SQLALCHEMY_RECORD_QUERIES=True, SEARCH_CACHE_SECONDS=0)
    with recording.test_request_context():
        assert len(search(Filters(q="garden", status="all"), now=NOW).rows) == 2
        recorded = [q.statement for q in get_recorded_queries()]
    assert [s for s in recorded if "FROM opportunities" in s]


def test_values_are_bind_processed_and_refused_as_sqlalchemy_refuses_them(published):
    at = sa.select(Opportunity.id).where(Opportunity.published_at <= sa.bindparam("now"))
    at = at.where(Opportunity.status.in_(PUBLIC_STATUSES))
    assert len(driver_rows.rows(reads(), at, {"now": NOW + timedelta(days=1)})) == 2
    with pytest.raises(ValueError, match="timezone-aware"):  # UTCDateTime's own processing
        driver_rows.rows(reads(), at, {"now": datetime(2026, 12, 1)})
    with pytest.raises(sa.exc.InvalidRequestError, match="'now'"):
        driver_rows.rows(reads(), at, {})
    listed = sa.select(Opportunity.id).where(Opportunity.id.in_(sa.bindparam("ids")))
    with pytest.raises(ValueError, match="ids"):  # a list the caller gives is never kept
        driver_rows.rows(reads(), listed, {"ids": [1, 2]})


def test_unnamed_columns_are_named_as_sqlalchemy_names_them(published):
    counted = sa.select(sa.func.count(), sa.func.max(Opportunity.id)).where(
        Opportunity.status.in_(PUBLIC_STATUSES)
    )
    ours = driver_rows.rows(reads(), counted, {})
    theirs = reads().execute(counted).all()
    assert ours[0]._fields == tuple(theirs[0]._fields) and tuple(ours[0]) == tuple(theirs[0])
