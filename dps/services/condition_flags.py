"""Staying admitted to a lot with conditions: what a member told the operator last, a change it
declares, each renewal's answers and a new wage rate's pay-by date, each checked again; a member
that stops meeting a condition is flagged to the operator, who may suspend it from that lot with
reasons or dismiss the flag. The answers and checks are ``dps.services.condition_answers``."""

import sqlalchemy as sa

from app.accounts.models import User
from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.organisations.models import Organisation
from app.outbox.services import queue_email
from app.timeutil import utcnow
from app.unitofwork import commit
from app.urls import absolute_url
from dps.models import (
    ConditionDeclaration,
    ConditionFlag,
    ConditionKind,
    FlagStatus,
    Lot,
    LotCondition,
    LotMembership,
    MembershipCondition,
    MembershipStatus,
)
from dps.permissions import require_acting_for, require_operator
from dps.services import lot_conditions, wage_rates
from dps.services.clock import today
from dps.services.condition_answers import CHANGE, RENEWAL, check, field_name, parse_answer
from dps.services.standing import HELD, email_organisation, set_status

# --- Staying admitted: renewals, changes, new wage rates, flags ----------------------------------


def held_lots_by_condition(organisation_id, dps_id, statuses=HELD):
    """{condition: [lot]} for the lots the organisation holds in the DPS."""
    rows = db.session.execute(
        sa.select(MembershipCondition, Lot)
        .join(LotCondition, LotCondition.condition_id == MembershipCondition.id)
        .join(Lot, Lot.id == LotCondition.lot_id)
        .join(LotMembership, LotMembership.lot_id == Lot.id)
        .where(
            LotMembership.organisation_id == organisation_id,
            LotMembership.status.in_(statuses),
            Lot.dps_id == dps_id,
        )
        .order_by(MembershipCondition.id, Lot.number)
    ).all()
    found = {}
    for condition, lot in rows:
        found.setdefault(condition, []).append(lot)
    return found


def latest_declaration(organisation_id, condition_id):
    return db.session.execute(
        sa.select(ConditionDeclaration)
        .where(
            ConditionDeclaration.organisation_id == organisation_id,
            ConditionDeclaration.condition_id == condition_id,
        )
        .order_by(ConditionDeclaration.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def flag(organisation_id, lot, condition, cause, reason):
    """Flag, once per cause, a supplier that no longer meets a condition of a lot it holds. Part
    of the caller's transaction; returns the new flag, or None if this cause flagged it before."""
    exists = db.session.execute(
        sa.select(ConditionFlag.id).where(
            ConditionFlag.organisation_id == organisation_id,
            ConditionFlag.lot_id == lot.id,
            ConditionFlag.condition_id == condition.id,
            ConditionFlag.cause == cause,
        )
    ).first()
    if exists:
        return None
    row = ConditionFlag(
        organisation_id=organisation_id,
        lot_id=lot.id,
        condition_id=condition.id,
        cause=cause,
        reason=reason,
    )
    db.session.add(row)
    db.session.flush()
    record(
        E.FLAG_CONDITION,
        subject=row,
        organisation_id=organisation_id,
        detail={"lot_id": lot.id, "condition_id": condition.id, "cause": cause, "reason": reason},
    )
    _tell_of_flag(row, lot, condition)
    return row


def _tell_of_flag(row, lot, condition):
    """Email the operator's people (every administrator) and the supplier's people (every member
    of the organisation), once per flag, through the outbox: sent after the caller's commit."""
    supplier = db.session.get(Organisation, row.organisation_id)
    admins = db.session.execute(
        sa.select(User)
        .where(User.is_admin.is_(True), User.email_undeliverable_at.is_(None))
        .order_by(User.id)
    ).scalars()
    for admin in admins:
        queue_email(
            admin.email,
            "condition_flag_raised",
            {
                "name": admin.name,
                "supplier": supplier.display_name,
                "lot": lot.label,
                "condition": condition.name,
                "reason": row.reason,
                "url": absolute_url("dps.admin_condition_flag", flag_id=row.id),
            },
            idempotency_key=f"condition_flag_raised:{row.id}:{admin.id}",
        )
    email_organisation(
        row.organisation_id,
        "condition_no_longer_met",
        row.id,
        lot=lot.label,
        condition=condition.name,
        reason=row.reason,
        url=absolute_url(
            "dps.declare_condition_change",
            organisation_id=row.organisation_id,
            dps_id=lot.dps_id,
        ),
    )


def parse_all(conditions, raw_by_condition, stage):
    """({condition id: answer}, {field: message}) for every condition, each required."""
    answers, errors = {}, {}
    for condition in conditions:
        answer, found = parse_answer(condition, raw_by_condition.get(condition.id) or {}, stage)
        if condition.evidence_required and not answer.get("document"):
            found.setdefault(field_name(condition, "document"), "Upload your evidence")
        errors.update(found)
        answers[condition.id] = answer
    return answers, errors


def declare_and_check(user, organisation_id, held, answers, source, cause, **links):
    """Record each answer as a declaration and flag every held lot whose condition it no longer
    meets; part of the caller's transaction. Returns the new flags."""
    flags = []
    for condition, lots in held.items():
        answer = answers[condition.id]
        declaration = lot_conditions.declare(
            user, organisation_id, condition, answer, source, **links
        )
        for lot in lots:
            result = check(condition, lot, answer, stage=source)
            if not result.met:
                row = flag(
                    organisation_id, lot, condition, f"{cause}:{declaration.id}", result.reason
                )
                if row is not None:
                    flags.append(row)
    return flags


def declare_change(user, organisation, condition, raw):
    """A supplier tells the operator a condition's answer has changed (its office has moved, say).
    The new answer is checked against every lot it holds with that condition; a lot whose
    condition it no longer meets is flagged to the operator."""
    require_acting_for(user, organisation.id)
    held = held_lots_by_condition(organisation.id, condition.dps_id)
    if condition not in held:
        raise ServiceError("Your organisation holds no lot with this condition")
    if raw.get("document"):
        lot_conditions.check_document(
            organisation.id, raw["document"], field_name(condition, "document")
        )
    answers, errors = parse_all([condition], {condition.id: raw}, CHANGE)
    if errors:
        field, message = next(iter(errors.items()))
        raise ServiceError(message, field)
    flags = declare_and_check(
        user, organisation.id, {condition: held[condition]}, answers, CHANGE, "change"
    )
    record(
        E.DECLARE_CONDITION_CHANGE,
        subject=organisation,
        actor=user,
        organisation=organisation,
        detail={"condition_id": condition.id, "flags": [f.id for f in flags]},
    )
    commit()
    return flags


def check_wages(on=None):
    """Daily: once a living wage rate's pay-by date has come, flag each supplier holding a lot
    with a living wage condition whose latest declaration pays less (and is not accredited).
    Idempotent: each rate flags a supplier's lot once."""
    on = on or today()
    rate = wage_rates.must_pay_on(on)
    if rate is None:
        return {"flagged": 0}
    rows = db.session.execute(
        sa.select(LotMembership, MembershipCondition)
        .join(LotCondition, LotCondition.lot_id == LotMembership.lot_id)
        .join(MembershipCondition, MembershipCondition.id == LotCondition.condition_id)
        .where(
            LotMembership.status == MembershipStatus.ADMITTED,
            MembershipCondition.kind == ConditionKind.LIVING_WAGE,
        )
        .order_by(LotMembership.id)
    ).all()
    flagged = 0
    for membership, condition in rows:
        declaration = latest_declaration(membership.organisation_id, condition.id)
        answer = declaration.answer if declaration else {}
        result = check(condition, membership.lot, answer, on=on, stage=RENEWAL)
        if not result.met and flag(
            membership.organisation_id,
            membership.lot,
            condition,
            f"rate:{rate.year}",
            result.reason,
        ):
            flagged += 1
    commit()
    return {"flagged": flagged}


def open_flags(dps_id=None):
    stmt = (
        sa.select(ConditionFlag)
        .join(Lot, Lot.id == ConditionFlag.lot_id)
        .where(ConditionFlag.status == FlagStatus.OPEN)
        .order_by(ConditionFlag.found_at, ConditionFlag.id)
    )
    if dps_id is not None:
        stmt = stmt.where(Lot.dps_id == dps_id)
    return db.session.execute(stmt).scalars().all()


def _review(admin, row, status, reason):
    require_operator(admin, "Only the DPS operator can act on a flag")
    if row.status != FlagStatus.OPEN:
        raise ServiceError("This flag has already been dealt with")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Enter the reasons. The supplier will see them", "reason")
    row.status = status
    row.reviewed_at = utcnow()
    row.reviewed_by_id = admin.id
    row.review_reason = reason
    return reason


def suspend_for_flag(admin, row, reason):
    """Suspend the flagged supplier from that lot (not its others), with reasons it is told."""
    reason = _review(admin, row, FlagStatus.SUSPENDED, reason)
    membership = db.session.execute(
        sa.select(LotMembership).where(
            LotMembership.organisation_id == row.organisation_id,
            LotMembership.lot_id == row.lot_id,
        )
    ).scalar_one_or_none()
    if membership is None or membership.status != MembershipStatus.ADMITTED:
        raise ServiceError("This supplier is not admitted to the lot, so it cannot be suspended")
    now = utcnow()
    set_status([membership], MembershipStatus.SUSPENDED, reason, now)
    record(
        E.SUSPEND_SUPPLIER_FROM_LOT,
        subject=membership,
        actor=admin,
        organisation_id=row.organisation_id,
        detail={"lot_id": row.lot_id, "flag_id": row.id, "reason": reason},
    )
    email_organisation(
        row.organisation_id,
        "supplier_suspended_from_lot",
        f"{membership.id}:{now:%Y%m%d%H%M%S}",
        lot=row.lot.label,
        condition=row.condition.name,
        reason=reason,
    )
    commit()
    return membership


def dismiss_flag(admin, row, reason):
    reason = _review(admin, row, FlagStatus.DISMISSED, reason)
    record(
        E.DISMISS_CONDITION_FLAG,
        subject=row,
        actor=admin,
        organisation_id=row.organisation_id,
        detail={"lot_id": row.lot_id, "reason": reason},
    )
    commit()
