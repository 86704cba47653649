"""Social value delivered: the buyer records, period by period, what a contract delivered
against each commitment the winner made in its bid."""

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.reference import social_value
from app.timeutil import format_date, utcnow
from app.unitofwork import commit
from lots.awards import figures
from lots.awards.models import SocialValueDelivery
from lots.awards.permissions import may_record_delivery


def record_delivery(user, commitment, period_start, period_end, delivered, note=None):
    """The buyer records what was delivered against a commitment for a period: a value of the
    measure's type (a whole count, pounds and pence, a decimal quantity, or a percentage from 0
    to 100), refused otherwise."""
    contract = commitment.contract
    if not may_record_delivery(user, contract):
        raise NotAllowed("You need the buyer role to record delivery")
    if contract.reporting_frequency is not None and contract.returns:
        raise ServiceError(
            "This contract has a reporting schedule: delivery is recorded when you accept the "
            "supplier's returns",
            "delivered",
        )
    if period_end < period_start:
        raise ServiceError("The end of the period must be on or after its start", "period_end")
    if period_start < contract.start_date:
        raise ServiceError("The period must start on or after the contract's start", "period_start")
    if period_end > contract.end_date:
        # A year typed wrong (9999) would otherwise stand in the contract's record for good.
        raise ServiceError(
            "The period must end on or before the contract's end, "
            f"{format_date(contract.end_date)}",
            "period_end",
        )
    amount = social_value.check_value(
        commitment.measure,
        delivered,
        "delivered",
        "Enter the amount delivered as a number, like 2 or 1.5",
    )
    clash = db.session.execute(
        sa.select(SocialValueDelivery.id).where(
            SocialValueDelivery.commitment_id == commitment.id,
            SocialValueDelivery.period_start <= period_end,
            SocialValueDelivery.period_end >= period_start,
        )
    ).first()
    if clash:
        raise ServiceError("Delivery for part of this period is already recorded", "period_start")
    row = SocialValueDelivery(
        commitment_id=commitment.id,
        period_start=period_start,
        period_end=period_end,
        delivered=amount,
        note=(note or "").strip() or None,
        recorded_by_id=user.id,
        recorded_at=utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    figures.refresh([commitment.id])
    record(
        E.RECORD_SOCIAL_VALUE_DELIVERY,
        subject=row,
        actor=user,
        organisation_id=contract.buyer_id,
        detail={
            "measure_id": commitment.measure_id,
            "delivered": str(amount),
            "period": [period_start.isoformat(), period_end.isoformat()],
        },
    )
    commit()
    return row


def delivered_so_far(commitment):
    """What the periods recorded come to under the measure's own rule: a sum, the latest
    period, their average or the highest (None when nothing is recorded for a level)."""
    return social_value.aggregate(
        commitment.measure.aggregation, [d.delivered for d in commitment.deliveries]
    )
