"""How common the words of the notices are: PostgreSQL's own statistics of the search vectors.

``ANALYZE`` (which autovacuum runs as the table changes) keeps, in ``pg_stats``, the lexemes most
notices hold (``most_common_elems``: a thousand at the default statistics target) with the share
of notices holding each, and the share of the rarest of them: no lexeme it leaves out is in more
notices than that. From these and the size of the open set (its index's ``reltuples``), search
guesses the share of notices a query matches before reading any (``matching_share``),
as PostgreSQL's planner does, and so how far back among the newest ids to look first
(``lots.search.queries._first_span``). A guess decides only how fast a search is, never what it
finds. Read once every ``STATS_SECONDS`` per process; None where there are none (SQLite, or a
table never analysed).

A query's words are made lexemes here as PostgreSQL's English configuration makes them: split
into words, its stop words left out (``stop_words``), the rest stemmed by the same Snowball
English stemmer (``snowballstemmer``), words with digits kept as they are. Where the two differ
(a hyphenated word, which PostgreSQL also keeps whole, or a rare spelling) the guess is only a
little worse.
"""

import re
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
import sqlalchemy as sa
from flask import current_app

from app.replica import read_engine, reads
from lots.search import stop_words

STATS_SECONDS = 600
OPEN_SET_INDEX = "ix_opportunities_open_newest"  # (migration 0041) holds every open notice
# The lexemes most notices hold, with their shares, the share of the rarest, and how many
# notices the open set's index holds (-1 or 0 before it was first vacuumed or analysed).
STATS_SQL = sa.text(
    "SELECT s.most_common_elems::text::text[] AS lexemes, s.most_common_elem_freqs AS shares, "
    "(SELECT c.reltuples FROM pg_class c WHERE c.oid = to_regclass(:index)) AS open_notices "
    "FROM (SELECT 1) AS one LEFT JOIN pg_stats s ON s.schemaname = current_schema() "
    "AND s.tablename = 'opportunities' AND s.attname = 'search_vector' AND NOT s.inherited"
).bindparams(index=OPEN_SET_INDEX)
# Not simply every word required: "or", a word left out with "-", a quoted phrase.
NOT_ALL_REQUIRED = re.compile(r'(^|\s)or(\s|$)|(^|\W)-|"')

# A stemmer keeps its work in hand on itself: one per thread.
_stemmers = threading.local()


@dataclass(frozen=True)
class WordStats:
    shares: dict  # lexeme -> the share of notices holding it
    rarest: float  # no lexeme left out of ``shares`` is in a greater share of notices
    open_notices: float  # how many notices are open (PostgreSQL's estimate)


def word_stats():
    """The statistics as last read (at most ``STATS_SECONDS`` ago), or None."""
    kept = current_app.extensions.get("search_word_stats")
    if kept is None or kept[0] < time.monotonic():
        stats = _read() if read_engine().dialect.name == "postgresql" else None
        kept = current_app.extensions["search_word_stats"] = (
            time.monotonic() + STATS_SECONDS,
            stats,
        )
    return kept[1]


def _read():
    row = reads().execute(STATS_SQL).one()
    if not row.lexemes or not row.shares or not row.open_notices or row.open_notices < 0:
        return None
    # After one share for each lexeme: the least and the greatest of them (and, for some types,
    # the share of rows without any).
    rarest = row.shares[len(row.lexemes)]
    return WordStats(dict(zip(row.lexemes, row.shares, strict=False)), rarest, row.open_notices)


def matching_share(q, stats):
    """The share of notices a search for ``q`` should match, if its words are found
    independently of each other (as the planner takes them); None when a match need not hold
    every word (``or``, ``-``, a phrase): those are not guessed. A word outside the most common
    counts as being in as many notices as the rarest of them, so the guess for rare words is on
    the high side."""
    if NOT_ALL_REQUIRED.search(q.lower()):
        return None
    lexemes = {lexeme(word) for word in re.findall(r"[^\W_]+", q.lower())}
    lexemes.discard(None)
    if not lexemes:  # only stop words: nothing matches
        return 0.0
    share = 1.0
    for word in lexemes:
        share *= stats.shares.get(word, stats.rarest)
    return share


@lru_cache(maxsize=4096)
def lexeme(word):
    """``word`` (lower case) as PostgreSQL's English configuration indexes it; None for a stop
    word."""
    if word in stop_words.ENGLISH:
        return None
    if any(ch.isdigit() for ch in word):
        return word
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        stemmer = _stemmers.english = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)
