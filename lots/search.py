"""Finding opportunities: full-text search with filters, sorting and pagination.

On PostgreSQL, a stored ``tsvector`` column (title weighted A, summary B, description C, buyer D)
with a GIN index answers ``websearch_to_tsquery``; on SQLite (``make run``) a LIKE fallback gives
the same results on the demo data, with title matches ranked first. Every filter comes from the
URL, so a search can be bookmarked.
"""
import re
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.timeutil import utcnow
from dps.models import Lot, ReservedFor
from lots.models import LotCpvCode, Opportunity, OpportunityKind, OpportunityStatus

PAGE_SIZE = 20
SORTS = {"relevance": "Most relevant", "closing": "Closing soonest", "newest": "Newest",
         "value_high": "Highest value", "value_low": "Lowest value"}
SEARCH_VECTOR = sa.column("search_vector")  # PostgreSQL only: added by migration 0005


@dataclass
class Filters:
    q: str = ""
    lot_id: int | None = None
    cpv_division: str | None = None
    region_code: str | None = None
    local_authority_code: str | None = None
    min_value_pence: int | None = None
    max_value_pence: int | None = None
    vcse_only: bool = False
    kind: str | None = None
    status: str = "open"
    closing_within_days: int | None = None
    sort: str = "closing"
    page: int = 1
    errors: dict = field(default_factory=dict)


def _int(value, minimum=None, maximum=None):
    value = (value or "").strip().replace(",", "").lstrip("£")
    if not re.fullmatch(r"\d{1,12}", value):
        return None
    number = int(value)
    if minimum is not None and number < minimum:
        return None
    if maximum is not None and number > maximum:
        return None
    return number


def parse(args):
    """Read filters from request.args, ignoring anything malformed (and saying so)."""
    f = Filters()
    f.q = (args.get("q") or "").strip()[:200]
    f.lot_id = _int(args.get("lot"))
    division = (args.get("cpv") or "").strip()
    f.cpv_division = division if re.fullmatch(r"\d{2}", division) else None
    region = (args.get("region") or "").strip()
    f.region_code = region if re.fullmatch(r"[A-Z]{3}", region) else None
    la = (args.get("local_authority") or "").strip()
    f.local_authority_code = la if re.fullmatch(r"[A-Z0-9]{2,5}", la) else None
    for name, attr in (("min_value", "min_value_pence"), ("max_value", "max_value_pence")):
        raw = args.get(name)
        if raw:
            pounds = _int(raw, 0)
            if pounds is None:
                f.errors[name] = "Enter an amount in pounds, like 25000"
            else:
                setattr(f, attr, pounds * 100)
    f.vcse_only = args.get("vcse") in ("1", "on", "yes", "true")
    f.kind = args.get("kind") if args.get("kind") in {k.value for k in OpportunityKind} else None
    f.status = args.get("status") if args.get("status") in ("open", "closed", "all") else "open"
    f.closing_within_days = _int(args.get("closing_within"), 1, 365)
    default_sort = "relevance" if f.q else "closing"
    f.sort = args.get("sort") if args.get("sort") in SORTS else default_sort
    if f.sort == "relevance" and not f.q:
        f.sort = "closing"
    f.page = _int(args.get("page"), 1, 10_000) or 1
    return f


def _terms(q):
    return [t for t in re.findall(r"[\w£'-]+", q.lower()) if len(t) > 1][:10]


def search(f, now=None):
    """Return (opportunities, total) for the filters."""
    now = now or utcnow()
    dialect = db.session.get_bind().dialect.name
    stmt = sa.select(Opportunity).where(Opportunity.status.in_(
        [OpportunityStatus.PUBLISHED, OpportunityStatus.AWARDED, OpportunityStatus.CANCELLED,
         OpportunityStatus.NO_SUITABLE_BID]))
    rank = None
    if f.q:
        if dialect == "postgresql":
            query = sa.func.websearch_to_tsquery("english", f.q)
            stmt = stmt.where(SEARCH_VECTOR.op("@@")(query))
            rank = sa.func.ts_rank_cd(SEARCH_VECTOR, query)
        else:
            terms = _terms(f.q)
            if not terms:
                return [], 0
            for term in terms:
                like = f"%{term}%"
                stmt = stmt.where(sa.or_(*(sa.func.lower(col).like(like) for col in (
                    Opportunity.title, Opportunity.summary, Opportunity.description,
                    Opportunity.buyer_name))))
            title_hits = sum(sa.case((sa.func.lower(Opportunity.title).like(f"%{t}%"), 1),
                                     else_=0) for t in terms)
            rank = title_hits * 1.0
    if f.lot_id:
        stmt = stmt.where(Opportunity.lot_id == f.lot_id)
    if f.cpv_division:
        stmt = stmt.where(Opportunity.lot_id.in_(sa.select(LotCpvCode.lot_id).where(
            LotCpvCode.cpv_code.like(f"{f.cpv_division}%"))))
    if f.region_code:
        stmt = stmt.where(sa.or_(Opportunity.region_code == f.region_code,
                                 Opportunity.location_type == "national"))
    if f.local_authority_code:
        stmt = stmt.where(Opportunity.location_type == "local_authority",
                          Opportunity.location_code == f.local_authority_code)
    if f.min_value_pence is not None:
        stmt = stmt.where(Opportunity.estimated_value_pence >= f.min_value_pence)
    if f.max_value_pence is not None:
        stmt = stmt.where(Opportunity.estimated_value_pence <= f.max_value_pence)
    if f.vcse_only:
        stmt = stmt.where(sa.or_(Opportunity.reserved_vcse.is_(True),
                                 Opportunity.lot_id.in_(sa.select(Lot.id).where(
                                     Lot.reserved_for == ReservedFor.VCSE))))
    if f.kind:
        stmt = stmt.where(Opportunity.kind == f.kind)
    open_now = sa.and_(Opportunity.status == OpportunityStatus.PUBLISHED,
                       Opportunity.submission_deadline > now)
    if f.status == "open":
        stmt = stmt.where(open_now)
    elif f.status == "closed":
        stmt = stmt.where(~open_now)
    if f.closing_within_days:
        stmt = stmt.where(open_now,
                          Opportunity.submission_deadline <= now + timedelta(
                              days=f.closing_within_days))
    total = db.session.execute(sa.select(sa.func.count()).select_from(
        stmt.with_only_columns(Opportunity.id).subquery())).scalar_one()
    order = {
        "closing": [Opportunity.submission_deadline.asc()],
        "newest": [Opportunity.published_at.desc()],
        "value_high": [Opportunity.estimated_value_pence.desc()],
        "value_low": [Opportunity.estimated_value_pence.asc()],
        "relevance": [rank.desc() if rank is not None else Opportunity.published_at.desc(),
                      Opportunity.submission_deadline.asc()],
    }[f.sort]
    rows = db.session.execute(stmt.order_by(*order, Opportunity.id.asc()).limit(PAGE_SIZE)
                              .offset((f.page - 1) * PAGE_SIZE)
                              .options(selectinload(Opportunity.lot))).scalars().all()
    return rows, total


def closes_in_words(deadline, now=None):
    """'closes today', 'closes tomorrow', 'closes in 3 days', 'closed'."""
    from app.timeutil import to_local
    now = now or utcnow()
    if deadline <= now:
        return "closed"
    days = (to_local(deadline).date() - to_local(now).date()).days
    if days == 0:
        return "closes today"
    if days == 1:
        return "closes tomorrow"
    return f"closes in {days} days"
