"""Help to bid: the "find a partner" board of an opportunity.

A supplier posts what it could bring to a consortium or as a subcontractor. Others write to it
through the service: the message is relayed by email to the post's organisation, and **no email
address is shown to either side until both agree** — sending a message is the sender's
agreement; the post's organisation agrees (or declines) in reply. ``contact_details`` is the one
place the rule is kept: it gives the other side's address only for an agreed contact, and only
to a member of one of the two organisations.

Any member of a supplier organisation may use the board while the opportunity is open for bids.

The board is part of the call-off's records and is kept as long as they are: when they expire
(``lots.awards.retention``) what was written on it and who wrote it are erased; which
organisations offered, wrote and agreed stays.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import Conflict, NotAllowed, NotFound, ServiceError
from app.extensions import db
from app.organisations.models import Membership, OrganisationKind
from app.outbox.services import queue_email
from app.permissions import is_member
from app.timeutil import utcnow
from app.unitofwork import commit
from app.urls import absolute_url
from lots.bids.models import ContactStatus, PartnerContact, PartnerOffer, PartnerPost
from lots.opportunities.models import Opportunity

MAX_CHARACTERS = 2000
OFFER_LABELS = {
    PartnerOffer.LEAD: "Lead a consortium",
    PartnerOffer.MEMBER: "Join a consortium as a member",
    PartnerOffer.SUBCONTRACTOR: "Work as a subcontractor",
}
CLOSED = "The partner board closes when the deadline for bids passes"


def _require_supplier_member(user, organisation):
    if organisation.kind != OrganisationKind.SUPPLIER or not is_member(user, organisation.id):
        raise NotAllowed("You are not a member of this supplier organisation")


def _require_open(opportunity, field=None):
    """A closed board is a state a page says plainly, not a permission refused."""
    if not opportunity.is_open:
        raise Conflict(CLOSED, field)


def _text(value, field, empty_message):
    value = (value or "").strip()
    if not value:
        raise ServiceError(empty_message, field)
    if len(value) > MAX_CHARACTERS:
        raise ServiceError(f"Keep it to {MAX_CHARACTERS:,} characters or fewer", field)
    return value


# --- Posts ----------------------------------------------------------------------------------------


def board(opportunity_id):
    """The open posts on the board, oldest first."""
    return (
        db.session.execute(
            sa.select(PartnerPost)
            .where(PartnerPost.opportunity_id == opportunity_id, PartnerPost.withdrawn_at.is_(None))
            .order_by(PartnerPost.posted_at, PartnerPost.id)
        )
        .scalars()
        .all()
    )


def post_of(organisation_id, opportunity_id):
    return db.session.execute(
        sa.select(PartnerPost).where(
            PartnerPost.opportunity_id == opportunity_id,
            PartnerPost.organisation_id == organisation_id,
            PartnerPost.withdrawn_at.is_(None),
        )
    ).scalar_one_or_none()


def post(user, organisation, opportunity, offers, could_bring):
    """Put the organisation on the board (or change its post)."""
    _require_supplier_member(user, organisation)
    _require_open(opportunity)
    try:
        offers = [PartnerOffer(o) for o in offers or []]
    except ValueError:
        raise ServiceError("Select from the options given", "offers") from None
    if not offers:
        raise ServiceError("Select how you could take part", "offers")
    could_bring = _text(could_bring, "could_bring", "Say what your organisation could bring")
    row = post_of(organisation.id, opportunity.id)
    if row is None:
        row = PartnerPost(opportunity_id=opportunity.id, organisation_id=organisation.id)
        db.session.add(row)
    row.offers = [o.value for o in PartnerOffer if o in offers]
    row.could_bring = could_bring
    row.posted_by_id = user.id
    row.posted_at = utcnow()
    db.session.flush()
    record(
        E.POST_PARTNER_OFFER,
        subject=row,
        actor=user,
        organisation=organisation,
        detail={"opportunity_id": opportunity.id, "offers": row.offers},
    )
    commit()
    return row


def withdraw(user, row):
    """Take the organisation's post off the board (messages already sent stay)."""
    _require_supplier_member(user, row.organisation)
    if row.withdrawn_at is not None:
        return row
    row.withdrawn_at = utcnow()
    record(
        E.WITHDRAW_PARTNER_OFFER,
        subject=row,
        actor=user,
        organisation_id=row.organisation_id,
        detail={"opportunity_id": row.opportunity_id},
    )
    commit()
    return row


# --- Contact through the service ----------------------------------------------------------------


def contact(user, organisation, row, opportunity, message):
    """Write to the organisation of a post, as ``organisation``: relayed by email to its members
    with no address of the sender's; sending agrees to share the sender's once they agree."""
    _require_supplier_member(user, organisation)
    if row.opportunity_id != opportunity.id or row.withdrawn_at is not None:
        raise NotFound("That post is no longer on the board")
    _require_open(opportunity)
    if row.organisation_id == organisation.id:
        raise ServiceError("This is your own organisation’s post", "message")
    message = _text(message, "message", "Enter your message")
    existing = db.session.execute(
        sa.select(PartnerContact.id).where(
            PartnerContact.post_id == row.id, PartnerContact.from_organisation_id == organisation.id
        )
    ).first()
    if existing is not None:
        raise Conflict(
            f"Your organisation has already written to {row.organisation.display_name} about "
            "this opportunity. Wait for their reply",
            "message",
        )
    sent = PartnerContact(
        post_id=row.id,
        from_organisation_id=organisation.id,
        from_user_id=user.id,
        message=message,
        status=ContactStatus.WAITING,
    )
    db.session.add(sent)
    db.session.flush()
    record(
        E.CONTACT_PARTNER,
        subject=sent,
        actor=user,
        organisation=organisation,
        detail={"opportunity_id": opportunity.id, "post_id": row.id, "to": row.organisation_id},
    )
    _email_members(
        row.organisation_id,
        "partner_contact",
        f"partner_contact:{sent.id}",
        sender=organisation.display_name,
        title=opportunity.title,
        message=message,
        url=absolute_url(
            "lots.partner_board", opportunity_id=opportunity.id, **{"as": row.organisation_id}
        ),
    )
    commit()
    return sent


def answer(user, sent, agree):
    """The post's organisation agrees to share contact details (each side then sees the other's
    address) or declines; the sender is told by email, still with no address in it."""
    row = sent.post
    _require_supplier_member(user, row.organisation)
    if sent.status != ContactStatus.WAITING:
        raise Conflict("This message has already been answered")
    sent.status = ContactStatus.AGREED if agree else ContactStatus.DECLINED
    sent.answered_at = utcnow()
    sent.answered_by_id = user.id
    record(
        E.ACCEPT_PARTNER_CONTACT if agree else E.DECLINE_PARTNER_CONTACT,
        subject=sent,
        actor=user,
        organisation_id=row.organisation_id,
        detail={"opportunity_id": row.opportunity_id, "from": sent.from_organisation_id},
    )
    opportunity = db.session.get(Opportunity, row.opportunity_id)
    _email_members(
        sent.from_organisation_id,
        "partner_contact_answered",
        f"partner_contact_answered:{sent.id}",
        partner=row.organisation.display_name,
        title=opportunity.title,
        agreed=bool(agree),
        url=absolute_url(
            "lots.partner_board",
            opportunity_id=row.opportunity_id,
            **{"as": sent.from_organisation_id},
        ),
    )
    commit()
    return sent


@dataclass(frozen=True)
class Details:
    organisation: str
    name: str | None
    email: str | None


def contact_details(user, sent):
    """The other side's contact details, for a member of either organisation, once both have
    agreed; None before that (and for anyone else, always)."""
    if sent.status != ContactStatus.AGREED:
        return None
    row = sent.post
    if is_member(user, row.organisation_id):
        person = sent.from_user
        return Details(
            sent.from_organisation.display_name,
            person.name if person else None,
            person.email if person else None,
        )
    if is_member(user, sent.from_organisation_id):
        person = sent.answered_by
        return Details(
            row.organisation.display_name,
            person.name if person else None,
            person.email if person else None,
        )
    return None


def contacts_of(organisation_id, opportunity_id):
    """(received, sent): the messages to the organisation's post and those it sent, newest
    first."""
    base = (
        sa.select(PartnerContact)
        .join(PartnerPost, PartnerPost.id == PartnerContact.post_id)
        .where(PartnerPost.opportunity_id == opportunity_id)
        .order_by(PartnerContact.sent_at.desc(), PartnerContact.id.desc())
    )
    received = db.session.execute(base.where(PartnerPost.organisation_id == organisation_id))
    sent = db.session.execute(base.where(PartnerContact.from_organisation_id == organisation_id))
    return received.scalars().all(), sent.scalars().all()


def contact_in(opportunity_id, contact_id):
    return db.session.execute(
        sa.select(PartnerContact)
        .join(PartnerPost, PartnerPost.id == PartnerContact.post_id)
        .where(PartnerContact.id == contact_id, PartnerPost.opportunity_id == opportunity_id)
    ).scalar_one_or_none()


def agreed_between(opportunity_id, organisation_a, organisation_b):
    """Whether the two organisations agreed to contact each other on this opportunity's board."""
    pair = sa.or_(
        sa.and_(
            PartnerPost.organisation_id == organisation_a,
            PartnerContact.from_organisation_id == organisation_b,
        ),
        sa.and_(
            PartnerPost.organisation_id == organisation_b,
            PartnerContact.from_organisation_id == organisation_a,
        ),
    )
    return (
        db.session.execute(
            sa.select(PartnerContact.id)
            .join(PartnerPost, PartnerPost.id == PartnerContact.post_id)
            .where(
                PartnerPost.opportunity_id == opportunity_id,
                PartnerContact.status == ContactStatus.AGREED,
                pair,
            )
            .limit(1)
        ).first()
        is not None
    )


def _email_members(organisation_id, template, key, **personalisation):
    members = db.session.execute(
        sa.select(Membership).where(Membership.organisation_id == organisation_id)
    ).scalars()
    for member in members:
        queue_email(
            member.user.email,
            template,
            {
                "name": member.user.name,
                "organisation": member.organisation.display_name,
                **personalisation,
            },
            idempotency_key=f"{key}:{member.user_id}",
        )
