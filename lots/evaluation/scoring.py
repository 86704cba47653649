"""Scoring and ranking bids: the published formula, as pure functions (no database, no Flask).

The service layer loads rows, turns them into the small dataclasses here, and stores what comes
back. Everything in this module is deterministic and checked by property-based tests.

The formula, as published to bidders
------------------------------------
Each opportunity splits 100 marks between price, quality and social value, for example 40 / 50 / 10.

Price. The lowest price among compliant bids earns the full price weight; every other bid earns
a share in proportion::

    price score = lowest compliant price / your price x price weight

    With a price weight of 40, bids of £8,000 and £10,000 score
    8,000 / 8,000 x 40 = 40.00 and 8,000 / 10,000 x 40 = 32.00.

Quality and social value. Each question is worth a number of the 100 marks. Evaluators score each
answer independently on the scale the opportunity published with its criteria (0 to 5 unless the
buyer chose 0 to 10: 0 unacceptable, 1 poor, 2 weak, 3 satisfactory, 4 good, 5 excellent); a
moderator then agrees one consensus score per answer::

    question score = consensus score / top of the scale x question weight

    "Good" (4 of 5) on a question worth 20 marks scores 4 / 5 x 20 = 16.00.

If a section's question weights do not add up to the section's weight, each question's weight is
scaled in proportion so that they do.

Total = price score + quality score + social value score, out of 100. A bid that fails a pass/fail
question is excluded before scoring, and the reason is kept.

Ranking. Highest total first. Equal totals are separated by the tie-break published with the
opportunity: the higher quality score (the default), the higher social value score, or the lower
price. Bids still equal after that share a position (1, 1, 3).

Arithmetic is exact (fractions) and the ranking uses the exact values; scores are rounded half up
to two decimal places only for display, so two bids shown as 72.35 can still rank one above the
other.

Abnormally low prices. A price more than a published percentage below the mean of the other bids'
prices is flagged, not excluded: the buyer must look into it and record a reason before award.
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal
from fractions import Fraction
from numbers import Integral, Rational

# Question kinds and tie-breaks, spelt as lots.models stores them (its StrEnums compare equal).
QUALITY = "quality"
SOCIAL_VALUE = "social_value"
PASS_FAIL = "pass_fail"
PRICE = "price"
SCORED_KINDS = (QUALITY, SOCIAL_VALUE)
TIE_BREAKS = (QUALITY, SOCIAL_VALUE, PRICE)

DEFAULT_SCALE_MAX = 4  # the pure functions' default; each opportunity publishes its own scale
# The words for the points of each published scale (by its top). The service passes the scale.
SCALE_LABELS = {
    4: {0: "Unacceptable", 1: "Poor", 2: "Satisfactory", 3: "Good", 4: "Excellent"},
    5: {0: "Unacceptable", 1: "Poor", 2: "Weak", 3: "Satisfactory", 4: "Good", 5: "Excellent"},
    10: {0: "Unacceptable", 2: "Poor", 4: "Weak", 6: "Satisfactory", 8: "Good", 10: "Excellent"},
}


def scale_labels(scale_max):
    """{score: word} for the points of the scale that have a word (0 to 10 labels the even ones)."""
    return SCALE_LABELS.get(scale_max, {0: "Unacceptable", scale_max: "Excellent"})


# Our own context, so a caller's decimal settings never change a score.
_DECIMAL = Context(prec=28, rounding=ROUND_HALF_EVEN)
_TWO_PLACES = Decimal("0.01")


# --- Inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Weights:
    """How the 100 marks are split: whole numbers, none negative, adding up to 100."""

    price: int
    quality: int
    social_value: int

    def __post_init__(self):
        for name in ("price", "quality", "social_value"):
            if _whole(getattr(self, name), f"The {name.replace('_', ' ')} weight") < 0:
                raise ValueError(f"The {name.replace('_', ' ')} weight must not be negative")
        if self.price + self.quality + self.social_value != 100:
            raise ValueError(
                "The price, quality and social value weights must add up to 100, "
                f"not {self.price + self.quality + self.social_value}"
            )

    def of(self, kind: str) -> int:
        """The section weight for a question kind (quality or social value)."""
        return {QUALITY: self.quality, SOCIAL_VALUE: self.social_value}[kind]


@dataclass(frozen=True)
class Question:
    """A question of an opportunity. ``weight`` is marks out of 100; pass/fail questions have none
    (any weight given to one is ignored)."""

    id: Hashable
    kind: str
    weight: int | None = None

    def __post_init__(self):
        if self.kind not in (QUALITY, SOCIAL_VALUE, PASS_FAIL):
            raise ValueError(f"Unknown question kind {self.kind!r}")
        if self.kind != PASS_FAIL and _whole(self.weight, "A question's weight") < 0:
            raise ValueError("A question's weight must not be negative")


@dataclass(frozen=True)
class Bid:
    """A submitted bid as the scorer sees it.

    ``scores`` holds the moderated consensus score for every quality and social value question,
    by question id. A bid that failed a pass/fail question has ``compliant=False`` and an
    ``excluded_reason``; it is not scored, so it needs no scores.
    """

    id: Hashable
    price_pence: int
    scores: Mapping[Hashable, int] = field(default_factory=dict)
    compliant: bool = True
    excluded_reason: str | None = None

    def __post_init__(self):
        _positive_pence(self.price_pence, f"The price of bid {self.id!r}")
        if not self.compliant and not self.excluded_reason:
            raise ValueError(f"Bid {self.id!r} is excluded, so it needs a reason")
        if self.compliant and self.excluded_reason:
            raise ValueError(f"Bid {self.id!r} is compliant but has a reason for exclusion")


@dataclass(frozen=True)
class Assignment:
    """An evaluator assigned to an opportunity. One who declared a conflict of interest is
    excluded from evaluating; one who has not declared yet still counts."""

    evaluator_id: Hashable
    conflicted: bool = False


# --- Outputs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """A bid's place in the ranking, or its exclusion.

    Each score is its exact value rounded once, to 28 significant figures (so the parts can
    differ from the total in the last digit); use the ``display_*`` properties (two decimal
    places, half up) to show them. An excluded bid has no position and no scores.
    ``question_scores`` are the weighted marks per question, in the questions' order.
    """

    bid_id: Hashable
    price_pence: int
    position: int | None = None
    price_score: Decimal | None = None
    quality_score: Decimal | None = None
    social_value_score: Decimal | None = None
    total: Decimal | None = None
    question_scores: Mapping[Hashable, Decimal] = field(default_factory=dict)
    excluded_reason: str | None = None

    @property
    def ranked(self) -> bool:
        return self.position is not None

    @property
    def display_total(self) -> str | None:
        return two_places(self.total)

    @property
    def display_price_score(self) -> str | None:
        return two_places(self.price_score)

    @property
    def display_quality_score(self) -> str | None:
        return two_places(self.quality_score)

    @property
    def display_social_value_score(self) -> str | None:
        return two_places(self.social_value_score)


@dataclass(frozen=True)
class Spread:
    """Every evaluator's score for one answer, side by side, for the moderator."""

    scores: Mapping[Hashable, int]  # by evaluator id

    @property
    def min(self) -> int:
        return min(self.scores.values())

    @property
    def max(self) -> int:
        return max(self.scores.values())

    @property
    def mean(self) -> Decimal:
        return _decimal(Fraction(sum(self.scores.values()), len(self.scores)))

    @property
    def gap(self) -> int:
        """How far apart the evaluators are: worth discussing when it is 2 or more."""
        return self.max - self.min


# --- The formula ----------------------------------------------------------------------------


def two_places(value: Decimal | None) -> str | None:
    """A score as shown to people: two decimal places, rounded half up ("72.35").
    None stays None."""
    if value is None:
        return None
    return str(value.quantize(_TWO_PLACES, rounding=ROUND_HALF_UP, context=_DECIMAL))


def price_score(lowest_compliant_pence: int, bid_pence: int, weight: int | Decimal) -> Decimal:
    """lowest compliant price / this bid's price x the price weight, as an exact Decimal."""
    return _decimal(_price_points(lowest_compliant_pence, bid_pence, weight))


def question_score(consensus_score: int, scale_max: int, weight: int | Decimal) -> Decimal:
    """consensus score / top of the scale x the question's weight, as an exact Decimal."""
    scale_max = _scale(scale_max)
    return _decimal(
        Fraction(_score(consensus_score, scale_max), scale_max)
        * _marks(weight, "A question's weight")
    )


def question_weights(questions: Iterable[Question], weights: Weights) -> dict[Hashable, Decimal]:
    """Each scored question's weight in marks out of 100, after scaling each section so its
    questions add up to the section weight (for publishing: "Question 2: 13.33 marks")."""
    return {qid: _decimal(w) for qid, w in _question_weights(list(questions), weights).items()}


def rank(
    bids: Iterable[Bid],
    questions: Iterable[Question],
    weights: Weights,
    tie_break: str = QUALITY,
    scale_max: int = DEFAULT_SCALE_MAX,
) -> list[Result]:
    """Score and rank bids by the published formula.

    Returns the compliant bids in ranked order (best first, with 1-based positions; true ties
    share a position and are listed by bid id), then the excluded bids in bid id order with their
    reasons and no position. The result never depends on the order of ``bids``.

    Raises ValueError for inconsistent input: duplicate ids, an unknown tie-break, a compliant bid
    missing a consensus score (or scoring a question that is not scored), a score off the scale.
    """
    bids, questions = list(bids), list(questions)
    if not isinstance(weights, Weights):
        raise ValueError("weights must be a Weights")
    if tie_break not in TIE_BREAKS:
        raise ValueError(f"Unknown tie-break {tie_break!r}: use one of {', '.join(TIE_BREAKS)}")
    scale_max = _scale(scale_max)
    _unique([b.id for b in bids], "bid")
    _unique([q.id for q in questions], "question")
    question_marks = _question_weights(questions, weights)
    kinds = {q.id: q.kind for q in questions if q.kind in SCORED_KINDS}

    compliant = [b for b in bids if b.compliant]
    lowest = min((b.price_pence for b in compliant), default=None)
    scored = []
    for bid in compliant:
        if unknown := set(bid.scores) - set(kinds):
            raise ValueError(
                f"Bid {bid.id!r} has scores for questions that are not scored: "
                f"{sorted(map(repr, unknown))}"
            )
        sections = {QUALITY: Fraction(0), SOCIAL_VALUE: Fraction(0)}
        per_question = {}
        for qid, kind in kinds.items():
            if qid not in bid.scores:
                raise ValueError(f"Bid {bid.id!r} has no consensus score for question {qid!r}")
            score = _score(bid.scores[qid], scale_max, f"Bid {bid.id!r}'s score for {qid!r}")
            per_question[qid] = Fraction(score, scale_max) * question_marks[qid]
            sections[kind] += per_question[qid]
        parts = {PRICE: _price_points(lowest, bid.price_pence, weights.price), **sections}
        scored.append((bid, parts, sum(parts.values()), per_question))

    # Best first: total, then the tie-break (a lower price is a higher price score), then id.
    scored.sort(key=lambda s: (-s[2], -s[1][tie_break], s[0].id))
    results, position, previous = [], 0, None
    for index, (bid, parts, total, per_question) in enumerate(scored, start=1):
        if (total, parts[tie_break]) != previous:
            position, previous = index, (total, parts[tie_break])
        results.append(
            Result(
                bid_id=bid.id,
                price_pence=bid.price_pence,
                position=position,
                price_score=_decimal(parts[PRICE]),
                quality_score=_decimal(parts[QUALITY]),
                social_value_score=_decimal(parts[SOCIAL_VALUE]),
                total=_decimal(total),
                question_scores={qid: _decimal(v) for qid, v in per_question.items()},
            )
        )
    for bid in sorted((b for b in bids if not b.compliant), key=lambda b: b.id):
        results.append(
            Result(bid_id=bid.id, price_pence=bid.price_pence, excluded_reason=bid.excluded_reason)
        )
    return results


def abnormally_low(
    prices: Mapping[Hashable, int], threshold_percent: int | Decimal
) -> set[Hashable]:
    """The ids of bids whose price is more than ``threshold_percent`` below the mean of the
    OTHER bids' prices (a bid is never compared with itself). Needs at least two bids.

    ``prices`` maps bid id to pence; pass the bids being compared (normally the compliant ones).
    """
    threshold = _marks(threshold_percent, "The threshold percentage")
    pence = {
        bid_id: _positive_pence(p, f"The price of bid {bid_id!r}") for bid_id, p in prices.items()
    }
    if len(pence) < 2:
        return set()
    everyone = sum(pence.values())
    others = len(pence) - 1
    return {
        bid_id
        for bid_id, p in pence.items()
        if p < Fraction(everyone - p, others) * (1 - threshold / 100)
    }


# --- Independence and moderation ------------------------------------------------------------


def outstanding_scores(
    assignments: Iterable[Assignment],
    bid_ids: Iterable[Hashable],
    question_ids: Iterable[Hashable],
    scores_by_evaluator: Mapping[Hashable, Mapping[tuple, int]],
) -> set[tuple]:
    """The (evaluator, bid, question) scores still to be submitted by evaluators without a
    conflict. ``scores_by_evaluator`` maps evaluator id to {(bid id, question id): score} and
    should hold submitted scores only, not drafts."""
    bid_ids, question_ids = list(bid_ids), list(question_ids)
    return {
        (a.evaluator_id, b, q)
        for a in assignments
        if not a.conflicted
        for b in bid_ids
        for q in question_ids
        if (b, q) not in scores_by_evaluator.get(a.evaluator_id, {})
    }


def all_submitted(
    assignments: Iterable[Assignment],
    bid_ids: Iterable[Hashable],
    question_ids: Iterable[Hashable],
    scores_by_evaluator: Mapping[Hashable, Mapping[tuple, int]],
) -> bool:
    """Whether every evaluator without a conflict has submitted a score for every scored
    question of every bid being evaluated: until then, evaluators may not see each other's scores
    and moderation may not start. False when there is something to score but nobody to score it.
    """
    assignments, bid_ids, question_ids = list(assignments), list(bid_ids), list(question_ids)
    if bid_ids and question_ids and all(a.conflicted for a in assignments):
        return False
    return not outstanding_scores(assignments, bid_ids, question_ids, scores_by_evaluator)


def score_spread(
    scores_by_evaluator: Mapping[Hashable, Mapping[tuple, int]], scale_max: int = DEFAULT_SCALE_MAX
) -> dict[tuple, Spread]:
    """For each (bid id, question id), every evaluator's score side by side with the lowest,
    highest and mean, for the moderator. Input as for ``outstanding_scores``."""
    scale_max = _scale(scale_max)
    side_by_side = {}
    for evaluator_id, scores in scores_by_evaluator.items():
        for answer, score in scores.items():
            side_by_side.setdefault(answer, {})[evaluator_id] = _score(
                score, scale_max, f"Evaluator {evaluator_id!r}'s score for {answer!r}"
            )
    return {answer: Spread(scores) for answer, scores in side_by_side.items()}


# --- Checks and arithmetic ------------------------------------------------------------------


def _question_weights(questions, weights):
    """Exact marks per scored question, each section scaled to its weight."""
    marks = {}
    for kind in SCORED_KINDS:
        section = [q for q in questions if q.kind == kind]
        given = sum(q.weight for q in section)
        if given == 0 and weights.of(kind):
            raise ValueError(
                f"The {kind.replace('_', ' ')} section is worth {weights.of(kind)} "
                "marks but has no weighted questions"
            )
        for q in section:
            marks[q.id] = Fraction(q.weight * weights.of(kind), given) if given else Fraction(0)
    return marks


def _price_points(lowest_pence, bid_pence, weight):
    lowest = _positive_pence(lowest_pence, "The lowest compliant price")
    bid = _positive_pence(bid_pence, "The bid price")
    if lowest > bid:
        raise ValueError("The lowest compliant price cannot be more than a compliant bid's price")
    return Fraction(lowest, bid) * _marks(weight, "The price weight")


def _decimal(value):
    return _DECIMAL.divide(Decimal(value.numerator), Decimal(value.denominator))


def _whole(value, what):
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{what} must be a whole number, not {value!r}")
    return int(value)


def _positive_pence(value, what):
    if _whole(value, what) <= 0:
        raise ValueError(f"{what} must be more than 0 pence, not {value}")
    return int(value)


def _scale(scale_max):
    if _whole(scale_max, "The top of the scale") < 1:
        raise ValueError(f"The top of the scale must be at least 1, not {scale_max}")
    return int(scale_max)


def _score(value, scale_max, what="A score"):
    if not 0 <= _whole(value, what) <= scale_max:
        raise ValueError(f"{what} must be from 0 to {scale_max}, not {value}")
    return int(value)


def _marks(value, what):
    """A number of marks or a percentage from 0 to 100, exactly (floats are refused)."""
    if isinstance(value, bool) or not isinstance(value, (Rational, Decimal)):
        raise ValueError(f"{what} must be a whole number or a Decimal, not {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{what} must be a number, not {value}")
    marks = Fraction(value)
    if not 0 <= marks <= 100:
        raise ValueError(f"{what} must be from 0 to 100, not {value}")
    return marks


def _unique(ids, what):
    if len(set(ids)) != len(ids):
        raise ValueError(f"Each {what} must have a different id")
