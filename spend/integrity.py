"""Integrity flags for the operator: patterns in the call-offs that deserve a second look. None
of them is a breach on its own; each says in plain English what was seen, and lists the call-offs
behind it.

- **Little competition**: a call-off whose deadline has passed drew one bid or none.
- **Tender period at the legal minimum**: bids were due less than a day after the minimum
  (``MIN_TENDER_DAYS``, or ``QUICK_QUOTE_MIN_DAYS`` for a quick quote) from publication.
- **One supplier winning most**: of a buyer's awarded call-offs in one lot (at least
  ``INTEGRITY_MIN_CALL_OFFS``), one supplier won more than ``INTEGRITY_WIN_PERCENT`` per cent.
- **Cancelled and run again**: a buyer cancelled a call-off and published another in the same
  lot, with a title alike (rapidfuzz ``token_set_ratio`` of at least ``RERUN_SIMILARITY``),
  within ``RERUN_DAYS`` of the cancellation.

Each query is a function of its own, tested one by one; ``all_flags`` gathers them for the page.
Reads only: no commits.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from rapidfuzz import fuzz

from app.extensions import db
from app.organisations.models import Organisation
from app.timeutil import format_date, to_local, utcnow
from dps.models import Lot
from lots.awards.models import Award, AwardStatus
from lots.bids.models import Bid, BidStatus
from lots.opportunities.models import Opportunity, OpportunityKind, OpportunityStatus
from lots.opportunities.readiness import earliest_deadline

RERUN_DAYS = 90
RERUN_SIMILARITY = 80

FEW_BIDS = "few_bids"
MINIMUM_PERIOD = "minimum_period"
SAME_WINNER = "same_winner"
RERUN = "rerun"
KINDS = {
    FEW_BIDS: "Call-offs that drew one bid or none",
    MINIMUM_PERIOD: "Tender periods at the legal minimum",
    SAME_WINNER: "One supplier winning most of a buyer’s call-offs in a lot",
    RERUN: "Call-offs cancelled and run again",
}
# A call-off that ran its course: published, then closed, awarded or ended without award.
RAN = (
    OpportunityStatus.PUBLISHED,
    OpportunityStatus.AWARDED,
    OpportunityStatus.NO_SUITABLE_BID,
)


@dataclass(frozen=True)
class CallOff:
    id: int
    reference: str | None
    title: str
    buyer: str
    lot: str
    note: str  # what about this call-off the flag is about


@dataclass
class Flag:
    kind: str
    summary: str  # one plain-English sentence
    call_offs: list = field(default_factory=list)


def _lot_labels(lot_ids):
    if not lot_ids:
        return {}
    return {
        lot.id: f"Lot {lot.number}: {lot.title}"
        for lot in db.session.execute(sa.select(Lot).where(Lot.id.in_(list(lot_ids)))).scalars()
    }


def _names(organisation_ids):
    if not organisation_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(Organisation.id, Organisation.name).where(
                Organisation.id.in_(list(organisation_ids))
            )
        ).all()
    )


def _call_off(opportunity, lots, buyers, note):
    return CallOff(
        id=opportunity.id,
        reference=opportunity.reference,
        title=opportunity.title,
        buyer=buyers.get(opportunity.buyer_id, ""),
        lot=lots.get(opportunity.lot_id, ""),
        note=note,
    )


def _context(opportunities):
    return (
        _lot_labels({o.lot_id for o in opportunities}),
        _names({o.buyer_id for o in opportunities}),
    )


def few_bids(now=None):
    """One flag per call-off past its deadline with one submitted bid or none."""
    now = now or utcnow()
    submitted = (
        sa.select(sa.func.count())
        .where(Bid.opportunity_id == Opportunity.id, Bid.status == BidStatus.SUBMITTED)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Opportunity, submitted)
        .where(
            Opportunity.status.in_(RAN),
            Opportunity.deadline_passed_at(now),
            submitted <= 1,
        )
        .order_by(Opportunity.submission_deadline.desc(), Opportunity.id)
    ).all()
    lots, buyers = _context([o for o, _ in rows])
    flags = []
    for opportunity, count in rows:
        bids = "no bids" if count == 0 else "one bid"
        flags.append(
            Flag(
                FEW_BIDS,
                f"‘{opportunity.title}’ ({buyers.get(opportunity.buyer_id)}) drew {bids} by its "
                f"deadline on {format_date(to_local(opportunity.submission_deadline).date())}: "
                "there was little or no competition for it.",
                [_call_off(opportunity, lots, buyers, f"{count} bid{'' if count == 1 else 's'}")],
            )
        )
    return flags


def minimum_period():
    """One flag per published call-off whose bids were due less than a day after the legal
    minimum from publication."""
    config = current_app.config
    rows = (
        db.session.execute(
            sa.select(Opportunity)
            .where(
                Opportunity.published_at.is_not(None),
                Opportunity.submission_deadline.is_not(None),
                Opportunity.status != OpportunityStatus.CANCELLED,
            )
            .order_by(Opportunity.published_at.desc(), Opportunity.id)
        )
        .scalars()
        .all()
    )
    found = []
    for opportunity in rows:
        days = (
            config["QUICK_QUOTE_MIN_DAYS"]
            if opportunity.kind == OpportunityKind.QUICK_QUOTE
            else config["MIN_TENDER_DAYS"]
        )
        if opportunity.submission_deadline < earliest_deadline(
            opportunity.published_at, days
        ) + timedelta(days=1):
            found.append((opportunity, days))
    lots, buyers = _context([o for o, _ in found])
    flags = []
    for opportunity, days in found:
        period = opportunity.submission_deadline - opportunity.published_at
        flags.append(
            Flag(
                MINIMUM_PERIOD,
                f"‘{opportunity.title}’ ({buyers.get(opportunity.buyer_id)}) gave suppliers "
                f"{_days(period)} to bid, the least the law allows ({days} days). A short "
                "period favours suppliers who knew it was coming.",
                [_call_off(opportunity, lots, buyers, f"{_days(period)} from publication")],
            )
        )
    return flags


def _days(period):
    days = period.total_seconds() / 86400
    whole = int(days)
    hours = round((days - whole) * 24)
    text = f"{whole} day{'' if whole == 1 else 's'}"
    return text + (f" {hours} hour{'' if hours == 1 else 's'}" if hours else "")


def same_winner():
    """One flag per buyer and lot where, of at least ``INTEGRITY_MIN_CALL_OFFS`` awarded
    call-offs, one supplier won more than ``INTEGRITY_WIN_PERCENT`` per cent."""
    config = current_app.config
    least, share = config["INTEGRITY_MIN_CALL_OFFS"], config["INTEGRITY_WIN_PERCENT"]
    rows = db.session.execute(
        sa.select(Opportunity, Bid.organisation_id)
        .join(Award, Award.opportunity_id == Opportunity.id)
        .join(Bid, Bid.id == Award.winner_bid_id)
        .where(Award.status.in_([AwardStatus.CONFIRMED, AwardStatus.CONTRACTED]))
        .order_by(Opportunity.id)
    ).all()
    groups = defaultdict(list)
    for opportunity, winner in rows:
        groups[(opportunity.buyer_id, opportunity.lot_id)].append((opportunity, winner))
    lots, buyers = _context([o for o, _ in rows])
    winners = _names({w for _, w in rows})
    flags = []
    for (buyer_id, lot_id), awarded in sorted(groups.items()):
        if len(awarded) < least:
            continue
        counts = defaultdict(int)
        for _opportunity, winner in awarded:
            counts[winner] += 1
        winner, won = max(counts.items(), key=lambda kv: (kv[1], -kv[0]))
        if 100 * won <= share * len(awarded):
            continue
        flags.append(
            Flag(
                SAME_WINNER,
                f"{winners.get(winner)} won {won} of the {len(awarded)} call-offs "
                f"{buyers.get(buyer_id)} awarded in {lots.get(lot_id)}. Check that every "
                "admitted supplier was invited and that the criteria did not favour it.",
                [
                    _call_off(
                        o,
                        lots,
                        buyers,
                        "won by " + (winners.get(w) or "") if w == winner else "won by another",
                    )
                    for o, w in awarded
                ],
            )
        )
    return flags


def reruns():
    """One flag per cancelled call-off followed, within ``RERUN_DAYS`` of its cancellation, by
    another of the same buyer in the same lot with a title alike."""
    cancelled = (
        db.session.execute(
            sa.select(Opportunity)
            .where(
                Opportunity.status == OpportunityStatus.CANCELLED,
                Opportunity.cancelled_at.is_not(None),
            )
            .order_by(Opportunity.cancelled_at, Opportunity.id)
        )
        .scalars()
        .all()
    )
    pairs = []
    for first in cancelled:
        later = (
            db.session.execute(
                sa.select(Opportunity)
                .where(
                    Opportunity.buyer_id == first.buyer_id,
                    Opportunity.lot_id == first.lot_id,
                    Opportunity.id != first.id,
                    Opportunity.published_at.is_not(None),
                    Opportunity.published_at >= first.cancelled_at,
                    Opportunity.published_at <= first.cancelled_at + timedelta(days=RERUN_DAYS),
                )
                .order_by(Opportunity.published_at, Opportunity.id)
            )
            .scalars()
            .all()
        )
        again = [
            o
            for o in later
            if fuzz.token_set_ratio(first.title.casefold(), o.title.casefold()) >= RERUN_SIMILARITY
        ]
        if again:
            pairs.append((first, again))
    lots, buyers = _context([o for first, again in pairs for o in [first, *again]])
    flags = []
    for first, again in pairs:
        when = format_date(to_local(first.cancelled_at).date())
        flags.append(
            Flag(
                RERUN,
                f"{buyers.get(first.buyer_id)} cancelled ‘{first.title}’ on {when} "
                f"(‘{first.cancel_reason}’) and published {len(again)} alike in the same lot "
                "soon after. Check why it was cancelled and who bid each time.",
                [_call_off(first, lots, buyers, f"cancelled on {when}")]
                + [
                    _call_off(
                        o,
                        lots,
                        buyers,
                        f"published on {format_date(to_local(o.published_at).date())}",
                    )
                    for o in again
                ],
            )
        )
    return flags


def all_flags(now=None):
    """{kind: [Flag]} in the order of ``KINDS``."""
    return {
        FEW_BIDS: few_bids(now),
        MINIMUM_PERIOD: minimum_period(),
        SAME_WINNER: same_winner(),
        RERUN: reruns(),
    }
