"""Builders for alert tests: a DPS whose first lot covers health and social work (CPV 85) in
Yorkshire, suppliers with alert preferences, and publishing an opportunity."""

from datetime import timedelta

import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.outbox.models import OutboxMessage
from app.timeutil import utcnow
from lots.opportunities import lot_scope
from lots.opportunities import services as opportunities
from notifications.models import AlertFrequency, AlertKind, AlertSubscription, OpportunityAlert
from tests.lots.helpers import NOW, admit, ready_draft, setup_world, supplier

__all__ = [
    "NOW",
    "admit",
    "supplier",
    "world",
    "publish",
    "prefer",
    "follow",
    "alerted",
    "alert_rows",
]


def world():
    admin, dps, lots, buyer_user, buyer = setup_world()
    lot_scope.set_scope(admin, lots[0], ["85000000-9"], [("region", "TLE")])
    lot_scope.set_scope(admin, lots[2], ["45000000-7"], [("region", "TLE")])
    return admin, dps, lots, buyer_user, buyer


def publish(user, buyer, lot, at=NOW, **overrides):
    """Publish a ready draft (in Leeds, £40,000, 'Befriending for older people in Leeds')."""
    fields = dict(location_type="local_authority", location_code="LDS")
    fields.update(overrides)
    with time_machine.travel(at, tick=False):
        opportunity = ready_draft(user, buyer, lot, **fields)
        opportunities.publish(user, opportunity)
    return opportunity


def prefer(user, org, frequency="instant", admitted_lots=False, **fields):
    """A preferences row for ``user`` in ``org``: by default any lot, at once."""
    row = AlertSubscription(
        kind=AlertKind.SUPPLIER,
        user_id=user.id,
        organisation_id=org.id,
        frequency=AlertFrequency(frequency),
        admitted_lots=admitted_lots,
        lot_ids=fields.pop("lot_ids", []),
        cpv_divisions=fields.pop("cpv_divisions", []),
        area_codes=fields.pop("area_codes", []),
        vcse_only=fields.pop("vcse_only", False),
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def follow(email, frequency="instant", confirmed=True, **fields):
    row = AlertSubscription(
        kind=AlertKind.SEARCH,
        email=email,
        frequency=AlertFrequency(frequency),
        admitted_lots=False,
        lot_ids=fields.pop("lot_ids", []),
        cpv_divisions=fields.pop("cpv_divisions", []),
        area_codes=fields.pop("area_codes", []),
        vcse_only=fields.pop("vcse_only", False),
        confirmed_at=utcnow() - timedelta(days=1) if confirmed else None,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def alerted(template="opportunity_alert"):
    """The addresses the outbox holds an email of ``template`` for."""
    db.session.expire_all()
    return sorted(
        db.session.execute(
            sa.select(OutboxMessage.recipient).where(OutboxMessage.template == template)
        ).scalars()
    )


def alert_rows():
    db.session.expire_all()
    return (
        db.session.execute(sa.select(OpportunityAlert).order_by(OpportunityAlert.id))
        .scalars()
        .all()
    )


def many_suppliers(n, lot_id, domain="many.example"):
    """``n`` supplier organisations, each with one person who wants at-once alerts about
    ``lot_id`` (not admitted to it), made set-based. Returns their addresses."""
    params = {"n": n, "domain": domain, "lot": f"[{lot_id}]"}
    db.session.execute(
        sa.text(
            "INSERT INTO users (email, name, password_hash, email_confirmed_at, is_admin, "
            "session_version, created_at) SELECT 'p' || g || '@' || :domain, 'Person ' || g, 'x', "
            "now(), false, 1, now() FROM generate_series(1, :n) g"
        ),
        params,
    )
    db.session.execute(
        sa.text(
            "INSERT INTO organisations (kind, name, supplier_type, created_at) "
            "SELECT 'supplier', 'Supplier ' || g || ' ' || :domain, 'cic', now() "
            "FROM generate_series(1, :n) g"
        ),
        params,
    )
    db.session.execute(
        sa.text(
            "INSERT INTO memberships (user_id, organisation_id, role, created_at) "
            "SELECT u.id, o.id, 'owner', now() FROM users u JOIN organisations o "
            "ON o.name = 'Supplier ' || split_part(split_part(u.email, '@', 1), 'p', 2) || ' ' || "
            ":domain WHERE u.email LIKE '%@' || :domain"
        ),
        params,
    )
    db.session.execute(
        sa.text(
            "INSERT INTO alert_subscriptions (kind, user_id, organisation_id, frequency, "
            "admitted_lots, lot_ids, cpv_divisions, area_codes, vcse_only, search_args, created_at, "
            "updated_at) SELECT 'supplier', m.user_id, m.organisation_id, 'instant', false, "
            "CAST(:lot AS json), '[]', '[]', false, '{}', now(), now() FROM memberships m "
            "JOIN users u ON u.id = m.user_id WHERE u.email LIKE '%@' || :domain"
        ),
        params,
    )
    db.session.commit()
    return [f"p{i}@{domain}" for i in range(1, n + 1)]
