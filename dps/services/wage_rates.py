"""Living wage rates: the ones the project ships (``app.reference.living_wage``) and the ones the
operator loads when new rates are announced. A rate is in force from its announcement; employers
have until its ``pay_by`` date to pay it (the Living Wage Foundation's "implement by" date, or six
months after the announcement when none is known). A lot's living wage condition asks for the
latest rate whose pay-by date has come; a newer one is shown as what must be paid by when.

Loading a rate tells every supplier holding a lot with a living wage condition what it is and by
when it must be paid; after that date the daily job flags any that declared less (``conditions``).
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.money import money
from app.reference import living_wage
from app.timeutil import format_date
from app.unitofwork import commit
from app.urls import absolute_url
from dps.models import (
    ConditionKind,
    LivingWageRate,
    Lot,
    LotCondition,
    LotMembership,
    MembershipCondition,
)
from dps.permissions import require_operator
from dps.services.standing import HELD, email_organisation

PAY_WITHIN = relativedelta(months=6)


@dataclass(frozen=True)
class Rate:
    year: str
    announced_on: date
    pay_by: date
    uk_pence: int
    london_pence: int
    loaded: bool = False  # loaded by the operator, rather than shipped

    def pence(self, london):
        return self.london_pence if london else self.uk_pence


def _shipped():
    return {
        r.year: Rate(
            r.year,
            r.announced_on,
            r.pay_by or r.announced_on + PAY_WITHIN,
            r.uk_pence,
            r.london_pence,
        )
        for r in living_wage.rates()
    }


def rates():
    """Every rate, oldest announcement first; a loaded rate replaces a shipped one of its year."""
    found = _shipped()
    for row in db.session.execute(sa.select(LivingWageRate)).scalars():
        found[row.rate_year] = Rate(
            row.rate_year, row.announced_on, row.pay_by, row.uk_pence, row.london_pence, True
        )
    return sorted(found.values(), key=lambda r: r.announced_on)


def rate_on(day):
    """The rate in force (announced) on ``day``, or None before the first one."""
    return next((r for r in reversed(rates()) if r.announced_on <= day), None)


def must_pay_on(day):
    """The rate an employer must pay on ``day``: the latest whose pay-by date has come."""
    return next((r for r in reversed(rates()) if r.pay_by <= day), None)


def next_rate(day):
    """A rate announced by ``day`` that need not be paid yet (its pay-by date is later)."""
    return next((r for r in rates() if r.announced_on <= day < r.pay_by), None)


def load_rate(admin, *, rate_year, announced_on, pay_by, uk_pence, london_pence):
    """Record a newly announced rate and tell every supplier holding a lot with a living wage
    condition what it is and by when to pay it."""
    require_operator(admin, "Only the DPS operator can load living wage rates")
    rate_year = (rate_year or "").strip()
    if not rate_year:
        raise ServiceError("Enter the year the rate is for, like 2026-27", "rate_year")
    if not isinstance(announced_on, date):
        raise ServiceError("Enter the date the rate was announced", "announced_on")
    if not isinstance(pay_by, date):
        raise ServiceError("Enter the date by which employers must pay it", "pay_by")
    if pay_by < announced_on:
        raise ServiceError("The pay-by date must be on or after the announcement", "pay_by")
    for field, value in (("uk_pence", uk_pence), ("london_pence", london_pence)):
        if not isinstance(value, int) or value <= 0:
            raise ServiceError("Enter the hourly rate in pounds and pence, like 13.85", field)
    if db.session.execute(
        sa.select(LivingWageRate.id).where(LivingWageRate.rate_year == rate_year)
    ).first():
        raise ServiceError(f"The {rate_year} rate has already been loaded", "rate_year")
    row = LivingWageRate(
        rate_year=rate_year,
        announced_on=announced_on,
        pay_by=pay_by,
        uk_pence=uk_pence,
        london_pence=london_pence,
        loaded_by_id=admin.id,
    )
    db.session.add(row)
    db.session.flush()
    told = _tell_holders(row)
    record(
        E.LOAD_LIVING_WAGE_RATE,
        subject=row,
        actor=admin,
        detail={
            "rate_year": rate_year,
            "announced_on": announced_on.isoformat(),
            "pay_by": pay_by.isoformat(),
            "uk_pence": uk_pence,
            "london_pence": london_pence,
            "notified_organisation_ids": told,
        },
    )
    commit()
    return row


def _tell_holders(row):
    """Email each organisation holding a lot with a living wage condition once, with the rate of
    its condition (London's or the UK's)."""
    holders = db.session.execute(
        sa.select(LotMembership.organisation_id, MembershipCondition.london)
        .join(LotCondition, LotCondition.lot_id == LotMembership.lot_id)
        .join(MembershipCondition, MembershipCondition.id == LotCondition.condition_id)
        .join(Lot, Lot.id == LotMembership.lot_id)
        .where(
            LotMembership.status.in_(HELD),
            MembershipCondition.kind == ConditionKind.LIVING_WAGE,
        )
        .distinct()
        .order_by(LotMembership.organisation_id)
    ).all()
    told = {}
    for organisation_id, london in holders:
        # An organisation held to London's rate by one lot is told London's.
        told[organisation_id] = told.get(organisation_id, False) or london
    for organisation_id, london in told.items():
        email_organisation(
            organisation_id,
            "living_wage_rate_announced",
            f"{row.rate_year}",
            rate_name="London Living Wage" if london else "Real Living Wage",
            rate=money(row.london_pence if london else row.uk_pence),
            rate_year=row.rate_year,
            pay_by=format_date(row.pay_by),
            url=absolute_url("dps.organisation_lots", organisation_id=organisation_id),
        )
    return sorted(told)
