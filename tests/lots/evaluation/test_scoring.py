"""The published scoring formula (lots.scoring): worked examples, then properties that must hold
for any opportunity and any set of bids."""

import re
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lots.evaluation.scoring import (
    PASS_FAIL,
    QUALITY,
    SOCIAL_VALUE,
    Assignment,
    Bid,
    Question,
    Weights,
    abnormally_low,
    all_submitted,
    outstanding_scores,
    price_score,
    question_score,
    question_weights,
    rank,
    score_spread,
    two_places,
)

# No example database: the tests leave no files behind in the working tree.
properties = settings(max_examples=200, deadline=None, database=None)

QUESTIONS = [
    Question("q1", QUALITY, 30),
    Question("q2", QUALITY, 20),
    Question("s1", SOCIAL_VALUE, 10),
    Question("p1", PASS_FAIL),
]
WEIGHTS = Weights(price=40, quality=50, social_value=10)


def ranked(results):
    return [(r.bid_id, r.position) for r in results if r.ranked]


# --- Worked examples ------------------------------------------------------------------------


def test_price_scores_are_in_proportion_to_the_lowest_compliant_price():
    assert price_score(800_000, 800_000, 40) == 40
    assert price_score(800_000, 1_000_000, 40) == 32
    assert two_places(price_score(800_000, 800_000, 40)) == "40.00"
    assert two_places(price_score(800_000, 1_000_000, 40)) == "32.00"


def test_scores_are_exact_and_rounded_half_up_only_for_display():
    assert price_score(300_000, 900_000, 40) == Decimal("13.33333333333333333333333333")
    assert two_places(price_score(300_000, 900_000, 40)) == "13.33"
    assert two_places(price_score(300_000, 450_000, 40)) == "26.67"
    assert two_places(price_score(1, 8, 1)) == "0.13"  # 0.125: half up, not half even


def test_question_score_is_the_consensus_over_the_top_of_the_scale_times_the_weight():
    assert question_score(3, 4, 20) == 15  # "good" on a question worth 20 marks
    assert question_score(0, 4, 20) == 0
    assert question_score(4, 4, 20) == 20
    assert question_score(7, 10, 20) == 14  # a 0-10 scale
    assert question_score(1, 4, Decimal("13.5")) == Decimal("3.375")


def test_a_worked_ranking():
    bids = [
        Bid(1, 800_000, {"q1": 3, "q2": 2, "s1": 4}),
        Bid(2, 1_000_000, {"q1": 4, "q2": 4, "s1": 2}),
    ]
    first, second = rank(bids, QUESTIONS, WEIGHTS)

    assert (first.bid_id, first.position) == (2, 1)
    assert (
        first.display_price_score,
        first.display_quality_score,
        first.display_social_value_score,
        first.display_total,
    ) == ("32.00", "50.00", "5.00", "87.00")
    assert (second.bid_id, second.position) == (1, 2)
    assert (
        second.display_price_score,
        second.display_quality_score,
        second.display_social_value_score,
        second.display_total,
    ) == ("40.00", "32.50", "10.00", "82.50")
    assert second.question_scores == {"q1": Decimal("22.5"), "q2": 10, "s1": 10}


def test_equal_totals_are_separated_by_quality_by_default():
    questions = [Question("q", QUALITY, 40), Question("s", SOCIAL_VALUE, 20)]
    weights = Weights(40, 40, 20)
    bids = [
        Bid("a", 1_000_000, {"q": 2, "s": 4}),  # 40 + 20 + 20 = 80
        Bid("b", 1_000_000, {"q": 4, "s": 0}),
    ]  # 40 + 40 + 0 = 80

    by_quality = rank(bids, questions, weights)
    assert [r.display_total for r in by_quality] == ["80.00", "80.00"]
    assert ranked(by_quality) == [("b", 1), ("a", 2)]
    assert ranked(rank(bids, questions, weights, "social_value")) == [("a", 1), ("b", 2)]
    # Same price, so still equal under a price tie-break: they share first place.
    assert ranked(rank(bids, questions, weights, "price")) == [("a", 1), ("b", 1)]


def test_a_price_tie_break_prefers_the_lower_price():
    questions = [Question("q", QUALITY, 40), Question("s", SOCIAL_VALUE, 20)]
    weights = Weights(40, 40, 20)
    bids = [
        Bid("cheap", 750_000, {"q": 2, "s": 2}),  # 40 + 20 + 10 = 70
        Bid("dear", 1_000_000, {"q": 3, "s": 2}),
    ]  # 30 + 30 + 10 = 70

    assert ranked(rank(bids, questions, weights, "price")) == [("cheap", 1), ("dear", 2)]
    assert ranked(rank(bids, questions, weights, "quality")) == [("dear", 1), ("cheap", 2)]
    assert ranked(rank(bids, questions, weights, "social_value")) == [("cheap", 1), ("dear", 1)]


def test_true_ties_share_a_position_and_the_next_bid_skips_one():
    bids = [
        Bid(3, 900_000, {"q1": 2, "q2": 2, "s1": 2}),
        Bid(1, 800_000, {"q1": 3, "q2": 3, "s1": 3}),
        Bid(2, 800_000, {"q1": 3, "q2": 3, "s1": 3}),
    ]
    assert ranked(rank(bids, QUESTIONS, WEIGHTS)) == [(1, 1), (2, 1), (3, 3)]


def test_the_ranking_uses_exact_totals_not_the_rounded_ones():
    bids = [Bid("a", 100_001, {}), Bid("b", 100_000, {})]
    results = rank(bids, [], Weights(100, 0, 0))
    assert [r.display_total for r in results] == ["100.00", "100.00"]
    assert ranked(results) == [("b", 1), ("a", 2)]


def test_section_weights_that_do_not_add_up_are_scaled_in_proportion():
    questions = [Question(n, QUALITY, 1) for n in ("q1", "q2", "q3")] + [
        Question("s1", SOCIAL_VALUE, 5),
        Question("s2", SOCIAL_VALUE, 15),
    ]
    weights = Weights(40, 40, 20)
    marks = question_weights(questions, weights)
    assert [two_places(marks[q]) for q in ("q1", "q2", "q3")] == ["13.33", "13.33", "13.33"]
    assert (marks["s1"], marks["s2"]) == (5, 15)

    perfect = Bid("p", 500_000, {"q1": 4, "q2": 4, "q3": 4, "s1": 4, "s2": 4})
    assert rank([perfect], questions, weights)[0].total == 100  # exactly, not 99.999...


def test_a_weighted_section_without_weighted_questions_is_refused():
    with pytest.raises(ValueError, match="quality section is worth 40"):
        rank([Bid(1, 100, {})], [Question("q", QUALITY, 0)], Weights(60, 40, 0))
    with pytest.raises(ValueError, match="social value section"):
        question_weights([], Weights(90, 0, 10))


def test_excluded_bids_are_not_ranked_and_do_not_set_the_lowest_price():
    bids = [
        Bid(1, 1_000_000, {"q1": 2, "q2": 2, "s1": 2}),
        Bid(2, 500_000, compliant=False, excluded_reason="No public liability insurance"),
        Bid(3, 800_000, {"q1": 2, "q2": 2, "s1": 2}),
    ]
    results = rank(bids, QUESTIONS, WEIGHTS)

    assert ranked(results) == [(3, 1), (1, 2)]
    assert results[0].price_score == 40  # £8,000 is the lowest compliant price
    excluded = results[-1]
    assert (excluded.bid_id, excluded.position, excluded.total, excluded.display_total) == (
        2,
        None,
        None,
        None,
    )
    assert excluded.excluded_reason == "No public liability insurance"


def test_every_bid_excluded():
    bids = [Bid(1, 100, compliant=False, excluded_reason="Failed safeguarding")]
    assert [(r.bid_id, r.ranked) for r in rank(bids, QUESTIONS, WEIGHTS)] == [(1, False)]


def test_a_wider_published_scale():
    questions = [Question("q", QUALITY, 50)]
    (result,) = rank([Bid(1, 100, {"q": 7})], questions, Weights(50, 50, 0), scale_max=10)
    assert result.total == 85
    with pytest.raises(ValueError, match="Bid 1's score for 'q' must be from 0 to 4, not 5"):
        rank([Bid(1, 100, {"q": 5})], questions, Weights(50, 50, 0), scale_max=4)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: question_score(5, 4, 20), "A score must be from 0 to 4, not 5"),
        (lambda: question_score(-1, 4, 20), "A score must be from 0 to 4, not -1"),
        (lambda: question_score(2.5, 4, 20), "A score must be a whole number, not 2.5"),
        (lambda: question_score(True, 4, 20), "A score must be a whole number, not True"),
        (lambda: question_score(2, 0, 20), "The top of the scale must be at least 1, not 0"),
        (
            lambda: question_score(2, 4, 0.5),
            "A question's weight must be a whole number or a Decimal, not 0.5",
        ),
        (
            lambda: price_score(0, 100, 40),
            "The lowest compliant price must be more than 0 pence, not 0",
        ),
        (lambda: price_score(100, -100, 40), "The bid price must be more than 0 pence, not -100"),
        (
            lambda: price_score(200, 100, 40),  # the "lowest" is more than this bid
            "The lowest compliant price cannot be more than a compliant bid's price",
        ),
        (lambda: price_score(100, 100, 101), "The price weight must be from 0 to 100, not 101"),
        (
            lambda: Weights(40, 40, 10),
            "The price, quality and social value weights must add up to 100, not 90",
        ),
        (lambda: Weights(110, -10, 0), "The quality weight must not be negative"),
        (lambda: Weights(40.0, 50, 10), "The price weight must be a whole number, not 40.0"),
        (lambda: Bid(1, 0), "The price of bid 1 must be more than 0 pence, not 0"),
        (lambda: Bid(1, -500), "The price of bid 1 must be more than 0 pence, not -500"),
        (
            lambda: Bid(1, 100, compliant=False),  # an exclusion needs a reason
            "Bid 1 is excluded, so it needs a reason",
        ),
        (
            lambda: Question("q", QUALITY),  # a scored question needs a weight
            "A question's weight must be a whole number, not None",
        ),
        (lambda: Question("q", "price", 10), "Unknown question kind 'price'"),
        (
            lambda: rank([Bid(1, 100, {"q1": 5, "q2": 1, "s1": 1})], QUESTIONS, WEIGHTS),
            "Bid 1's score for 'q1' must be from 0 to 4, not 5",
        ),
        (
            lambda: rank([Bid(1, 100, {"q1": 1, "q2": 1})], QUESTIONS, WEIGHTS),  # s1 missing
            "Bid 1 has no consensus score for question 's1'",
        ),
        (
            lambda: rank([Bid(1, 100, {"q1": 1, "q2": 1, "s1": 1, "p1": 1})], QUESTIONS, WEIGHTS),
            "Bid 1 has scores for questions that are not scored: [\"'p1'\"]",
        ),
        (
            lambda: rank([Bid(1, 100, {"q1": 1, "q2": 1, "s1": 1})], QUESTIONS, WEIGHTS, "cost"),
            "Unknown tie-break 'cost': use one of quality, social_value, price",
        ),
        (
            lambda: rank([Bid(1, 100, {}), Bid(1, 200, {})], [], Weights(100, 0, 0)),
            "Each bid must have a different id",
        ),
        (lambda: rank([Bid(1, 100, {})], [], (100, 0, 0)), "weights must be a Weights"),
        (
            lambda: abnormally_low({1: 100, 2: 0}, 30),
            "The price of bid 2 must be more than 0 pence, not 0",
        ),
        (
            lambda: abnormally_low({1: 100, 2: 200}, 130),
            "The threshold percentage must be from 0 to 100, not 130",
        ),
        (
            lambda: score_spread({"e": {(1, "q1"): 9}}),
            "Evaluator 'e''s score for (1, 'q1') must be from 0 to 4, not 9",
        ),
    ],
)
def test_invalid_input_is_refused(make, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        make()


def test_abnormally_low_at_a_30_percent_threshold():
    # £6,000 against a mean of £10,000 for the others is 40% below; the others are not.
    assert abnormally_low({1: 1_000_000, 2: 1_000_000, 3: 600_000}, 30) == {3}
    # Exactly 30% below is not "more than" 30% below.
    assert abnormally_low({1: 1_000_000, 2: 700_000}, 30) == set()
    assert abnormally_low({1: 1_000_000, 2: 699_999}, 30) == {2}
    assert abnormally_low({1: 1_000_000, 2: 699_999}, Decimal("30.5")) == set()


def test_abnormally_low_needs_two_bids():
    assert abnormally_low({}, 30) == set()
    assert abnormally_low({1: 1}, 30) == set()


def test_a_bid_is_compared_with_the_others_not_with_itself():
    # Mean of all three is £8,000, so £6,000 is only 25% below it; the others average £9,000,
    # and £6,000 is 33% below that.
    assert abnormally_low({1: 900_000, 2: 900_000, 3: 600_000}, 30) == {3}


def test_scores_stay_hidden_until_every_evaluator_without_a_conflict_has_submitted():
    assignments = [Assignment("ann"), Assignment("bob"), Assignment("cat", conflicted=True)]
    bids, questions = [1, 2], ["q1", "s1"]
    everything = {(b, q): 3 for b in bids for q in questions}
    partly = dict(everything)
    del partly[(2, "s1")]

    assert all_submitted(assignments, bids, questions, {"ann": everything, "bob": everything})
    assert not all_submitted(assignments, bids, questions, {"ann": everything, "bob": partly})
    assert outstanding_scores(assignments, bids, questions, {"ann": everything, "bob": partly}) == {
        ("bob", 2, "s1")
    }
    assert not all_submitted(assignments, bids, questions, {"ann": everything})
    assert not all_submitted([Assignment("cat", conflicted=True)], bids, questions, {})
    assert not all_submitted([], bids, questions, {})
    assert all_submitted(assignments, [], questions, {})  # nothing to score
    assert all_submitted(assignments, bids, [], {})  # price only


def test_the_moderator_sees_every_score_side_by_side():
    spread = score_spread(
        {
            "ann": {(1, "q1"): 1, (1, "q2"): 3},
            "bob": {(1, "q1"): 4, (1, "q2"): 3},
            "cat": {(1, "q1"): 2},
        }
    )
    q1 = spread[(1, "q1")]
    assert q1.scores == {"ann": 1, "bob": 4, "cat": 2}
    assert (q1.min, q1.max, q1.gap, two_places(q1.mean)) == (1, 4, 3, "2.33")
    assert (spread[(1, "q2")].min, spread[(1, "q2")].max, spread[(1, "q2")].mean) == (3, 3, 3)


# --- Properties -----------------------------------------------------------------------------


@st.composite
def competitions(draw):
    """An opportunity (questions, weights, scale) and some bids for it. Section question weights
    are drawn freely, so they often need scaling; prices and scores are drawn from small sets
    often enough to make ties common."""
    scale_max = draw(st.sampled_from([1, 2, 4, 4, 4, 10]))
    quality = [
        Question(f"q{i}", QUALITY, draw(st.integers(0, 60))) for i in range(draw(st.integers(0, 3)))
    ]
    social = [
        Question(f"s{i}", SOCIAL_VALUE, draw(st.integers(0, 30)))
        for i in range(draw(st.integers(0, 2)))
    ]
    questions = quality + social + [Question("p", PASS_FAIL)] * draw(st.integers(0, 1))
    can_quality = sum(q.weight for q in quality) > 0
    can_social = sum(q.weight for q in social) > 0
    price = draw(st.integers(0, 100)) if can_quality or can_social else 100
    rest = 100 - price
    quality_weight = (draw(st.integers(0, rest)) if can_social else rest) if can_quality else 0
    weights = Weights(price, quality_weight, rest - quality_weight)

    ids = draw(st.lists(st.integers(1, 10_000), min_size=1, max_size=7, unique=True))
    prices = st.one_of(
        st.sampled_from([800_000, 1_000_000, 1_250_000]), st.integers(1, 10_000_000_000)
    )
    bids = []
    for bid_id in ids:
        scores = {q.id: draw(st.integers(0, scale_max)) for q in quality + social}
        if draw(st.integers(0, 4)) == 0:
            bids.append(
                Bid(
                    bid_id,
                    draw(prices),
                    scores,
                    compliant=False,
                    excluded_reason="Failed a pass/fail question",
                )
            )
        else:
            bids.append(Bid(bid_id, draw(prices), scores))
    tie_break = draw(st.sampled_from(["quality", "social_value", "price"]))
    return bids, questions, weights, tie_break, scale_max


@properties
@given(competitions())
def test_totals_are_never_negative_and_never_exceed_100(competition):
    for result in rank(*competition):
        if result.ranked:
            assert 0 <= result.total <= 100
            assert Decimal("0.00") <= Decimal(result.display_total) <= Decimal("100.00")
            # Each figure is the exact value rounded once, at the 28th significant digit.
            parts = result.price_score + result.quality_score + result.social_value_score
            assert abs(result.total - parts) < Decimal("1e-24")


@properties
@given(competitions(), st.data())
def test_the_ranking_does_not_depend_on_the_order_of_the_bids(competition, data):
    bids, *rest = competition
    shuffled = data.draw(st.permutations(bids))
    assert rank(shuffled, *rest) == rank(bids, *rest)


@properties
@given(competitions())
def test_the_lowest_compliant_price_gets_the_full_price_weight(competition):
    bids, questions, weights, *_ = competition
    results = rank(*competition)
    compliant = [r for r in results if r.ranked]
    assume(compliant)
    lowest = min(r.price_pence for r in compliant)
    for result in compliant:
        if result.price_pence == lowest:
            assert result.price_score == weights.price
        else:
            assert result.price_score < weights.price or weights.price == 0


@properties
@given(competitions(), st.data())
def test_a_higher_consensus_score_never_lowers_a_total_or_a_place(competition, data):
    bids, questions, weights, tie_break, scale_max = competition
    compliant = [b for b in bids if b.compliant]
    assume(compliant and compliant[0].scores)
    bid = data.draw(st.sampled_from(compliant))
    question = data.draw(st.sampled_from(sorted(bid.scores)))
    higher = data.draw(st.integers(bid.scores[question], scale_max))
    raised = Bid(bid.id, bid.price_pence, {**bid.scores, question: higher})
    after_bids = [raised if b.id == bid.id else b for b in bids]

    before = {r.bid_id: r for r in rank(bids, questions, weights, tie_break, scale_max)}
    after = {r.bid_id: r for r in rank(after_bids, questions, weights, tie_break, scale_max)}
    assert after[bid.id].total >= before[bid.id].total
    assert after[bid.id].position <= before[bid.id].position
    for other in compliant:
        if other.id != bid.id:
            assert after[other.id].total == before[other.id].total
            if before[bid.id].position < before[other.id].position:
                assert after[bid.id].position < after[other.id].position
            if before[bid.id].position == before[other.id].position:
                assert after[bid.id].position <= after[other.id].position


@properties
@given(competitions())
def test_excluded_bids_never_appear_in_the_ranking(competition):
    bids = competition[0]
    results = rank(*competition)
    excluded = {b.id for b in bids if not b.compliant}
    assert {r.bid_id for r in results if r.ranked}.isdisjoint(excluded)
    assert {r.bid_id for r in results if not r.ranked} == excluded
    assert all(r.excluded_reason and r.total is None for r in results if not r.ranked)
    assert len(results) == len(bids)


@properties
@given(competitions())
def test_positions_follow_totals_and_the_tie_break(competition):
    tie_break = competition[3]
    component = {
        "quality": "quality_score",
        "social_value": "social_value_score",
        "price": "price_score",
    }[tie_break]
    results = [r for r in rank(*competition) if r.ranked]
    for index, (higher, lower) in enumerate(zip(results, results[1:]), start=2):
        key_higher = (higher.total, getattr(higher, component))
        key_lower = (lower.total, getattr(lower, component))
        assert key_higher >= key_lower
        if key_higher == key_lower:
            assert lower.position == higher.position and higher.bid_id < lower.bid_id
        else:
            assert lower.position == index
    if results:
        assert results[0].position == 1


@properties
@given(
    st.dictionaries(st.integers(), st.integers(1, 10**9), max_size=8),
    st.integers(0, 100),
    st.integers(0, 100),
)
def test_abnormally_low_flags_only_prices_well_below_the_others(prices, low, high):
    low, high = sorted((low, high))
    flagged = abnormally_low(prices, low)
    assert abnormally_low(prices, high) <= flagged  # a stricter threshold flags no more
    for bid_id in flagged:
        others = [p for other, p in prices.items() if other != bid_id]
        assert prices[bid_id] * len(others) * 100 < sum(others) * (100 - low)
    if len(set(prices.values())) <= 1:
        assert flagged == set()


@properties
@given(
    st.dictionaries(
        st.sampled_from(["ann", "bob", "cat"]),
        st.dictionaries(
            st.tuples(st.integers(1, 3), st.sampled_from(["q", "s"])), st.integers(0, 4), min_size=1
        ),
        min_size=1,
    )
)
def test_the_mean_lies_between_the_lowest_and_highest_score(scores_by_evaluator):
    for spread in score_spread(scores_by_evaluator).values():
        assert spread.min <= spread.mean <= spread.max
        assert spread.gap >= 0


@properties
@given(st.lists(st.booleans(), min_size=1, max_size=4), st.data())
def test_any_missing_score_from_an_evaluator_without_a_conflict_keeps_scores_hidden(
    conflicts, data
):
    assignments = [Assignment(f"e{i}", conflicted) for i, conflicted in enumerate(conflicts)]
    bids, questions = [1, 2], ["q", "s"]
    complete = {a.evaluator_id: {(b, q): 2 for b in bids for q in questions} for a in assignments}
    assert all_submitted(assignments, bids, questions, complete) == (not all(conflicts))

    who = data.draw(st.sampled_from(assignments))
    missing = data.draw(st.sampled_from(sorted(complete[who.evaluator_id])))
    partial = {
        **complete,
        who.evaluator_id: {k: v for k, v in complete[who.evaluator_id].items() if k != missing},
    }
    expected = not all(conflicts) and who.conflicted
    assert all_submitted(assignments, bids, questions, partial) == expected
