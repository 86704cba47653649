"""When the facts behind a supplier's classification change, and what they were at the last
change: a stamp held in the database (``SpendKindsStamp``), drawn afresh in the transaction of
every such change, and a cache in each process of the facts read under one stamp.

What changes a classification (``spend.classify``), watched here in every session's flushes and
bulk statements, so that no caller can forget it:

- an organisation's name, postcode, bands or local authority (its own class and, for a buyer,
  which suppliers are local to it);
- an application's decision or its answers once decided, a lot's decision on it, a lot
  membership (who counts as a VCSE: ``dps.queries.vcse_organisation_ids``);
- a buyer's area (``SpendSettings.area_codes``);
- a public register or the ONS postcode directory loaded (their bulk deletes are seen here).

The stamp is random (not a counter), so a change rolled back never lends its number to another,
and the cache is keyed by database too. Reports read the stored sums by kind of supplier only
while they were built under the stamp that holds now (``spend.summaries``); after a change they
count from the supplier sums until ``summaries.rebuild_stale`` (queued after the change's
commit, and by the recoverer every minute) builds them again.
"""

import secrets

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.extensions import db
from app.organisations.models import Organisation
from app.queue import enqueue
from app.reference.postcodes import LoadedPostcode
from app.unitofwork import after_commit, current_transaction
from dps.models import Application, ApplicationLot, LotMembership
from spend.models import RegisterEntry, SpendKindsStamp, SpendSettings

# For each class watched: the attributes whose change matters (None: any change).
WATCHED = {
    Organisation: (
        "name",
        "trading_name",
        "postcode",
        "staff_band",
        "turnover_band",
        "balance_sheet_band",
        "local_authority_code",
    ),
    Application: ("status", "decided_at", "answers", "organisation_id"),
    ApplicationLot: ("decision", "application_id", "lot_id"),
    LotMembership: ("status", "organisation_id", "lot_id"),
    SpendSettings: ("area_codes",),
    RegisterEntry: None,
    LoadedPostcode: None,
}
_QUEUED = "spend_kinds_rebuild_queued"


def _new_stamp():
    return secrets.randbits(62) + 1


def bump(connection):
    """Draw a new stamp, in ``connection``'s transaction."""
    table = SpendKindsStamp.__table__
    stamp = _new_stamp()
    if not connection.execute(sa.update(table).values(stamp=stamp)).rowcount:
        connection.execute(sa.insert(table).values(id=1, stamp=stamp))
    return stamp


def current():
    """The stamp that holds now (None before any change was ever stamped)."""
    return db.session.execute(sa.select(SpendKindsStamp.stamp).limit(1)).scalar()


def _changed(session, obj, new):
    attributes = WATCHED.get(type(obj), ())
    if attributes is None or new:
        return True
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in attributes)


def _changes_kinds(session):
    for obj in session.deleted:
        if type(obj) in WATCHED:
            return True
    for obj in session.new:
        # A new organisation is in no sums yet: its lines refresh them when matched.
        if type(obj) in WATCHED and type(obj) is not Organisation and _changed(session, obj, True):
            return True
    for obj in session.dirty:
        if type(obj) in WATCHED and _changed(session, obj, False):
            return True
    return False


_rebuild = []  # the job that builds the sums by kind again (``watch``)


def _stamped(session):
    bump(session.connection())
    transaction = current_transaction(session)
    if _rebuild and session.info.get(_QUEUED) is not transaction:
        session.info[_QUEUED] = transaction
        after_commit(enqueue, _rebuild[0], job_id="spend-rebuild-class-sums")


def _after_flush(session, _context):
    if _changes_kinds(session):
        _stamped(session)


def _orm_execute(state):
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if any(mapper.class_ in WATCHED for mapper in state.all_mappers):
        _stamped(state.session)


def watch(rebuild):
    """Listen to every session (once, however many apps are built), queueing ``rebuild`` after
    the commit of a change."""
    _rebuild[:] = [rebuild]
    for name, fn in (("after_flush", _after_flush), ("do_orm_execute", _orm_execute)):
        if not sa.event.contains(Session, name, fn):
            sa.event.listen(Session, name, fn)


# --- The facts read under one stamp, cached in this process -------------------------------------

_cache = {}


def cached(kind, keys, stamp, read):
    """{key: value} of ``keys`` from ``read(missing keys)`` (a dict; a key it leaves out has no
    value), each read once per database and stamp in this process."""
    keys = set(keys)
    if stamp is None:
        return read(keys)
    where = (str(db.engine.url), stamp)
    if _cache.get("where") != where:
        _cache.clear()
        _cache["where"] = where
    held = _cache.setdefault(kind, {})
    missing = keys - held.keys()
    if missing:
        found = read(missing)
        for key in missing:
            held[key] = found.get(key)
    return {key: held[key] for key in keys if held[key] is not None}
