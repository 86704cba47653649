"""A contract's reporting schedule: one social value return per month or quarter of the
contract, counted from its start, each due ``SOCIAL_VALUE_RETURN_DAYS`` after its period ends."""

import calendar
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.timeutil import to_local, utcnow
from lots.awards.models import (
    ReportingFrequency,
    ReturnStatus,
    SocialValueCommitment,
    SocialValueReturn,
)

MONTHS = {ReportingFrequency.MONTHLY: 1, ReportingFrequency.QUARTERLY: 3}
FREQUENCY_LABELS = {
    ReportingFrequency.MONTHLY: "Monthly",
    ReportingFrequency.QUARTERLY: "Quarterly",
}


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def today():
    return to_local(utcnow()).date()


def periods(start, end, frequency):
    """[(first day, last day)] from ``start`` to ``end``, a month or a quarter each, counted
    from the contract's start; the last one stops at the contract's end."""
    step = MONTHS[ReportingFrequency(frequency)]
    found, i = [], 0
    while True:
        first = add_months(start, step * i)
        if first > end:
            return found
        last = min(add_months(start, step * (i + 1)) - timedelta(days=1), end)
        found.append((first, last))
        i += 1


def due_days():
    return current_app.config.get("SOCIAL_VALUE_RETURN_DAYS", 30)


def make_schedule(contract, frequency):
    """The contract's returns, one per period (none without commitments). No commit: called in
    the transaction that enters the contract, or that sets its frequency."""
    frequency = ReportingFrequency(frequency)
    contract.reporting_frequency = frequency
    promised = db.session.execute(
        sa.select(sa.func.count())
        .select_from(SocialValueCommitment)
        .where(SocialValueCommitment.contract_id == contract.id)
    ).scalar()
    if not promised:
        return []
    made = [
        SocialValueReturn(
            contract_id=contract.id,
            period_start=first,
            period_end=last,
            due_on=last + timedelta(days=due_days()),
            status=ReturnStatus.AWAITING,
            evidence_ids=[],
            submissions=0,
        )
        for first, last in periods(contract.start_date, contract.end_date, frequency)
    ]
    db.session.add_all(made)
    db.session.flush()
    return made
