"""Joining an organisation: an owner invites someone by email, and the person the invitation was
sent to accepts it. Each function is one transaction: check the guards, change the rows, write
the audit event and any email, commit.

Rules kept here:
- only owners invite and withdraw invitations (``app.permissions`` decides; a refusal is a 403);
- nobody is invited twice at once, nor invited to an organisation they already belong to;
- an invitation is accepted once, before it expires, by the person it was sent to.
"""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app import permissions
from app.accounts.models import User
from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import Conflict, ServiceError
from app.extensions import db
from app.organisations import queries
from app.organisations.locking import locked_organisation, one_transaction, reloaded
from app.organisations.models import Invitation, Membership, Role
from app.outbox.services import queue_email
from app.timeutil import format_date, utcnow
from app.unitofwork import commit
from app.urls import absolute_url


class InvitationProblem(ServiceError):
    """An invitation link that cannot be used. ``reason`` is one of: invalid, expired, revoked,
    accepted, wrong_email, already_member."""

    def __init__(self, reason, invitation=None):
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


def _normalise_email(email):
    return (email or "").strip().lower()


@one_transaction
def invite_member(actor, organisation, email, role=Role.MEMBER):
    """Invite someone by email to join as a member or owner. Returns (invitation, token): the
    token is in the emailed link and is never stored, only its hash."""
    organisation = locked_organisation(organisation.id)
    permissions.require_manage_organisation(actor, organisation.id)
    email = _normalise_email(email)
    if "@" not in email or len(email) > 320:
        raise ServiceError(
            "Enter an email address in the correct format, like name@example.com", "email"
        )
    try:
        role = Role(role)
    except ValueError:
        raise ServiceError("Select what they can do", "role") from None
    already = db.session.execute(
        sa.select(Membership)
        .join(Membership.user)
        .where(Membership.organisation_id == organisation.id, User.email == email)
    ).scalar_one_or_none()
    if already is not None:
        raise Conflict(f"{email} is already a member of {organisation.display_name}", "email")
    if queries.pending_invitations(organisation.id, email=email):
        raise Conflict(
            f"You have already invited {email}. Cancel that invitation to send a new one", "email"
        )

    token = secrets.token_urlsafe(32)
    days = current_app.config["INVITE_VALID_DAYS"]
    invitation = Invitation(
        organisation_id=organisation.id,
        email=email,
        role=role,
        token_hash=queries.hash_token(token),
        invited_by_id=actor.id,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    record(
        E.INVITE_MEMBER,
        subject=invitation,
        organisation=organisation,
        actor=actor,
        detail={"email": email, "role": role.value},
    )
    queue_email(
        email,
        "invite_member",
        {
            "organisation_name": organisation.display_name,
            "inviter_name": actor.name,
            "role": role.value,
            "email": email,
            "accept_url": absolute_url("organisations.accept_invitation", token=token),
            "valid_days": days,
            "expires_on": format_date(invitation.expires_at),
        },
        idempotency_key=f"invite:{invitation.id}",
    )
    commit()
    return invitation, token


def open_invitation(token, user=None):
    """The invitation a link is for, if it can still be accepted (by ``user``, when given).
    Raises InvitationProblem saying why not. Changes nothing."""
    return _usable_invitation(queries.invitation_for_token(token), user)


def _usable_invitation(invitation, user):
    if invitation is None:
        raise InvitationProblem("invalid")
    if invitation.is_accepted:
        raise InvitationProblem("accepted", invitation)
    if invitation.is_revoked:
        raise InvitationProblem("revoked", invitation)
    if invitation.is_expired():
        raise InvitationProblem("expired", invitation)
    if user is not None:
        if not permissions.can_accept_invitation(user, invitation):
            raise InvitationProblem("wrong_email", invitation)
        if permissions.is_member(user, invitation.organisation_id):
            raise InvitationProblem("already_member", invitation)
    return invitation


@one_transaction
def accept_invitation(user, token):
    """Join the organisation with the invited role. Returns the new membership."""
    invitation = db.session.execute(
        sa.select(Invitation)
        .where(Invitation.token_hash == queries.hash_token(token or ""))
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    _usable_invitation(invitation, user)
    membership = Membership(
        user_id=user.id, organisation_id=invitation.organisation_id, role=invitation.role
    )
    db.session.add(membership)
    invitation.accepted_at = utcnow()
    db.session.flush()
    record(
        E.ACCEPT_INVITATION,
        subject=invitation,
        organisation=invitation.organisation,
        actor=user,
        detail={
            "membership_id": membership.id,
            "role": invitation.role.value,
            "email": invitation.email,
        },
    )
    commit()
    return membership


@one_transaction
def revoke_invitation(actor, invitation):
    """Withdraw an invitation so its link stops working."""
    organisation = locked_organisation(invitation.organisation_id)
    permissions.require_manage_organisation(actor, organisation.id)
    invitation = reloaded(Invitation, invitation.id)
    if invitation is None or invitation.is_accepted:
        raise Conflict("This invitation has already been accepted")
    if invitation.is_revoked:
        raise Conflict("This invitation has already been cancelled")
    invitation.revoked_at = utcnow()
    record(
        E.REVOKE_INVITATION,
        subject=invitation,
        organisation=organisation,
        actor=actor,
        detail={"email": invitation.email, "role": invitation.role.value},
    )
    commit()
    return invitation
