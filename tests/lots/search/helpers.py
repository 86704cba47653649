"""What the search tests share: two lots with CPV codes, opportunities published on them, and the
words a plain reading ranks by."""

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSQUERY

from app.extensions import db
from lots.opportunities.models import LotCpvCode, Opportunity, OpportunityKind, OpportunityStatus
from tests.lots.helpers import NOW, setup_world


def lots_with_cpv_codes():
    """The test world (tests.lots.helpers), its first lot covering 85311000-2 (social work) and its
    second 55520000-1 (catering); returns (lots, buyer)."""
    _admin, _dps, lots, _user, buyer = setup_world()
    db.session.add_all(
        [
            LotCpvCode(lot_id=lots[0].id, cpv_code="85311000-2"),
            LotCpvCode(lot_id=lots[1].id, cpv_code="55520000-1"),
        ]
    )
    db.session.commit()
    return lots, buyer


def publish(
    lot,
    buyer,
    title,
    summary="A service",
    description="Details",
    value=1_000_000,
    days=14,
    published_days_ago=0,
    **extra,
):
    """An opportunity published ``published_days_ago`` days before NOW, closing ``days`` after."""
    opportunity = Opportunity(
        dps_id=lot.dps_id,
        lot_id=lot.id,
        buyer_id=buyer.id,
        created_by_id=1,
        kind=extra.pop("kind", OpportunityKind.MINI_COMPETITION),
        title=title,
        summary=summary,
        description=description,
        estimated_value_pence=value,
        status=extra.pop("status", OpportunityStatus.PUBLISHED),
        published_at=NOW - timedelta(days=published_days_ago),
        submission_deadline=NOW + timedelta(days=days),
        buyer_name=extra.pop("buyer_name", buyer.name),
        **extra,
    )
    db.session.add(opportunity)
    db.session.commit()
    return opportunity


def ranked_words(query):
    """The words a search ranks by, written plainly: the query without those it excludes
    (``querytree``), or the whole query when it only excludes."""
    tree = sa.func.querytree(query)
    return sa.case((tree == "T", query), else_=sa.cast(tree, TSQUERY))
