"""How common the notices' words are, read from PostgreSQL's statistics, and the guess of how
many open notices a query matches (``lots.search.word_stats``)."""

import threading

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.replica import reads
from lots.opportunities.models import Opportunity, OpportunityStatus
from lots.search import word_stats
from lots.search.word_stats import WordStats, lexeme, matching_share
from tests.lots.search.test_fast_path import many  # noqa: F401  (a fixture)

WORDS = [
    "volunteering",
    "gardens",
    "meals",
    "befriending",
    "communities",
    "advice",
    "energy",
    "older",
    "people",
    "organisation",
    "youth",
    "transport",
    "2026",
    "covid19",
    "the",
    "and",
]


def test_words_become_the_lexemes_postgresql_makes_of_them(app):
    for word in WORDS:
        made = db.session.scalar(
            sa.text("SELECT array_agg(lexeme) FROM unnest(to_tsvector('english', :w))"), {"w": word}
        )
        assert lexeme(word) == (made[0] if made else None), word


def test_words_are_stemmed_alike_in_several_threads_at_once():
    words = [f"{stem}{end}" for stem in WORDS[:12] for end in ("", "s", "ing", "ed", "ly")] * 40
    alone = [lexeme.__wrapped__(word) for word in words]  # (not the cache: the stemmer itself)
    stemmed = {}

    def stem(n):
        stemmed[n] = [lexeme.__wrapped__(word) for word in words]

    threads = [threading.Thread(target=stem, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(stemmed[n] == alone for n in range(4))


def test_the_statistics_are_postgresql_s_own(app, many):  # noqa: F811
    db.session.execute(sa.text("ANALYZE opportunities"))
    db.session.commit()
    stats = word_stats.word_stats()
    holding = {
        word: db.session.scalar(
            sa.text(
                "SELECT count(*) FROM opportunities "
                "WHERE search_vector @@ to_tsquery('english', :w)"
            ),
            {"w": word},
        )
        for word in ("care", "garden", "youth")
    }
    notices = db.session.scalar(sa.select(sa.func.count()).select_from(Opportunity))
    for word, count in holding.items():  # (ANALYZE reads every row of so small a table)
        assert stats.shares[word] == pytest.approx(count / notices, rel=1e-3), word
    assert stats.rarest == pytest.approx(min(stats.shares.values()))
    open_notices = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Opportunity)
        .where(Opportunity.status == OpportunityStatus.PUBLISHED)
        .where(Opportunity.closed_recorded_at.is_(None))
    )
    assert stats.open_notices == open_notices
    # Kept for a while: a new search reads them again only after STATS_SECONDS.
    db.session.execute(
        sa.text("DELETE FROM pg_statistic WHERE starelid = 'opportunities'::regclass")
    )
    db.session.commit()
    assert word_stats.word_stats() is stats


def test_a_table_never_analysed_gives_no_statistics(app):
    db.session.execute(
        sa.text("DELETE FROM pg_statistic WHERE starelid = 'opportunities'::regclass")
    )
    db.session.commit()
    assert reads().execute(word_stats.STATS_SQL).one().lexemes is None
    assert word_stats.word_stats() is None


STATS = WordStats({"care": 0.5, "garden": 0.2, "meal": 0.1, "2026": 0.3}, 0.01, 1000)


@pytest.mark.parametrize(
    "q, expected",
    [
        ("care", 500),
        ("Care gardens", 100),  # each word required: shares multiplied
        ("care for the gardens", 100),  # stop words narrow nothing
        ("gardens garden", 200),  # one lexeme once
        ("meals 2026", 30),
        ("care zebras", 5),  # a word outside the most common: as common as the rarest at most
        ("the and of", 0),  # nothing but stop words: nothing matches
        ("care or gardens", None),  # not simply every word required: not guessed
        ("care -gardens", None),
        ('"care gardens"', None),
    ],
)
def test_the_guess_of_open_matches(q, expected):
    share = matching_share(q, STATS)
    guess = None if share is None else share * STATS.open_notices
    assert guess == (None if expected is None else pytest.approx(expected))
