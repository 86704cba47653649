"""Demo data for notices: the demo's DPSs, call-offs, awards and contracts already wrote theirs
through the services' hooks as the other packages seeded them. Here: the contract details notice
of the demo contract published by its buyer, so the buyer's page shows one due and one published
when there are two contracts, and the bulk file written so the download works at once."""

import sqlalchemy as sa

from app.extensions import db
from app.organisations.models import Membership, Role
from publishing import bulk, services
from publishing.models import Notice


def seed():
    """Safe to run again. Returns how many notices the demo has."""
    due = (
        db.session.execute(
            sa.select(Notice).where(Notice.published_at.is_(None)).order_by(Notice.id)
        )
        .scalars()
        .all()
    )
    # The first due notice is published by its buyer's owner; any others stay due.
    for notice in due[:1]:
        owner = db.session.execute(
            sa.select(Membership).where(
                Membership.organisation_id == notice.buyer_id, Membership.role == Role.OWNER
            )
        ).scalar_one_or_none()
        if owner is None:
            continue
        try:
            services.publish_due(owner.user, notice)
        except Exception:  # the award notice may still wait for its letters
            db.session.rollback()
    try:
        bulk.write_bulk_file()
    except Exception:  # storage not there yet: the scheduled job writes it
        db.session.rollback()
    return db.session.execute(sa.select(sa.func.count()).select_from(Notice)).scalar()
