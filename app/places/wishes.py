"""The community wish list: needs that voluntary and community groups (any organisation here,
including a community group that registered only for this) and buyers post in a place, each in
a social value measure's units, moderated by the operator before anyone else sees it.

Bidders pledge against open wishes in their bids (``lots.bids.pledges``); a winning pledge joins
the contract's commitments and the group confirms its delivery (``lots.awards.pledges``). Each
change here is one transaction, audited."""

import re
from decimal import Decimal

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.forms import hidden_characters
from app.outbox.services import queue_email
from app.permissions import is_admin, is_member
from app.places.models import Place, PlaceAuthority, PlaceBuyer, Wish, WishStatus
from app.reference import social_value
from app.timeutil import utcnow
from app.unitofwork import commit
from app.urls import absolute_url

MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_AREA = 200
MAX_REASON = 2000
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE = re.compile(r"\+?[0-9 ()-]{7,20}")
# Wishes the public sees: approved, and not taken back or moderated out.
SHOWN = (WishStatus.OPEN, WishStatus.PLEDGED, WishStatus.DELIVERED)


def wish_measures():
    """The measures a wish may be counted in: active ones whose periods add up (hours, people,
    weeks, pounds). A share or a level (a percentage, staff in post) is not something a group
    can ask for a quantity of."""
    return [m for m in social_value.all_measures() if m.aggregation == "sum"]


def _text(details, key):
    value = details.get(key)
    return "" if value is None else str(value).strip()


def clean_wish(place, details):
    """The columns of a wish from what was typed, or a ServiceError naming the first box that is
    wrong (in page order)."""
    title = _text(details, "title")
    if not title:
        raise ServiceError(
            "Enter what you need, like ‘Volunteers to paint the community centre’", "title"
        )
    if len(title) > MAX_TITLE:
        raise ServiceError(f"What you need must be {MAX_TITLE} characters or fewer", "title")
    description = _text(details, "description")
    if not description:
        raise ServiceError("Describe the need: who it helps, when and where", "description")
    if len(description) > MAX_DESCRIPTION:
        raise ServiceError(
            f"The description must be {MAX_DESCRIPTION:,} characters or fewer", "description"
        )
    measure_id = _text(details, "measure")
    measure = next((m for m in wish_measures() if m.id == measure_id), None)
    if measure is None:
        raise ServiceError("Choose how the help is counted", "measure")
    quantity = social_value.check_value(
        measure,
        _text(details, "quantity"),
        "quantity",
        f"Enter how many {measure.unit} you need as a number, like 40",
    )
    if quantity <= 0:
        raise ServiceError(f"Enter how many {measure.unit} you need: more than 0", "quantity")
    council = _text(details, "local_authority_code")
    if council not in place.authority_codes:
        raise ServiceError(f"Choose the council in {place.name} where the need is", "council")
    area = _text(details, "area")
    if not area:
        raise ServiceError(
            "Enter the neighbourhood or venue, like ‘Gipton Community Centre’", "area"
        )
    if len(area) > MAX_AREA:
        raise ServiceError(f"The neighbourhood must be {MAX_AREA} characters or fewer", "area")
    contact_name = _text(details, "contact_name")
    if not contact_name:
        raise ServiceError("Enter the name of the person to contact", "contact_name")
    if len(contact_name) > 200:
        raise ServiceError("The name must be 200 characters or fewer", "contact_name")
    contact_email = _text(details, "contact_email").lower()
    if not EMAIL.fullmatch(contact_email) or len(contact_email) > 320:
        raise ServiceError(
            "Enter an email address in the correct format, like name@example.com",
            "contact_email",
        )
    contact_phone = _text(details, "contact_phone")
    if contact_phone and not PHONE.fullmatch(contact_phone):
        raise ServiceError("Enter a phone number, like 0113 496 0000", "contact_phone")
    for field, value, label in (
        ("title", title, "What you need"),
        ("contact_name", contact_name, "The name"),
    ):
        if hidden_characters(value):
            raise ServiceError(
                f"{label} must not include hidden formatting characters (such as a right-to-left "
                "mark or a zero-width space): type it again rather than pasting it",
                field,
            )
    return dict(
        title=title,
        description=description,
        measure_id=measure.id,
        quantity=quantity,
        local_authority_code=council,
        area=area,
        contact_name=contact_name,
        contact_email=contact_email,
        contact_phone=contact_phone or None,
    )


def post_wish(user, organisation, place, details):
    """A wish posted by a member of ``organisation`` (a supplier, a community group or a buyer)
    in ``place``. It waits for the operator before anyone else sees it."""
    if organisation is None or not is_member(user, organisation.id):
        raise NotAllowed("Only people in the organisation can post a wish for it", "organisation")
    wish = Wish(
        place_id=place.id,
        organisation_id=organisation.id,
        posted_by_id=user.id,
        status=WishStatus.PENDING,
        posted_at=utcnow(),
        pledged=Decimal(0),
        delivered=Decimal(0),
        **clean_wish(place, details),
    )
    db.session.add(wish)
    db.session.flush()
    record(
        E.POST_WISH,
        subject=wish,
        actor=user,
        organisation_id=organisation.id,
        detail={
            "place_id": place.id,
            "title": wish.title,
            "measure_id": wish.measure_id,
            "quantity": str(wish.quantity),
        },
    )
    commit()
    return wish


def _locked(wish):
    db.session.execute(sa.select(Wish.id).where(Wish.id == wish.id).with_for_update())
    db.session.refresh(wish)
    return wish


def approve_wish(user, wish):
    """The operator lets a waiting wish show: it is open for pledges."""
    if not is_admin(user):
        raise NotAllowed("Only the DPS operator can moderate wishes")
    _locked(wish)
    if wish.status != WishStatus.PENDING:
        raise ServiceError("Only a wish waiting for approval can be approved", "decision")
    wish.status = WishStatus.OPEN
    wish.moderated_by_id, wish.moderated_at = user.id, utcnow()
    record(E.APPROVE_WISH, subject=wish, actor=user, organisation_id=wish.organisation_id)
    _tell_group(wish, approved=True)
    commit()
    return wish


def reject_wish(user, wish, reason):
    """The operator moderates a wish out, saying why (the group sees the reason): one waiting
    for approval, or an open one that nobody has pledged to yet."""
    if not is_admin(user):
        raise NotAllowed("Only the DPS operator can moderate wishes")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("Say why the wish cannot be shown: the group will see it", "reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(f"The reason must be {MAX_REASON:,} characters or fewer", "reason")
    _locked(wish)
    if wish.status not in (WishStatus.PENDING, WishStatus.OPEN) or wish.pledged > 0:
        raise ServiceError(
            "Only a wish waiting for approval, or an open one with no pledge, can be taken down",
            "decision",
        )
    wish.status = WishStatus.REJECTED
    wish.rejection_reason = reason
    wish.moderated_by_id, wish.moderated_at = user.id, utcnow()
    record(
        E.REJECT_WISH,
        subject=wish,
        actor=user,
        organisation_id=wish.organisation_id,
        detail={"reason": reason},
    )
    _tell_group(wish, approved=False)
    commit()
    return wish


def _tell_group(wish, approved):
    queue_email(
        wish.contact_email,
        "wish_moderated",
        {
            "name": wish.contact_name,
            "title": wish.title,
            "place": wish.place.name,
            "approved": approved,
            "reason": wish.rejection_reason or "",
            "url": absolute_url("wishes.your_wishes"),
        },
        idempotency_key=f"wish_moderated:{wish.id}",
    )


def withdraw_wish(user, wish):
    """The group takes its wish back, while nothing is pledged to it."""
    if not is_member(user, wish.organisation_id):
        raise NotAllowed("Only people in the organisation that posted a wish can withdraw it")
    _locked(wish)
    if wish.status not in (WishStatus.PENDING, WishStatus.OPEN) or wish.pledged > 0:
        raise ServiceError(
            "A wish can be withdrawn only until a winning bid pledges something to it", "wish"
        )
    wish.status = WishStatus.WITHDRAWN
    wish.withdrawn_at = utcnow()
    record(E.WITHDRAW_WISH, subject=wish, actor=user, organisation_id=wish.organisation_id)
    commit()
    return wish


# --- Reads --------------------------------------------------------------------------------------


def is_open(wish):
    """Open for pledges: approved, and something is still wanted."""
    return wish.status == WishStatus.OPEN and wish.outstanding > 0


def may_see(user, wish):
    """Everyone sees an approved wish; the group and the operator see it whatever its state."""
    if wish.status in SHOWN:
        return True
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and (is_admin(user) or is_member(user, wish.organisation_id))
    )


def open_wishes(place_id=None):
    stmt = sa.select(Wish).where(Wish.status == WishStatus.OPEN).order_by(Wish.posted_at, Wish.id)
    if place_id is not None:
        stmt = stmt.where(Wish.place_id == place_id)
    return db.session.execute(stmt).scalars().all()


def open_counts():
    """{place id: open wishes in it}."""
    return dict(
        db.session.execute(
            sa.select(Wish.place_id, sa.func.count())
            .where(Wish.status == WishStatus.OPEN)
            .group_by(Wish.place_id)
        ).all()
    )


def pending_wishes():
    return (
        db.session.execute(
            sa.select(Wish)
            .where(Wish.status == WishStatus.PENDING)
            .order_by(Wish.posted_at, Wish.id)
        )
        .scalars()
        .all()
    )


def recently_moderated(limit=20):
    return (
        db.session.execute(
            sa.select(Wish)
            .where(Wish.moderated_at.is_not(None))
            .order_by(Wish.moderated_at.desc(), Wish.id.desc())
            .limit(limit)
        )
        .scalars()
        .all()
    )


def wishes_of(organisation_ids):
    if not organisation_ids:
        return []
    return (
        db.session.execute(
            sa.select(Wish)
            .where(Wish.organisation_id.in_(organisation_ids))
            .order_by(Wish.posted_at.desc(), Wish.id.desc())
        )
        .scalars()
        .all()
    )


def offered_to(buyer, measure_ids):
    """The open wishes a bidder for ``buyer``'s call-off may pledge against: in a place the
    buyer is in, counted in a measure the call-off asks for, and still wanting something."""
    if not measure_ids:
        return []
    code = getattr(buyer, "local_authority_code", None)
    by_council = sa.select(PlaceAuthority.place_id).where(
        PlaceAuthority.local_authority_code == code if code else sa.false()
    )
    by_name = sa.select(PlaceBuyer.place_id).where(PlaceBuyer.organisation_id == buyer.id)
    rows = (
        db.session.execute(
            sa.select(Wish)
            .join(Place, Place.id == Wish.place_id)
            .where(
                Wish.status == WishStatus.OPEN,
                Wish.measure_id.in_(list(measure_ids)),
                sa.or_(Place.id.in_(by_council), Place.id.in_(by_name)),
            )
            .order_by(Place.name, Wish.posted_at, Wish.id)
        )
        .scalars()
        .all()
    )
    return [w for w in rows if w.outstanding > 0]
