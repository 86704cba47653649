"""Social value delivered: the buyer records, period by period, what a contract delivered
against each commitment the winner made in its bid."""

from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.timeutil import utcnow
from app.unitofwork import commit
from lots.awards.models import SocialValueDelivery
from lots.awards.permissions import may_record_delivery

MAX_QUANTITY = Decimal(10) ** 12  # social value quantities fit NUMERIC(14, 2)


def record_delivery(user, commitment, period_start, period_end, delivered, note=None):
    """The buyer records what was delivered against a commitment for a period."""
    contract = commitment.contract
    if not may_record_delivery(user, contract):
        raise NotAllowed("You need the buyer role to record delivery")
    if period_end < period_start:
        raise ServiceError("The end of the period must be on or after its start", "period_end")
    if period_start < contract.start_date:
        raise ServiceError("The period must start on or after the contract's start", "period_start")
    try:
        amount = Decimal(str(delivered).strip().replace(",", ""))
    except InvalidOperation:
        raise ServiceError(
            "Enter the amount delivered as a number, like 2 or 1.5", "delivered"
        ) from None
    if (
        not amount.is_finite()
        or amount < 0
        or amount >= MAX_QUANTITY
        or amount != amount.quantize(Decimal("0.01"))
    ):
        raise ServiceError(
            "Enter the amount delivered as a number, like 2 or 1.5, with at most 2 decimal places",
            "delivered",
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
