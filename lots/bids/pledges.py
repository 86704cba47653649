"""Pledges against community wishes, made in a bid's social value commitments.

A bidder may pledge part of what it commits to for a measure to open wishes (``app.places``) in
the places the call-off's buyer is in, counted in that measure. The pledges are part of the
bid: sealed with it, frozen in its submission, seen by nobody else before the deadline, and
never shown to the wish's group unless the bid wins (``lots.awards.pledges`` then makes each a
part of the contract's commitment). What is pledged for a measure never exceeds what the bid
commits to for it, and a pledge never exceeds what the wish still wants."""

from decimal import Decimal

from app.audit.events import AuditEventType as E
from app.errors import ServiceError
from app.extensions import db
from app.places import wishes
from app.places.models import Wish
from app.reference import social_value
from app.timeutil import utcnow
from app.unitofwork import commit
from lots.bids.permissions import require_may_bid
from lots.bids.services import quantity, record_bid


def pledges_of(bid):
    """{wish id (int): quantity (Decimal)} of the bid's working copy."""
    return {int(k): Decimal(str(v)) for k, v in (bid.wish_pledges or {}).items()}


def offered(bid):
    """The wishes the bidder may pledge against, and any it pledged to that are no longer open
    (so that it sees them and takes them out)."""
    opportunity = bid.opportunity
    found = wishes.offered_to(opportunity.buyer, opportunity.social_value_measures or [])
    ids = {w.id for w in found}
    gone = [db.session.get(Wish, i) for i in pledges_of(bid) if i not in ids]
    return found + [w for w in gone if w is not None]


def problems(bid, offered_wishes=None):
    """What is wrong with the bid's pledges, as {field: message}: a wish no longer open, a
    pledge more than the wish still wants, or pledges for a measure that come to more than the
    bid commits to for it."""
    pledges = pledges_of(bid)
    if not pledges:
        return {}
    offered_wishes = offered(bid) if offered_wishes is None else offered_wishes
    by_id = {w.id: w for w in offered_wishes}
    found = {}
    per_measure = {}
    for wish_id, amount in pledges.items():
        wish = by_id.get(wish_id)
        field = f"wish-{wish_id}"
        if wish is None or not wishes.is_open(wish):
            name = f"‘{wish.title}’" if wish is not None else "a wish"
            found[field] = f"Take out your pledge to {name}: it is no longer open for pledges"
            continue
        if wish.measure_id not in (bid.opportunity.social_value_measures or []):
            found[field] = (
                f"Take out your pledge to ‘{wish.title}’: the call-off does not ask for its measure"
            )
            continue
        if amount > wish.outstanding:
            found[field] = (
                f"You can pledge at most {_number(wish.outstanding)} to ‘{wish.title}’: that is "
                "what it still needs"
            )
        per_measure[wish.measure_id] = per_measure.get(wish.measure_id, Decimal(0)) + amount
    for measure_id, total in per_measure.items():
        measure = social_value.get(measure_id)
        committed = quantity((bid.social_value or {}).get(measure_id))
        if committed is None or total > committed:
            field = next(
                f"wish-{i}"
                for i in pledges
                if by_id.get(i) is not None and by_id[i].measure_id == measure_id
            )
            found.setdefault(
                field,
                f"Your pledges for ‘{measure.name}’ come to {_number(total)}, more than the "
                f"{_number(committed or 0)} you commit to for it: pledge less, or commit to "
                "more on the social value page",
            )
    return found


def _number(amount):
    text = f"{Decimal(amount):,.2f}"
    return text.rstrip("0").rstrip(".")


def save_pledges(user, bid, typed):
    """The bid's pledges from ``{wish id: what was typed}`` for the wishes offered (a blank or 0
    takes a pledge out). Refused, naming the wish's box, when a pledge is not a number the
    measure allows or breaks a rule of ``problems``; nothing is saved then."""
    require_may_bid(user, bid.organisation_id, bid.opportunity)
    offered_wishes = offered(bid)
    by_id = {w.id: w for w in offered_wishes}
    pledges = {}
    for key, value in typed.items():
        wish = by_id.get(int(key)) if str(key).isdigit() else None
        if wish is None:
            raise ServiceError("That wish is not one you can pledge against", "wishes")
        text = (value or "").strip()
        if not text:
            continue
        measure = social_value.get(wish.measure_id)
        amount = social_value.check_value(
            measure,
            text,
            f"wish-{wish.id}",
            f"Enter what you pledge to ‘{wish.title}’ as a number, like 10 (or leave it blank)",
        )
        if amount > 0:
            pledges[str(wish.id)] = str(amount)
    bid.wish_pledges = pledges
    found = problems(bid, offered_wishes)
    if found:
        db.session.rollback()
        field, message = next(iter(found.items()))
        raise ServiceError(message, field)
    bid.updated_at = utcnow()
    record_bid(E.PLEDGE_TO_WISHES, user, bid, {"pledges": pledges})
    commit()
    return bid
