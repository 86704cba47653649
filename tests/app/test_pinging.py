"""Pooled connections are tested as they are lent (``app.pinging``), except for the search's
reads, which run again on a tested connection when theirs was lost (``app.replica.retried``).
On PostgreSQL, with its backends really ended, as a restart or a failover ends them."""

from unittest import mock

import psycopg
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.replica import _close, reads, retried
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
    with mock.patch.object(db.engine.dialect, "do_ping", wraps=db.engine.dialect.do_ping) as ping:
        results = search(Filters(q="befriending"), now=NOW)
    assert results.total == 1 and results.rows[0].title == "Befriending for older people"
    # Lent untested, found lost, then read again on a connection tested as it was lent.
    assert ping.call_count >= 1
    assert _backend(reads()) != first


def test_a_search_on_a_live_connection_sends_no_test_first(app):
    lots, buyer = lots_with_cpv_codes()
    _publish(lots[0], buyer, "Befriending for older people")
    db.session.commit()
    reads()  # one connection in the pool, alive
    _close(None)
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
