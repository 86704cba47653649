"""Pooled connections are tested as they are lent (``app.pinging``), except for the search's
reads, which run again on a tested connection when theirs was lost (``app.replica.retried``).
On PostgreSQL, with its backends really ended, as a restart or a failover ends them."""

from unittest import mock

import psycopg
import pytest
import sqlalchemy as sa
from flask import g

from app import pinging
from app.extensions import db
from app.replica import CONNECTION, _close, reads, retried
from lots.search.queries import Filters, search
from tests.lots.helpers import NOW
from tests.lots.search.helpers import lots_with_cpv_codes
from tests.lots.search.helpers import publish as _publish


def _end_every_other_backend(app):
    """What a database restart does to the pool: every connection it holds is closed at the
    server's end (the pool does not know until it uses one)."""
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as admin:
        ended = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]
    assert ended >= 1


def _backend(connection):
    return connection.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()


def _end_the_read_connection(app):
    """Give the app context's read connection back to the pool, then end it at the server."""
    first = _backend(reads())
    _close(None)
    _end_every_other_backend(app)
    return first


def test_a_lost_connection_is_replaced_before_it_is_lent(app):
    with db.engine.connect() as connection:
        first = _backend(connection)
    _end_every_other_backend(app)
    with mock.patch.object(db.engine.dialect, "do_ping", wraps=db.engine.dialect.do_ping) as ping:
        with db.engine.connect() as connection:
            assert _backend(connection) != first  # a new connection, never an error
    assert ping.call_count >= 1


def test_a_search_whose_connection_was_lost_reads_again_on_a_tested_one(app):
    lots, buyer = lots_with_cpv_codes()
    _publish(lots[0], buyer, "Befriending for older people")
    db.session.commit()
    first = _end_the_read_connection(app)
    lent_untested = []

    def lent(*_args):
        lent_untested.append(pinging._UNTESTED.get())

    sa.event.listen(db.engine, "checkout", lent)
    try:
        results = search(Filters(q="befriending"), now=NOW)
    finally:
        sa.event.remove(db.engine, "checkout", lent)
    assert results.total == 1 and results.rows[0].title == "Befriending for older people"
    # Lent untested, found lost, then read again on a connection lent as any other is.
    assert lent_untested == [True, False]
    assert _backend(reads()) != first


def test_a_search_on_a_live_connection_sends_no_test_first(app):
    lots, buyer = lots_with_cpv_codes()
    _publish(lots[0], buyer, "Befriending for older people")
    db.session.commit()
    # Two connections in the pool, alive and used before (a connection just made is not tested).
    held = [db.engine.connect(), db.engine.connect()]
    for connection in held:
        connection.close()
    statements = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with mock.patch.object(db.engine.dialect, "do_ping", wraps=db.engine.dialect.do_ping) as ping:
        assert search(Filters(q="befriending"), now=NOW).total == 1
        assert ping.call_count == 0
        with db.engine.connect() as connection:  # any other use is tested
            connection.execute(sa.text("SELECT 1"))
        assert ping.call_count == 1
    assert any("opportunities" in s for s in statements)


def test_an_error_that_is_not_a_lost_connection_is_not_read_again(app):
    calls = []

    @retried
    def broken():
        calls.append(1)
        return reads().execute(sa.text("SELECT no_such_column FROM opportunities")).all()

    with pytest.raises(sa.exc.ProgrammingError):
        broken()
    assert calls == [1]


def test_a_read_lost_twice_is_not_tried_a_third_time(app):
    calls = []

    @retried
    def lost():
        calls.append(1)
        raise sa.exc.DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True)

    with pytest.raises(sa.exc.DBAPIError):
        lost()
    assert calls == [1, 1]


def test_a_connection_just_made_is_not_tested_and_a_lost_one_replaces_the_pool(app):
    """As ``pool_pre_ping`` does: a new connection is lent without a test, and a pooled one found
    lost has every connection pooled before it replaced (a restart ends them all)."""
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"], pool_size=3)
    pinging.install(engine)
    try:
        with mock.patch.object(engine.dialect, "do_ping", wraps=engine.dialect.do_ping) as ping:
            held = [engine.connect() for _ in range(3)]
            first = [_backend(connection) for connection in held]
            assert ping.call_count == 0  # all three just made
            for connection in held:
                connection.close()
            _end_every_other_backend(app)
            with engine.connect() as connection:
                assert _backend(connection) not in first
            assert ping.call_count == 1  # the one lost, then a new one, not tested
            with engine.connect() as connection, engine.connect() as other:
                again = {_backend(connection), _backend(other)}
            assert not again & set(first)  # the other two were replaced too, without a test
            assert ping.call_count == 1
    finally:
        engine.dispose()


def test_a_read_again_inside_an_untested_block_is_tested(app):
    lent_untested = []

    @retried
    def lost_once():
        lent_untested.append(pinging._UNTESTED.get())
        if len(lent_untested) == 1:
            raise sa.exc.DBAPIError("SELECT 1", {}, Exception("gone"), connection_invalidated=True)
        return "read"

    with pinging.untested():
        assert lost_once() == "read"
    assert lent_untested == [True, False]


def test_only_a_function_that_returns_what_it_read_can_be_read_again():
    def rows_one_by_one():
        yield 1

    with pytest.raises(TypeError):
        retried(rows_one_by_one)


def test_a_search_that_reads_nothing_takes_no_connection(app):
    """Closed opportunities closing within some days: nothing can match, nothing is read, and
    no connection is taken (one taken untested would be lent to the request's next read)."""
    _close(None)
    results = search(Filters(status="closed", closing_within_days=7), now=NOW)
    assert results.total == 0
    assert g.get(CONNECTION) is None
