"""Committing a service's transaction, then running what must only happen after it.

Jobs are enqueued after the commit (a worker must never race a row that is not there yet), so a
service calls ``after_commit(fn, ...)`` while it works and ``commit()`` at the end.
"""
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db

_KEY = "after_commit_callbacks"


def after_commit(fn, *args, **kwargs):
    db.session.info.setdefault(_KEY, []).append((fn, args, kwargs))


def commit():
    db.session.commit()
    callbacks = db.session.info.pop(_KEY, [])
    for fn, args, kwargs in callbacks:
        fn(*args, **kwargs)


@event.listens_for(Session, "after_soft_rollback")
def _drop_callbacks(session, previous_transaction):
    session.info.pop(_KEY, None)
