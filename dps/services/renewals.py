"""Renewing the self-declaration: the operator asks an admitted supplier to confirm its answers
are still correct within 5 working days; a supplier that does not is suspended from new
call-offs (the daily job)."""

import sqlalchemy as sa
from flask import current_app

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.timeutil import format_date, utcnow
from app.unitofwork import commit
from app.urls import absolute_url
from dps.models import MembershipStatus, RenewalRequest, ReservedFor
from dps.permissions import require_acting_for, require_operator
from dps.services import condition_flags, debarment, lot_conditions
from dps.services.clock import today
from dps.services.condition_answers import RENEWAL
from dps.services.standing import (
    email_organisation,
    memberships_in,
    remove_for_reservation,
    suspend,
)
from dps.working_days import add_working_days, working_days_between

RENEWAL_WORKING_DAYS = 5


def request_renewal(admin, organisation, dps):
    """Ask an admitted supplier to renew its self-declaration within 5 working days."""
    require_operator(admin)
    if not memberships_in(organisation.id, dps.id):
        raise ServiceError("This organisation holds no lots in this DPS")
    open_request = db.session.execute(
        sa.select(RenewalRequest).where(
            RenewalRequest.organisation_id == organisation.id,
            RenewalRequest.dps_id == dps.id,
            RenewalRequest.completed_at.is_(None),
            RenewalRequest.lapsed_at.is_(None),
        )
    ).scalar_one_or_none()
    if open_request is not None:
        raise ServiceError("This organisation already has a renewal to complete")
    due = add_working_days(today(), RENEWAL_WORKING_DAYS, dps.calendar)
    renewal = RenewalRequest(
        dps_id=dps.id, organisation_id=organisation.id, requested_by_id=admin.id, due_on=due
    )
    db.session.add(renewal)
    db.session.flush()
    record(
        E.REQUEST_RENEWAL,
        subject=renewal,
        actor=admin,
        organisation=organisation,
        detail={"dps_id": dps.id, "due_on": due.isoformat()},
    )
    _email_renewal(renewal, "renewal_requested")
    commit()
    return renewal


def _email_renewal(renewal, template):
    email_organisation(
        renewal.organisation_id,
        template,
        f"{renewal.id}",
        dps=renewal.dps.name,
        due=format_date(renewal.due_on),
        url=absolute_url("dps.renew_declaration", renewal_id=renewal.id),
    )


def reserved_memberships(renewal):
    """The lots reserved for supported employment providers or public service mutuals that the
    organisation holds in the renewal's DPS: {ReservedFor: [LotMembership]}. A renewal asks again
    the question each reservation turns on."""
    held = {}
    for membership in memberships_in(renewal.organisation_id, renewal.dps_id):
        reserved_for = membership.lot.reserved_for
        if reserved_for in (ReservedFor.SUPPORTED_EMPLOYMENT, ReservedFor.PUBLIC_SERVICE_MUTUAL):
            held.setdefault(reserved_for, []).append(membership)
    return held


def complete_renewal(
    user,
    renewal,
    confirmed,
    workforce_percent=None,
    mutual_conditions=None,
    condition_answers=None,
):
    """Confirm the declaration. A holder of a supported-employment lot says again what share of
    its workforce is disabled or disadvantaged, and a holder of a public-service-mutual lot
    whether it still meets section 33's conditions; one that no longer qualifies is removed
    from those lots, with the reason, and keeps its others."""
    require_acting_for(user, renewal.organisation_id)
    if renewal.completed_at or renewal.lapsed_at:
        raise ServiceError("This renewal is closed")
    held = reserved_memberships(renewal)
    least = current_app.config["SUPPORTED_EMPLOYMENT_MIN_PERCENT"]
    if ReservedFor.SUPPORTED_EMPLOYMENT in held and (
        not isinstance(workforce_percent, int) or not 0 <= workforce_percent <= 100
    ):
        raise ServiceError(
            "Enter the percentage of your workforce who are disabled or disadvantaged, as a "
            "whole number from 0 to 100",
            "workforce_percent",
        )
    if ReservedFor.PUBLIC_SERVICE_MUTUAL in held and mutual_conditions not in (True, False):
        raise ServiceError(
            "Say whether your organisation still meets the conditions of a public service mutual",
            "mutual_conditions",
        )
    # The conditions of the lots it holds are asked again: {condition id: raw answer}.
    held_conditions = condition_flags.held_lots_by_condition(
        renewal.organisation_id, renewal.dps_id
    )
    answers, errors = condition_flags.parse_all(held_conditions, condition_answers or {}, RENEWAL)
    if errors:
        field, message = next(iter(errors.items()))
        raise ServiceError(message, field)
    for condition, answer in answers.items():
        if answer.get("document"):
            lot_conditions.check_document(
                renewal.organisation_id, answer["document"], f"c{condition}-document"
            )
    if not confirmed:
        raise ServiceError("Confirm that your answers are still correct", "confirm")
    renewal.completed_at = utcnow()
    renewal.completed_by_id = user.id
    detail = {"dps_id": renewal.dps_id}
    removed = []
    if ReservedFor.SUPPORTED_EMPLOYMENT in held:
        detail["workforce_percent"] = workforce_percent
        if workforce_percent < least:
            removed += remove_for_reservation(
                held[ReservedFor.SUPPORTED_EMPLOYMENT],
                f"At renewal you told us {workforce_percent}% of your workforce are disabled or "
                f"disadvantaged. A lot reserved for supported employment providers needs at "
                f"least {least}%.",
            )
    if ReservedFor.PUBLIC_SERVICE_MUTUAL in held:
        detail["mutual_conditions"] = mutual_conditions
        if not mutual_conditions:
            removed += remove_for_reservation(
                held[ReservedFor.PUBLIC_SERVICE_MUTUAL],
                "At renewal you told us your organisation no longer meets the conditions of a "
                "public service mutual (section 33 of the Procurement Act 2023).",
            )
    detail["removed_from_lots"] = removed
    flags = condition_flags.declare_and_check(
        user,
        renewal.organisation_id,
        held_conditions,
        answers,
        RENEWAL,
        "renewal",
        renewal_id=renewal.id,
    )
    detail["condition_flags"] = [f.id for f in flags]
    record(
        E.COMPLETE_RENEWAL,
        subject=renewal,
        actor=user,
        organisation_id=renewal.organisation_id,
        detail=detail,
    )
    # Renewing is a time to check the debarment list again.
    debarment.screen(renewal.organisation, "renewal")
    commit()
    return removed


def process_renewals(on=None):
    """Daily: remind suppliers on the last working day; suspend those whose renewal lapsed.
    Idempotent: each reminder and suspension happens once."""
    on = on or today()
    open_requests = (
        db.session.execute(
            sa.select(RenewalRequest).where(
                RenewalRequest.completed_at.is_(None), RenewalRequest.lapsed_at.is_(None)
            )
        )
        .scalars()
        .all()
    )
    reminded = lapsed = 0
    for renewal in open_requests:
        left = working_days_between(on, renewal.due_on, renewal.dps.calendar)
        if on > renewal.due_on:
            renewal.lapsed_at = utcnow()
            if memberships_in(
                renewal.organisation_id, renewal.dps_id, (MembershipStatus.ADMITTED,)
            ):
                suspend(
                    None,
                    renewal.organisation,
                    renewal.dps,
                    f"You did not renew your self-declaration by {format_date(renewal.due_on)}",
                    actor_is_system=True,
                )
            record(
                E.LAPSE_RENEWAL,
                subject=renewal,
                organisation_id=renewal.organisation_id,
                detail={"due_on": renewal.due_on.isoformat()},
            )
            lapsed += 1
        elif left <= 1 and renewal.reminded_at is None:
            renewal.reminded_at = utcnow()
            _email_renewal(renewal, "renewal_reminder")
            reminded += 1
    commit()
    return {"reminded": reminded, "lapsed": lapsed}
