"""Opportunities (call-offs) from the first draft to publication: drafting, approval,
publishing (which invites the suppliers), and recording when the deadline has passed. What stops
publication is ``readiness``; changes after it are ``amendments``. Statuses that follow from time
(open, closed) are derived, never set by a job."""

import sqlalchemy as sa
from flask import current_app

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.documents.services import lock_document, upload_document
from app.errors import ServiceError
from app.extensions import db
from app.reference import geography, social_value
from app.timeutil import to_local, utcnow
from app.unitofwork import after_commit, commit
from lots.opportunities import conditions, hooks
from lots.opportunities.buyers import has_joined, is_approved, profile
from lots.opportunities.invitations import enqueue_invitation_emails, invite_eligible
from lots.opportunities.models import (
    LocationType,
    Opportunity,
    OpportunityKind,
    OpportunityQuestion,
    OpportunityStatus,
    QuestionAbout,
    QuestionKind,
)
from lots.opportunities.permissions import require_another_approver, require_buyer_role
from lots.opportunities.queries import OPPORTUNITY_SUBJECT, tender_documents
from lots.opportunities.readiness import problems, refuse_too_far_ahead, reservation_bases

EDITABLE = (OpportunityStatus.DRAFT,)
# The scoring scales a buyer may publish: 0 to 5, or 0 to 10.
SCORE_SCALES = (5, 10)
DRAFT_FIELDS = (
    "kind",
    "title",
    "summary",
    "description",
    "estimated_value_pence",
    "contract_start",
    "contract_months",
    "location_type",
    "location_code",
    "reserved_vcse",
    "reserved_sme",
    "reserved_area_code",
    "price_weight",
    "quality_weight",
    "social_value_weight",
    "price_schedule",
    "social_value_measures",
    "tie_break",
    "score_scale_max",
    "abnormally_low_percent",
    "contact_name",
    "contact_email",
    "question_deadline",
    "submission_deadline",
    "voluntary_standstill",
    "payment_terms_days",
    "real_living_wage",
)


def create_draft(user, buyer, lot, before_commit=None, **fields):
    """A new draft under ``lot``; ``before_commit(opportunity)``, when given, runs in the same
    transaction just before it commits (the pipeline links its item to the draft there)."""
    require_buyer_role(user, buyer.id, "buyer")
    if not is_approved(buyer.id):
        raise ServiceError(
            "Your organisation must be approved by the DPS operator before it can "
            "publish opportunities"
        )
    if not has_joined(buyer.id, lot.dps_id):
        raise ServiceError("Your organisation has not joined this DPS, so it cannot use its lots")
    opportunity = Opportunity(
        dps_id=lot.dps_id,
        lot_id=lot.id,
        buyer_id=buyer.id,
        created_by_id=user.id,
        kind=OpportunityKind.MINI_COMPETITION,
        category=lot.category,
        title="",
        summary="",
        description="",
        estimated_value_pence=1,
        price_weight=50,
        quality_weight=40,
        social_value_weight=10,
        price_schedule=[],
        social_value_measures=[],
        # Configuration gives a new draft its figures; publication freezes the call-off's own.
        score_scale_max=current_app.config["SCORE_SCALE_MAX"],
        abnormally_low_percent=current_app.config["ABNORMALLY_LOW_PERCENT"],
        payment_terms_days=conditions.default_payment_terms_days(),
        real_living_wage=False,
    )
    _apply(opportunity, fields)
    db.session.add(opportunity)
    db.session.flush()
    record(
        E.CREATE_OPPORTUNITY,
        subject=opportunity,
        actor=user,
        organisation=buyer,
        detail={"lot_id": lot.id, "title": opportunity.title},
    )
    if before_commit is not None:
        before_commit(opportunity)
    commit()
    return opportunity


def _apply(opportunity, fields):
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown fields: {', '.join(sorted(unknown))}")
    # Checked before anything changes: a refused change must not leave the row half-changed in
    # the session, where the next flush would break the weights' check constraint.
    weights = tuple(
        fields.get(name, getattr(opportunity, name))
        for name in ("price_weight", "quality_weight", "social_value_weight")
    )
    if any(w is None or w < 0 for w in weights) or sum(weights) != 100:
        raise ServiceError(
            "Price, quality and social value weightings must add up to 100", "weights"
        )
    if "score_scale_max" in fields and fields["score_scale_max"] not in SCORE_SCALES:
        raise ServiceError("Choose a scoring scale of 0 to 5 or 0 to 10", "score_scale_max")
    percent = fields.get("abnormally_low_percent", 1)
    if not isinstance(percent, int) or isinstance(percent, bool) or not 1 <= percent <= 90:
        raise ServiceError(
            "The abnormally low price percentage must be a whole number from 1 to 90",
            "abnormally_low_percent",
        )
    if "payment_terms_days" in fields:
        conditions.check_payment_terms(fields["payment_terms_days"])
    refuse_too_far_ahead(fields)
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(opportunity, name, value)


def update_draft(user, opportunity, **fields):
    require_buyer_role(user, opportunity.buyer_id, "buyer")
    if opportunity.status not in EDITABLE:
        raise ServiceError("Only a draft can be changed like this. Amend a published opportunity")
    if "social_value_measures" in fields:
        _check_measures(opportunity, fields["social_value_measures"])
    _apply(opportunity, fields)
    record(
        E.UPDATE_OPPORTUNITY,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"fields": sorted(fields)},
    )
    commit()


def _check_measures(opportunity, measure_ids):
    """Measures from the operator's list; a retired one only if the draft already had it."""
    had = set(opportunity.social_value_measures or [])
    for measure_id in measure_ids or []:
        measure = social_value.get(measure_id)
        if measure is None:
            raise ServiceError(
                "Select social value measures from the list", "social_value_measures"
            )
        if measure.retired and measure_id not in had:
            raise ServiceError(
                f"‘{measure.name}’ has been retired from the list: choose another measure",
                "social_value_measures",
            )


def set_questions(user, opportunity, questions):
    """Replace the draft's questions: [{"kind", "text", "guidance", "word_limit", "weight",
    "about"}] (``about``: a pass/fail question tests the "bid" (the default) or the "supplier")."""
    require_buyer_role(user, opportunity.buyer_id, "buyer")
    if opportunity.status not in EDITABLE:
        raise ServiceError("Questions cannot change once an opportunity is published")
    opportunity.questions.clear()
    db.session.flush()
    for position, q in enumerate(questions, start=1):
        kind = QuestionKind(q["kind"])
        opportunity.questions.append(
            OpportunityQuestion(
                position=position,
                kind=kind,
                text=q["text"].strip(),
                guidance=q.get("guidance"),
                word_limit=q.get("word_limit"),
                weight=None if kind == QuestionKind.PASS_FAIL else int(q.get("weight") or 0),
                about=_about(kind, q.get("about")),
            )
        )
    record(
        E.UPDATE_OPPORTUNITY,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"questions": len(questions)},
    )
    commit()


def _about(kind, about):
    """A pass/fail question is about the bid or the supplier; a scored one is about the bid."""
    try:
        about = QuestionAbout(about or QuestionAbout.BID)
    except ValueError as exc:
        raise ServiceError(
            "Say whether the question is about the bid or the supplier", "questions"
        ) from exc
    return about if kind == QuestionKind.PASS_FAIL else QuestionAbout.BID


def attach_tender_document(user, opportunity, file_storage):
    """A tender document, uploaded by someone with the buyer role while the opportunity is still
    a draft (after publication, changes go through amendments)."""
    require_buyer_role(user, opportunity.buyer_id, "buyer")
    if opportunity.status not in EDITABLE:
        raise ServiceError("Tender documents can only be added to a draft", "file")
    return upload_document(
        user,
        opportunity.buyer,
        file_storage,
        "tender_document",
        subject_type=OPPORTUNITY_SUBJECT,
        subject_id=opportunity.id,
    )


def published_lock_reason(opportunity):
    """Why a published tender document cannot be deleted (completes "You cannot delete X
    because ...")."""
    return (
        f"it was published with {opportunity.reference}. To change it, replace it with an "
        "amendment, which every invited supplier is told about"
    )


def submit_for_approval(user, opportunity):
    require_buyer_role(user, opportunity.buyer_id, "buyer")
    if opportunity.status != OpportunityStatus.DRAFT:
        raise ServiceError("Only a draft can be sent for approval")
    found = problems(opportunity, acknowledge_bank_holiday=True)
    if found:
        raise ServiceError(next(iter(found.values())), next(iter(found)))
    opportunity.status = OpportunityStatus.AWAITING_APPROVAL
    record(
        E.SUBMIT_OPPORTUNITY_FOR_APPROVAL,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
    )
    commit()


def approve(user, opportunity, approve=True, reason=None):
    require_buyer_role(user, opportunity.buyer_id, "approver")
    if opportunity.status != OpportunityStatus.AWAITING_APPROVAL:
        raise ServiceError("This opportunity is not waiting for approval")
    if approve:
        require_another_approver(user, opportunity)
    if approve:
        opportunity.status = OpportunityStatus.APPROVED
        opportunity.approved_at, opportunity.approved_by_id = utcnow(), user.id
    else:
        opportunity.status = OpportunityStatus.DRAFT
    record(
        E.APPROVE_OPPORTUNITY if approve else E.RETURN_OPPORTUNITY,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"reason": reason},
    )
    commit()


def publish(user, opportunity, acknowledge_bank_holiday=False):
    """Publish and invite, in one transaction that records exactly who was invited. The emails
    are written by a job after commit (set-based, idempotent)."""
    require_buyer_role(user, opportunity.buyer_id, "buyer")
    buyer_profile = profile(opportunity.buyer_id)
    if buyer_profile is None or buyer_profile.status != "approved":
        raise ServiceError("Your organisation must be approved before it can publish")
    if not has_joined(opportunity.buyer_id, opportunity.dps_id):
        raise ServiceError("Your organisation has not joined this DPS")
    allowed = (
        (OpportunityStatus.APPROVED,)
        if buyer_profile.requires_approval
        else (OpportunityStatus.DRAFT, OpportunityStatus.APPROVED)
    )
    if opportunity.status not in allowed:
        raise ServiceError(
            "This opportunity must be approved before it is published"
            if buyer_profile.requires_approval
            else "This opportunity is not a draft"
        )
    now = utcnow()
    found = problems(opportunity, now, acknowledge_bank_holiday)
    if found:
        raise ServiceError(next(iter(found.values())), next(iter(found)))
    # The rate first: the database holds a published call-off to a rate if it has the condition.
    conditions.freeze(opportunity, to_local(now).date())
    opportunity.status = OpportunityStatus.PUBLISHED
    opportunity.published_at = now
    opportunity.published_by_id = user.id
    opportunity.reference = f"VCSE-{now.year}-{opportunity.id:06d}"
    opportunity.buyer_name = opportunity.buyer.name
    opportunity.region_code = _region_for(opportunity)
    # Published documents are part of the tender: nobody deletes one; an amendment replaces it.
    for document in tender_documents(opportunity.id, available_only=False):
        lock_document(document, published_lock_reason(opportunity))
    opportunity.reservation_bases = [b.value for b in reservation_bases(opportunity)]
    invited = invite_eligible(opportunity, via="publish")
    record(
        E.PUBLISH_OPPORTUNITY,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={
            "reference": opportunity.reference,
            "invited": invited,
            "deadline": opportunity.submission_deadline.isoformat(),
            "conditions": conditions.frozen(opportunity),
            "category": opportunity.category.value,
            "reservation_bases": opportunity.reservation_bases,
        },
    )
    after_commit(enqueue_invitation_emails, opportunity.id, "invitation")
    hooks.run_on_publish(opportunity)  # opportunity alerts, for people whose settings match
    commit()
    return invited


def _region_for(opportunity):
    if opportunity.location_type == LocationType.REGION:
        return opportunity.location_code
    if opportunity.location_type == LocationType.LOCAL_AUTHORITY:
        region = geography.region_for_local_authority(opportunity.location_code)
        return region.code if region else None
    return None


def mark_closed(now=None):
    """Scheduled: record the moment published opportunities passed their deadline. Nothing
    depends on this running on time: whether one is open follows from its deadline."""
    now = now or utcnow()
    rows = (
        db.session.execute(
            sa.select(Opportunity)
            .where(
                Opportunity.status == OpportunityStatus.PUBLISHED,
                Opportunity.deadline_passed_at(now),
                Opportunity.closed_recorded_at.is_(None),
            )
            # Locked, so that one whose deadline an extension is moving is read as extended (or
            # the extension waits and sees it closed), never marked with a deadline ahead.
            .with_for_update()
        )
        .scalars()
        .all()
    )
    for opportunity in rows:
        opportunity.closed_recorded_at = now
        record(
            E.CLOSE_OPPORTUNITY,
            subject=opportunity,
            organisation_id=opportunity.buyer_id,
            detail={"deadline": opportunity.submission_deadline.isoformat()},
        )
    commit()
    return len(rows)
