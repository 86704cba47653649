"""A page of releases read through psycopg: a connection lost under it is replaced and the page
read again; a database that cannot answer is the JSON 503 every API gives, never a bare 500;
and the pool lends the connection back as it was."""

import psycopg
import pytest

from app.extensions import db
from config import engine_options
from publishing import page_reads
from tests.publishing.test_api import _notices


def _pooled_backend(engine):
    pooled = engine.raw_connection()
    try:
        return pooled.driver_connection.info.backend_pid, pooled.driver_connection
    finally:
        pooled.close()


def test_a_connection_lost_since_its_last_use_is_replaced_and_the_page_read(
    app, make_app, monkeypatch
):
    """A backend ended between two pages: the pool lends its connection untested (app.pinging),
    the SELECT meets it lost, and the second page is read on a new connection."""
    _notices()
    other = make_app(SQLALCHEMY_ENGINE_OPTIONS=engine_options(app.config))
    client = other.test_client()
    first = client.get("/api/ocds/releases")
    assert first.status_code == 200
    with other.app_context():
        pid, connection = _pooled_backend(db.engine)
        assert connection.autocommit is False  # lent back as the pool lends it to everyone
    url = app.config["SQLALCHEMY_DATABASE_URI"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as admin:  # not one of the pool's connections
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    tries, select = [], page_reads._select
    monkeypatch.setattr(page_reads, "_select", lambda *a: tries.append(1) or select(*a))
    again = client.get("/api/ocds/releases")
    assert len(tries) == 2  # the SELECT met the lost connection, then a new one
    assert again.status_code == 200
    assert again.get_json()["releases"] == first.get_json()["releases"]
    with other.app_context():
        assert _pooled_backend(db.engine)[0] != pid


@pytest.mark.parametrize(
    "error",
    [
        psycopg.OperationalError("server closed the connection unexpectedly"),
        psycopg.errors.QueryCanceled("canceling statement due to statement timeout"),
    ],
)
def test_a_database_that_cannot_answer_is_a_json_503(client, monkeypatch, error):
    """A lost connection is tried once more (a read may be); a statement timeout is not."""
    tried = []

    def select(engine, sql, values, size):
        tried.append(sql)
        if isinstance(error, psycopg.errors.QueryCanceled):
            raise error
        raise page_reads._Disconnected from error

    monkeypatch.setattr(page_reads, "_select", select)
    response = client.get("/api/ocds/releases")
    assert response.status_code == 503 and response.mimetype == "application/json"
    assert response.headers["Retry-After"] == "60"
    assert len(tried) == (1 if isinstance(error, psycopg.errors.QueryCanceled) else 2)
