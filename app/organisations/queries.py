"""Reading organisations, members and invitations (no commits)."""

import hashlib

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.extensions import db
from app.organisations.models import Invitation, Membership, Organisation, OrganisationKind, Role
from app.timeutil import utcnow


def hash_token(token):
    """Invitation links carry a random token; only its SHA-256 is stored."""
    return hashlib.sha256((token or "").encode("utf-8")).hexdigest()


def organisation(organisation_id):
    return db.session.get(Organisation, organisation_id)


def memberships_for(user):
    """The user's memberships with their organisations, by organisation name."""
    return (
        db.session.execute(
            sa.select(Membership)
            .join(Membership.organisation)
            .where(Membership.user_id == user.id)
            .options(joinedload(Membership.organisation))
            .order_by(sa.func.lower(Organisation.name), Organisation.id)
        )
        .scalars()
        .all()
    )


def supplier_organisations_of(user):
    """The supplier organisations the person belongs to, by name; none for a person signed out."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return (
        db.session.execute(
            sa.select(Organisation)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.user_id == user.id, Organisation.kind == OrganisationKind.SUPPLIER)
            .order_by(sa.func.lower(Organisation.name), Organisation.id)
        )
        .scalars()
        .all()
    )


def in_a_buyer_organisation(user):
    """Whether the person belongs to any buyer organisation."""
    return (
        db.session.execute(
            sa.select(Membership.id)
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .where(Membership.user_id == user.id, Organisation.kind == OrganisationKind.BUYER)
            .limit(1)
        ).first()
        is not None
    )


def members_of(organisation_id):
    """Owners first, then members, each by name."""
    return (
        db.session.execute(
            sa.select(Membership)
            .join(Membership.user)
            .where(Membership.organisation_id == organisation_id)
            .options(joinedload(Membership.user))
            .order_by(
                sa.case((Membership.role == Role.OWNER, 0), else_=1),
                sa.func.lower(User.name),
                Membership.id,
            )
        )
        .scalars()
        .all()
    )


def membership_in(organisation_id, membership_id):
    """A membership, only if it belongs to that organisation."""
    return db.session.execute(
        sa.select(Membership).where(
            Membership.id == membership_id, Membership.organisation_id == organisation_id
        )
    ).scalar_one_or_none()


def owner_count(organisation_id):
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(Membership)
        .where(Membership.organisation_id == organisation_id, Membership.role == Role.OWNER)
    ).scalar_one()


def pending_invitations(organisation_id, email=None):
    """Invitations waiting to be accepted (not used, withdrawn or expired), newest first."""
    stmt = sa.select(Invitation).where(
        Invitation.organisation_id == organisation_id,
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > utcnow(),
    )
    if email is not None:
        stmt = stmt.where(Invitation.email == email)
    return db.session.execute(stmt.order_by(Invitation.id.desc())).scalars().all()


def invitation_in(organisation_id, invitation_id):
    return db.session.execute(
        sa.select(Invitation).where(
            Invitation.id == invitation_id, Invitation.organisation_id == organisation_id
        )
    ).scalar_one_or_none()


def invitation_for_token(token):
    if not token or len(token) > 200:
        return None
    return db.session.execute(
        sa.select(Invitation).where(Invitation.token_hash == hash_token(token))
    ).scalar_one_or_none()


def owner_of(organisation):
    """One of the organisation's owners (the first of its memberships), or None."""
    return next((m.user for m in organisation.memberships if m.is_owner), None)


def find_organisation(kind, name):
    """An organisation by its exact kind and name (the demo seed uses this to stay idempotent)."""
    return db.session.execute(
        sa.select(Organisation)
        .where(Organisation.kind == OrganisationKind(kind), Organisation.name == name)
        .order_by(Organisation.id)
        .limit(1)
    ).scalar_one_or_none()
