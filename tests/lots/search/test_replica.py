"""DATABASE_REPLICA_URL: search and its feed and download read the replica when one is set, and
the primary when not; changes always go to the primary."""

import sqlalchemy as sa

from app.extensions import db
from app.replica import ENGINE, reads
from tests.lots.search.test_queries import _publish, world  # noqa: F401  (a fixture)


def _statements(engine):
    seen = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    return seen


def test_without_a_replica_search_reads_the_primary(app, world):  # noqa: F811
    assert ENGINE not in app.extensions
    assert reads() is db.session


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
        assert len(on_replica) > before
