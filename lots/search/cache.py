"""The search page's results cache.

Rendered results (and, for people who are not signed in, the whole page) are kept in Redis for
SEARCH_CACHE_SECONDS (30 by default; 0 turns the cache off, as development does, which has no
Redis), keyed by the page's URL parameters. An entry is used only while

- nothing that a results page shows has been committed since it was made: committing a change
  to an opportunity, a lot, a lot's categories or a DPS gives the data a new generation (a
  random token in Redis), and entries made from another generation are ignored;
- the app's clock is between when it was made and when it goes stale: the earliest of its age
  limit, the next local midnight ("closes tomorrow" becoming "closes today") and the deadline
  of any open opportunity it shows.

What is not exact for those few seconds: an opportunity that is counted but not on the page
closing, or one entering a "closing within N days" window.
"""

import hashlib
import logging
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import chain
from urllib.parse import urlencode

from flask import current_app, has_app_context
from sqlalchemy.orm import Session

from app.queue import REDIS_ERRORS, redis_connection
from app.unitofwork import listen_once
from dps.models import Dps, Lot
from lots.opportunities.models import LotCpvCode, Opportunity

log = logging.getLogger(__name__)

CACHE_PREFIX = "search:v1:"
GENERATION_KEY = "search:generation"
_CHANGED = "search_results_changed"
WATCHED = (Opportunity, Lot, LotCpvCode, Dps)  # what a results page shows or filters on
REDIS_PAUSE_SECONDS = 30  # after a Redis error, the cache is left alone this long


def cache_seconds():
    config = current_app.config
    seconds = config.get("SEARCH_CACHE_SECONDS")
    if seconds is None:
        seconds = 0 if config["APP_ENV"] == "development" else 30
    return int(seconds)


def _cache_redis():
    """The app's Redis connection, or None while the cache is off or Redis recently failed."""
    if cache_seconds() <= 0:
        return None
    if current_app.extensions.get("search_cache_paused_until", 0) > time.monotonic():
        return None
    return redis_connection()


def _redis_failed(exc):
    log.warning("search cache: Redis failed (%s); not using it for %ss", exc, REDIS_PAUSE_SECONDS)
    current_app.extensions["search_cache_paused_until"] = time.monotonic() + REDIS_PAUSE_SECONDS


def cache_key(args):
    """A short key for the page's parameters (``query_args``)."""
    return hashlib.sha256(urlencode(args).encode()).hexdigest()[:32]


@dataclass
class Cached:
    generation: str  # of the data, read before anything else (see ``cache_put``)
    texts: dict = field(default_factory=dict)  # kind -> what was stored, if it is still good
    good_until: datetime | None = None
    seen: bool = True  # whether these parameters were asked for recently (see ``cache_put``)


def cache_get(key, kinds, now, keep=()):
    """What is stored under each of ``kinds`` for ``key`` while still good at ``now`` (kind ->
    text, in ``Cached.texts``), and the current generation, in one round trip, which also marks
    the parameters as asked for (see ``cache_put``). None when the cache is off or Redis is
    failing. For the kinds in ``keep`` the process keeps a copy of the last few it was given,
    and while one is still good asks Redis only for the generation."""
    conn = _cache_redis()
    if conn is None:
        return None
    kept = current_app.extensions.setdefault("search_cache_kept", OrderedDict())
    names = {kind: f"{CACHE_PREFIX}{kind}:{key}" for kind in kinds}
    try:
        for kind in keep:
            if names.get(kind) in kept:
                cached = Cached((conn.get(GENERATION_KEY) or b"0").decode())
                entry = kept[names[kind]]
                if entry.good_for(cached.generation, now):
                    kept.move_to_end(names[kind])
                    cached.texts[kind], cached.good_until = entry.text, entry.good_until
                    return cached
                del kept[names[kind]]
        with conn.pipeline(transaction=False) as pipe:
            pipe.mget([GENERATION_KEY, *names.values()])
            # The mark, set and read back at once (its earlier value says whether it was there).
            pipe.set(f"{CACHE_PREFIX}seen:{key}", b"1", ex=cache_seconds(), get=True)
            (generation, *raws), seen = pipe.execute()
    except REDIS_ERRORS as exc:
        _redis_failed(exc)
        return None
    cached = Cached((generation or b"0").decode(), seen=seen is not None)
    for kind, raw in zip(names, raws, strict=True):
        entry = _Entry.parse(raw)
        if entry is not None and entry.good_for(cached.generation, now):
            cached.texts[kind] = entry.text
            cached.good_until = entry.good_until
            if kind in keep:
                _keep(kept, names[kind], entry)
    return cached


def storing(cached):
    """Whether ``cache_put`` would store entries for the parameters ``cached`` was read for: the
    cache is on and they were asked for within its time before (see ``cache_put``)."""
    return cached is not None and cached.seen


def cache_put(cached, key, entries, now, good_until, keep=()):
    """Store ``entries`` (kind -> text) for ``key``, made at ``now`` from data of the generation
    read before the data was (so a change committed meanwhile makes them stale at once). The
    process keeps a copy of the kinds in ``keep`` too (see ``cache_get``).

    Parameters asked for the first time only leave a mark that they were: the entries are stored
    when they are asked for again within the cache's time. Most searches are asked once (people
    type their own words, crawlers page through everything), and storing each of their pages
    would cost more than it saves (``cache_get`` left the mark)."""
    conn = _cache_redis()
    if conn is None or not storing(cached):
        return
    good_until = min(good_until, now + timedelta(seconds=cache_seconds()))
    if good_until <= now:
        return
    header = f"{cached.generation} {now.timestamp()!r} {good_until.timestamp()!r}\n".encode()
    try:
        with conn.pipeline(transaction=False) as pipe:
            for kind, text in entries.items():
                pipe.set(f"{CACHE_PREFIX}{kind}:{key}", header + text.encode(), ex=cache_seconds())
            pipe.execute()
    except REDIS_ERRORS as exc:
        _redis_failed(exc)
        return
    kept = current_app.extensions.setdefault("search_cache_kept", OrderedDict())
    for kind in keep:
        if kind in entries:
            _keep(
                kept, f"{CACHE_PREFIX}{kind}:{key}", _Entry.parse(header + entries[kind].encode())
            )


KEPT_ENTRIES = 32  # copies a process keeps (of whole pages: some 60 KB each)


def _keep(kept, name, entry):
    kept[name] = entry
    kept.move_to_end(name)
    while len(kept) > KEPT_ENTRIES:
        kept.popitem(last=False)


@dataclass
class _Entry:
    generation: str
    made_at: float
    good_until: datetime
    text: bytes

    @classmethod
    def parse(cls, raw):
        if raw is None:
            return None
        header, _, text = raw.partition(b"\n")
        try:
            generation, made_at, good_until = header.decode().split(" ")
            return cls(
                generation,
                float(made_at),
                datetime.fromtimestamp(float(good_until), timezone.utc),
                text,
            )
        except ValueError:  # not written by this version
            return None

    def good_for(self, generation, now):
        return (
            self.generation == generation
            and self.made_at <= now.timestamp()
            and now < self.good_until
        )


def _note_changes(session, flush_context):
    if not session.info.get(_CHANGED) and any(
        isinstance(obj, WATCHED) for obj in chain(session.new, session.dirty, session.deleted)
    ):
        session.info[_CHANGED] = True


def _note_bulk_changes(state):
    if (
        not state.is_select
        and state.bind_mapper is not None
        and issubclass(state.bind_mapper.class_, WATCHED)
    ):
        state.session.info[_CHANGED] = True


def _new_generation(session):
    if session.in_nested_transaction() or not session.info.pop(_CHANGED, False):
        return
    if not has_app_context():
        return
    try:
        conn = _cache_redis()
        if conn is not None:
            conn.set(GENERATION_KEY, secrets.token_hex(8))
    except REDIS_ERRORS as exc:  # entries still go stale by age
        _redis_failed(exc)


def _forget_changes(session):
    session.info.pop(_CHANGED, None)


def init_app(app):
    """Install this module's session hooks, once per process however many apps are built:
    a commit that changes what search shows makes cached pages stale."""
    for name, fn in (
        ("after_flush", _note_changes),
        ("do_orm_execute", _note_bulk_changes),
        ("after_commit", _new_generation),
        ("after_rollback", _forget_changes),
    ):
        listen_once(Session, name, fn)
