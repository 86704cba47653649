"""The operator decides applications: clarification, extension and a decision per lot.

Every step is audited and emailed to the supplier. The clock follows the DPS's regime: under the
Procurement Act 2023 it stops while the supplier answers a clarification and restarts when they
do; under PCR 2015 regulation 34 it keeps running (the limit may instead be extended to 15
working days with a reason). Each clarification records which rule applied.
"""

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import ServiceError
from app.extensions import db
from app.organisations.locking import locked_organisation
from app.outbox.services import queue_email
from app.timeutil import format_date, utcnow
from app.unitofwork import commit
from app.urls import absolute_url
from dps.hooks import run_after_admission
from dps.models import (
    ApplicationStatus,
    Clarification,
    LotDecision,
    LotMembership,
    MembershipStatus,
    Regime,
)
from dps.permissions import require_acting_for, require_operator
from dps.services import debarment, exclusions, lot_conditions
from dps.services.applying import lot_eligibility
from dps.services.clock import due_date, today
from dps.services.standing import active_exclusion
from dps.working_days import working_days_between

EXTENDED_DAYS = 15


def _require_operator(user):
    require_operator(user, "Only the DPS operator can decide applications")


def _email_supplier(application, template, key, **personalisation):
    for member in application.organisation.memberships:
        queue_email(
            member.user.email,
            template,
            {
                "name": member.user.name,
                "organisation": application.organisation.display_name,
                "dps": application.dps.name,
                "url": absolute_url("dps.view_application", application_id=application.id),
                **personalisation,
            },
            idempotency_key=f"{template}:{key}:{member.user_id}",
        )


def ask_clarification(admin, application, question):
    _require_operator(admin)
    if application.status != ApplicationStatus.SUBMITTED:
        raise ServiceError("You can only ask about an application that is waiting for a decision")
    question = (question or "").strip()
    if not question:
        raise ServiceError("Enter your question for the supplier", "question")
    stops = application.dps.regime == Regime.PROCUREMENT_ACT_2023
    clarification = Clarification(
        application_id=application.id,
        question=question,
        asked_by_id=admin.id,
        asked_at=utcnow(),
        clock_rule="stopped" if stops else "running",
    )
    db.session.add(clarification)
    application.status = ApplicationStatus.CLARIFICATION
    if stops:
        application.clock_stopped_on = today()
    db.session.flush()
    record(
        E.ASK_CLARIFICATION,
        subject=application,
        actor=admin,
        organisation_id=application.organisation_id,
        detail={"clarification_id": clarification.id, "clock": clarification.clock_rule},
    )
    _email_supplier(
        application,
        "application_clarification",
        f"{clarification.id}",
        question=question,
        clock_stopped=stops,
    )
    commit()
    return clarification


def answer_clarification(user, application, answer):
    require_acting_for(user, application.organisation_id)
    if application.status != ApplicationStatus.CLARIFICATION:
        raise ServiceError("There is no question waiting for your answer")
    answer = (answer or "").strip()
    if not answer:
        raise ServiceError("Enter your answer", "answer")
    clarification = application.clarifications[-1]
    clarification.answer = answer
    clarification.answered_at = utcnow()
    clarification.answered_by_id = user.id
    if application.clock_stopped_on is not None:
        application.paused_working_days = (application.paused_working_days or 0) + max(
            working_days_between(application.clock_stopped_on, today(), application.dps.calendar), 0
        )
        application.clock_stopped_on = None
    application.status = ApplicationStatus.SUBMITTED
    application.decision_due_on = due_date(application, application.dps)
    record(
        E.ANSWER_CLARIFICATION,
        subject=application,
        actor=user,
        organisation_id=application.organisation_id,
        detail={
            "clarification_id": clarification.id,
            "paused_working_days": application.paused_working_days,
            "decision_due_on": application.decision_due_on.isoformat(),
        },
    )
    commit()


def extend_time_limit(admin, application, reason, days=None):
    """Give one application longer to decide: up to the law's 15 working days (PCR 2015
    regulation 34, "where justified"), never fewer than the DPS's own days, with a reason the
    supplier sees. An extended limit may be extended again, up to 15."""
    _require_operator(admin)
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.CLARIFICATION):
        raise ServiceError("Only an application waiting for a decision can be extended")
    current = application.time_limit_days
    if current >= EXTENDED_DAYS:
        raise ServiceError(
            f"This application has already been extended to {EXTENDED_DAYS} working days"
        )
    if days is None:
        days = EXTENDED_DAYS
    if isinstance(days, str) and days.strip().isdigit():
        days = int(days.strip())
    if not isinstance(days, int) or isinstance(days, bool):
        raise ServiceError("Enter the number of working days as a whole number, like 15", "days")
    if days <= current:
        raise ServiceError(
            f"An extension must give more than the {current} working days the application has",
            "days",
        )
    if days > EXTENDED_DAYS:
        raise ServiceError(
            f"An application can be given at most {EXTENDED_DAYS} working days", "days"
        )
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Enter why this application needs longer", "reason")
    application.time_limit_days = days
    application.extension_reason = reason
    application.decision_due_on = due_date(application, application.dps)
    record(
        E.EXTEND_APPLICATION,
        subject=application,
        actor=admin,
        organisation_id=application.organisation_id,
        detail={
            "reason": reason,
            "time_limit_days": [current, days],
            "decision_due_on": application.decision_due_on.isoformat(),
        },
    )
    _email_supplier(
        application,
        "application_extended",
        f"{application.id}:{days}",
        reason=reason,
        due=format_date(application.decision_due_on),
    )
    commit()


def _lock_organisation(organisation_id):
    """Take the organisation's row lock until commit, so two decisions at once on lots of one
    capped group run one after the other: the second counts the lots the first admitted to
    (each statement sees what was committed before it under READ COMMITTED). SQLite writes one
    transaction at a time and needs no row lock."""
    locked_organisation(organisation_id)


def decide_lot(admin, application, lot_id, decision, reason):
    """Admit or reject one lot of an application, with reasons the supplier sees. When every lot
    is decided, the application is decided (final)."""
    _require_operator(admin)
    try:
        decision = LotDecision(decision)
    except ValueError:
        decision = LotDecision.PENDING
    if decision == LotDecision.PENDING:
        raise ServiceError("Choose admit or reject", "decision")
    waiting_for_supplier = application.status == ApplicationStatus.CLARIFICATION
    if waiting_for_supplier and application.clock_stopped_on is not None:
        # 2023 Act: the clock is stopped, so the operator waits for the answer.
        raise ServiceError("Wait for the supplier to answer your question before deciding")
    if application.status != ApplicationStatus.SUBMITTED and not waiting_for_supplier:
        # PCR 2015: the clock keeps running while the supplier answers, so the operator may
        # still decide in time without the answer.
        raise ServiceError("This application is not waiting for a decision")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(
            "Enter the reasons for your decision. The supplier will see them", "reason"
        )
    application_lot = next((al for al in application.lots if al.lot_id == int(lot_id)), None)
    if application_lot is None:
        raise ServiceError("This application is not for that lot")
    if application_lot.decision != LotDecision.PENDING:
        raise ServiceError("This lot has already been decided")
    if decision == LotDecision.ADMITTED:
        if application_lot.lot.cap_group:
            _lock_organisation(application.organisation_id)
        if active_exclusion(application.organisation_id) is not None:
            raise ServiceError("This organisation is excluded and cannot be admitted", "decision")
        barred = exclusions.admission_problem(application) or debarment.admission_problem(
            application.organisation
        )
        if barred:
            raise ServiceError(barred, "decision")
        problems = lot_eligibility(
            application.organisation_id,
            application_lot.lot,
            application.snapshot.get("answers", {}),
        ) + lot_conditions.admission_problems(application, application_lot.lot)
        if problems:
            raise ServiceError(problems[0], "decision")
    now = utcnow()
    application_lot.decision = decision
    application_lot.reason = reason
    application_lot.decided_at = now
    application_lot.decided_by_id = admin.id
    membership_row = None
    if decision == LotDecision.ADMITTED:
        membership_row = (
            db.session.query(LotMembership)
            .filter_by(organisation_id=application.organisation_id, lot_id=application_lot.lot_id)
            .one_or_none()
        )
        if membership_row is None:
            membership_row = LotMembership(
                organisation_id=application.organisation_id, lot_id=application_lot.lot_id
            )
            db.session.add(membership_row)
        membership_row.status = MembershipStatus.ADMITTED
        membership_row.admitted_at = now
        membership_row.status_changed_at = now
        membership_row.status_reason = None
        membership_row.application_lot_id = application_lot.id
    if all(al.decision != LotDecision.PENDING for al in application.lots):
        application.status = ApplicationStatus.DECIDED
        application.decided_at = now
    db.session.flush()
    record(
        E.ADMIT_SUPPLIER if decision == LotDecision.ADMITTED else E.REJECT_APPLICATION_LOT,
        subject=application,
        actor=admin,
        organisation_id=application.organisation_id,
        detail={
            "lot_id": application_lot.lot_id,
            "reason": reason,
            "working_days_taken": working_days_between(
                application.received_on, today(), application.dps.calendar
            ),
        },
    )
    _email_supplier(
        application,
        "application_decision",
        f"{application_lot.id}",
        lot=application_lot.lot.label,
        admitted=decision == LotDecision.ADMITTED,
        reason=reason,
    )
    if membership_row is not None:
        run_after_admission(membership_row)
    commit()
    return application_lot
