"""Lot conditions of membership as data, each kind with its own answer, check and evidence.

- **An office in the area**: an address whose postcode lies in the lot's areas, found with the
  project's postcode data (``app.reference.deprivation``); the operator confirms the evidence (a
  lease, say) before admitting.
- **Living wage**: the lowest hourly rate paid to staff on the lot's work, at least the Real
  Living Wage (or London's, if the condition says so) that must be paid on the day
  (``wage_rates.must_pay_on``); or accreditation as a Living Wage Employer, with evidence.
- **A charter** the operator names (the UNISON Ethical Care Charter...): signed up, with evidence.
- **Workforce**: a commitment to recruit from and reflect the community, described at application
  and reported on at every renewal.
- **Any other condition**: a yes/no question, with evidence when the operator asks for it.

Asked in the application (for the lots chosen) and again at every renewal. A supplier that stops
meeting one (a renewal's answer, a change it declares, a new wage rate's pay-by date) is flagged
to the operator, who may suspend it from that lot with reasons, or dismiss the flag. Under the
Procurement Act 2023 the conditions are fixed for the market's life (``conditions.change_rule``):
once it is established a condition can come only with a new lot (a new patch set); under PCR 2015
one may be added to existing lots, with a notice and an email to their members.

Here: defining conditions, and answering them in an application (evidence, declarations, the
operator's review). Reading and checking an answer is ``dps.services.condition_answers``; staying
admitted (renewals, changes, new wage rates, flags) is ``dps.services.condition_flags``.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.documents.models import Document, DocumentStatus
from app.documents.services import lock_document
from app.errors import Conflict, ServiceError
from app.extensions import db
from app.timeutil import utcnow
from app.unitofwork import commit
from dps.hooks import run_on_dps_event
from dps.models import (
    Application,
    ApplicationLot,
    ApplicationStatus,
    ConditionDeclaration,
    ConditionKind,
    LotCondition,
    LotDecision,
    MembershipCondition,
)
from dps.permissions import require_applying_for, require_operator
from dps.services.condition_answers import (
    APPLICATION,
    check,
    describe,
    field_name,
    parse_answer,
)
from dps.services.conditions import NOTICE_TO_MEMBERS, change_rule, notify_members

# --- Defining conditions --------------------------------------------------------------------------


def new_condition(
    dps, *, kind, title="", guidance="", london=False, evidence_required=False, lots=()
):
    """A condition of the DPS attached to ``lots``; part of the caller's transaction."""
    try:
        kind = ConditionKind(kind)
    except ValueError:
        raise ServiceError("Choose the kind of condition", "kind") from None
    title = (title or "").strip()
    if kind == ConditionKind.CHARTER and not title:
        raise ServiceError("Enter the name of the charter", "title")
    if kind == ConditionKind.YES_NO and not title:
        raise ServiceError("Enter the question suppliers answer yes or no", "title")
    if kind == ConditionKind.WORKFORCE and not title:
        title = "Recruit from and reflect the community"
    if kind in (ConditionKind.OFFICE_IN_AREA, ConditionKind.CHARTER):
        evidence_required = True  # a lease or the charter's evidence, for the operator to see
    condition = MembershipCondition(
        dps_id=dps.id,
        kind=kind,
        title=title[:200] or kind.value.replace("_", " "),
        guidance=(guidance or "").strip(),
        london=bool(london) and kind == ConditionKind.LIVING_WAGE,
        evidence_required=bool(evidence_required),
    )
    db.session.add(condition)
    db.session.flush()
    for lot in lots:
        if lot.dps_id != dps.id:
            raise ServiceError("Choose lots of this DPS", "lots")
        db.session.add(LotCondition(lot_id=lot.id, condition_id=condition.id))
    db.session.flush()
    return condition


WAITING_MESSAGE = (
    "Decide the applications waiting for {lots} first: they were made without this condition, "
    "so they could not answer it"
)


def _lots_with_applications_waiting(lot_ids):
    """The lots (of ``lot_ids``) that a submitted application waits for a decision on."""
    return sorted(
        db.session.execute(
            sa.select(ApplicationLot.lot_id)
            .join(Application)
            .where(
                ApplicationLot.lot_id.in_(lot_ids),
                ApplicationLot.decision == LotDecision.PENDING,
                Application.status.in_(
                    (ApplicationStatus.SUBMITTED, ApplicationStatus.CLARIFICATION)
                ),
            )
            .distinct()
        ).scalars()
    )


def add_condition(admin, dps, lots, **fields):
    """Add a condition of membership to lots of a DPS that already exist, under
    ``conditions.change_rule``: before the market is established either regime allows it (the
    establishment notice is corrected); once it is, the Procurement Act 2023 refuses it (the
    conditions are fixed for the market's life: the way to new conditions is a new lot or a new
    market), and PCR 2015 allows it with a modification notice and an email to every member of
    the lots. Refused while an application to one of the lots waits for a decision: it was made
    without the condition and could not answer it."""
    require_operator(admin, "Only the DPS operator can set conditions")
    lots = list(lots)
    if not lots:
        raise ServiceError("Select at least one lot", "lots")
    if any(lot.dps_id != dps.id for lot in lots):
        raise ServiceError("Select lots of this DPS", "lots")
    rule = change_rule(dps, "lots")
    waiting = _lots_with_applications_waiting([lot.id for lot in lots])
    if waiting:
        labels = [lot.label for lot in lots if lot.id in waiting]
        raise Conflict(WAITING_MESSAGE.format(lots=" and ".join(labels)), "lots")
    condition = new_condition(dps, lots=lots, **fields)
    told = []
    if rule == NOTICE_TO_MEMBERS:
        told = notify_members(
            dps,
            [lot.id for lot in lots],
            f"condition:{condition.id}",
            [
                f"A new condition of membership applies to "
                f"{' and '.join(lot.label for lot in lots)}: {condition.name}. Your next "
                "renewal will ask you to show that you meet it."
            ],
        )
    record(
        E.ADD_MEMBERSHIP_CONDITION,
        subject=condition,
        actor=admin,
        detail={
            "dps_id": dps.id,
            "kind": condition.kind.value,
            "title": condition.title,
            "london": condition.london,
            "evidence_required": condition.evidence_required,
            "lots": [lot.id for lot in lots],
            "regime": dps.regime.value,
            "rule": rule,
            "notified_organisation_ids": told,
        },
    )
    run_on_dps_event("changed", dps)  # the notice: a corrected UK14, a UK15, or PCR's own
    commit()
    return condition


def conditions_of_lots(lot_ids):
    """The conditions of these lots, each once, in the order they were made."""
    if not lot_ids:
        return []
    return (
        db.session.execute(
            sa.select(MembershipCondition)
            .join(LotCondition, LotCondition.condition_id == MembershipCondition.id)
            .where(LotCondition.lot_id.in_(list(lot_ids)))
            .distinct()
            .order_by(MembershipCondition.id)
        )
        .scalars()
        .all()
    )


def lot_ids_with(condition_id, lot_ids):
    rows = db.session.execute(
        sa.select(LotCondition.lot_id).where(
            LotCondition.condition_id == condition_id, LotCondition.lot_id.in_(list(lot_ids))
        )
    )
    return sorted(rows.scalars())


# --- In the application ---------------------------------------------------------------------------


def application_conditions(application):
    return conditions_of_lots([al.lot_id for al in application.lots])


def check_document(organisation_id, document_id, field):
    document = db.session.get(Document, document_id) if document_id else None
    if (
        document is None
        or document.owner_organisation_id != organisation_id
        or document.status != DocumentStatus.ACTIVE
    ):
        raise ServiceError("Choose one of your organisation's documents", field)


def save_answers(user, application, raw_by_condition):
    """Save the answers to the chosen lots' conditions as they are given (valid parts kept);
    returns {field: message} for what needs changing."""
    require_applying_for(user, application.organisation)
    if application.status != ApplicationStatus.DRAFT:
        raise ServiceError("This application has been submitted and can no longer be changed")
    stored = dict(application.condition_answers or {})
    errors = {}
    for condition in application_conditions(application):
        raw = raw_by_condition.get(condition.id)
        if raw is None:
            continue
        if not raw.get("document") and (stored.get(str(condition.id)) or {}).get("document"):
            raw = {**raw, "document": stored[str(condition.id)]["document"]}
        answer, found = parse_answer(condition, raw, APPLICATION)
        if answer.get("document"):
            try:
                check_document(
                    application.organisation_id,
                    answer["document"],
                    field_name(condition, "document"),
                )
            except ServiceError as exc:
                found[exc.field] = str(exc)
                answer.pop("document")
        if condition.evidence_required and not answer.get("document"):
            found.setdefault(field_name(condition, "document"), "Upload your evidence")
        errors.update(found)
        stored[str(condition.id)] = answer
    application.condition_answers = stored
    application.updated_at = utcnow()
    record(
        E.SAVE_CONDITION_ANSWERS,
        subject=application,
        actor=user,
        organisation_id=application.organisation_id,
        detail={"problems": sorted(errors)},
    )
    commit()
    return errors


def application_problems(application, answers=None, on=None):
    """{anchor: message} for each chosen lot whose conditions the answers do not meet."""
    answers = application.condition_answers if answers is None else answers
    answers = answers or {}
    problems = {}
    for application_lot in application.lots:
        for condition in conditions_of_lots([application_lot.lot_id]):
            answer = answers.get(str(condition.id))
            if not answer:
                problems[f"condition-{condition.id}"] = (
                    f"Answer the condition ‘{condition.name}’ for {application_lot.lot.label}"
                )
                continue
            result = check(condition, application_lot.lot, answer, on=on)
            if not result.met:
                problems.setdefault(f"condition-{condition.id}", result.reason)
    return problems


def conditions_status(application):
    """For the task list: None when the chosen lots have no conditions, else "completed",
    "in_progress" or "not_started"."""
    conditions = application_conditions(application)
    if not conditions:
        return None
    answers = application.condition_answers or {}
    if not any(answers.get(str(c.id)) for c in conditions):
        return "not_started"
    return "in_progress" if application_problems(application) else "completed"


def declare_from_application(user, application):
    """At submission: the answers become declarations (the latest for each condition), their
    documents locked; part of the caller's transaction. Returns the frozen answers."""
    frozen = {}
    for condition in application_conditions(application):
        answer = (application.condition_answers or {}).get(str(condition.id)) or {}
        frozen[str(condition.id)] = answer
        declare(
            user,
            application.organisation_id,
            condition,
            answer,
            APPLICATION,
            application_id=application.id,
        )
    return frozen


def declare(user, organisation_id, condition, answer, source, **links):
    document_id = answer.get("document")
    declaration = ConditionDeclaration(
        organisation_id=organisation_id,
        condition_id=condition.id,
        source=source,
        answer=answer,
        document_id=document_id,
        declared_by_id=getattr(user, "id", None),
        **links,
    )
    db.session.add(declaration)
    if document_id:
        document = db.session.get(Document, document_id)
        if document is not None:
            lock_document(document, "it is evidence for a condition of membership")
    db.session.flush()
    return declaration


def declarations_of(application):
    return (
        db.session.execute(
            sa.select(ConditionDeclaration)
            .where(ConditionDeclaration.application_id == application.id)
            .order_by(ConditionDeclaration.condition_id)
        )
        .scalars()
        .all()
    )


def admission_problems(application, lot, on=None):
    """Why the application cannot be admitted to ``lot`` on its conditions: an answer that does
    not meet one on the day, or evidence the operator has not yet confirmed."""
    conditions = conditions_of_lots([lot.id])
    if not conditions:
        return []
    frozen = (application.snapshot or {}).get("condition_answers", {})
    declared = {d.condition_id: d for d in declarations_of(application)}
    problems = []
    for condition in conditions:
        result = check(condition, lot, frozen.get(str(condition.id)), on=on)
        if not result.met:
            problems.append(result.reason)
            continue
        declaration = declared.get(condition.id)
        if (
            declaration is not None
            and declaration.document_id
            and declaration.evidence_confirmed_at is None
        ):
            problems.append(
                f"Confirm the evidence for ‘{condition.name}’ before admitting to {lot.label}"
            )
    return problems


def confirm_evidence(admin, declaration):
    """The operator has seen the evidence (a lease, a charter's certificate) and accepts it."""
    require_operator(admin, "Only the DPS operator can confirm evidence")
    if not declaration.document_id:
        raise ServiceError("There is no evidence to confirm for this condition")
    if declaration.evidence_confirmed_at is not None:
        raise ServiceError("This evidence has already been confirmed")
    declaration.evidence_confirmed_at = utcnow()
    declaration.evidence_confirmed_by_id = admin.id
    record(
        E.CONFIRM_CONDITION_EVIDENCE,
        subject=declaration,
        actor=admin,
        organisation_id=declaration.organisation_id,
        detail={"condition_id": declaration.condition_id, "document_id": declaration.document_id},
    )
    commit()


@dataclass(frozen=True)
class ReviewRow:
    condition: MembershipCondition
    declaration: ConditionDeclaration | None
    answer_words: str
    checks: list  # [(lot, Check)]


def review_rows(application, on=None):
    """Each condition of the application's lots as the operator reviews it: the answer as sent,
    its evidence and whether it is confirmed, and the check for each lot that carries it."""
    frozen = (application.snapshot or {}).get("condition_answers", {})
    declared = {d.condition_id: d for d in declarations_of(application)}
    rows = []
    for condition in application_conditions(application):
        answer = frozen.get(str(condition.id))
        checks = [
            (al.lot, check(condition, al.lot, answer, on=on))
            for al in application.lots
            if al.lot_id in {lot.id for lot in condition.lots}
        ]
        rows.append(
            ReviewRow(condition, declared.get(condition.id), describe(condition, answer), checks)
        )
    return rows
