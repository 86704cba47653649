"""Reads for the DPS pages (no commits)."""

import statistics
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.organisations.models import SUPPLIER_TYPE_LABELS, Organisation, OrganisationKind
from app.reference import geography
from app.timeutil import to_local
from dps.models import (
    Application,
    ApplicationLot,
    ApplicationStatus,
    Dps,
    Lot,
    LotDecision,
    LotMembership,
    MembershipStatus,
    RenewalRequest,
    SupplierExclusion,
)
from dps.services.clock import today, working_days_left
from dps.working_days import working_days_between

WAITING = (ApplicationStatus.SUBMITTED, ApplicationStatus.CLARIFICATION)


def dps_by_slug(slug):
    return db.session.execute(sa.select(Dps).where(Dps.slug == slug)).scalar_one_or_none()


def all_dps():
    return db.session.execute(sa.select(Dps).order_by(Dps.starts_on.desc())).scalars().all()


def admitted_counts(dps_id):
    """{lot_id: number of suppliers admitted and not suspended... or suspended}: who holds a lot."""
    rows = db.session.execute(
        sa.select(LotMembership.lot_id, sa.func.count())
        .join(Lot)
        .where(
            Lot.dps_id == dps_id,
            LotMembership.status.in_([MembershipStatus.ADMITTED, MembershipStatus.SUSPENDED]),
        )
        .group_by(LotMembership.lot_id)
    ).all()
    return dict(rows)


def median_decision_days(dps, days=90, on=None):
    """The median working days from receipt to decision, over applications decided in the last
    ``days`` days. None when there were none."""
    on = on or today()
    since = on - timedelta(days=days)
    rows = db.session.execute(
        sa.select(Application.received_on, Application.decided_at).where(
            Application.dps_id == dps.id,
            Application.decided_at.is_not(None),
            Application.received_on.is_not(None),
        )
    ).all()
    taken = [
        working_days_between(received, to_local(decided).date(), dps.calendar)
        for received, decided in rows
        if to_local(decided).date() >= since
    ]
    return statistics.median(taken) if taken else None


@dataclass
class QueueRow:
    application: Application
    days_left: int
    overdue: bool


def admission_queue(dps_id=None, lot_id=None, status=None, supplier_type=None):
    """Applications waiting for a decision, soonest deadline first, with working days left."""
    statuses = (
        [ApplicationStatus(status)] if status in {s.value for s in WAITING} else list(WAITING)
    )
    stmt = (
        sa.select(Application)
        .join(Organisation)
        .where(Application.status.in_(statuses))
        .order_by(Application.decision_due_on, Application.id)
    )
    if dps_id:
        stmt = stmt.where(Application.dps_id == dps_id)
    if lot_id:
        stmt = stmt.where(
            Application.id.in_(
                sa.select(ApplicationLot.application_id).where(ApplicationLot.lot_id == lot_id)
            )
        )
    if supplier_type:
        stmt = stmt.where(Organisation.supplier_type == supplier_type)
    rows = []
    for application in db.session.execute(stmt).scalars():
        left = working_days_left(application, application.dps)
        rows.append(QueueRow(application, left, left < 0))
    return rows


def applications_for(organisation_id):
    return (
        db.session.execute(
            sa.select(Application)
            .where(Application.organisation_id == organisation_id)
            .order_by(Application.id.desc())
        )
        .scalars()
        .all()
    )


def lot_memberships_for(organisation_id):
    return (
        db.session.execute(
            sa.select(LotMembership)
            .where(LotMembership.organisation_id == organisation_id)
            .order_by(LotMembership.lot_id)
        )
        .scalars()
        .all()
    )


PAGE_SIZE = 20


def directory(page=1, **filters):
    """Admitted suppliers (holding at least one lot), with filters (``directory_select``'s).
    Returns (rows, total)."""
    stmt = directory_select(**filters)
    total = db.session.execute(
        sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    ).scalar_one()
    rows = (
        db.session.execute(stmt.limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE))
        .scalars()
        .all()
    )
    return rows, total


DIRECTORY_BATCH = 500  # suppliers fetched at a time from the server-side cursor


def every_listed_supplier(batch=DIRECTORY_BATCH, **filters):
    """Every supplier the directory lists for these filters, in its order, as lists of up to
    ``batch`` organisations read through a server-side cursor (for the download: a caller can
    look up each batch's lots and VCSE status in one query)."""
    result = db.session.execute(directory_select(**filters).execution_options(yield_per=batch))
    try:
        for partition in result.scalars().partitions():
            yield partition
    finally:
        result.close()


def directory_filters(q, lot_id, region, local_authority, supplier_type, vcse_only):
    """``directory_select``'s filters from what a person or a program asked for: the words
    folded and cut to 100 characters, and a region, council or kind of supplier the service does
    not know left out."""
    return {
        "q": " ".join((q or "").split())[:100],
        "lot_id": lot_id,
        "region_code": region if geography.region(region) else None,
        "local_authority_code": local_authority
        if geography.local_authority(local_authority)
        else None,
        "supplier_type": supplier_type
        if supplier_type in {t.value for t in SUPPLIER_TYPE_LABELS}
        else None,
        "vcse_only": vcse_only,
    }


def directory_select(
    q=None,
    lot_id=None,
    region_code=None,
    local_authority_code=None,
    supplier_type=None,
    vcse_only=False,
):
    """The directory's suppliers for these filters, in its order (by name, then id, so that
    pages are stable when two organisations share a name)."""
    held = sa.select(LotMembership.organisation_id).where(
        LotMembership.status.in_([MembershipStatus.ADMITTED, MembershipStatus.SUSPENDED])
    )
    if lot_id:
        held = held.where(LotMembership.lot_id == lot_id)
    stmt = sa.select(Organisation).where(
        Organisation.kind == OrganisationKind.SUPPLIER, Organisation.id.in_(held)
    )
    q = " ".join((q or "").split())[:100].lower()
    if q:
        # Every word must appear somewhere; % and _ are matched literally, not as wildcards.
        for word in q.split():
            stmt = stmt.where(
                sa.or_(
                    sa.func.lower(Organisation.name).contains(word, autoescape=True),
                    sa.func.lower(Organisation.trading_name).contains(word, autoescape=True),
                    sa.func.lower(Organisation.description).contains(word, autoescape=True),
                )
            )
    if region_code:
        stmt = stmt.where(Organisation.region_code == region_code)
    if local_authority_code:
        stmt = stmt.where(Organisation.local_authority_code == local_authority_code)
    if supplier_type:
        stmt = stmt.where(Organisation.supplier_type == supplier_type)
    if vcse_only:
        stmt = stmt.where(Organisation.id.in_(vcse_organisation_ids()))
    return stmt.order_by(sa.func.lower(Organisation.name), Organisation.id)


def vcse_organisation_ids(organisation_ids=None):
    """Organisations counted as VCSEs (a select of their ids): each one's latest decided
    application (by the time it was decided) said it is a VCSE and was admitted to a lot, and it
    still holds a lot. An earlier admission does not count once a later decision or a removal
    has overtaken it."""
    ranked = sa.select(
        Application.id,
        Application.organisation_id,
        Application.answers,
        sa.func.row_number()
        .over(
            partition_by=Application.organisation_id,
            order_by=(Application.decided_at.desc(), Application.id.desc()),
        )
        .label("newest_first"),
    ).where(Application.status == ApplicationStatus.DECIDED)
    if organisation_ids is not None:
        ranked = ranked.where(Application.organisation_id.in_(list(organisation_ids)))
    ranked = ranked.subquery()
    admitted = (
        sa.select(ApplicationLot.id)
        .where(
            ApplicationLot.application_id == ranked.c.id,
            ApplicationLot.decision == LotDecision.ADMITTED,
        )
        .exists()
    )
    holds = (
        sa.select(LotMembership.id)
        .where(
            LotMembership.organisation_id == ranked.c.organisation_id,
            LotMembership.status.in_([MembershipStatus.ADMITTED, MembershipStatus.SUSPENDED]),
        )
        .exists()
    )
    return sa.select(ranked.c.organisation_id).where(
        ranked.c.newest_first == 1,
        ranked.c.answers["is_vcse"].as_string() == "yes",
        admitted,
        holds,
    )


def lots_held(organisation_id):
    return (
        db.session.execute(
            sa.select(Lot)
            .join(LotMembership)
            .where(
                LotMembership.organisation_id == organisation_id,
                LotMembership.status.in_([MembershipStatus.ADMITTED, MembershipStatus.SUSPENDED]),
            )
            .order_by(Lot.dps_id, Lot.number)
        )
        .scalars()
        .all()
    )


def lots_held_by(organisation_ids):
    """{organisation_id: [Lot]} of the lots each organisation holds (admitted or suspended), in one
    query for a page of directory results."""
    held = {organisation_id: [] for organisation_id in organisation_ids}
    if not held:
        return held
    rows = db.session.execute(
        sa.select(LotMembership.organisation_id, Lot)
        .join(Lot, Lot.id == LotMembership.lot_id)
        .where(
            LotMembership.organisation_id.in_(list(held)),
            LotMembership.status.in_([MembershipStatus.ADMITTED, MembershipStatus.SUSPENDED]),
        )
        .order_by(Lot.dps_id, Lot.number)
    ).all()
    for organisation_id, lot in rows:
        held[organisation_id].append(lot)
    return held


def vcse_among(organisation_ids):
    """Which of these organisations the directory counts as VCSEs."""
    if not organisation_ids:
        return set()
    return set(db.session.execute(vcse_organisation_ids(organisation_ids)).scalars())


def listed_supplier(organisation_id):
    """A supplier the public directory shows (it holds a lot), or None."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation.kind != OrganisationKind.SUPPLIER:
        return None
    return organisation if lots_held(organisation_id) else None


def all_lots():
    """Every lot with its DPS, for filters."""
    return (
        db.session.execute(sa.select(Lot).join(Dps).order_by(Dps.name, Lot.number)).scalars().all()
    )


def dps(dps_id):
    return db.session.get(Dps, dps_id)


def application(application_id):
    return db.session.get(Application, application_id)


def supplier(organisation_id):
    organisation = db.session.get(Organisation, organisation_id)
    return organisation if organisation is not None and organisation.is_supplier else None


def lot_membership(membership_id):
    return db.session.get(LotMembership, membership_id)


def exclusions_for(organisation_id):
    """Every exclusion of the organisation, newest first (lifted ones included)."""
    return (
        db.session.execute(
            sa.select(SupplierExclusion)
            .where(SupplierExclusion.organisation_id == organisation_id)
            .order_by(SupplierExclusion.created_at.desc(), SupplierExclusion.id.desc())
        )
        .scalars()
        .all()
    )


def renewals_for(organisation_id):
    return (
        db.session.execute(
            sa.select(RenewalRequest)
            .where(RenewalRequest.organisation_id == organisation_id)
            .order_by(RenewalRequest.requested_at.desc(), RenewalRequest.id.desc())
        )
        .scalars()
        .all()
    )


def waiting_count(dps_id):
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(Application)
        .where(Application.dps_id == dps_id, Application.status.in_(WAITING))
    ).scalar_one()
