"""The pipeline's rules and changes: a buyer lists a planned call-off (within the next
``PIPELINE_MONTHS``, 18 by default), suppliers register interest, the buyer sees that interest by
kind of supplier, invites the interested to a market engagement event whose places are limited,
and turns the item into a draft call-off in one step; when that call-off is published, everyone
interested is told. Each function is one transaction; emails go through the outbox after commit.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import Conflict, NotAllowed, ServiceError
from app.extensions import db
from app.organisations.models import OrganisationKind
from app.outbox.fanout import fan_out
from app.outbox.services import queue_email
from app.permissions import is_member
from app.recovery import enqueue_recorded
from app.reference import geography
from app.timeutil import format_datetime, to_local, utcnow
from app.unitofwork import commit
from app.urls import absolute_url
from dps.supplier_kinds import facts_of, kind_for
from lots.opportunities import services as opportunities
from lots.opportunities.buyers import has_joined, is_approved
from lots.opportunities.permissions import require_buyer_role
from lots.pipeline import hooks, queries
from lots.pipeline.models import (
    BidIntent,
    EngagementEvent,
    EventBooking,
    PipelineInterest,
    PipelineItem,
)

MAX_CAPACITY = 10_000

# --- The 18-month window ------------------------------------------------------------------------


def quarter_of(day):
    """(year, quarter) of a date."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_start(year, quarter):
    return date(year, 3 * (quarter - 1) + 1, 1)


def quarter_end(year, quarter):
    return quarter_start(year, quarter) + relativedelta(months=3) - timedelta(days=1)


def window_end(today):
    """The last day a pipeline item's quarter may start: ``PIPELINE_MONTHS`` from today."""
    return today + relativedelta(months=current_app.config["PIPELINE_MONTHS"])


def quarters_open(today):
    """[(year, quarter)] a buyer may choose on ``today``: the current quarter and each one that
    starts within the window."""
    year, quarter = quarter_of(today)
    choices = []
    while quarter_start(year, quarter) <= window_end(today):
        choices.append((year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return choices


def check_window(year, quarter, today):
    """A pipeline lists what a buyer plans to buy within the next 18 months: the quarter has not
    ended, and it starts within the window."""
    if quarter not in (1, 2, 3, 4) or not 2000 <= (year or 0) <= 2200:
        raise ServiceError("Choose the quarter you expect to publish it in", "expected")
    if quarter_end(year, quarter) < today:
        raise ServiceError(
            "That quarter has passed: choose this quarter or a later one", "expected"
        )
    months = current_app.config["PIPELINE_MONTHS"]
    if quarter_start(year, quarter) > window_end(today):
        raise ServiceError(
            f"A pipeline lists what you plan to buy in the next {months} months: choose a "
            f"quarter that starts by {window_end(today):%-d %B %Y}",
            "expected",
        )


# --- Items --------------------------------------------------------------------------------------


def _text(value, name, message, limit=None):
    value = (value or "").strip()
    if not value:
        raise ServiceError(message, name)
    if limit and len(value) > limit:
        raise ServiceError(
            f"{message.replace('Enter', 'The')} must be {limit} characters or fewer", name
        )
    return value


def create_item(
    user,
    buyer,
    lot,
    *,
    title,
    description,
    estimated_value_pence,
    expected_year,
    expected_quarter,
    contact_name,
    contact_email,
):
    """List a planned call-off under ``lot``, publicly, at once."""
    require_buyer_role(user, buyer.id, "buyer")
    if not is_approved(buyer.id):
        raise ServiceError(
            "Your organisation must be approved by the DPS operator before it can list "
            "planned work",
            "lot_id",
        )
    if not has_joined(buyer.id, lot.dps_id):
        raise ServiceError(
            "Your organisation has not joined this DPS, so it cannot use its lots", "lot_id"
        )
    title = _text(title, "title", "Enter a title", 200)
    description = _text(description, "description", "Enter a description", 5000)
    if not isinstance(estimated_value_pence, int) or estimated_value_pence <= 0:
        raise ServiceError("Enter an estimated value more than £0", "estimated_value")
    check_window(expected_year, expected_quarter, to_local(utcnow()).date())
    contact_name = _text(contact_name, "contact_name", "Enter a contact name", 200)
    contact_email = _text(contact_email, "contact_email", "Enter a contact email address", 320)
    item = PipelineItem(
        dps_id=lot.dps_id,
        lot_id=lot.id,
        buyer_id=buyer.id,
        created_by_id=user.id,
        title=title,
        description=description,
        estimated_value_pence=estimated_value_pence,
        expected_year=expected_year,
        expected_quarter=expected_quarter,
        contact_name=contact_name,
        contact_email=contact_email.lower(),
        published_at=utcnow(),
    )
    db.session.add(item)
    db.session.flush()
    record(
        E.ADD_PIPELINE_ITEM,
        subject=item,
        actor=user,
        organisation=buyer,
        detail={
            "lot_id": lot.id,
            "title": title,
            "quarter": f"{expected_year}-Q{expected_quarter}",
            "estimated_value_pence": estimated_value_pence,
        },
    )
    hooks.run_on_item_published(item)  # alerts, and the pipeline notice when it is wired
    commit()
    return item


def withdraw_item(user, item, reason):
    require_buyer_role(user, item.buyer_id, "buyer")
    if item.withdrawn_at is not None:
        raise Conflict("This item has already been withdrawn")
    item.withdraw_reason = _text(reason, "reason", "Enter why you are withdrawing it", 2000)
    item.withdrawn_at = utcnow()
    record(
        E.WITHDRAW_PIPELINE_ITEM,
        subject=item,
        actor=user,
        organisation_id=item.buyer_id,
        detail={"reason": item.withdraw_reason},
    )
    hooks.run_on_item_withdrawn(item)  # the pipeline notice's update
    commit()


# --- Interest -----------------------------------------------------------------------------------


def _require_supplier_member(user, organisation):
    if organisation is None or organisation.kind != OrganisationKind.SUPPLIER:
        raise NotAllowed("Only a supplier organisation can do this")
    if not is_member(user, organisation.id):
        raise NotAllowed("You are not a member of this organisation")


def register_interest(user, organisation, item, intent=None):
    """The supplier is interested (again, with a new intent, if it already was)."""
    _require_supplier_member(user, organisation)
    if item.withdrawn_at is not None:
        raise ServiceError("The buyer has withdrawn this planned work", "intent")
    if item.published_call_off_at is not None:
        raise ServiceError("The call-off has been published: see the opportunity instead", "intent")
    try:
        intent = BidIntent(intent or BidIntent.UNDECIDED)
    except ValueError:
        raise ServiceError("Choose how you would expect to bid", "intent") from None
    interest = queries.interest_of(item.id, organisation.id)
    if interest is None:
        interest = PipelineInterest(
            item_id=item.id,
            organisation_id=organisation.id,
            registered_by_id=user.id,
            intent=intent,
            registered_at=utcnow(),
        )
        db.session.add(interest)
    else:
        interest.intent = intent
    try:
        db.session.flush()
    except IntegrityError:  # registered by a colleague at the same moment
        db.session.rollback()
        raise Conflict("Your organisation has already registered interest", "intent") from None
    record(
        E.REGISTER_PIPELINE_INTEREST,
        subject=interest,
        actor=user,
        organisation=organisation,
        detail={"item_id": item.id, "intent": intent.value},
    )
    commit()
    return interest


def withdraw_interest(user, organisation, item):
    _require_supplier_member(user, organisation)
    interest = queries.interest_of(item.id, organisation.id)
    if interest is None:
        raise Conflict("Your organisation has not registered interest")
    record(
        E.WITHDRAW_PIPELINE_INTEREST,
        subject=interest,
        actor=user,
        organisation=organisation,
        detail={"item_id": item.id},
    )
    db.session.delete(interest)
    commit()


@dataclass
class Analysis:
    """Interest in an item by kind of supplier. Each count is of organisations; ``unknown``
    counts those whose kind could not be told (no staff band, a postcode not found)."""

    total: int = 0
    vcse: int = 0
    sme: int = 0
    local: int = 0
    deprived: int = 0  # in the most deprived 20% of neighbourhoods (deciles 1 and 2)
    sme_unknown: int = 0
    local_unknown: int = 0
    deprived_unknown: int = 0
    intents: dict = field(default_factory=dict)  # BidIntent -> count
    rows: list = field(default_factory=list)  # [(interest, Kind)]


def local_districts(item):
    """The districts "local" means for an item: its buyer's own local authority's."""
    return geography.district_gss_codes(item.buyer.local_authority_code)


def interest_analysis(item):
    """The buyer's view of who is interested, by kind (VCSE, SME, local, deprived area), using
    the product's one classification (``dps.supplier_kinds``, which spend analysis uses too)."""
    interests = queries.interests(item.id)
    facts = facts_of(i.organisation_id for i in interests)
    districts = local_districts(item)
    result = Analysis(intents=dict.fromkeys(BidIntent, 0))
    for interest in interests:
        kind = kind_for(facts.get(interest.organisation_id), districts)
        result.rows.append((interest, kind))
        result.total += 1
        result.vcse += bool(kind.vcse)
        result.sme += bool(kind.sme)
        result.sme_unknown += kind.sme is None
        result.local += bool(kind.local)
        result.local_unknown += kind.local is None
        result.deprived += bool(kind.deprived_20)
        result.deprived_unknown += kind.deprived_20 is None
        result.intents[interest.intent] += 1
    return result


# --- Market engagement events -------------------------------------------------------------------


def create_event(user, item, *, starts_at, place=None, link=None, details=None, capacity=None):
    """A market engagement event for the item; everyone interested is invited by email."""
    require_buyer_role(user, item.buyer_id, "buyer")
    if item.withdrawn_at is not None:
        raise ServiceError("This item has been withdrawn", "starts_at")
    if starts_at is None:
        raise ServiceError("Enter the date and time of the event", "starts_at")
    if starts_at <= utcnow():
        raise ServiceError("The event must be in the future", "starts_at")
    place = (place or "").strip() or None
    link = (link or "").strip() or None
    if place is None and link is None:
        raise ServiceError("Enter where the event is, or a link to join it online", "place")
    if link is not None and not link.startswith(("https://", "http://")):
        raise ServiceError("Enter a link that starts with https://", "link")
    if len(place or "") > 500 or len(link or "") > 500:
        raise ServiceError("The place and the link must each be 500 characters or fewer", "place")
    if not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
        raise ServiceError(f"Enter the number of places, from 1 to {MAX_CAPACITY:,}", "capacity")
    event = EngagementEvent(
        item_id=item.id,
        created_by_id=user.id,
        starts_at=starts_at,
        place=place,
        link=link,
        details=(details or "").strip() or None,
        capacity=capacity,
        booked=0,
        created_at=utcnow(),
    )
    db.session.add(event)
    db.session.flush()
    record(
        E.ADD_ENGAGEMENT_EVENT,
        subject=event,
        actor=user,
        organisation_id=item.buyer_id,
        detail={"item_id": item.id, "starts_at": starts_at.isoformat(), "capacity": capacity},
    )
    enqueue_recorded(send_event_invitations, event.id, job_key=f"send_event_invitations-{event.id}")
    commit()
    return event


def _event_details(event):
    item = event.item
    return {
        "title": item.title,
        "buyer": item.buyer.name,
        "when": format_datetime(event.starts_at),
        "place": event.place or "",
        "link": event.link or "",
        "details": event.details or "",
        "url": absolute_url("lots.view_pipeline_item", item_id=item.id),
    }


def send_event_invitations(event_id):
    """Job: one email to each member of every organisation interested in the event's item.
    Idempotent: each person's outbox row has the key ``pipeline-event:<event>:<person>``."""
    event = db.session.get(EngagementEvent, event_id)
    if event is None:
        return 0
    return fan_out(
        queries.interested_people(event.item_id),
        "engagement_event_invitation",
        _event_details(event),
        key_prefix=f"pipeline-event:{event_id}",
    )


def book_place(user, organisation, event):
    """A place for the person, for their supplier organisation. The places are counted in one
    UPDATE that refuses to pass the capacity (``booked < capacity``): on PostgreSQL a second
    booking of the last place waits for the first to commit, then finds none left."""
    _require_supplier_member(user, organisation)
    item = event.item
    if item.withdrawn_at is not None:
        raise ServiceError("The buyer has withdrawn this planned work", "event")
    if queries.interest_of(item.id, organisation.id) is None:
        raise NotAllowed("Register your organisation's interest before booking a place")
    if event.starts_at <= utcnow():
        raise ServiceError("This event has already happened", "event")
    taken = db.session.execute(
        sa.update(EngagementEvent)
        .where(EngagementEvent.id == event.id, EngagementEvent.booked < EngagementEvent.capacity)
        .values(booked=EngagementEvent.booked + 1)
        .returning(EngagementEvent.id)
    ).scalar_one_or_none()
    if taken is None:
        db.session.rollback()
        raise Conflict("There are no places left at this event", "event")
    booking = EventBooking(
        event_id=event.id, organisation_id=organisation.id, user_id=user.id, booked_at=utcnow()
    )
    db.session.add(booking)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict("You have already booked a place at this event", "event") from None
    record(
        E.BOOK_ENGAGEMENT_EVENT,
        subject=booking,
        actor=user,
        organisation=organisation,
        detail={"event_id": event.id, "item_id": item.id},
    )
    queue_email(
        user.email,
        "engagement_event_booked",
        {"name": user.name or "", **_event_details(event)},
        idempotency_key=f"pipeline-booking:{booking.id}",
    )
    commit()
    db.session.refresh(event)
    return booking


def cancel_booking(user, booking):
    if booking.user_id != user.id:
        raise NotAllowed("This is not your booking")
    event = booking.event
    db.session.execute(
        sa.update(EngagementEvent)
        .where(EngagementEvent.id == event.id)
        .values(booked=EngagementEvent.booked - 1)
    )
    record(
        E.CANCEL_ENGAGEMENT_BOOKING,
        subject=booking,
        actor=user,
        organisation_id=booking.organisation_id,
        detail={"event_id": event.id},
    )
    db.session.delete(booking)
    commit()
    db.session.refresh(event)


# --- From planned work to a call-off ------------------------------------------------------------


def draft_call_off(user, item):
    """Make a draft call-off from the item, in one step (``lots.opportunities.services``), and
    link them in the same transaction. The item's row is locked first, so a second click waits
    and then finds the draft made."""
    require_buyer_role(user, item.buyer_id, "buyer")
    item = db.session.execute(
        sa.select(PipelineItem)
        .where(PipelineItem.id == item.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    if item.withdrawn_at is not None:
        raise ServiceError("This item has been withdrawn", "item")
    if item.opportunity_id is not None:
        raise Conflict("A call-off has already been drafted from this item", "item")

    def link(opportunity):
        item.opportunity_id = opportunity.id
        item.drafted_at = utcnow()
        record(
            E.DRAFT_CALL_OFF_FROM_PIPELINE,
            subject=item,
            actor=user,
            organisation_id=item.buyer_id,
            detail={"opportunity_id": opportunity.id},
        )

    summary = " ".join(item.description.split())
    return opportunities.create_draft(
        user,
        item.buyer,
        item.lot,
        before_commit=link,
        title=item.title,
        summary=summary if len(summary) <= 600 else summary[:597].rstrip() + "…",
        description=item.description,
        estimated_value_pence=item.estimated_value_pence,
        contact_name=item.contact_name,
        contact_email=item.contact_email,
    )


def on_call_off_published(opportunity):
    """Hook (``lots.opportunities.hooks.on_publish``, inside the publishing transaction): if the
    call-off came from a pipeline item, everyone interested in it is told, once."""
    item = queries.item_for_opportunity(opportunity.id)
    if item is None or item.published_call_off_at is not None:
        return
    item.published_call_off_at = utcnow()
    enqueue_recorded(
        send_call_off_published_emails, item.id, job_key=f"send_pipeline_published-{item.id}"
    )


def send_call_off_published_emails(item_id):
    """Job: tell each member of every interested organisation that the call-off is published.
    Idempotent: keys ``pipeline-published:<item>:<person>``."""
    item = db.session.get(PipelineItem, item_id)
    if item is None or item.opportunity is None:
        return 0
    opportunity = item.opportunity
    return fan_out(
        queries.interested_people(item.id),
        "pipeline_call_off_published",
        {
            "title": opportunity.title,
            "buyer": item.buyer.name,
            "reference": opportunity.reference or "",
            "deadline": format_datetime(opportunity.submission_deadline),
            "url": absolute_url("lots.view_opportunity", opportunity_id=opportunity.id),
            "lot": item.lot.label,
            "lot_url": absolute_url("dps.view_dps", slug=item.dps.slug),
        },
        key_prefix=f"pipeline-published:{item.id}",
    )
