"""Alert preferences for people in supplier organisations, and saved searches anyone can follow.

Each function is one transaction: check, change, audit, commit. The rules of matching live in
``notifications.matching``; here are the rules of choosing.
"""

import re

import sqlalchemy as sa

from app.accounts.models import User
from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import NotAllowed, ServiceError
from app.extensions import db
from app.money import money
from app.organisations.models import Membership, Organisation, OrganisationKind
from app.outbox.services import queue_email
from app.records import CONSENT, Kept
from app.reference import cpv, geography
from app.timeutil import utcnow
from app.unitofwork import commit
from app.urls import absolute_url
from dps.models import Lot, LotMembership, MembershipStatus
from lots.search.queries import QUERY_ARGS, parse
from notifications.models import AlertFrequency, AlertKind, AlertSubscription
from notifications.permissions import may_choose_alerts, may_stop_search
from notifications.unsubscribe import CONFIRM, InvalidLink, read, sign

FREQUENCY_LABELS = {
    AlertFrequency.INSTANT: "At once, one email for each opportunity",
    AlertFrequency.DAILY: "A daily summary",
    AlertFrequency.WEEKLY: "A weekly summary",
    AlertFrequency.NEVER: "Never",
}
# The search page's filters that alerts use: its status, closing date, order and page do not apply.
SEARCH_FIELDS = tuple(
    arg for arg in QUERY_ARGS if arg not in ("status", "closing_within", "sort", "page")
)


MAX_LOCAL_AUTHORITIES = 20


class PreferencesError(ServiceError):
    """A refusal, with the field it is about and, for a list of boxes, which one (from 0)."""

    def __init__(self, message, field=None, index=None):
        super().__init__(message, field)
        self.index = index


# --- Reading ------------------------------------------------------------------------------------


def supplier_organisations(user):
    return (
        db.session.execute(
            sa.select(Organisation)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.user_id == user.id, Organisation.kind == OrganisationKind.SUPPLIER)
            .order_by(Organisation.name)
        )
        .scalars()
        .all()
    )


def preference_for(user, organisation):
    """The person's row for this organisation, or an unsaved one holding the defaults."""
    row = db.session.execute(
        sa.select(AlertSubscription).where(
            AlertSubscription.user_id == user.id,
            AlertSubscription.organisation_id == organisation.id,
        )
    ).scalar_one_or_none()
    if row is None:
        row = AlertSubscription(
            kind=AlertKind.SUPPLIER,
            user_id=user.id,
            organisation_id=organisation.id,
            frequency=AlertFrequency.INSTANT,
            admitted_lots=True,
            lot_ids=[],
            cpv_divisions=[],
            area_codes=[],
            vcse_only=False,
        )
    return row


def admitted_lot_ids(organisation_id):
    return set(
        db.session.execute(
            sa.select(LotMembership.lot_id).where(
                LotMembership.organisation_id == organisation_id,
                LotMembership.status == MembershipStatus.ADMITTED,
            )
        ).scalars()
    )


def searches_of(user):
    return (
        db.session.execute(
            sa.select(AlertSubscription)
            .where(
                AlertSubscription.kind == AlertKind.SEARCH,
                sa.or_(AlertSubscription.user_id == user.id, AlertSubscription.email == user.email),
            )
            .order_by(AlertSubscription.id)
        )
        .scalars()
        .all()
    )


def searches_for_email(email):
    return (
        db.session.execute(
            sa.select(AlertSubscription)
            .where(
                AlertSubscription.kind == AlertKind.SEARCH, AlertSubscription.email == email.lower()
            )
            .order_by(AlertSubscription.id)
        )
        .scalars()
        .all()
    )


def describe(sub):
    """What a row matches, as [(label, words)], for summary lists and emails."""
    lots = {
        lot.id: lot.label
        for lot in db.session.execute(sa.select(Lot).where(Lot.id.in_(sub.lot_ids or []))).scalars()
    }
    chosen = [lots.get(i, f"Lot {i}") for i in sub.lot_ids or []]
    if sub.kind == AlertKind.SUPPLIER:
        if sub.admitted_lots:
            lot_words = "Lots your organisation is admitted to" + (
                f", and {', '.join(chosen)}" if chosen else ""
            )
        else:
            lot_words = ", ".join(chosen) if chosen else "Any lot"
    else:
        lot_words = ", ".join(chosen) if chosen else "Any lot"
    names = {d.division: d.description for d in cpv.divisions()}
    categories = ", ".join(names.get(code, code) for code in sub.cpv_divisions or [])
    areas = ", ".join(_area_name(code) for code in sub.area_codes or [])
    if sub.min_value_pence is not None and sub.max_value_pence is not None:
        value = f"{money(sub.min_value_pence)} to {money(sub.max_value_pence)}"
    elif sub.min_value_pence is not None:
        value = f"{money(sub.min_value_pence)} or more"
    elif sub.max_value_pence is not None:
        value = f"Up to {money(sub.max_value_pence)}"
    else:
        value = "Any value"
    rows = [
        ("Lots", lot_words),
        ("Categories", categories or "Any category"),
        ("Where", areas or "Anywhere"),
        ("Value", value),
        ("Keywords", ", ".join(sub.keyword_list) or "None"),
    ]
    if sub.vcse_only:
        rows.append(("Reserved", "Only opportunities reserved for VCSEs"))
    if sub.opportunity_kind:
        rows.append(("Type", sub.opportunity_kind.replace("_", " ").capitalize()))
    rows.append(("How often", FREQUENCY_LABELS[AlertFrequency(sub.frequency)]))
    return rows


def describe_in_words(sub):
    return "\n".join(f"{label}: {words}" for label, words in describe(sub) if label != "How often")


def _area_name(code):
    place = geography.region(code) or geography.local_authority(code)
    return place.name if place else code


# --- Checking what was chosen -------------------------------------------------------------------


def _check(lot_ids, cpv_divisions, area_codes, min_value_pence, max_value_pence, keywords):
    known_lots = set(
        db.session.execute(sa.select(Lot.id).where(Lot.id.in_(lot_ids or []))).scalars()
    )
    if set(lot_ids or []) - known_lots:
        raise PreferencesError("Choose lots from the list", "lot_ids")
    divisions = {d.division for d in cpv.divisions()}
    if set(cpv_divisions or []) - divisions:
        raise PreferencesError("Choose categories from the list", "cpv_divisions")
    for code in area_codes or []:
        if geography.region(code) is None and geography.local_authority(code) is None:
            raise PreferencesError("Choose places from the list", "area_codes")
    if (
        min_value_pence is not None
        and max_value_pence is not None
        and min_value_pence > max_value_pence
    ):
        raise PreferencesError("The lowest value must be less than the highest value", "max_value")
    keywords = ", ".join(k.strip() for k in (keywords or "").split(",") if k.strip())
    if len(keywords) > 500:
        raise PreferencesError("Keywords must be 500 characters or fewer", "keywords")
    if keywords and not re.search(r"\w", keywords):
        raise PreferencesError("Keywords must include letters or numbers", "keywords")
    return keywords or None


def check_places(regions=(), local_authorities=()):
    """Regions (ITL1 codes) and local authorities (mySociety codes), each checked against
    ``app.reference.geography``. Returns the area codes to store: each once, blanks dropped."""
    regions = [(c or "").strip() for c in regions or []]
    for code in regions:
        if code and geography.region(code) is None:
            raise PreferencesError("Choose regions from the list", "regions")
    local_authorities = [(c or "").strip() for c in local_authorities or []]
    for index, code in enumerate(local_authorities):
        if code and geography.local_authority(code) is None:
            raise PreferencesError(
                f"Local authority {index + 1} is not one we know: choose a local authority "
                f"from the list",
                "local_authorities",
                index,
            )
    chosen = [c for c in local_authorities if c]
    if len(set(chosen)) > MAX_LOCAL_AUTHORITIES:
        raise PreferencesError(
            f"Choose {MAX_LOCAL_AUTHORITIES} local authorities or fewer",
            "local_authorities",
            MAX_LOCAL_AUTHORITIES,
        )
    return sorted({c for c in regions if c} | set(chosen))


# --- Supplier people -----------------------------------------------------------------------------


def save_preferences(
    user,
    organisation,
    *,
    frequency,
    admitted_lots,
    lot_ids=(),
    cpv_divisions=(),
    area_codes=(),
    regions=(),
    local_authorities=(),
    min_value_pence=None,
    max_value_pence=None,
    keywords=None,
):
    """Save a person's choices. Places come as ``regions`` and ``local_authorities`` (as many
    of each as they like), or already mixed as ``area_codes``; all are stored in area_codes."""
    if not may_choose_alerts(user, organisation):
        raise NotAllowed("You can only choose alerts for a supplier organisation you belong to")
    frequency = AlertFrequency(frequency)
    area_codes = sorted(set(area_codes or []) | set(check_places(regions, local_authorities)))
    keywords = _check(
        lot_ids, cpv_divisions, area_codes, min_value_pence, max_value_pence, keywords
    )
    row = preference_for(user, organisation)
    if row.id is None:
        db.session.add(row)
    admitted = admitted_lot_ids(organisation.id)
    row.frequency = frequency
    row.admitted_lots = bool(admitted_lots)
    row.lot_ids = sorted({int(i) for i in lot_ids} - (admitted if admitted_lots else set()))
    row.cpv_divisions = sorted(set(cpv_divisions))
    row.area_codes = area_codes
    row.min_value_pence, row.max_value_pence = min_value_pence, max_value_pence
    row.keywords = keywords
    row.unsubscribed_at = None  # choosing again is opting in again
    row.updated_at = utcnow()
    db.session.flush()
    record(
        E.UPDATE_ALERT_PREFERENCES,
        subject=row,
        actor=user,
        organisation=organisation,
        detail={
            "frequency": frequency.value,
            "admitted_lots": row.admitted_lots,
            "lots": row.lot_ids,
            "categories": row.cpv_divisions,
            "areas": row.area_codes,
            "keywords": keywords,
        },
    )
    commit()
    return row


# --- Saved searches ------------------------------------------------------------------------------


def search_args(args):
    """The search page's filters that alerts use (status, sort and page do not apply)."""
    return {
        k: str(args.get(k)).strip()
        for k in SEARCH_FIELDS
        if args.get(k) not in (None, "") and str(args.get(k)).strip()
    }


def search_subscription(args, email, frequency, user=None):
    """An unsaved row holding the search page's filters (``lots.search.parse`` reads them, as the
    search page does)."""
    filters = parse(args)
    if filters.errors:
        field, message = next(iter(filters.errors.items()))
        raise PreferencesError(message, field)
    return AlertSubscription(
        kind=AlertKind.SEARCH,
        email=(email or "").strip().lower(),
        user_id=user.id if user is not None else None,
        frequency=AlertFrequency(frequency),
        admitted_lots=False,
        lot_ids=[filters.lot_id] if filters.lot_id else [],
        cpv_divisions=[filters.cpv_division] if filters.cpv_division else [],
        area_codes=[c for c in (filters.region_code, filters.local_authority_code) if c],
        min_value_pence=filters.min_value_pence,
        max_value_pence=filters.max_value_pence,
        keywords=filters.q or None,
        vcse_only=filters.vcse_only,
        opportunity_kind=filters.kind,
        search_args=search_args(args),
    )


def follow_search(args, email, frequency, user=None):
    """Follow a search. A signed-in person following with their own confirmed address starts
    at once; anyone else is sent a signed link to confirm first. Returns the row."""
    frequency = AlertFrequency(frequency)
    if frequency == AlertFrequency.NEVER:
        raise PreferencesError("Choose how often you want emails", "frequency")
    sub = search_subscription(args, email, frequency, user)
    _check(
        sub.lot_ids,
        sub.cpv_divisions,
        sub.area_codes,
        sub.min_value_pence,
        sub.max_value_pence,
        None,
    )
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    if signed_in and user.is_confirmed and user.email == sub.email:
        sub.confirmed_at = utcnow()
    if not signed_in:
        sub.user_id = None
    db.session.add(sub)
    db.session.flush()
    if sub.confirmed_at is None:
        queue_email(
            sub.email,
            "confirm_search_alert",
            {
                "description": describe_in_words(sub),
                "frequency": FREQUENCY_LABELS[frequency].lower(),
                "confirm_url": absolute_url(
                    "alerts.confirm_search", token=sign(CONFIRM, {"s": sub.id, "e": sub.email})
                ),
            },
            idempotency_key=f"confirm-search-alert:{sub.id}",
        )
    record(
        E.FOLLOW_SEARCH,
        subject=sub,
        actor=user if signed_in else None,
        detail={
            "filters": sub.search_args,
            "frequency": frequency.value,
            "confirmed": sub.confirmed_at is not None,
        },
    )
    commit()
    return sub


def confirm_search(token):
    """Confirm a saved search from its emailed link. Raises InvalidLink for a bad link."""
    payload = read(CONFIRM, token)
    sub = db.session.get(AlertSubscription, payload.get("s"))
    if sub is None or sub.kind != AlertKind.SEARCH or sub.email != payload.get("e"):
        raise InvalidLink()
    if sub.confirmed_at is None:
        sub.confirmed_at = utcnow()
        sub.unsubscribed_at = None
        record(E.CONFIRM_SEARCH_ALERT, subject=sub, detail={"email": sub.email})
        commit()
    return sub


def stop_search(sub, email=None, user=None):
    """Stop one saved search: by its owner signed in, or from a signed link for its address."""
    if not may_stop_search(sub, email=email, user=user):
        raise NotAllowed("You cannot change this alert")
    sub.unsubscribed_at = sub.unsubscribed_at or utcnow()
    sub.updated_at = utcnow()
    record(E.STOP_SEARCH_ALERT, subject=sub, actor=user, detail={"email": sub.email})
    commit()


def unsubscribe(email):
    """One-click unsubscribe: stop every alert and digest to this address (saved searches, and
    the preferences of the person with this address in each supplier organisation, including
    the defaults they never saved). Safe to repeat. Returns how many alerts were stopped."""
    email = email.strip().lower()
    now = utcnow()
    stopped = 0
    for sub in searches_for_email(email):
        if sub.unsubscribed_at is None:
            sub.unsubscribed_at = now
            stopped += 1
    user = db.session.execute(sa.select(User).where(User.email == email)).scalar_one_or_none()
    if user is not None:
        for organisation in supplier_organisations(user):
            row = preference_for(user, organisation)
            if row.id is None:
                db.session.add(row)
            if row.unsubscribed_at is None:
                row.unsubscribed_at = now
                row.updated_at = now
                stopped += 1
    if stopped:
        record(
            E.UNSUBSCRIBE_ALERTS,
            subject_type="alert_subscriptions",
            actor=user,
            detail={"email": email, "stopped": stopped},
        )
    commit()
    return stopped


def privacy_notice(config):
    """What the privacy notice says about alerts (registered with ``app.records``)."""
    return Kept(
        what="Email alerts: what you chose to hear about and how often, and the searches you "
        "follow (with the email address they go to)",
        basis=CONSENT,
        why="To send the alerts you asked for",
        how_long="Until you stop them, with the link in every alert or from Your account. The "
        "stopped setting is kept, switched off, so that we never email you about it again.",
    )
