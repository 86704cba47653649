"""A Core SELECT's rows read on psycopg's own connection (``app.driver_rows``): the same rows,
values and names as SQLAlchemy's, its cursor events still sent, a database error raised as
SQLAlchemy raises it, and the search page unavailable (503) rather than broken on a timeout."""

import pytest
import sqlalchemy as sa

from app import driver_rows
from app.replica import reads
from lots.opportunities.models import PUBLIC_STATUSES, Opportunity, OpportunityStatus
from lots.search.queries import RESULT_COLUMNS
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
