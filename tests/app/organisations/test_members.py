"""Leaving an organisation and handing over its ownership, tested through the services; and the
audit chain every change to an organisation writes."""

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import Forbidden

from app.audit.models import AuditEvent
from app.audit.services import verify_chain
from app.errors import Conflict, ServiceError
from app.extensions import db
from app.organisations import invitations, members, services
from app.organisations.models import Membership, Role
from tests.app.organisations.helpers import SUPPLIER, role_of
from tests.factories import make_membership, make_organisation, make_user
from tests.reading import audit_events, emails

# --- Members and owners --------------------------------------------------------------------------


def test_an_owner_removes_a_member_who_is_told_by_email(app):
    owner = make_user()
    member = make_user("mo@example.org", name="Mo Member")
    organisation = make_organisation(owner=owner, members=[member])
    membership_id = db.session.execute(
        sa.select(Membership.id).where(Membership.user_id == member.id)
    ).scalar_one()

    members.remove_member(owner, db.session.get(Membership, membership_id))

    assert role_of(member, organisation) is None
    [event] = audit_events("remove_member")
    assert (event.subject_type, event.subject_id, event.actor_id) == ("users", member.id, owner.id)
    [message] = emails("member_removed")
    assert message.recipient == "mo@example.org"
    assert message.idempotency_key == f"member_removed:{membership_id}"


def test_the_last_owner_cannot_be_removed(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    own = db.session.execute(sa.select(Membership)).scalar_one()
    with pytest.raises(ServiceError, match="must have an owner"):
        members.remove_member(owner, own)
    assert role_of(owner, organisation) == Role.OWNER
    assert audit_events("remove_member") == []


def test_an_owner_can_leave_when_another_owner_remains(app):
    owner = make_user()
    other = make_user("other@example.org")
    organisation = make_organisation(owner=owner)
    make_membership(organisation, other, "owner")
    own = db.session.execute(
        sa.select(Membership).where(Membership.user_id == owner.id)
    ).scalar_one()
    members.remove_member(owner, own)
    assert role_of(owner, organisation) is None
    assert role_of(other, organisation) == Role.OWNER
    assert emails("member_removed") == []  # nobody to tell: they left


def test_a_member_cannot_remove_anyone(app):
    owner = make_user()
    member = make_user("mo@example.org")
    organisation = make_organisation(owner=owner, members=[member])
    own = db.session.execute(
        sa.select(Membership).where(Membership.user_id == owner.id)
    ).scalar_one()
    with pytest.raises(Forbidden):
        members.remove_member(member, own)
    assert role_of(owner, organisation) == Role.OWNER


def test_transfer_ownership_swaps_roles_and_tells_the_new_owner(app):
    owner = make_user()
    member = make_user("mo@example.org", name="Mo Member")
    organisation = make_organisation(owner=owner, members=[member])
    target = db.session.execute(
        sa.select(Membership).where(Membership.user_id == member.id)
    ).scalar_one()

    members.transfer_ownership(owner, target)

    assert role_of(member, organisation) == Role.OWNER
    assert role_of(owner, organisation) == Role.MEMBER
    [event] = audit_events("transfer_ownership")
    assert event.detail["to_email"] == "mo@example.org"
    assert event.detail["from_email"] == owner.email
    [message] = emails("ownership_transferred")
    assert message.recipient == "mo@example.org"
    assert message.personalisation["organisation_url"] == (
        f"http://localhost/organisations/{organisation.id}"
    )


def test_the_owner_handing_over_can_stay_an_owner(app):
    owner = make_user()
    member = make_user("mo@example.org")
    organisation = make_organisation(owner=owner, members=[member])
    target = db.session.execute(
        sa.select(Membership).where(Membership.user_id == member.id)
    ).scalar_one()
    members.transfer_ownership(owner, target, stay_owner=True)
    assert role_of(member, organisation) == Role.OWNER
    assert role_of(owner, organisation) == Role.OWNER


def test_the_last_owner_cannot_demote_themselves(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    own = db.session.execute(sa.select(Membership)).scalar_one()
    with pytest.raises(Conflict, match="already an owner"):
        members.transfer_ownership(owner, own)
    assert role_of(owner, organisation) == Role.OWNER
    assert audit_events("transfer_ownership") == []


def test_making_an_owner_an_owner_again_is_refused(app):
    owner = make_user()
    other = make_user("other@example.org", name="Oti Other")
    organisation = make_organisation(owner=owner)
    second = make_membership(organisation, other, "owner")
    with pytest.raises(Conflict, match="Oti Other is already an owner"):
        members.transfer_ownership(owner, second)
    assert role_of(owner, organisation) == Role.OWNER


def test_a_member_cannot_hand_over_ownership(app):
    owner = make_user()
    member = make_user("mo@example.org")
    third = make_user("third@example.org")
    organisation = make_organisation(owner=owner, members=[member, third])
    target = db.session.execute(
        sa.select(Membership).where(Membership.user_id == third.id)
    ).scalar_one()
    with pytest.raises(Forbidden):
        members.transfer_ownership(member, target)
    assert role_of(third, organisation) == Role.MEMBER


def test_every_change_is_in_an_intact_audit_chain(app):
    owner = make_user()
    organisation = services.create_supplier(owner, SUPPLIER)
    services.update_organisation(owner, organisation, {**SUPPLIER, "name": "Riverside"})
    invitation, _token = invitations.invite_member(owner, organisation, "a@example.org")
    invitations.revoke_invitation(owner, invitation)
    _invitation, token = invitations.invite_member(owner, organisation, "b@example.org")
    b = make_user("b@example.org")
    membership = invitations.accept_invitation(b, token)
    members.transfer_ownership(owner, membership)
    own = db.session.execute(
        sa.select(Membership).where(Membership.user_id == owner.id)
    ).scalar_one()
    members.remove_member(b, own)

    kinds = [
        e.event_type
        for e in db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id)).scalars()
    ]
    assert kinds == [
        "create_organisation",
        "update_organisation",
        "invite_member",
        "revoke_invitation",
        "invite_member",
        "accept_invitation",
        "transfer_ownership",
        "remove_member",
    ]
    checked, broken, _reason = verify_chain()
    assert (checked, broken) == (8, None)
