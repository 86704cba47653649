"""Testing a pooled database connection before it is lent, except for a read that can run again.

A connection waiting in the pool may have been closed at the other end since it was last used (a
database restart, a failover, an idle timeout on the way). As SQLAlchemy's ``pool_pre_ping``
would, the listener that ``install`` adds tests each connection with a round trip as it is lent,
and a connection that fails the test is replaced before anyone uses it. Inside ``untested()`` it
is lent without the test: for a read of public data that runs again on a tested connection when
its first one turns out to be lost (``app.replica.retried``, which the search uses). That round
trip was some 0.1 ms of the web process's CPU and 0.04 ms of PostgreSQL's on every search
(``bench/RESULTS.md``, session 17). As with ``pool_pre_ping``, a connection just made is not
tested, and one found lost has every connection the pool held before it replaced (a restart
ends them all).
"""

import contextvars
import weakref
from contextlib import contextmanager

import sqlalchemy as sa

_UNTESTED = contextvars.ContextVar("untested_checkout", default=False)
_INSTALLED = weakref.WeakSet()  # engines whose connections are tested (once each)
_FRESH = "pinging_fresh"  # in a connection record's info until its first checkout


def install(engine):
    """Test ``engine``'s connections as they are lent (outside ``untested()``). Installed once
    per engine, however many apps share it."""
    if engine in _INSTALLED:
        return
    _INSTALLED.add(engine)
    dialect = engine.dialect

    def mark_fresh(dbapi_connection, connection_record):
        connection_record.info[_FRESH] = True

    def test(dbapi_connection, connection_record, connection_proxy):
        if connection_record.info.pop(_FRESH, False) or _UNTESTED.get():
            return  # just made, or a read that runs again if it was lost
        try:
            alive = dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if not dialect.is_disconnect(error, dbapi_connection, None):
                raise
            alive = False
        if not alive:
            # SQLAlchemy closes this one and every one pooled before it, and lends a new one.
            raise sa.exc.InvalidatePoolError("a pooled connection was lost")

    sa.event.listen(engine, "connect", mark_fresh)
    sa.event.listen(engine, "checkout", test)


@contextmanager
def untested():
    """Connections lent in this block are not tested first."""
    token = _UNTESTED.set(True)
    try:
        yield
    finally:
        _UNTESTED.reset(token)


@contextmanager
def tested():
    """Connections lent in this block are tested first, even inside ``untested()`` (a read
    running again after its connection was lost)."""
    token = _UNTESTED.set(False)
    try:
        yield
    finally:
        _UNTESTED.reset(token)
