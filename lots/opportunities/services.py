"""Opportunities (call-offs): drafting, approval, publication, amendment, extension and
cancellation. Statuses that follow from time (open, closed) are derived, never set by a job."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.organisations.models import BuyerType
from app.timeutil import to_local, utcnow
from app.unitofwork import after_commit, commit
from dps.models import Lot, ReservedFor
from dps.working_days import bank_holiday_name
from lots.opportunities import hooks
from lots.opportunities.buyers import has_joined, is_approved, profile
from lots.opportunities.models import (
    LocationType,
    Opportunity,
    OpportunityAmendment,
    OpportunityKind,
    OpportunityQuestion,
    OpportunityStatus,
    QuestionKind,
)
from lots.opportunities.permissions import has_buyer_role

EDITABLE = (OpportunityStatus.DRAFT,)
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
    "contact_name",
    "contact_email",
    "question_deadline",
    "submission_deadline",
    "voluntary_standstill",
)
AMENDABLE = (
    "summary",
    "description",
    "contact_name",
    "contact_email",
    "price_schedule",
    "contract_start",
    "contract_months",
)


def _require_role(user, organisation_id, role):
    if not has_buyer_role(user, organisation_id, role):
        raise NotAllowed(f"You need the {role} role in this buyer organisation")


def create_draft(user, buyer, lot, **fields):
    _require_role(user, buyer.id, "buyer")
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
        title="",
        summary="",
        description="",
        estimated_value_pence=1,
        price_weight=50,
        quality_weight=40,
        social_value_weight=10,
        price_schedule=[],
        social_value_measures=[],
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
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(opportunity, name, value)


def update_draft(user, opportunity, **fields):
    _require_role(user, opportunity.buyer_id, "buyer")
    if opportunity.status not in EDITABLE:
        raise ServiceError("Only a draft can be changed like this. Amend a published opportunity")
    _apply(opportunity, fields)
    record(
        E.UPDATE_OPPORTUNITY,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"fields": sorted(fields)},
    )
    commit()


def set_questions(user, opportunity, questions):
    """Replace the draft's questions: [{"kind", "text", "guidance", "word_limit", "weight"}]."""
    _require_role(user, opportunity.buyer_id, "buyer")
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


def attach_tender_document(user, opportunity, file_storage):
    """A tender document, uploaded by someone with the buyer role while the opportunity is still
    a draft (after publication, changes go through amendments)."""
    from app.documents.services import upload_document
    from lots.opportunities.queries import OPPORTUNITY_SUBJECT

    _require_role(user, opportunity.buyer_id, "buyer")
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


def threshold_pence(buyer):
    config = current_app.config
    if buyer.buyer_type == BuyerType.CENTRAL_GOVERNMENT:
        return config["THRESHOLD_CENTRAL_GOVERNMENT_PENCE"]
    return config["THRESHOLD_OTHER_PUBLIC_PENCE"]


def value_including_vat(value_pence):
    return value_pence * (100 + current_app.config["VAT_RATE_PERCENT"]) // 100


def problems(opportunity, now=None, acknowledge_bank_holiday=False):
    """Everything that stops publication, as {field: message}. The one place these rules live."""
    with db.session.no_autoflush:
        return _problems(opportunity, now or utcnow(), acknowledge_bank_holiday)


def _problems(opportunity, now, acknowledge_bank_holiday):
    config = current_app.config
    found = {}
    lot = db.session.get(Lot, opportunity.lot_id)
    for name, label in (
        ("title", "a title"),
        ("summary", "a summary"),
        ("description", "a full description"),
    ):
        if not (getattr(opportunity, name) or "").strip():
            found[name] = f"Enter {label}"
    value = opportunity.estimated_value_pence or 0
    if not lot.min_value_pence <= value <= lot.max_value_pence:
        found["estimated_value_pence"] = (
            f"Estimated value must be between £{lot.min_value_pence / 100:,.0f} and "
            f"£{lot.max_value_pence / 100:,.0f}, the value band of {lot.label}"
        )
    weights = (
        opportunity.price_weight,
        opportunity.quality_weight,
        opportunity.social_value_weight,
    )
    if any(w is None or w < 0 for w in weights) or sum(w or 0 for w in weights) != 100:
        found["weights"] = "Price, quality and social value weightings must add up to 100"
    elif opportunity.social_value_weight < config["SOCIAL_VALUE_MIN_WEIGHT"]:
        found["social_value_weight"] = (
            f"Social value must be weighted at least {config['SOCIAL_VALUE_MIN_WEIGHT']}%"
        )
    scored = {QuestionKind.QUALITY: 0, QuestionKind.SOCIAL_VALUE: 0}
    counts = {QuestionKind.QUALITY: 0, QuestionKind.SOCIAL_VALUE: 0}
    for q in opportunity.questions:
        if q.kind in scored:
            scored[q.kind] += q.weight or 0
            counts[q.kind] += 1
    if "weights" not in found:
        if (
            opportunity.quality_weight
            and scored[QuestionKind.QUALITY] != opportunity.quality_weight
        ):
            found["questions"] = (
                f"Quality questions' weightings must add up to {opportunity.quality_weight}%"
            )
        elif (
            opportunity.social_value_weight
            and scored[QuestionKind.SOCIAL_VALUE] != opportunity.social_value_weight
        ):
            found["questions"] = (
                f"Social value questions' weightings must add up to "
                f"{opportunity.social_value_weight}%"
            )
    if opportunity.kind == OpportunityKind.QUICK_QUOTE:
        if counts[QuestionKind.QUALITY] != 1:
            found["questions"] = "A quick quote has exactly one quality question"
        if opportunity.price_schedule:
            found["price_schedule"] = "A quick quote asks for one total price"
    if opportunity.reserved_vcse or opportunity.reserved_sme or opportunity.reserved_area_code:
        buyer = opportunity.buyer
        if (
            value_including_vat(value) >= threshold_pence(buyer)
            and lot.reserved_for == ReservedFor.NONE
        ):
            found["reserved"] = (
                "Only a call-off below the threshold can be reserved for VCSEs, SMEs or an area"
            )
    if opportunity.location_type != LocationType.NATIONAL and not opportunity.location_code:
        found["location_code"] = "Choose the region or local authority"
    deadline = opportunity.submission_deadline
    if deadline is None:
        found["submission_deadline"] = "Enter the deadline for bids"
    else:
        minimum_days = (
            config["QUICK_QUOTE_MIN_DAYS"]
            if opportunity.kind == OpportunityKind.QUICK_QUOTE
            else config["MIN_TENDER_DAYS"]
        )
        local = to_local(deadline)
        if deadline < now + timedelta(days=minimum_days):
            found["submission_deadline"] = (
                f"The deadline for bids must be at least {minimum_days} days after publication"
            )
        elif local.minute or local.second:
            found["submission_deadline"] = "The deadline must be on the hour, like 12pm or 3pm"
        else:
            holiday = bank_holiday_name(local.date(), opportunity.dps.calendar)
            if holiday and not acknowledge_bank_holiday:
                found["submission_deadline"] = (
                    f"The deadline falls on a bank holiday ({holiday}). Choose another day, or "
                    "confirm you want it"
                )
            elif local.weekday() >= 5 and not acknowledge_bank_holiday:
                found["submission_deadline"] = (
                    "The deadline falls at a weekend. Choose a working day, or confirm you want it"
                )
    if (
        opportunity.question_deadline is not None
        and deadline is not None
        and (opportunity.question_deadline >= deadline or opportunity.question_deadline <= now)
    ):
        found["question_deadline"] = (
            "The deadline for questions must be after publication and before the deadline for bids"
        )
    return found


def submit_for_approval(user, opportunity):
    _require_role(user, opportunity.buyer_id, "buyer")
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
    _require_role(user, opportunity.buyer_id, "approver")
    if opportunity.status != OpportunityStatus.AWAITING_APPROVAL:
        raise ServiceError("This opportunity is not waiting for approval")
    if approve and user.id == opportunity.created_by_id:
        raise NotAllowed("Someone other than the person who drafted it must approve it")
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
    from lots.opportunities.invitations import enqueue_invitation_emails, invite_eligible

    _require_role(user, opportunity.buyer_id, "buyer")
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
    opportunity.status = OpportunityStatus.PUBLISHED
    opportunity.published_at = now
    opportunity.published_by_id = user.id
    opportunity.reference = f"VCSE-{now.year}-{opportunity.id:06d}"
    opportunity.buyer_name = opportunity.buyer.name
    opportunity.region_code = _region_for(opportunity)
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
        },
    )
    after_commit(enqueue_invitation_emails, opportunity.id, "invitation")
    hooks.run_on_publish(opportunity)  # opportunity alerts, for people whose settings match
    commit()
    return invited


def _region_for(opportunity):
    from app.reference import geography

    if opportunity.location_type == LocationType.REGION:
        return opportunity.location_code
    if opportunity.location_type == LocationType.LOCAL_AUTHORITY:
        region = geography.region_for_local_authority(opportunity.location_code)
        return region.code if region else None
    return None


def _require_published_open(opportunity):
    if opportunity.status != OpportunityStatus.PUBLISHED:
        raise ServiceError("Only a published opportunity can be changed like this")
    if not opportunity.is_open:
        raise ServiceError("The deadline has passed, so this opportunity can no longer change")


def amend(user, opportunity, what_changed, **changes):
    """Change a published opportunity: the change is listed with its date, and every invited
    supplier is told. ``what_changed`` describes the change (the opportunity's own ``summary``
    is one of the fields that can change)."""
    summary = what_changed
    from lots.opportunities.invitations import enqueue_invitation_emails

    _require_role(user, opportunity.buyer_id, "buyer")
    _require_published_open(opportunity)
    if not (summary or "").strip():
        raise ServiceError("Describe the change. Every invited supplier will see it", "summary")
    bad = set(changes) - set(AMENDABLE)
    if bad:
        raise ServiceError(f"These cannot be amended: {', '.join(sorted(bad))}")
    diff = {}
    for name, value in changes.items():
        old = getattr(opportunity, name)
        if old != value:
            diff[name] = [
                str(old) if old is not None else None,
                str(value) if value is not None else None,
            ]
            setattr(opportunity, name, value)
    if not diff:
        raise ServiceError("Nothing has changed")
    amendment = _amendment(user, opportunity, summary, diff)
    after_commit(enqueue_invitation_emails, opportunity.id, f"amendment:{amendment.id}")
    commit()
    return amendment


def _amendment(user, opportunity, summary, diff):
    amendment = OpportunityAmendment(
        opportunity_id=opportunity.id,
        made_by_id=user.id,
        summary=summary.strip(),
        changes=diff,
        made_at=utcnow(),
    )
    db.session.add(amendment)
    db.session.flush()
    record(
        E.AMEND_OPPORTUNITY,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"amendment_id": amendment.id, "changes": diff},
    )
    return amendment


def extend_deadline(user, opportunity, new_deadline, reason, new_question_deadline=None):
    """Deadlines can be extended, never shortened once published."""
    from lots.opportunities.invitations import enqueue_invitation_emails

    _require_role(user, opportunity.buyer_id, "buyer")
    _require_published_open(opportunity)
    if new_deadline <= opportunity.submission_deadline:
        raise ServiceError(
            "A published deadline can only be extended, never brought forward",
            "submission_deadline",
        )
    local = to_local(new_deadline)
    if local.minute or local.second:
        raise ServiceError(
            "The deadline must be on the hour, like 12pm or 3pm", "submission_deadline"
        )
    diff = {
        "submission_deadline": [
            opportunity.submission_deadline.isoformat(),
            new_deadline.isoformat(),
        ]
    }
    opportunity.submission_deadline = new_deadline
    if new_question_deadline is not None:
        if (
            opportunity.question_deadline and new_question_deadline < opportunity.question_deadline
        ) or new_question_deadline >= new_deadline:
            raise ServiceError(
                "The deadline for questions can only move later, and must stay before "
                "the deadline for bids",
                "question_deadline",
            )
        diff["question_deadline"] = [
            opportunity.question_deadline.isoformat() if opportunity.question_deadline else None,
            new_question_deadline.isoformat(),
        ]
        opportunity.question_deadline = new_question_deadline
    amendment = _amendment(user, opportunity, reason or "The deadline has been extended", diff)
    after_commit(enqueue_invitation_emails, opportunity.id, f"amendment:{amendment.id}")
    commit()
    return amendment


def cancel(user, opportunity, reason):
    from lots.opportunities.invitations import enqueue_invitation_emails

    _require_role(user, opportunity.buyer_id, "buyer")
    if opportunity.status not in (
        OpportunityStatus.DRAFT,
        OpportunityStatus.AWAITING_APPROVAL,
        OpportunityStatus.APPROVED,
        OpportunityStatus.PUBLISHED,
    ):
        raise ServiceError("This opportunity has already been decided")
    if not (reason or "").strip():
        raise ServiceError("Enter the reason. Everyone who was invited will see it", "reason")
    was_published = opportunity.status == OpportunityStatus.PUBLISHED
    opportunity.status = OpportunityStatus.CANCELLED
    opportunity.cancelled_at = utcnow()
    opportunity.cancel_reason = reason.strip()
    record(
        E.CANCEL_OPPORTUNITY,
        subject=opportunity,
        actor=user,
        organisation_id=opportunity.buyer_id,
        detail={"reason": opportunity.cancel_reason},
    )
    if was_published:
        after_commit(enqueue_invitation_emails, opportunity.id, "cancellation")
    commit()


def mark_closed(now=None):
    """Scheduled: record the moment published opportunities passed their deadline. Nothing
    depends on this running on time: whether one is open follows from its deadline."""
    now = now or utcnow()
    rows = (
        db.session.execute(
            sa.select(Opportunity).where(
                Opportunity.status == OpportunityStatus.PUBLISHED,
                Opportunity.submission_deadline <= now,
                Opportunity.closed_recorded_at.is_(None),
            )
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
