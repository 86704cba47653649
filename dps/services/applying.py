"""A supplier answers the questionnaire once, chooses lots and submits; later it applies for more
lots without answering again."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.documents.models import Document, DocumentStatus
from app.documents.services import lock_document
from app.errors import ServiceError
from app.extensions import db
from app.outbox.services import queue_email
from app.timeutil import format_date, format_datetime, utcnow
from app.unitofwork import commit
from app.urls import absolute_url
from dps import questionnaire as engine
from dps.models import (
    Application,
    ApplicationLot,
    ApplicationStatus,
    Dps,
    Lot,
    LotMembership,
    MembershipStatus,
    ReservedFor,
)
from dps.permissions import require_applying_for
from dps.services import debarment, lot_conditions
from dps.services.clock import due_date, today
from dps.services.setup import definition_for
from dps.services.standing import active_exclusion

OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.CLARIFICATION)


def _require_draft(application):
    if application.status != ApplicationStatus.DRAFT:
        raise ServiceError("This application has been submitted and can no longer be changed")


def _require_open_to(organisation_id, dps):
    """The DPS is open, and the organisation is not excluded."""
    if not dps.is_open_on(today()):
        raise ServiceError(f"{dps.name} is not open for applications")
    if active_exclusion(organisation_id) is not None:
        raise ServiceError("Your organisation has been excluded from this DPS and cannot apply")


def latest_submitted(organisation_id, dps_id):
    return db.session.execute(
        sa.select(Application)
        .where(
            Application.organisation_id == organisation_id,
            Application.dps_id == dps_id,
            Application.status != ApplicationStatus.DRAFT,
            Application.status != ApplicationStatus.WITHDRAWN,
        )
        .order_by(Application.submitted_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def current_draft(organisation_id, dps_id):
    return db.session.execute(
        sa.select(Application).where(
            Application.organisation_id == organisation_id,
            Application.dps_id == dps_id,
            Application.status == ApplicationStatus.DRAFT,
        )
    ).scalar_one_or_none()


@dataclass(frozen=True)
class JoinOffer:
    """A DPS an organisation can apply to join today, with its draft application if it has one."""

    dps: Dps
    draft: Application | None


def dps_to_join(organisation):
    """What the organisation is offered to apply to join, earliest closing first: every DPS open
    today, each with its draft. Nothing for a buyer or for an excluded organisation (they cannot
    apply: ``start_application`` refuses them)."""
    if not organisation.is_supplier or active_exclusion(organisation.id) is not None:
        return []
    on = today()
    open_dps = db.session.execute(
        sa.select(Dps).where(Dps.starts_on <= on, Dps.ends_on >= on).order_by(Dps.ends_on, Dps.name)
    ).scalars()
    return [JoinOffer(dps, current_draft(organisation.id, dps.id)) for dps in open_dps]


def start_application(user, organisation, dps):
    """Return the organisation's draft for this DPS, making one if needed. A new draft reuses the
    answers of the organisation's latest submitted application, so nobody answers twice."""
    require_applying_for(user, organisation)
    _require_open_to(organisation.id, dps)
    draft = current_draft(organisation.id, dps.id)
    if draft is not None:
        return draft
    previous = latest_submitted(organisation.id, dps.id)
    answers = {}
    if previous is not None:
        definition = definition_for(dps.questionnaire)
        # Carry over answers that still fit the version this DPS uses now.
        for qid, value in (previous.answers or {}).items():
            if (
                qid in definition.by_id
                and engine.check_stored(definition.question(qid), value) is None
            ):
                answers[qid] = value
    application = Application(
        dps_id=dps.id,
        organisation_id=organisation.id,
        questionnaire_id=dps.questionnaire_id,
        answers=answers,
        # The conditions answered before are offered again; a lot chosen now checks them anew.
        condition_answers=dict(previous.condition_answers or {}) if previous else {},
        reused_from_id=previous.id if previous else None,
        created_by_id=user.id,
    )
    db.session.add(application)
    db.session.flush()
    record(
        E.START_APPLICATION,
        subject=application,
        actor=user,
        organisation=organisation,
        detail={"dps_id": dps.id, "reused_from": application.reused_from_id},
    )
    commit()
    return application


def save_section(user, application, section_id, raw_answers):
    """Save what was given for one section: valid answers are kept straight away (save as you
    go), and problems come back as {question_id: message}. Nothing typed is lost: the caller
    redisplays the raw values with the messages."""
    require_applying_for(user, application.organisation)
    _require_draft(application)
    definition = definition_for(application.questionnaire)
    section = definition.section(section_id)
    answers = dict(application.answers or {})
    errors = {}
    for question in section.questions:
        if question.id not in raw_answers:
            continue
        try:
            value = engine.parse(question, raw_answers[question.id])
            if question.type == "document" and value is not None:
                _check_document(application, question, value)
        except engine.AnswerError as exc:
            errors[exc.field] = str(exc)
            continue
        if value is None:
            answers.pop(question.id, None)
        else:
            answers[question.id] = value
    # Required questions that now show and are still empty.
    for question in engine.visible_questions(definition, section, answers):
        if (
            question.id not in errors
            and question.required
            and answers.get(question.id) in (None, "", [])
            and question.id in raw_answers
        ):
            errors[question.id] = engine.missing_message(question)
    _date_documents(section, answers)
    application.answers = answers
    application.updated_at = utcnow()
    record(
        E.SAVE_APPLICATION_SECTION,
        subject=application,
        actor=user,
        organisation_id=application.organisation_id,
        detail={"section": section_id, "problems": sorted(errors)},
    )
    commit()
    return errors


def _date_documents(section, answers):
    """A certificate's expiry date is the answer to its date question, so the daily job can remind
    the supplier before it expires (and suspend when it has)."""
    for question in section.questions:
        if question.type != "document" or not question.expires_from:
            continue
        document_id, expiry = answers.get(question.id), answers.get(question.expires_from)
        if document_id and expiry:
            document = db.session.get(Document, document_id)
            if document is not None and document.locked_at is None:
                document.expires_on = date.fromisoformat(expiry)


def _check_document(application, question, document_id):
    document = db.session.get(Document, document_id)
    if (
        document is None
        or document.owner_organisation_id != application.organisation_id
        or document.status != DocumentStatus.ACTIVE
    ):
        raise engine.AnswerError("Choose one of your organisation's documents", question.id)


def choose_lots(user, application, lot_ids):
    require_applying_for(user, application.organisation)
    _require_draft(application)
    lot_ids = {int(i) for i in lot_ids}
    if not lot_ids:
        raise ServiceError("Select at least one lot", "lots")
    lots = (
        db.session.execute(
            sa.select(Lot).where(Lot.id.in_(lot_ids), Lot.dps_id == application.dps_id)
        )
        .scalars()
        .all()
    )
    if len(lots) != len(lot_ids):
        raise ServiceError("Select lots from this DPS", "lots")
    unavailable = set(held_or_pending_lot_ids(application.organisation_id, application.dps_id))
    clash = [lot.label for lot in lots if lot.id in unavailable]
    if clash:
        raise ServiceError(f"You already hold or have applied for {', '.join(clash)}", "lots")
    existing = {al.lot_id: al for al in application.lots}
    for lot_id in set(existing) - lot_ids:
        application.lots.remove(existing[lot_id])
    for lot_id in lot_ids - set(existing):
        application.lots.append(ApplicationLot(lot_id=lot_id))
    application.updated_at = utcnow()
    record(
        E.CHOOSE_APPLICATION_LOTS,
        subject=application,
        actor=user,
        organisation_id=application.organisation_id,
        detail={"lots": sorted(lot_ids)},
    )
    commit()


def held_or_pending_lot_ids(organisation_id, dps_id):
    held = (
        sa.select(LotMembership.lot_id)
        .join(Lot, Lot.id == LotMembership.lot_id)
        .where(
            LotMembership.organisation_id == organisation_id,
            Lot.dps_id == dps_id,
            LotMembership.status.in_([MembershipStatus.ADMITTED, MembershipStatus.SUSPENDED]),
        )
    )
    pending = (
        sa.select(ApplicationLot.lot_id)
        .join(Application)
        .where(
            Application.organisation_id == organisation_id,
            Application.dps_id == dps_id,
            Application.status.in_(OPEN_STATUSES),
            ApplicationLot.decision == "pending",
        )
    )
    return db.session.execute(held.union(pending)).scalars().all()


def lot_eligibility(organisation_id, lot, answers):
    """Plain-language reasons the organisation cannot be admitted to this lot (empty if none)."""
    reasons = []
    if lot.reserved_for == ReservedFor.VCSE:
        if answers.get("is_vcse") != "yes" or not answers.get("governing_document"):
            reasons.append(
                f"{lot.label} is reserved for voluntary, community and social "
                "enterprise organisations. Answer ‘yes’ in the VCSE status section "
                "and upload your governing document to apply for it."
            )
    reasons.extend(reserved_lot_reasons(lot, answers))
    if lot.cap_group:
        held = db.session.execute(
            sa.select(sa.func.count())
            .select_from(LotMembership)
            .join(Lot)
            .where(
                LotMembership.organisation_id == organisation_id,
                LotMembership.status.in_([MembershipStatus.ADMITTED, MembershipStatus.SUSPENDED]),
                Lot.dps_id == lot.dps_id,
                Lot.cap_group == lot.cap_group,
            )
        ).scalar_one()
        if held >= lot.cap_per_provider:
            reasons.append(
                f"A provider can hold at most {lot.cap_per_provider} "
                f"{'lot' if lot.cap_per_provider == 1 else 'lots'} in the "
                f"‘{lot.cap_group}’ group, and you already hold {held}."
            )
    return reasons


def reserved_lot_reasons(lot, answers):
    """Why the answers do not meet a lot reserved for supported employment providers (s32: at
    least 30% of the workforce disabled or disadvantaged, with evidence) or public service mutuals
    (s33's three conditions, with evidence): at admission and at renewal."""
    section = "‘Supported employment and public service mutuals’"
    if lot.reserved_for == ReservedFor.SUPPORTED_EMPLOYMENT:
        least = current_app.config["SUPPORTED_EMPLOYMENT_MIN_PERCENT"]
        percent = answers.get("workforce_disadvantaged_percent")
        if (
            answers.get("supported_employment") != "yes"
            or not isinstance(percent, int)
            or not answers.get("workforce_evidence")
            or not answers.get("workforce_evidence_document")
        ):
            return [
                f"{lot.label} is reserved for supported employment providers. Answer the "
                f"section {section}, with the share of your workforce who are disabled or "
                "disadvantaged and your evidence, to apply for it."
            ]
        if percent < least:
            return [
                f"{lot.label} is reserved for supported employment providers, where at least "
                f"{least}% of the workforce are disabled or disadvantaged. You told us {percent}%."
            ]
    if lot.reserved_for == ReservedFor.PUBLIC_SERVICE_MUTUAL:
        conditions = ("mutual_public_service_mission", "mutual_profits", "mutual_ownership")
        if answers.get("public_service_mutual") != "yes" or not answers.get(
            "mutual_evidence_document"
        ):
            return [
                f"{lot.label} is reserved for public service mutuals. Answer the section "
                f"{section} and upload your evidence to apply for it."
            ]
        if any(answers.get(c) != "yes" for c in conditions):
            return [
                f"{lot.label} is reserved for public service mutuals: an organisation whose "
                "objective is a public service mission, which reinvests its profits or shares "
                "them on participatory principles, and which is owned or managed by its "
                "employees or members. Your answers say your organisation does not meet all "
                "three conditions."
            ]
    return []


def cap_explanations(lots, chosen_ids):
    """Explain a cap when more lots of a group are chosen than a provider may hold."""
    messages = []
    groups = {}
    for lot in lots:
        if lot.cap_group and lot.id in chosen_ids:
            groups.setdefault((lot.cap_group, lot.cap_per_provider), []).append(lot)
    for (group, cap), chosen in groups.items():
        if len(chosen) > cap:
            messages.append(
                f"You can be admitted to at most {cap} "
                f"{'lot' if cap == 1 else 'lots'} in the ‘{group}’ group. You can "
                f"apply for more, and we will admit you to the one"
                f"{'' if cap == 1 else 's'} that fit"
                f"{'s' if cap == 1 else ''} your application best."
            )
    return messages


@dataclass(frozen=True)
class NextStep:
    """Where "Save and continue" goes: a section of questions (``section_id``), the lots, or
    checking the answers and the declaration."""

    kind: str  # "section", "lots", "conditions" or "check"
    section_id: str | None = None


def next_step(application, after=None):
    """Where the person goes after saving ``after`` (a section's id, or "lots"): the next
    section still to complete in the task list's order (going round to the ones before it), then
    the lots if none are chosen, then checking the answers. The task list stays one link away."""
    definition = definition_for(application.questionnaire)
    answers = application.answers or {}
    ids = [section.id for section in definition.sections]
    start = ids.index(after) + 1 if after in ids else 0
    for section_id in ids[start:] + ids[:start]:
        if engine.section_errors(definition, definition.section(section_id), answers):
            return NextStep("section", section_id)
    if not application.lots:
        return NextStep("lots")
    if after != "conditions" and lot_conditions.conditions_status(application) not in (
        None,
        "completed",
    ):
        return NextStep("conditions")
    return NextStep("check")


def declaration_defaults(user):
    """The declaration as first shown: signed in the name of the person signed in (they may
    change it, say to sign for the chair)."""
    return {"declaration_name": user.name}


@dataclass(frozen=True)
class Progress:
    """Where a draft application has got to, as its task list says it: each section of the
    questionnaire with its status, then choosing lots."""

    sections: list  # [(section, "not_started" | "in_progress" | "completed")]
    lots_chosen: bool
    # The chosen lots' conditions of membership: None when they have none.
    conditions: str | None = None

    @property
    def total(self):
        # every section, choosing lots, and the chosen lots' conditions if they have any
        return len(self.sections) + 1 + (self.conditions is not None)

    @property
    def done(self):
        completed = sum(status == "completed" for _section, status in self.sections)
        return completed + (1 if self.lots_chosen else 0) + (self.conditions == "completed")

    @property
    def complete(self):
        """Every task done: the answers can be checked and the application submitted."""
        return self.done == self.total


def progress(application):
    """The draft application's progress through its task list (``Progress``)."""
    definition = definition_for(application.questionnaire)
    answers = application.answers or {}
    return Progress(
        sections=[
            (section, engine.section_status(definition, section, answers))
            for section in definition.sections
        ],
        lots_chosen=bool(application.lots),
        conditions=lot_conditions.conditions_status(application),
    )


def problems_before_submit(application):
    """Everything that stops submission: {anchor: message}, in the order of the task list."""
    definition = definition_for(application.questionnaire)
    problems = {}
    for section in definition.sections:
        if engine.section_errors(definition, section, application.answers or {}):
            problems[f"section-{section.id}"] = f"Complete the section ‘{section.title}’"
    if not application.lots:
        problems["lots"] = "Choose at least one lot"
    for application_lot in application.lots:
        for reason in lot_eligibility(
            application.organisation_id, application_lot.lot, application.answers or {}
        ):
            problems[f"lot-{application_lot.lot_id}"] = reason
    for anchor, message in lot_conditions.application_problems(application).items():
        problems.setdefault(anchor, message)
    return problems


def _snapshot(application, definition):
    answers = engine.relevant_answers(definition, application.answers or {})
    document_ids = sorted(
        v for qid, v in answers.items() if definition.question(qid).type == "document"
    )
    documents = {}
    for document in db.session.execute(
        sa.select(Document).where(Document.id.in_(document_ids))
    ).scalars():
        documents[str(document.id)] = {
            "filename": document.original_filename,
            "sha256": document.sha256,
            "purpose": document.purpose.value,
        }
    organisation = application.organisation
    return {
        "application_id": application.id,
        "dps_id": application.dps_id,
        "questionnaire": {
            "id": application.questionnaire_id,
            "name": definition.name,
            "version": definition.version,
        },
        "organisation": {
            "id": organisation.id,
            "name": organisation.name,
            "type": organisation.supplier_type.value if organisation.supplier_type else None,
            "charity_number": organisation.charity_number,
            "company_number": organisation.company_number,
        },
        "lots": sorted(al.lot_id for al in application.lots),
        "answers": answers,
        "documents": documents,
        "declaration": {
            "text": definition.declaration,
            "name": application.declaration_name,
            "role": application.declaration_role,
        },
        "submitted_at": application.submitted_at.isoformat(timespec="seconds"),
    }


def canonical_sha256(data):
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()


def submit_application(user, application, *, declaration_name, declaration_role, confirmed):
    require_applying_for(user, application.organisation)
    _require_draft(application)
    dps = application.dps
    _require_open_to(application.organisation_id, dps)
    problems = problems_before_submit(application)
    if problems:
        anchor, message = next(iter(problems.items()))
        raise ServiceError(message, anchor)
    if not confirmed:
        raise ServiceError("Confirm the declaration to submit your application", "confirm")
    if not (declaration_name or "").strip():
        raise ServiceError("Enter your full name", "declaration_name")
    if not (declaration_role or "").strip():
        raise ServiceError("Enter your role in the organisation", "declaration_role")
    definition = definition_for(application.questionnaire)
    now = utcnow()
    application.declaration_name = declaration_name.strip()[:200]
    application.declaration_role = declaration_role.strip()[:200]
    application.submitted_at = now
    application.submitted_by_id = user.id
    application.status = ApplicationStatus.SUBMITTED
    application.received_on = today()
    application.time_limit_days = application.standard_time_limit_days = dps.admission_days
    application.paused_working_days = 0
    application.decision_due_on = due_date(application, dps)
    frozen_conditions = lot_conditions.declare_from_application(user, application)
    snapshot = _snapshot(application, definition)
    if frozen_conditions:
        snapshot["condition_answers"] = frozen_conditions
    application.snapshot = snapshot
    application.snapshot_sha256 = canonical_sha256(application.snapshot)
    for document_id in application.snapshot["documents"]:
        lock_document(
            db.session.get(Document, int(document_id)), "it is part of a submitted application"
        )
    record(
        E.SUBMIT_APPLICATION,
        subject=application,
        actor=user,
        organisation_id=application.organisation_id,
        detail={
            "sha256": application.snapshot_sha256,
            "lots": application.snapshot["lots"],
            "decision_due_on": application.decision_due_on.isoformat(),
        },
    )
    # A definite match on the debarment list debars at once (its lots are rejected); a
    # possible one waits for the operator's review.
    debarment.screen(application.organisation, "application")
    lots = ", ".join(al.lot.label for al in application.lots)
    for member in application.organisation.memberships:
        queue_email(
            member.user.email,
            "application_received",
            {
                "name": member.user.name,
                "organisation": application.organisation.display_name,
                "dps": dps.name,
                "lots": lots,
                "submitted_at": format_datetime(now),
                "sha256": application.snapshot_sha256,
                "due": format_date(application.decision_due_on),
                "working_days": application.time_limit_days,
                "url": absolute_url("dps.view_application", application_id=application.id),
            },
            idempotency_key=f"application_received:{application.id}:{member.user_id}",
        )
    commit()
    return application


def withdraw_application(user, application):
    require_applying_for(user, application.organisation)
    if application.status not in (ApplicationStatus.DRAFT, *OPEN_STATUSES):
        raise ServiceError("This application has already been decided")
    was = application.status
    application.status = ApplicationStatus.WITHDRAWN
    application.decision_due_on = None
    record(
        E.WITHDRAW_APPLICATION,
        subject=application,
        actor=user,
        organisation_id=application.organisation_id,
        detail={"was": was.value},
    )
    commit()
