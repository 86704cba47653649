"""Exclusion grounds an application declares, and the operator's decision on them.

The questionnaire marks which questions are exclusion grounds (``exclusion_ground``): a "yes" to
a mandatory ground (fraud, corruption, terrorism, money laundering, modern slavery, unpaid tax or
social security) flags the application and blocks admission until the operator records a decision
with reasons: "excluded", or "not excluded because of self-cleaning" (the supplier's evidence
that it has put things right, as the Procurement Act 2023 allows). A discretionary ground
(insolvency, misconduct, poor performance...) flags the application for the same review but does
not block admission; a decision of "excluded" blocks it all the same. Each decision is audited.
"""

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import Conflict, ServiceError
from app.extensions import db
from app.timeutil import utcnow
from app.unitofwork import commit
from dps import questionnaire as engine
from dps.models import ApplicationStatus, ExclusionDecision, ExclusionOutcome
from dps.permissions import require_operator
from dps.services.setup import definition_for


def declared_grounds(application):
    """{"mandatory": [labels], "discretionary": [labels]} from the submitted answers."""
    answers = (application.snapshot or {}).get("answers", application.answers or {})
    return engine.declared_grounds(definition_for(application.questionnaire), answers)


def decision_for(application):
    return db.session.execute(
        sa.select(ExclusionDecision).where(ExclusionDecision.application_id == application.id)
    ).scalar_one_or_none()


def admission_problem(application):
    """Why the declared grounds stop admission, or None."""
    decision = decision_for(application)
    if decision is not None:
        if decision.outcome == ExclusionOutcome.EXCLUDED:
            return (
                "You decided this supplier is excluded, so it cannot be admitted. Reject each lot"
            )
        return None
    if declared_grounds(application)["mandatory"]:
        return (
            "This application declares a mandatory exclusion ground. Record your exclusion "
            "decision before you admit it"
        )
    return None


def decide_exclusion(admin, application, outcome, reasons):
    """Record the operator's decision on the grounds the application declares, with reasons."""
    require_operator(admin, "Only the DPS operator can decide on exclusion grounds")
    if application.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.CLARIFICATION):
        raise ServiceError("This application is not waiting for a decision")
    grounds = declared_grounds(application)
    if not grounds["mandatory"] and not grounds["discretionary"]:
        raise ServiceError("This application declares no exclusion grounds")
    if decision_for(application) is not None:
        raise Conflict("You have already recorded your exclusion decision on this application")
    try:
        outcome = ExclusionOutcome(outcome)
    except ValueError:
        raise ServiceError(
            "Select excluded, or not excluded because of self-cleaning", "outcome"
        ) from None
    reasons = (reasons or "").strip()
    if not reasons:
        raise ServiceError(
            "Enter the reasons for your decision, including the self-cleaning evidence you "
            "relied on",
            "reasons",
        )
    decision = ExclusionDecision(
        application_id=application.id,
        outcome=outcome,
        reasons=reasons,
        grounds=grounds,
        decided_by_id=admin.id,
        decided_at=utcnow(),
    )
    db.session.add(decision)
    db.session.flush()
    record(
        E.DECIDE_EXCLUSION_GROUNDS,
        subject=application,
        actor=admin,
        organisation_id=application.organisation_id,
        detail={"outcome": outcome.value, "reasons": reasons, "grounds": grounds},
    )
    commit()
    return decision
