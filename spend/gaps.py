"""The gaps: categories of a buyer's spend where much goes to large or distant suppliers, and where
VCSEs are already admitted to a lot of the DPS that covers that work, so the buyer could lot it
for them (a call-off under that lot, below the threshold reserved for VCSEs or for its area).

A category is a gap when, in the report's year:

- its spend with suppliers that are large (not an SME) or outside the buyer's area, and not
  VCSEs, comes to at least ``SPEND_GAP_MIN_PENCE`` (configuration; £10,000 by default), and
- a lot of the DPSs the buyer has joined (every DPS's, for the operator's report) covers that
  work, by its words: at least half the category's own words (less the common ones: "services",
  "and", "other"...) appear in the lot's title, description or CPV codes' descriptions, and
- at least one VCSE holds that lot (the directory's rule: ``dps.queries.vcse_organisation_ids``).

``find_gaps`` works on the report's figures and a list of ``LotOffer``s, so it is tested on its
own; ``lot_offers`` reads the lots and who holds them.
"""

import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.extensions import db
from app.reference import cpv
from dps.models import Lot, LotMembership, MembershipStatus
from dps.queries import vcse_organisation_ids
from lots.opportunities.models import DpsBuyer, LotCpvCode
from spend import classify, reports

STOPWORDS = frozenset(
    """and or of the for to in on with by at from a an other others general misc miscellaneous
    services service supplies supply goods works work costs cost charges charge fees fee payments
    payment expenses expense contract contracts contracted purchase purchases provision provider
    providers various non external internal""".split()
)
MATCH_SHARE = 0.5  # at least half the category's words in the lot's words
TOP_SUPPLIERS = 5  # the suppliers named behind each gap


def word_list(text):
    """The words that say what a text is about, in order, lower case, singular by a plain rule."""
    out = []
    for word in re.findall(r"[a-z]+", (text or "").casefold()):
        if len(word) < 3 or word in STOPWORDS:
            continue
        if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.append(word)
    return out


def words(text):
    return set(word_list(text))


def shared_words(category, offered):
    """The category's words found in ``offered`` (a set of words), a pair of its words written
    as one ("home care" in "homecare") counting as both."""
    found = set(category) & offered
    for first, second in zip(category, category[1:], strict=False):
        if first + second in offered:
            found |= {first, second}
    return found


@dataclass(frozen=True)
class LotOffer:
    """A lot a buyer could call off under, and the VCSEs that hold it."""

    lot_id: int
    label: str  # "Lot 3: Homecare: north patch"
    words: frozenset  # of its title, description and CPV codes
    title_words: frozenset
    vcse_ids: frozenset  # VCSEs holding the lot
    local_vcse_ids: frozenset = frozenset()  # those of them in the buyer's area


@dataclass
class GapSupplier:
    name: str
    pence: int
    reasons: list  # ["large", "outside your area"]


@dataclass
class Gap:
    category: str
    spend: int  # the category's spend counted in the year
    with_large_or_distant: int
    suppliers: list  # GapSupplier, biggest first (at most TOP_SUPPLIERS)
    other_suppliers: int  # how many more are behind it
    lots: list  # LotOffer that cover the work
    matched_words: list = field(default_factory=list)

    @property
    def share(self):
        return 100 * self.with_large_or_distant / self.spend if self.spend else 0.0

    @property
    def vcse_count(self):
        return len(frozenset().union(*(lot.vcse_ids for lot in self.lots)))

    @property
    def local_vcse_count(self):
        return len(frozenset().union(*(lot.local_vcse_ids for lot in self.lots)))


def reasons_of(kind):
    """Why a supplier's spend counts towards a gap: [] when it does not."""
    if kind.vcse:
        return []
    reasons = []
    if kind.sme is False:
        reasons.append("large")
    if kind.local is False:
        reasons.append("outside the area")
    return reasons


def covering(category, offers):
    """The offers that best cover a category: their words hold at least half the category's,
    and of those the ones whose titles share most (a word in the title counts twice). Returns
    (offers, the words they share)."""
    category_words = word_list(category)
    if not category_words:
        return [], []
    scored = []
    for offer in offers:
        common = shared_words(category_words, offer.words)
        if common and len(common) >= MATCH_SHARE * len(set(category_words)):
            in_title = shared_words(category_words, offer.title_words)
            scored.append((len(common) + len(in_title), offer, common))
    if not scored:
        return [], []
    best = max(score for score, _offer, _common in scored)
    chosen = [(offer, common) for score, offer, common in scored if score == best]
    return [offer for offer, _ in chosen], sorted(set().union(*(c for _, c in chosen)))


def find_gaps(report, offers, min_pence):
    """The report's year's gaps, the most money first."""
    gaps = []
    gap_classes = {}
    for category, row in report.categories.items():
        # Added up by kind of supplier first: the suppliers behind it only for a gap.
        total = 0
        for cls, pence in report.category_classes.get(category, {}).items():
            if cls not in gap_classes:
                gap_classes[cls] = bool(reasons_of(reports.kind_of_class(cls)))
            total += pence if gap_classes[cls] else 0
        if total < min_pence:
            continue
        lots, shared = covering(category, [offer for offer in offers if offer.vcse_ids])
        if not lots:
            continue
        behind = []
        for supplier, pence in report.behind(category):
            if pence <= 0:
                continue
            reasons = reasons_of(report.kinds[supplier])
            if reasons:
                behind.append(GapSupplier(report.names[supplier], pence, reasons))
        behind.sort(key=lambda s: (-s.pence, s.name))
        gaps.append(
            Gap(
                category=category,
                spend=row.counted,
                with_large_or_distant=total,
                suppliers=behind[:TOP_SUPPLIERS],
                other_suppliers=max(0, len(behind) - TOP_SUPPLIERS),
                lots=lots,
                matched_words=shared,
            )
        )
    return sorted(gaps, key=lambda g: (-g.with_large_or_distant, g.category))


def lot_offers(buyer=None):
    """The lots of the DPSs ``buyer`` has joined (every lot when ``buyer`` is None or has joined
    none), each with its words and the VCSEs holding it (and which are in the buyer's area)."""
    stmt = sa.select(Lot).order_by(Lot.dps_id, Lot.number)
    if buyer is not None:
        joined = sa.select(DpsBuyer.dps_id).where(DpsBuyer.organisation_id == buyer.id)
        if db.session.execute(joined.limit(1)).first() is not None:
            stmt = stmt.where(Lot.dps_id.in_(joined))
    lots = db.session.execute(stmt).scalars().all()
    if not lots:
        return []
    ids = [lot.id for lot in lots]
    codes = {}
    for lot_id, code in db.session.execute(
        sa.select(LotCpvCode.lot_id, LotCpvCode.cpv_code).where(LotCpvCode.lot_id.in_(ids))
    ):
        codes.setdefault(lot_id, []).append(code)
    holders = {}
    for lot_id, org_id in db.session.execute(
        sa.select(LotMembership.lot_id, LotMembership.organisation_id).where(
            LotMembership.lot_id.in_(ids),
            LotMembership.status == MembershipStatus.ADMITTED,
            LotMembership.organisation_id.in_(vcse_organisation_ids()),
        )
    ):
        holders.setdefault(lot_id, set()).add(org_id)
    local = set()
    if buyer is not None:
        districts = classify.area_districts(buyer)
        every = set().union(*holders.values()) if holders else set()
        for org_id, facts in classify.facts_of(every).items():
            if classify.kind_for(facts, districts).local:
                local.add(org_id)
    offers = []
    for lot in lots:
        text = " ".join(
            [lot.title, lot.description or ""]
            + [c.description for c in map(cpv.get, codes.get(lot.id, [])) if c]
        )
        vcses = frozenset(holders.get(lot.id, ()))
        offers.append(
            LotOffer(
                lot_id=lot.id,
                label=f"Lot {lot.number}: {lot.title}",
                words=frozenset(words(text)),
                title_words=frozenset(words(lot.title)),
                vcse_ids=vcses,
                local_vcse_ids=frozenset(vcses & local),
            )
        )
    return offers
