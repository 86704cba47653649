"""Who hears about an opportunity: one set-based query over alert preferences and saved searches.

``recipients(opportunity, frequency)`` is a SELECT of (email, name, subscription_id) with no query
per person. It holds the rules in one place, for the at-once fan-out and for digests alike:

- A supplier person without a preferences row has the defaults: the lots their organisation is
  admitted to, at once. With a row, the lots are those it is admitted to (if chosen) plus any
  other lots chosen, or any lot when neither is chosen; categories (CPV divisions), areas, value
  range and keywords each narrow further when set.
- A saved search (kind 'search') has the search page's filters and is used once confirmed.
- Nobody hears about an opportunity their organisation was invited to: the invitation is the law's
  notice and goes at once to every member, so it counts as their at-once alert, and a digest
  leaves it out too. Members of a supplier that is suspended in the opportunity's DPS or excluded
  hear nothing, nor does an unsubscribed or undeliverable address.

Planned work (``notifications.pipeline_alerts``) is matched by the same rules, read through a
``PlannedWork`` that has no kind yet (any kind matches it) and invites nobody.

Areas: an opportunity anywhere in the UK matches every area; one in a region matches that region
and its local authorities; one in a local authority matches it and its region (the search page's
region filter likewise includes UK-wide work). Keywords are comma-separated, any of them, matched
with the search page's full-text search on PostgreSQL (stemmed: "befriend" finds "befriending")
and as plain substrings on SQLite (development).
"""

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.extensions import db
from app.organisations.models import Membership, Organisation, OrganisationKind
from app.reference import geography
from dps.models import Lot, LotMembership, MembershipStatus, ReservedFor, SupplierExclusion
from lots.opportunities.models import Invitation, LocationType, LotCpvCode, Opportunity
from lots.search.queries import SEARCH_VECTOR
from notifications.models import AlertFrequency, AlertKind, AlertSubscription


def _dialect():
    return db.session.get_bind().dialect.name


def json_empty(column):
    return sa.func.coalesce(sa.func.json_array_length(column), 0) == 0


def json_has_any(column, values):
    """Whether a JSON array column holds any of ``values``, as a correlated EXISTS."""
    if not values:
        return sa.false()
    if _dialect() == "postgresql":
        elements = sa.func.json_array_elements_text(column).table_valued("value")
        values = [str(v) for v in values]
    else:
        elements = sa.func.json_each(column).table_valued("value")
    return sa.exists(sa.select(1).select_from(elements).where(elements.c.value.in_(values)))


def area_codes(opportunity):
    """The area codes that an opportunity's place matches, or None for UK-wide work."""
    if opportunity.location_type == LocationType.REGION:
        return sorted(
            {opportunity.location_code}
            | {
                la.code
                for la in geography.local_authorities(current_only=False)
                if la.region_code == opportunity.location_code
            }
        )
    if opportunity.location_type == LocationType.LOCAL_AUTHORITY:
        region = geography.region_for_local_authority(opportunity.location_code)
        return sorted({opportunity.location_code} | ({region.code} if region else set()))
    return None


def cpv_divisions(opportunity):
    codes = (
        db.session.execute(
            sa.select(LotCpvCode.cpv_code).where(LotCpvCode.lot_id == opportunity.lot_id)
        )
        .scalars()
        .all()
    )
    return sorted({code[:2] for code in codes})


def is_vcse_reserved(opportunity):
    return bool(opportunity.reserved_vcse or opportunity.lot.reserved_for == ReservedFor.VCSE)


def _search_text(opportunity):
    """The words a keyword matches: an opportunity's title, summary, description and buyer, or
    a planned item's own ``search_text`` (``notifications.pipeline_alerts``)."""
    own = getattr(opportunity, "search_text", None)
    if own is not None:
        return own
    return " ".join(
        filter(
            None,
            (
                opportunity.title,
                opportunity.summary,
                opportunity.description,
                opportunity.buyer_name,
            ),
        )
    )


def _keyword_match(sub, opportunity):
    if _dialect() == "postgresql":
        if getattr(opportunity, "search_text", None) is not None:
            vector = sa.func.to_tsvector("english", sa.literal(opportunity.search_text))
        else:
            vector = (
                sa.select(SEARCH_VECTOR)
                .select_from(Opportunity.__table__)
                .where(Opportunity.__table__.c.id == opportunity.id)
                .scalar_subquery()
            )
        query = sa.func.websearch_to_tsquery("english", sa.func.replace(sub.keywords, ",", " or "))
        return vector.op("@@")(query)
    # SQLite (development): plain substrings, decided here for the few rows there are.
    text = _search_text(opportunity).lower()
    rows = db.session.execute(
        sa.select(AlertSubscription.id, AlertSubscription.keywords).where(
            AlertSubscription.keywords.is_not(None), AlertSubscription.keywords != ""
        )
    ).all()
    matched = [
        sid
        for sid, words in rows
        if any(w.strip().lower() in text for w in words.split(",") if w.strip())
    ]
    return sub.id.in_(matched)


def _narrowing(sub, opportunity):
    """Each filter a row sets narrows what it matches; an empty one matches everything."""
    value = opportunity.estimated_value_pence
    conditions = [
        sa.or_(
            json_empty(sub.cpv_divisions),
            json_has_any(sub.cpv_divisions, cpv_divisions(opportunity)),
        ),
        sa.or_(sub.min_value_pence.is_(None), sub.min_value_pence <= value),
        sa.or_(sub.max_value_pence.is_(None), sub.max_value_pence >= value),
        sa.or_(
            sub.keywords.is_(None),
            sa.func.trim(sub.keywords) == "",
            _keyword_match(sub, opportunity),
        ),
    ]
    if opportunity.kind is not None:  # planned work has no kind yet: any kind matches it
        conditions.append(
            sa.or_(sub.opportunity_kind.is_(None), sub.opportunity_kind == opportunity.kind.value)
        )
    codes = area_codes(opportunity)
    if codes is not None:
        conditions.append(sa.or_(json_empty(sub.area_codes), json_has_any(sub.area_codes, codes)))
    if not is_vcse_reserved(opportunity):
        conditions.append(sub.vcse_only.is_(False))
    return sa.and_(*conditions)


def _invited_person(user_id_column, opportunity):
    if not getattr(opportunity, "has_invitations", True):  # planned work invites nobody
        return sa.false()
    m2 = aliased(Membership)
    return sa.exists().where(
        m2.user_id == user_id_column,
        Invitation.organisation_id == m2.organisation_id,
        Invitation.opportunity_id == opportunity.id,
    )


def supplier_people(opportunity, frequency):
    sub = AlertSubscription
    admitted = sa.exists().where(
        LotMembership.organisation_id == Membership.organisation_id,
        LotMembership.lot_id == opportunity.lot_id,
        LotMembership.status == MembershipStatus.ADMITTED,
    )
    suspended = sa.exists().where(
        LotMembership.organisation_id == Membership.organisation_id,
        LotMembership.status == MembershipStatus.SUSPENDED,
        LotMembership.lot_id == Lot.id,
        Lot.dps_id == opportunity.dps_id,
    )
    excluded = sa.exists().where(
        SupplierExclusion.organisation_id == Membership.organisation_id,
        SupplierExclusion.lifted_at.is_(None),
    )
    lots = sa.or_(
        sa.and_(sub.id.is_(None), admitted),
        sa.and_(sub.admitted_lots.is_(True), admitted),
        json_has_any(sub.lot_ids, [opportunity.lot_id]),
        sa.and_(sub.admitted_lots.is_(False), json_empty(sub.lot_ids)),
    )
    return (
        sa.select(
            User.email.label("email"),
            User.name.label("name"),
            sub.id.label("subscription_id"),
            Membership.id.label("key"),
        )
        .select_from(Membership)
        .join(
            Organisation,
            sa.and_(
                Organisation.id == Membership.organisation_id,
                Organisation.kind == OrganisationKind.SUPPLIER,
            ),
        )
        .join(User, User.id == Membership.user_id)
        .outerjoin(
            sub,
            sa.and_(
                sub.user_id == Membership.user_id,
                sub.organisation_id == Membership.organisation_id,
                sub.kind == AlertKind.SUPPLIER,
            ),
        )
        .where(
            User.email_confirmed_at.is_not(None),
            User.email_undeliverable_at.is_(None),
            sub.unsubscribed_at.is_(None),
            sa.func.coalesce(sub.frequency, AlertFrequency.INSTANT.value) == frequency.value,
            ~suspended,
            ~excluded,
            ~_invited_person(User.id, opportunity),
            lots,
            sa.or_(sub.id.is_(None), _narrowing(sub, opportunity)),
        )
    )


def search_followers(opportunity, frequency):
    sub = AlertSubscription
    person = aliased(User)
    undeliverable = sa.exists().where(
        person.email == sub.email, person.email_undeliverable_at.is_not(None)
    )
    invited = sa.exists().where(person.email == sub.email, _invited_person(person.id, opportunity))
    return sa.select(
        sub.email.label("email"),
        sa.literal("").label("name"),
        sub.id.label("subscription_id"),
        sub.id.label("key"),
    ).where(
        sub.kind == AlertKind.SEARCH,
        sub.confirmed_at.is_not(None),
        sub.unsubscribed_at.is_(None),
        sub.frequency == frequency,
        sa.or_(json_empty(sub.lot_ids), json_has_any(sub.lot_ids, [opportunity.lot_id])),
        _narrowing(sub, opportunity),
        ~undeliverable,
        ~invited,
    )


def recipient_parts(opportunity, frequency):
    """The matching people as SELECTs of (email, name, subscription_id, key), each to be read in
    ``key`` order (an indexed id) a chunk at a time, so no chunk sorts the whole match. One
    address may appear more than once (a person in two organisations, or with a preference and
    a saved search): callers keep one per address."""
    return [
        (supplier_people(opportunity, frequency), Membership.id),
        (search_followers(opportunity, frequency), AlertSubscription.id),
    ]


def recipients(opportunity, frequency):
    """Everyone who should hear about ``opportunity`` at ``frequency``, as one SELECT."""
    return sa.union_all(*(part for part, _ in recipient_parts(opportunity, frequency)))
