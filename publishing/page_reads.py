"""One page of releases read for the API: each release's stored JSON text as the bytes
PostgreSQL sent, with the last row's id and moment (for the cursor).

On PostgreSQL (psycopg) the SELECT runs on the pooled connection's own psycopg connection, in
autocommit, and the texts are taken from libpq's result as bytes: no SQLAlchemy result rows, and
no UTF-8 decoding of some 245 KB a page only to encode it again for the response (measured in
bench/RESULTS.md: a page's CPU was mostly this machinery, not PostgreSQL). The pool lends the
connection without testing it first (``app.pinging``): a connection found dead during the SELECT
is thrown away and the SELECT run once more on a new one, tested, as a read may be. Any
other database (SQLite for ``make run``) reads through SQLAlchemy as before."""

import psycopg
import sqlalchemy as sa

from app import pinging
from app.timeutil import as_utc

RELEASE_COLUMN = 2  # the SELECT's columns: id, moment, release text


class Page:
    def __init__(self, texts, last_id=None, last_moment=None):
        self.texts = texts  # each release's JSON text, UTF-8 bytes
        self.last_id = last_id
        self.last_moment = last_moment  # UTC


def read_page(engine, query, params, size):
    """The first ``size`` rows of ``query`` (which asks for one more) and whether there are more."""
    if engine.dialect.driver == "psycopg":
        texts, last = _psycopg_rows(engine, query, params, size)
    else:
        texts, last = _sqlalchemy_rows(engine, query, params, size)
    more = len(texts) > size
    texts = texts[:size]
    if not more:
        return Page(texts), False
    return Page(texts, last[0], as_utc(last[1])), True


def _sqlalchemy_rows(engine, query, params, size):
    """Through SQLAlchemy, on a connection of its own outside any transaction."""
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        rows = connection.execute(query, params).all()
    last = rows[size - 1] if len(rows) > size else None
    return [row[RELEASE_COLUMN].encode() for row in rows], last


_COMPILED = {}


def _compiled(engine, query):
    """The statement's SQL for psycopg, compiled once per statement and dialect."""
    key = (id(query), engine.dialect.name)
    compiled = _COMPILED.get(key)
    if compiled is None or compiled[0] is not query:
        compiled = _COMPILED[key] = (query, query.compile(dialect=engine.dialect))
    return compiled[1]


def _psycopg_rows(engine, query, params, size):
    compiled = _compiled(engine, query)
    # The values as given (aware datetimes, integers): UTCDateTime's bind step would only turn
    # a moment to UTC, the same instant to a timestamptz.
    sql, values = compiled.string, compiled.construct_params(params)
    try:
        try:
            with pinging.untested():  # lent untested: a lost one is found by the SELECT
                return _select(engine, sql, values, size)
        except _Disconnected:
            with pinging.tested():  # once more, on a new connection, tested
                return _select(engine, sql, values, size)
    except _Disconnected as lost:
        error = lost.__cause__
    except psycopg.Error as failed:
        error = failed
    # As SQLAlchemy would have raised it: a lost connection or a statement timeout is then
    # the service-unavailable answer (app/error_pages.py), as on every other page.
    raise sa.exc.DBAPIError.instance(
        sql, values, error, psycopg.Error, dialect=engine.dialect
    ) from error


class _Disconnected(Exception):
    pass


def _select(engine, sql, values, size):
    pooled = engine.raw_connection()
    connection = pooled.driver_connection
    try:
        connection.autocommit = True  # no BEGIN and no ROLLBACK: one round trip
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            result = cursor.pgresult
            count = result.ntuples
            texts = [result.get_value(n, RELEASE_COLUMN) for n in range(count)]
            last = None
            if count > size:
                cursor.scroll(size - 1, mode="absolute")
                last = cursor.fetchone()
        connection.autocommit = False  # as the pool lends it to everyone else
        encoding = connection.info.encoding
    except BaseException as error:
        pooled.invalidate(error)  # in a state not known: closed, never lent again
        pooled.close()
        if isinstance(error, psycopg.OperationalError) and (
            connection.closed or engine.dialect.is_disconnect(error, connection, None)
        ):
            raise _Disconnected from error
        raise
    pooled.close()  # back to the pool
    if encoding not in ("utf-8", "utf8"):
        texts = [t.decode(encoding).encode() for t in texts]
    return texts, last
