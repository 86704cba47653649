"""Winning pledges against community wishes: when a contract is entered, what its bid pledged
(frozen in the submission, ``lots.bids.pledges``) becomes part of the contract's commitment for
each wish's measure; the group that posted the wish is told, and later confirms delivery.

A wish another winner has covered since takes only what it still wants (the commitment to the
measure stands in full either way); a wish no longer open (withdrawn or taken down) takes
nothing. Each is audited."""

from decimal import Decimal

import sqlalchemy as sa

from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.outbox.services import queue_email
from app.permissions import is_member
from app.places.models import Wish, WishStatus
from app.timeutil import utcnow
from app.unitofwork import commit
from app.urls import absolute_url
from lots.awards.models import WishPledge

MAX_NOTE = 2000


def pledges_on_entry(contract, snapshot):
    """The submission's pledges as the contract's, in the transaction that enters it."""
    commitments = {c.measure_id: c for c in contract.commitments}
    made = []
    for key, value in sorted(
        (snapshot.get("wish_pledges") or {}).items(), key=lambda kv: int(kv[0])
    ):
        wish = db.session.execute(
            sa.select(Wish).where(Wish.id == int(key)).with_for_update()
        ).scalar_one_or_none()
        commitment = commitments.get(wish.measure_id) if wish is not None else None
        amount = min(Decimal(value), wish.outstanding) if wish is not None else Decimal(0)
        if wish is None or commitment is None or wish.status != WishStatus.OPEN or amount <= 0:
            record(
                E.WIN_WISH_PLEDGE,
                subject_type="wishes",
                subject_id=int(key),
                organisation_id=contract.supplier_id,
                detail={"contract_id": contract.id, "pledged": value, "taken": "0"},
            )
            continue
        pledge = WishPledge(
            wish_id=wish.id,
            contract_id=contract.id,
            commitment_id=commitment.id,
            quantity=amount,
            pledged_at=utcnow(),
        )
        db.session.add(pledge)
        wish.pledged = Decimal(wish.pledged) + amount
        if wish.pledged >= wish.quantity:
            wish.status = WishStatus.PLEDGED
        db.session.flush()
        record(
            E.WIN_WISH_PLEDGE,
            subject=wish,
            organisation_id=wish.organisation_id,
            detail={
                "contract_id": contract.id,
                "pledge_id": pledge.id,
                "supplier_id": contract.supplier_id,
                "pledged": value,
                "taken": str(amount),
            },
        )
        queue_email(
            wish.contact_email,
            "wish_pledged",
            {
                "name": wish.contact_name,
                "title": wish.title,
                "supplier": contract.supplier.display_name,
                "buyer": contract.buyer.display_name,
                "quantity": _number(amount),
                "unit": commitment.measure.unit,
                "url": absolute_url("wishes.your_wishes"),
            },
            idempotency_key=f"wish_pledged:{pledge.id}",
        )
        made.append(pledge)
    return made


def _number(amount):
    text = f"{Decimal(amount):,.2f}"
    return text.rstrip("0").rstrip(".")


def confirm_delivered(user, pledge, note=""):
    """The group that posted the wish says the pledge was delivered. Once only."""
    wish = pledge.wish
    if not is_member(user, wish.organisation_id):
        raise NotAllowed("Only the group that posted the wish can confirm delivery")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ServiceError(f"The note must be {MAX_NOTE:,} characters or fewer", "note")
    db.session.execute(sa.select(Wish.id).where(Wish.id == wish.id).with_for_update())
    db.session.refresh(wish)
    db.session.refresh(pledge)
    if pledge.delivered_at is not None:
        raise ServiceError("This pledge is already confirmed as delivered", "confirm")
    pledge.delivered_at = utcnow()
    pledge.confirmed_by_id = user.id
    pledge.delivery_note = note or None
    wish.delivered = Decimal(wish.delivered) + Decimal(pledge.quantity)
    if wish.delivered >= wish.quantity:
        wish.status = WishStatus.DELIVERED
    record(
        E.CONFIRM_WISH_DELIVERED,
        subject=wish,
        actor=user,
        organisation_id=wish.organisation_id,
        detail={
            "pledge_id": pledge.id,
            "contract_id": pledge.contract_id,
            "quantity": str(pledge.quantity),
        },
    )
    commit()
    return pledge


# --- Reads --------------------------------------------------------------------------------------


def pledges_for(wish_ids):
    """{wish id: [winning pledges]}, each with its contract."""
    if not wish_ids:
        return {}
    rows = (
        db.session.execute(
            sa.select(WishPledge)
            .where(WishPledge.wish_id.in_(list(wish_ids)))
            .options(sa.orm.selectinload(WishPledge.contract))
            .order_by(WishPledge.pledged_at, WishPledge.id)
        )
        .scalars()
        .all()
    )
    found = {}
    for p in rows:
        found.setdefault(p.wish_id, []).append(p)
    return found


def delivered_in(place_id):
    """The pledges confirmed delivered on wishes in the place, newest first."""
    return (
        db.session.execute(
            sa.select(WishPledge)
            .join(Wish, Wish.id == WishPledge.wish_id)
            .where(Wish.place_id == place_id, WishPledge.delivered_at.is_not(None))
            .order_by(WishPledge.delivered_at.desc(), WishPledge.id.desc())
        )
        .scalars()
        .all()
    )


def pledges_on(contract):
    return (
        db.session.execute(
            sa.select(WishPledge)
            .where(WishPledge.contract_id == contract.id)
            .order_by(WishPledge.id)
        )
        .scalars()
        .all()
    )
