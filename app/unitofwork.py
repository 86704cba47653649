"""Committing a service's transaction, then running what must only happen after it.

Jobs are enqueued after the commit (a worker must never race a row that is not there yet), so a
service calls ``after_commit(fn, ...)`` while it works and ``commit()`` at the end.

Each callback belongs to the transaction (or savepoint) it was added in: rolling that back drops
it, and so does a transaction that ends without committing (``session.close()``). A callback
whose transaction committed through a plain ``db.session.commit()`` waits for the next
``commit()``; if none comes, the outbox relay catches the email up.
"""

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

_PENDING = "after_commit_callbacks"
_READY = "after_commit_ready"


def current_transaction(session):
    """The innermost transaction (a savepoint, if one is open), begun now if none has been yet:
    without one, a rollback would fire no event and what the caller added would outlive it."""
    if not session.in_transaction():
        session.begin()
    return session.get_nested_transaction() or session.get_transaction()


def within(transaction, ancestor):
    """Whether ``transaction`` is ``ancestor`` or was begun inside it."""
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def many_rows_ahead():
    """Before a statement that writes thousands of rows with foreign keys, in the caller's
    transaction: let PostgreSQL plan each foreign-key check once, until the transaction ends.

    Every connection asks for a plan made for each statement's own values
    (``plan_cache_mode=force_custom_plan``, ``config.engine_options``: a search's words need
    one). PostgreSQL checks a foreign key with a statement of its own for each row written, and
    under that setting it planned the check again for every row: inviting the 50,000 suppliers
    of a lot took 2.2 s, against 0.7 s with a plan made once (``bench/RESULTS.md``). ``SET
    LOCAL`` ends with the transaction, so the connection goes back to the pool as it was."""
    session = db.session()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SET LOCAL plan_cache_mode = auto"))


def after_commit(fn, *args, **kwargs):
    session = db.session()
    session.info.setdefault(_PENDING, []).append((current_transaction(session), fn, args, kwargs))


def commit():
    db.session.commit()
    callbacks = db.session.info.pop(_READY, [])
    for fn, args, kwargs in callbacks:
        fn(*args, **kwargs)


def _committed(session):
    if session.in_nested_transaction():
        return  # a savepoint was released: its callbacks wait for the outer commit
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_READY, []).extend(
            (fn, args, kwargs) for _, fn, args, kwargs in pending
        )


def _rolled_back(session, previous_transaction):
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [
            item for item in pending if not within(item[0], previous_transaction)
        ]


def _ended(session, transaction):
    if transaction.parent is None:  # the whole transaction is over; committed ones moved on
        session.info.pop(_PENDING, None)


def listen_once(target, name, fn):
    """``event.listen`` that does nothing when ``fn`` already listens."""
    if not event.contains(target, name, fn):
        event.listen(target, name, fn)


def init_app(app):
    """Install this module's session hooks, once per process however many apps are built:
    callbacks run after a commit, and are dropped on rollback."""
    for name, fn in (
        ("after_commit", _committed),
        ("after_soft_rollback", _rolled_back),
        ("after_transaction_end", _ended),
    ):
        listen_once(Session, name, fn)
