"""An optional read replica: ``DATABASE_REPLICA_URL`` names a PostgreSQL streaming replica (or
any copy that follows the primary) that pages which only read public data use, so that search
and public pages scale out on PostgreSQL's own replication while every change still goes to
the primary (``DATABASE_URL``).

``reads()`` is the session such a page queries: one on the replica's engine (made once per
process, with the primary's timeouts), opened on first use in an app context and closed when
the context ends; or, when no replica is configured, the app's own ``db.session``. A replica
may be a moment behind: use it only for what anyone may see, never to read back one's own
change (a page shown after a POST reads the primary).
"""

from flask import current_app, g
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from app.extensions import db

ENGINE = "replica_engine"


def init_app(app):
    url = app.config.get("DATABASE_REPLICA_URL")
    if url:
        app.extensions[ENGINE] = create_engine(url, **app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    app.teardown_appcontext(_close)


def reads():
    """The session for read-only public queries: the replica's when one is set, else the
    primary's."""
    engine = current_app.extensions.get(ENGINE)
    if engine is None:
        return db.session
    session = g.get("replica_session")
    if session is None:
        session = g.replica_session = Session(engine)
    return session


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
    session = g.pop("replica_session", None)
    if session is not None:
        session.close()
