"""Who stays in an organisation: owners remove people (or leave themselves) and hand over
ownership. Each function is one transaction: check the guards, change the rows, write the audit
event and any email, commit.

Rules kept here:
- only owners remove people and hand over ownership (``app.permissions`` decides; a refusal is a
  403);
- an organisation always keeps at least one owner.
"""

import sqlalchemy as sa

from app import permissions
from app.audit.events import AuditEventType as E
from app.audit.services import record
from app.errors import Conflict, NotFound, ServiceError
from app.extensions import db
from app.organisations.locking import locked_organisation, one_transaction, reloaded
from app.organisations.models import Membership, Role
from app.outbox.services import queue_email
from app.timeutil import utcnow
from app.unitofwork import commit
from app.urls import absolute_url


def _check_keeps_an_owner(organisation, losing):
    """Refuse a change that would take away the organisation's last owner."""
    if losing.role != Role.OWNER:
        return
    others = db.session.execute(
        sa.select(sa.func.count())
        .select_from(Membership)
        .where(
            Membership.organisation_id == organisation.id,
            Membership.role == Role.OWNER,
            Membership.id != losing.id,
        )
    ).scalar_one()
    if others == 0:
        raise ServiceError(
            f"{organisation.display_name} must have an owner. Make someone else an owner first"
        )


def _current_membership(membership):
    membership = reloaded(Membership, membership.id)
    if membership is None:
        raise NotFound("This person is no longer a member")
    return membership


@one_transaction
def remove_member(actor, membership):
    """Take someone out of an organisation (an owner may remove themselves if another owner
    remains). They are told by email, unless they removed themselves."""
    organisation = locked_organisation(membership.organisation_id)
    permissions.require_manage_organisation(actor, organisation.id)
    membership = _current_membership(membership)
    _check_keeps_an_owner(organisation, membership)
    user = membership.user
    record(
        E.REMOVE_MEMBER,
        subject=user,
        organisation=organisation,
        actor=actor,
        detail={"membership_id": membership.id, "email": user.email, "role": membership.role.value},
    )
    if user.id != actor.id:
        queue_email(
            user.email,
            "member_removed",
            {
                "name": user.name,
                "organisation_name": organisation.display_name,
            },
            idempotency_key=f"member_removed:{membership.id}",
        )
    db.session.delete(membership)
    commit()
    return user


@one_transaction
def transfer_ownership(actor, membership, stay_owner=False):
    """Make a member an owner. The owner handing over becomes a member unless ``stay_owner``."""
    organisation = locked_organisation(membership.organisation_id)
    permissions.require_manage_organisation(actor, organisation.id)
    membership = _current_membership(membership)
    if membership.user_id == actor.id:
        raise Conflict("You are already an owner")
    if membership.role == Role.OWNER:
        raise Conflict(f"{membership.user.name} is already an owner")
    own = permissions.membership(actor, organisation.id)
    membership.role = Role.OWNER
    if not stay_owner:
        db.session.flush()
        _check_keeps_an_owner(organisation, own)
        own.role = Role.MEMBER
    record(
        E.TRANSFER_OWNERSHIP,
        subject=membership.user,
        organisation=organisation,
        actor=actor,
        detail={
            "membership_id": membership.id,
            "to_email": membership.user.email,
            "from_email": actor.email,
            "previous_owner_stays_owner": bool(stay_owner),
        },
    )
    queue_email(
        membership.user.email,
        "ownership_transferred",
        {
            "name": membership.user.name,
            "organisation_name": organisation.display_name,
            "previous_owner_name": actor.name,
            "organisation_url": absolute_url(
                "organisations.view_organisation", organisation_id=organisation.id
            ),
        },
        idempotency_key=f"ownership_transferred:{membership.id}:{utcnow():%Y%m%dT%H%M%S%f}",
    )
    commit()
    return membership
