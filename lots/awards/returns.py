"""Social value returns: each contract's commitments become a reporting schedule (monthly or
quarterly, as the buyer chose at award), one return per period, due
``SOCIAL_VALUE_RETURN_DAYS`` after the period ends. The supplier's people enter what was
delivered per measure, with evidence (a document or a note; for people counted where they live,
home postcode sectors only); the buyer accepts the return or queries it with a reason, and the
supplier amends and submits again. An accepted return's figures become the contract's delivery
records, added up by each measure's own rule (``lots.awards.delivery``). A daily job reminds the
supplier when a return falls due and tells both sides when it is overdue.

Every change is audited; emails go through the outbox in the same transaction."""

import re
from dataclasses import dataclass

import sqlalchemy as sa

from app.accounts.models import User
from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.documents.models import Document, DocumentPurpose
from app.documents.services import lock_document, upload_document
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.organisations.models import Membership, Role
from app.outbox.services import queue_email
from app.reference import geography, social_value
from app.timeutil import format_date, to_local, utcnow
from app.unitofwork import commit
from app.urls import absolute_url
from lots.awards import figures
from lots.awards.models import (
    ReportingFrequency,
    ReturnStatus,
    SocialValueDelivery,
    SocialValueReturn,
    SocialValueReturnLine,
)
from lots.awards.permissions import may_record_delivery, may_submit_return
from lots.awards.schedule import make_schedule, today
from lots.opportunities.models import BuyerRole, BuyerRoleName

RETURN_SUBJECT = "social_value_returns"
MAX_NOTE = 5000
MAX_SECTORS = 500

# --- The schedule -------------------------------------------------------------------------------


def set_reporting_frequency(user, contract, frequency):
    """The buyer sets (or changes, until the supplier first submits) how often the supplier
    reports: the schedule is made again."""
    if not may_record_delivery(user, contract):
        raise NotAllowed("You need the buyer role to set the reporting schedule")
    try:
        frequency = ReportingFrequency(frequency)
    except ValueError:
        raise ServiceError("Choose monthly or quarterly", "frequency") from None
    if any(r.status != ReturnStatus.AWAITING for r in contract.returns):
        raise ServiceError(
            "The supplier has already submitted a return, so the schedule cannot change",
            "frequency",
        )
    for r in list(contract.returns):
        db.session.delete(r)
    db.session.flush()
    db.session.expire(contract, ["returns"])
    made = make_schedule(contract, frequency)
    record(
        E.SET_REPORTING_SCHEDULE,
        subject=contract,
        actor=user,
        organisation_id=contract.buyer_id,
        detail={"frequency": frequency.value, "returns": len(made)},
    )
    commit()
    return made


# --- Where a return stands ----------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    key: str  # upcoming, due, overdue, submitted, queried, accepted
    label: str
    tag: str  # a GOV.UK tag colour class
    supplier_to_act: bool
    buyer_to_act: bool


STANDINGS = {
    "upcoming": Standing("upcoming", "Not due yet", "govuk-tag--grey", False, False),
    "due": Standing("due", "Due", "govuk-tag--blue", True, False),
    "overdue": Standing("overdue", "Overdue", "govuk-tag--red", True, False),
    "submitted": Standing("submitted", "Submitted", "govuk-tag--yellow", False, True),
    "queried": Standing("queried", "Queried", "govuk-tag--orange", True, False),
    "queried_overdue": Standing(
        "queried_overdue", "Queried, overdue", "govuk-tag--red", True, False
    ),
    "accepted": Standing("accepted", "Accepted", "govuk-tag--green", False, False),
}


def standing(ret, on=None):
    on = on or today()
    if ret.status == ReturnStatus.ACCEPTED:
        return STANDINGS["accepted"]
    if ret.status == ReturnStatus.SUBMITTED:
        return STANDINGS["submitted"]
    if ret.status == ReturnStatus.QUERIED:
        return STANDINGS["queried_overdue" if on > ret.due_on else "queried"]
    if on < ret.period_end:
        return STANDINGS["upcoming"]
    return STANDINGS["overdue" if on > ret.due_on else "due"]


def is_open(ret, on=None):
    """The supplier may submit: from the last day of its period, until accepted."""
    on = on or today()
    return ret.status in (ReturnStatus.AWAITING, ReturnStatus.QUERIED) and on >= ret.period_end


# --- Postcode sectors ---------------------------------------------------------------------------

_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9])([A-Z]{2})?")


def postcode_sectors(text):
    """Home postcodes (or sectors), one per line or separated by commas, as sorted postcode
    sectors ("LS6 2AB" -> "LS6 2"): the rest of a postcode is never kept. Raises ServiceError
    naming the first that is not a postcode."""
    found = []
    for raw in re.split(r"[\n,;]+", text or ""):
        item = " ".join(raw.upper().split())
        if not item:
            continue
        match = _POSTCODE.fullmatch(item)
        if match is None:
            raise ServiceError(
                f"“{raw.strip()[:12]}” is not a postcode. Enter home postcodes like LS6 2AB, "
                "or postcode sectors like LS6 2",
                "postcodes",
            )
        found.append(f"{match.group(1)} {match.group(2)}")
    if len(found) > MAX_SECTORS:
        raise ServiceError(f"Enter at most {MAX_SECTORS} postcodes", "postcodes")
    return sorted(found)


# --- The supplier submits -----------------------------------------------------------------------


def where_it_fell(code, field):
    """A council's code as the place a benefit fell, or None when none is given; refused
    unless it is a current council (lower tier, unitary or NI district)."""
    code = (code or "").strip().upper()
    if not code:
        return None
    la = geography.local_authority(code)
    if la is None or not la.covers_area_once:
        raise ServiceError("Choose the council where the benefit fell from the list", field)
    return la.code


def submit_return(user, ret, values, note=None, postcodes=None, evidence=None, councils=None):
    """The supplier's figures for the period: ``values`` {commitment id: what was typed} for
    every commitment; ``postcodes`` {commitment id: text} for measures that count people where
    they live; ``councils`` {commitment id: council code}, optionally, for where another
    measure's benefit fell; evidence as a ``note`` or an ``evidence`` file (or files already
    attached). Every value is checked before the file is stored, so a refusal keeps nothing."""
    contract = ret.contract
    if not may_submit_return(user, contract):
        raise NotAllowed("Only the supplier’s people can submit its returns")
    if ret.status == ReturnStatus.SUBMITTED:
        raise ServiceError("This return is with the buyer. You can change it if they query it")
    if ret.status == ReturnStatus.ACCEPTED:
        raise ServiceError("This return has been accepted and cannot change")
    if not is_open(ret):
        raise ServiceError(
            f"You can submit this return from {format_date(ret.period_end)}, the last day of "
            "its period"
        )
    checked = {}
    for commitment in contract.commitments:
        measure = commitment.measure
        field = f"value-{commitment.id}"
        raw = (values or {}).get(commitment.id)
        if raw is None or not str(raw).strip():
            raise ServiceError(f"Enter what was delivered for ‘{measure.name}’", field)
        amount = social_value.check_value(
            measure,
            raw,
            field,
            f"Enter what was delivered for ‘{measure.name}’ as a number, like 2 or 1.5",
        )
        sectors, council = [], None
        if measure.asks_postcode_sectors:
            try:
                sectors = postcode_sectors((postcodes or {}).get(commitment.id))
            except ServiceError as exc:
                raise ServiceError(str(exc), f"postcodes-{commitment.id}") from None
        elif measure.value_type != "percentage":
            council = where_it_fell((councils or {}).get(commitment.id), f"council-{commitment.id}")
        checked[commitment.id] = (amount, sectors, council)
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        raise ServiceError(f"The note must be {MAX_NOTE:,} characters or fewer", "note")
    has_file = evidence is not None and getattr(evidence, "filename", None)
    if not note and not has_file and not ret.evidence_ids:
        raise ServiceError(
            "Give evidence: upload a document, or write a note on how the figures were measured",
            "note",
        )
    if has_file:
        # Stored (and committed) first: the documents library's own transaction.
        document = upload_document(
            user,
            contract.supplier,
            evidence,
            DocumentPurpose.SOCIAL_VALUE_EVIDENCE,
            subject_type=RETURN_SUBJECT,
            subject_id=ret.id,
        )
        ret.evidence_ids = [*ret.evidence_ids, document.id]
    lines = {line.commitment_id: line for line in ret.lines}
    for commitment_id, (amount, sectors, council) in checked.items():
        line = lines.get(commitment_id)
        if line is None:
            line = SocialValueReturnLine(commitment_id=commitment_id)
            ret.lines.append(line)
        line.value = amount
        line.postcode_sectors = sectors
        line.local_authority_code = council
    was = ret.status
    now = utcnow()
    ret.note = note
    ret.status = ReturnStatus.SUBMITTED
    ret.submissions = (ret.submissions or 0) + 1
    ret.submitted_at = now
    ret.submitted_by_id = user.id
    for document_id in ret.evidence_ids:
        document = db.session.get(Document, document_id)
        if document is not None and document.locked_at is None:
            lock_document(document, "evidence in a social value return")
    record(
        E.SUBMIT_SOCIAL_VALUE_RETURN,
        subject=ret,
        actor=user,
        organisation_id=contract.supplier_id,
        detail={
            "contract_id": contract.id,
            "period": [ret.period_start.isoformat(), ret.period_end.isoformat()],
            "values": {
                c.measure_id: str(checked[c.id][0]) for c in contract.commitments if c.id in checked
            },
            "amended": was == ReturnStatus.QUERIED,
            "evidence": list(ret.evidence_ids),
        },
    )
    for person in buyer_people(contract):
        _email(person, "social_value_return_submitted", ret, f"submitted:{ret.submissions}")
    commit()
    return ret


# --- The buyer decides --------------------------------------------------------------------------


def _require_buyer(user, ret):
    if not may_record_delivery(user, ret.contract):
        raise NotAllowed("You need the buyer role to accept or query returns")
    if ret.status != ReturnStatus.SUBMITTED:
        raise ServiceError("Only a submitted return can be accepted or queried", "decision")


def accept_return(user, ret):
    """Its figures become the contract's delivery records for the period."""
    _require_buyer(user, ret)
    clash = db.session.execute(
        sa.select(SocialValueDelivery.id).where(
            SocialValueDelivery.commitment_id.in_([line.commitment_id for line in ret.lines]),
            SocialValueDelivery.period_start <= ret.period_end,
            SocialValueDelivery.period_end >= ret.period_start,
        )
    ).first()
    if clash:
        raise ServiceError("Delivery for part of this period is already recorded", "decision")
    now = utcnow()
    for line in ret.lines:
        db.session.add(
            SocialValueDelivery(
                commitment_id=line.commitment_id,
                period_start=ret.period_start,
                period_end=ret.period_end,
                delivered=line.value,
                note=None,
                recorded_by_id=user.id,
                recorded_at=now,
                return_id=ret.id,
            )
        )
    figures.refresh([line.commitment_id for line in ret.lines])
    figures.count_accepted(ret.contract)
    ret.status = ReturnStatus.ACCEPTED
    ret.accepted_at = now
    ret.accepted_by_id = user.id
    record(
        E.ACCEPT_SOCIAL_VALUE_RETURN,
        subject=ret,
        actor=user,
        organisation_id=ret.contract.buyer_id,
        detail={"contract_id": ret.contract_id, "submission": ret.submissions},
    )
    for person in supplier_people(ret.contract):
        _email(person, "social_value_return_accepted", ret, "accepted")
    commit()
    return ret


def query_return(user, ret, reason):
    """Back to the supplier to amend, with the reason."""
    _require_buyer(user, ret)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Enter what the supplier needs to change or explain", "reason")
    if len(reason) > MAX_NOTE:
        raise ServiceError(f"The reason must be {MAX_NOTE:,} characters or fewer", "reason")
    ret.status = ReturnStatus.QUERIED
    ret.query_reason = reason
    ret.queried_at = utcnow()
    ret.queried_by_id = user.id
    record(
        E.QUERY_SOCIAL_VALUE_RETURN,
        subject=ret,
        actor=user,
        organisation_id=ret.contract.buyer_id,
        detail={"contract_id": ret.contract_id, "reason": reason, "submission": ret.submissions},
    )
    for person in supplier_people(ret.contract):
        _email(
            person,
            "social_value_return_queried",
            ret,
            f"queried:{ret.submissions}",
            reason=reason,
        )
    commit()
    return ret


# --- Reminders ----------------------------------------------------------------------------------


def remind_returns(now=None):
    """Scheduled daily: tell the supplier's people when a return falls due (its period ended),
    and the supplier's and the buyer's people when one is overdue. Each is sent once (a
    timestamp on the return, and the outbox's idempotency key). Returns (reminded, flagged)."""
    now = now or utcnow()
    on = to_local(now).date()
    due = (
        db.session.execute(
            sa.select(SocialValueReturn).where(
                SocialValueReturn.status == ReturnStatus.AWAITING,
                SocialValueReturn.reminded_at.is_(None),
                SocialValueReturn.period_end <= on,
                SocialValueReturn.due_on >= on,
            )
        )
        .scalars()
        .all()
    )
    for ret in due:
        for person in supplier_people(ret.contract):
            _email(person, "social_value_return_due", ret, "due")
        ret.reminded_at = now
        record(
            E.REMIND_SOCIAL_VALUE_RETURN,
            subject=ret,
            organisation_id=ret.contract.supplier_id,
            detail={"due_on": ret.due_on.isoformat()},
        )
    overdue = (
        db.session.execute(
            sa.select(SocialValueReturn).where(
                SocialValueReturn.status.in_([ReturnStatus.AWAITING, ReturnStatus.QUERIED]),
                SocialValueReturn.overdue_flagged_at.is_(None),
                SocialValueReturn.due_on < on,
            )
        )
        .scalars()
        .all()
    )
    for ret in overdue:
        for person in supplier_people(ret.contract):
            _email(person, "social_value_return_overdue", ret, "overdue", side="supplier")
        for person in buyer_people(ret.contract):
            _email(person, "social_value_return_overdue", ret, "overdue", side="buyer")
        ret.overdue_flagged_at = now
        record(
            E.FLAG_OVERDUE_SOCIAL_VALUE_RETURN,
            subject=ret,
            organisation_id=ret.contract.buyer_id,
            detail={"due_on": ret.due_on.isoformat(), "status": ret.status.value},
        )
    commit()
    return len(due), len(overdue)


# --- People and emails --------------------------------------------------------------------------


def supplier_people(contract):
    return (
        db.session.execute(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organisation_id == contract.supplier_id,
                User.email_undeliverable_at.is_(None),
            )
            .order_by(User.id)
        )
        .scalars()
        .all()
    )


def buyer_people(contract):
    """The buyer's owners and the people with its buyer role."""
    has_role = (
        sa.select(BuyerRole.id)
        .where(BuyerRole.membership_id == Membership.id, BuyerRole.role == BuyerRoleName.BUYER)
        .exists()
    )
    return (
        db.session.execute(
            sa.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.organisation_id == contract.buyer_id,
                User.email_undeliverable_at.is_(None),
                sa.or_(Membership.role == Role.OWNER, has_role),
            )
            .order_by(User.id)
        )
        .scalars()
        .all()
    )


def _email(person, template, ret, event, **extra):
    contract = ret.contract
    queue_email(
        person.email,
        template,
        {
            "name": person.name,
            "title": contract.opportunity.title,
            "buyer": contract.buyer.display_name,
            "supplier": contract.supplier.display_name,
            "period": f"{format_date(ret.period_start)} to {format_date(ret.period_end)}",
            "due_on": format_date(ret.due_on),
            "url": absolute_url("lots.social_value_return", return_id=ret.id),
            **extra,
        },
        idempotency_key=f"sv_return:{ret.id}:{event}:{extra.get('side', '')}:{person.id}",
    )
