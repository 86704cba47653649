"""The search's fast path (counts that stop at a limit, relevance over the newest matches, the
open set's partial indexes) against a straightforward reading of the same rules: every public
opportunity fetched, each filter applied in Python, sorted and counted in full."""

import random
from datetime import timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from dps.models import ReservedFor
from lots.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus
from lots.search import queries as search_module
from lots.search import word_stats
from lots.search.queries import Filters, search
from tests.lots.helpers import NOW, setup_world
from tests.lots.search.helpers import ranked_words

WORDS = ["garden", "meals", "care", "youth", "advice", "transport", "energy", "food"]
QUERIES = ["", "care", "garden meals", "youth", "food advice", "energy care", "nothingmatches"]
REGIONS = ["TLE", "TLD", "TLC"]
STATUSES = [
    OpportunityStatus.PUBLISHED,
    OpportunityStatus.PUBLISHED,
    OpportunityStatus.PUBLISHED,
    OpportunityStatus.AWARDED,
    OpportunityStatus.CANCELLED,
    OpportunityStatus.DRAFT,
]


@pytest.fixture
def many(app):
    """Sixty opportunities of every kind, status, place and value, their words drawn from a
    small vocabulary so that searches match many of them."""
    admin, dps, lots, user, buyer = setup_world()
    lots[1].reserved_for = ReservedFor.VCSE
    rnd = random.Random(21)
    for i in range(60):
        status = rnd.choice(STATUSES)
        deadline = NOW + timedelta(days=rnd.randint(-20, 20), hours=rnd.randint(0, 23))
        national = rnd.random() < 0.2
        region = rnd.choice(REGIONS)
        db.session.add(
            Opportunity(
                dps_id=dps.id,
                lot_id=rnd.choice(lots).id,
                buyer_id=buyer.id,
                created_by_id=1,
                kind=rnd.choice(list(OpportunityKind)),
                title=" ".join(rnd.sample(WORDS, 2)).capitalize() + f" {i}",
                summary=" ".join(rnd.sample(WORDS, 2)),
                description=" ".join(rnd.choices(WORDS, k=6)),
                estimated_value_pence=rnd.choice([1, 2, 5, 8]) * 1_000_000,
                status=status,
                published_at=None if status == OpportunityStatus.DRAFT else NOW - timedelta(i),
                submission_deadline=deadline,
                # The closing job has run for some of the past deadlines, not yet for others.
                closed_recorded_at=deadline if deadline < NOW and rnd.random() < 0.7 else None,
                location_type="national" if national else "region",
                location_code=None if national else region,
                region_code=None if national else region,
                reserved_vcse=rnd.random() < 0.15,
                buyer_name=buyer.name,
                cancel_reason="Withdrawn" if status == OpportunityStatus.CANCELLED else None,
            )
        )
    db.session.commit()
    return lots


def _expected(f, lots):
    """The page, the count and whether it is exact, by the rules written out plainly."""
    query = sa.func.websearch_to_tsquery("english", f.q)
    vector = sa.column("search_vector")
    rows = db.session.execute(
        sa.select(
            Opportunity,
            vector.op("@@")(query).label("hit"),
            sa.func.ts_rank(vector, ranked_words(query)).label("rank"),
        ).select_from(Opportunity)
    ).all()
    vcse_lots = {lot.id for lot in lots if lot.reserved_for == ReservedFor.VCSE}

    def found(o, hit):
        is_open = o.status == OpportunityStatus.PUBLISHED and o.submission_deadline > NOW
        return all(
            (
                o.status != OpportunityStatus.DRAFT,
                not f.q or hit,
                f.status != "open" or is_open,
                f.status != "closed" or not is_open,
                not f.lot_id or o.lot_id == f.lot_id,
                not f.region_code
                or o.region_code == f.region_code
                or o.location_type == "national",
                f.min_value_pence is None or o.estimated_value_pence >= f.min_value_pence,
                f.max_value_pence is None or o.estimated_value_pence <= f.max_value_pence,
                not f.vcse_only or o.reserved_vcse or o.lot_id in vcse_lots,
                not f.kind or o.kind == f.kind,
                not f.closing_within_days
                or (is_open and o.submission_deadline <= NOW + timedelta(f.closing_within_days)),
            )
        )

    matches = [(o, rank) for o, hit, rank in rows if found(o, hit)]
    keys = {
        "closing": lambda m: (m[0].submission_deadline, m[0].id),
        "newest": lambda m: (-m[0].published_at.timestamp(), m[0].id),
        "value_high": lambda m: (-m[0].estimated_value_pence, m[0].id),
        "value_low": lambda m: (m[0].estimated_value_pence, m[0].id),
        "relevance": (
            (lambda m: (-m[1], m[0].submission_deadline, m[0].id))
            if f.q
            else (lambda m: (-m[0].published_at.timestamp(), m[0].submission_deadline, m[0].id))
        ),
    }
    offset = (f.page - 1) * search_module.PAGE_SIZE
    if f.q:  # counts stop at the limit
        limit = search_module.COUNT_LIMIT + 1
    else:  # and without words, not before the page
        limit = max(search_module.COUNT_LIMIT, offset + search_module.PAGE_SIZE) + 1
    exact = len(matches) < limit
    total = len(matches) if exact else limit - 1
    if f.q and not exact and f.sort == "relevance":  # only the newest are ranked
        matches = sorted(matches, key=lambda m: -m[0].id)[: search_module.RANK_LIMIT]
    page = sorted(matches, key=keys[f.sort])[offset : offset + search_module.PAGE_SIZE]
    return [o.id for o, _ in page], total, exact


SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "suppress_health_check": [HealthCheck.function_scoped_fixture],
}


def _small_limits(monkeypatch):
    """Small limits, so that sixty opportunities reach them as a hundred thousand reach 1,000."""
    monkeypatch.setattr(search_module, "COUNT_LIMIT", 9)
    monkeypatch.setattr(search_module, "RANK_LIMIT", 9)
    monkeypatch.setattr(search_module, "PAGE_SIZE", 4)


def _agrees(f, lots):
    results = search(f, now=NOW)
    expected_ids, total, exact = _expected(f, lots)
    assert ([row.id for row in results.rows], results.total, results.exact) == (
        expected_ids,
        total,
        exact,
    )


@pytest.mark.parametrize("newest_first", [False, True])
def test_the_fast_path_agrees_with_a_straightforward_reading(many, monkeypatch, newest_first):
    lots = many
    # Without statistics of the words (as before any ANALYZE), the table's size decides.
    monkeypatch.setattr(word_stats, "word_stats", lambda: None)
    if newest_first:  # open searches look among the newest 25 ids first (as at 1,000,000)
        monkeypatch.setattr(search_module, "BOUND_FROM", 0)
        monkeypatch.setattr(search_module, "NEWEST_IDS", 25)
    else:
        monkeypatch.setattr(search_module, "BOUND_FROM", 10**9)
    _small_limits(monkeypatch)

    @settings(max_examples=60, **SETTINGS)
    @given(
        st.builds(
            Filters,
            q=st.sampled_from(QUERIES),
            lot_id=st.sampled_from([None, *(lot.id for lot in lots)]),
            region_code=st.sampled_from([None, *REGIONS]),
            min_value_pence=st.sampled_from([None, 2_000_000]),
            max_value_pence=st.sampled_from([None, 5_000_000]),
            vcse_only=st.booleans(),
            kind=st.sampled_from([None, *(k.value for k in OpportunityKind)]),
            status=st.sampled_from(["open", "open", "closed", "all"]),
            closing_within_days=st.sampled_from([None, None, 7]),
            sort=st.sampled_from(list(search_module.SORTS)),
            page=st.integers(1, 4),
        )
    )
    def check(f):
        _agrees(f, lots)

    check()


@pytest.mark.parametrize("newest_ids", [15, 25])
def test_a_first_look_among_the_newest_ids_agrees_too(many, monkeypatch, newest_ids):
    """Words alone on the open set (no filter that narrows): the searches that look first among
    the newest ``NEWEST_IDS`` ids, and then further back. (The test above draws so many filters
    that it seldom reaches them.)"""
    lots = many
    monkeypatch.setattr(word_stats, "word_stats", lambda: None)
    monkeypatch.setattr(search_module, "BOUND_FROM", 0)
    monkeypatch.setattr(search_module, "NEWEST_IDS", newest_ids)
    _small_limits(monkeypatch)
    looks = _looks(monkeypatch)

    @settings(max_examples=40, **SETTINGS)
    @given(
        st.builds(
            Filters,
            q=st.sampled_from(
                ["care", "garden", "food advice", "meals", "energy care", "care garden meals"]
            ),
            status=st.sampled_from(["open", "open", "closed", "all"]),
            sort=st.sampled_from(list(search_module.SORTS)),
            page=st.integers(1, 3),
        )
    )
    def check(f):
        _agrees(f, lots)

    check()
    # Some were answered from a look among the newest alone, and some read further after it.
    assert ("found_newest", False) in looks and ("found_newest", True) in looks


def _looks(monkeypatch):
    """What each search with words read: (statement, whether it found them all), in order."""
    looks = []
    search_words = search_module._search_words

    def counted(shape, values, name):
        results = search_words(shape, values, name)
        looks.append((name, results.exact))
        return results

    monkeypatch.setattr(search_module, "_search_words", counted)
    return looks


@pytest.mark.parametrize("walk_ratio", [0.3, 1.5])
def test_a_first_look_as_far_back_as_the_statistics_say_agrees_too(many, monkeypatch, walk_ratio):
    """Open searches whose first look reaches as far back as the words' statistics say should
    hold enough matches, or that walk the open set: with statistics that guess right, too high
    and too low (drawn), every page and count is the straightforward reading's. (Among sixty
    notices the words that reach the limit are so common that they are walked, unless walking
    is made to seem dearer.)"""
    lots = many
    _small_limits(monkeypatch)
    monkeypatch.setattr(search_module, "WALK_RATIO", walk_ratio)
    looks = _looks(monkeypatch)
    open_notices = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Opportunity)
        .where(Opportunity.status == OpportunityStatus.PUBLISHED)
        .where(Opportunity.closed_recorded_at.is_(None))
    )
    lexemes = ["care", "garden", "food", "meal", "energi", "advic"]

    @settings(max_examples=40, **SETTINGS)
    @given(
        st.builds(
            Filters,
            q=st.sampled_from(["care", "garden", "food advice", "meals", "energy care"]),
            sort=st.sampled_from(list(search_module.SORTS)),
            page=st.integers(1, 3),
        ),
        st.lists(st.sampled_from([0.05, 0.3, 0.5, 0.55, 0.8, 1.0]), min_size=6, max_size=6),
    )
    def check(f, shares):
        stats = word_stats.WordStats(dict(zip(lexemes, shares, strict=True)), 0.05, open_notices)
        monkeypatch.setattr(word_stats, "word_stats", lambda: stats)
        _agrees(f, lots)

    check()
    # Some read every match at once (too few expected); some walked the open set, or some were
    # answered from the first look alone and some read further after it.
    assert ("found", True) in looks
    if walk_ratio == 1.5:
        assert any(name == "found_walk" for name, _exact in looks)
    else:
        assert ("found_newest", False) in looks and ("found_newest", True) in looks


def test_a_walk_goes_back_no_further_than_the_guess_needs(many, monkeypatch):
    """Words the statistics call common but that no open notice holds (a year's name, common
    among old notices): the walk stops where the guess says it should have found enough, and
    then every match is read."""
    _small_limits(monkeypatch)
    looks = _looks(monkeypatch)
    stats = word_stats.WordStats({"nothingmatch": 1.0}, 0.05, 20)
    monkeypatch.setattr(word_stats, "word_stats", lambda: stats)
    results = search(Filters(q="nothingmatches", sort="relevance"), now=NOW)
    assert (results.rows, results.total, results.exact) == ([], 0, True)
    assert looks == [("found_walk", True), ("found", True)]


@pytest.mark.parametrize(
    "expected, span",
    [
        (9, None),  # no more than COUNT_LIMIT (9 here): every match read at once
        (10, None),  # the ids to hold 1.5 times the page's need (15) would be all 100 open ones
        (20, 75),  # ceil(1.5 * 10 / 0.2)
        (25, 60),  # (walking to 10 matches would read 40 notices: more than 1.5 times 25)
        (30, search_module.Walk(100)),  # (33 notices, no more than 1.5 times 30; back 3 * 33)
        (100, search_module.Walk(30)),
    ],
)
def test_the_first_look_reaches_back_as_far_as_the_guess_says(monkeypatch, expected, span):
    monkeypatch.setattr(search_module, "COUNT_LIMIT", 9)
    stats = word_stats.WordStats({"care": expected / 100}, 0.01, 100)
    monkeypatch.setattr(word_stats, "word_stats", lambda: stats)
    assert search_module._first_span("care", top=100) == span
    # A query the statistics do not guess: the table's size decides, as without statistics.
    assert search_module._first_span("care or meals", top=100) is None
    monkeypatch.setattr(search_module, "BOUND_FROM", 50)
    assert search_module._first_span("care or meals", top=100) == search_module.NEWEST_IDS


@pytest.mark.parametrize(
    "q, span",
    [
        ("care", 10_000),
        ("food advice", 10_000),
        ("meals for older people", None),  # three words: every match is read at once
        ("the food and the advice", 10_000),  # words the dictionary leaves out narrow nothing
        ("care all over", 10_000),
        ("what we do for young people", 10_000),
        ("care or meals for older people", 10_000),  # not simply every word required
        ("care -meals older people", 10_000),
        ("care (-meals) older people", 10_000),
        ('"meals on wheels" older', 10_000),
        ("organic food gardens", None),  # ("or" only as a word of its own)
        ("care-home meals", 10_000),  # (a hyphen within a word excludes nothing)
        ("'' care meals", 10_000),
    ],
)
def test_no_first_look_among_the_newest_for_three_words(q, span):
    assert search_module._first_span_unguessed(q) == span


def test_a_second_look_reaches_as_far_back_as_the_first_look_s_matches_say():
    # 100 matches among the newest 10,000: 1,501 should lie among the newest 150,150, too far.
    assert search_module._wider_span(10_000, 100) is None
    assert search_module._wider_span(10_000, 200) == 75_075
    assert search_module._wider_span(40_000, 800) == 75_075
    assert search_module._wider_span(10_000, 0) is None
