"""DATABASE_REPLICA_URL: search and its feed and download read the replica when one is set, and
the primary when not; changes always go to the primary."""

from unittest import mock

import psycopg
import sqlalchemy as sa

from app.extensions import db
from app.replica import ENGINE, reads
from lots.search.queries import Filters, search
from tests.lots.helpers import NOW
from tests.lots.search.test_queries import _publish, world  # noqa: F401  (a fixture)


def _statements(engine):
    seen = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def test_without_a_replica_search_reads_the_primary(app, world):  # noqa: F811
    assert ENGINE not in app.extensions
    assert reads().engine is db.engine


def test_a_search_reads_outside_any_transaction(app, world):  # noqa: F811
    """In autocommit: no BEGIN before the search and no ROLLBACK after it, one connection for
    the app context, and nothing the session has not committed is seen."""
    lots, buyer = world
    _publish(lots[0], buyer, "Befriending for older people")
    db.session.commit()
    results = search(Filters(q="befriending", status="all"), now=NOW)
    assert results.total == 1
    connection = reads()
    assert connection.get_execution_options()["isolation_level"] == "AUTOCOMMIT"
    driver = connection.connection.driver_connection
    assert driver.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    search(Filters(q="older", status="all"), now=NOW)
    assert reads() is connection and driver.info.transaction_status.name == "IDLE"
    with mock.patch.object(db.session, "commit", db.session.flush):
        _publish(lots[0], buyer, "Befriending by telephone")  # flushed, not committed
    assert search(Filters(q="befriending", status="all"), now=NOW).total == 1
    db.session.commit()
    assert search(Filters(q="befriending", status="all"), now=NOW).total == 2


def test_search_feed_and_download_read_the_replica(app, make_app, world):  # noqa: F811
    lots, buyer = world
    _publish(lots[0], buyer, "Befriending for older people")
    # The "replica" here is the primary's own database, reached through a second engine.
    replicated = make_app(
        DATABASE_REPLICA_URL=app.config["SQLALCHEMY_DATABASE_URI"], SEARCH_CACHE_SECONDS=0
    )
    replica_engine = replicated.extensions[ENGINE]
    on_replica = _statements(replica_engine)
    client = replicated.test_client()
    with replicated.app_context():
        try:
            _check(client, on_replica)
        finally:
            replica_engine.dispose()


def _check(client, on_replica):
    on_primary = _statements(db.engine)
    page = client.get("/opportunities?q=befriending&status=all")
    assert page.status_code == 200 and b"Befriending for older people" in page.data
    assert [s for s in on_replica if "FROM opportunities" in s], "the search ran on the replica"
    assert not [s for s in on_primary if "FROM opportunities" in s]
    for url in ("/opportunities.atom", "/opportunities.csv"):
        before = len(on_replica)
        response = client.get(url, query_string={"q": "befriending", "status": "all"})
        assert response.status_code == 200 and b"Befriending" in response.data
        # Their rows (with when each was last amended: only ``every_match`` asks) came from
        # the replica, not only the lot list.
        assert [s for s in on_replica[before:] if "opportunity_amendments" in s]
        assert not [s for s in on_primary if "opportunity_amendments" in s]


def test_the_read_connection_goes_back_to_the_pool_when_the_app_context_ends(app):
    pool = db.engine.pool
    before = pool.checkedout()
    with app.app_context():
        assert reads().execute(sa.text("SELECT 1")).scalar_one() == 1
        assert reads().execute(sa.text("SELECT 2")).scalar_one() == 2  # the same connection
        assert pool.checkedout() == before + 1
    assert pool.checkedout() == before
