"""An optional read replica: ``DATABASE_REPLICA_URL`` names a PostgreSQL streaming replica (or
any copy that follows the primary) that pages which only read public data use, so that search
and public pages scale out on PostgreSQL's own replication while every change still goes to
the primary (``DATABASE_URL``).

``reads()`` is the connection such a page queries: from the replica's engine (made once per
process, with the primary's timeouts), or from the primary's pool when no replica is
configured; taken on first use in an app context and given back when the context ends. It
reads in autocommit, outside any transaction, as SQLAlchemy Core: a search is one statement
and one round trip, where a session's connection also sent BEGIN before it and ROLLBACK after
it, and the ORM then built its result again (together some 0.3 ms of the web process's CPU
and 0.15 ms of PostgreSQL's a search, ``bench/RESULTS.md``). Each statement sees what was
committed when it started, never what the request's own session has not committed yet. A
replica may be a moment behind too: use either only for what anyone may see, never to read back
one's own change (a page shown after a POST reads the primary).
"""

import inspect
import logging
from functools import wraps

import sqlalchemy as sa
from flask import current_app, g
from sqlalchemy import create_engine

from app import pinging
from app.extensions import db

log = logging.getLogger(__name__)

ENGINE = "replica_engine"
CONNECTION = "read_connection"  # in ``g``: the app context's connection


def init_app(app):
    url = app.config.get("DATABASE_REPLICA_URL")
    if url:
        app.extensions[ENGINE] = create_engine(url, **app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        pinging.install(app.extensions[ENGINE])
    app.teardown_appcontext(_close)


def reads():
    """The connection for read-only public queries, in autocommit: the replica's when one is
    set, else the primary's; the same one until the app context ends."""
    connection = g.get(CONNECTION)
    if connection is None:
        connection = read_engine().connect().execution_options(isolation_level="AUTOCOMMIT")
        setattr(g, CONNECTION, connection)
    return connection


def retried(read):
    """``read`` (a function that only reads, through ``reads()``) on a pooled connection lent
    without testing it first (``app.pinging``); when that connection turns out to have been
    lost, once more on a new connection, tested. Reading again changes nothing."""

    if inspect.isgeneratorfunction(read) or inspect.iscoroutinefunction(read):
        raise TypeError(f"{read.__name__}: only a function that returns what it read")

    @wraps(read)
    def reading(*args, **kwargs):
        try:
            with pinging.untested():
                return read(*args, **kwargs)
        except sa.exc.DBAPIError as error:
            if not error.connection_invalidated:
                raise
            log.warning(
                "%s: its connection was lost (%s); reading again", read.__name__, error.orig
            )
            _close(None)  # the lost connection: the next ``reads()`` takes another
        with pinging.tested():
            return read(*args, **kwargs)

    return reading


def read_engine():
    """The engine for a read-only public query that needs no session (one SELECT on a connection
    of its own): the replica's when one is set, else the primary's."""
    return current_app.extensions.get(ENGINE) or db.engine


def dispose(app):
    """Close the replica's pooled connections (tests, and a process about to fork)."""
    engine = app.extensions.get(ENGINE)
    if engine is not None:
        engine.dispose()


def _close(exc):
    connection = g.pop(CONNECTION, None)
    if connection is not None:
        connection.close()  # back to the pool, its isolation level as the pool lends it
