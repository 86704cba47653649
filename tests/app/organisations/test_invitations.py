"""Joining an organisation by invitation, tested through the services."""

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from werkzeug.exceptions import Forbidden

from app.errors import Conflict
from app.extensions import db
from app.organisations import invitations, members
from app.organisations.models import Invitation, Role
from app.outbox.rendering import render_email
from app.timeutil import utcnow
from tests.app.organisations.helpers import role_of, token_from
from tests.factories import make_organisation, make_user
from tests.reading import audit_events, emails

# --- Invitations ---------------------------------------------------------------------------------


def test_invitation_is_emailed_with_a_link_and_only_a_hash_is_stored(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    invitation, token = invitations.invite_member(owner, organisation, " Newbie@Example.org ")

    assert invitation.email == "newbie@example.org"
    assert invitation.role == Role.MEMBER
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash
    expected_expiry = utcnow() + timedelta(days=app.config["INVITE_VALID_DAYS"])
    assert abs(invitation.expires_at - expected_expiry) < timedelta(minutes=1)

    [message] = emails("invite_member")
    assert message.recipient == "newbie@example.org"
    assert message.idempotency_key == f"invite:{invitation.id}"
    assert message.personalisation["accept_url"] == f"http://localhost/invitations/{token}"
    assert message.personalisation["organisation_name"] == organisation.display_name

    [event] = audit_events("invite_member")
    assert event.detail["email"] == "newbie@example.org"
    assert (event.subject_type, event.subject_id) == ("invitations", invitation.id)


def test_the_invitation_email_reads_well(app):
    owner = make_user(name="Olu Owner")
    organisation = make_organisation(owner=owner)
    _invitation, token = invitations.invite_member(owner, organisation, "newbie@example.org")
    [message] = emails("invite_member")
    subject, body, _html = render_email("invite_member", message.personalisation)
    assert subject == "You have been invited to join Riverside Community Care CIO"
    assert "Olu Owner has invited you to join Riverside Community Care CIO" in body
    assert f"http://localhost/invitations/{token}" in body
    assert "7 days" in body


def test_invite_then_accept_with_the_invited_email_makes_a_membership(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    invitations.invite_member(owner, organisation, "newbie@example.org", Role.OWNER)
    newbie = make_user("newbie@example.org", name="Nia Newbie")

    token = token_from(emails("invite_member")[0])
    membership = invitations.accept_invitation(newbie, token)

    assert membership.role == Role.OWNER
    assert role_of(newbie, organisation) == Role.OWNER
    invitation = db.session.execute(sa.select(Invitation)).scalar_one()
    assert invitation.accepted_at is not None
    [event] = audit_events("accept_invitation")
    assert (event.actor_id, event.organisation_id) == (newbie.id, organisation.id)


def test_accepting_with_another_email_is_refused(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    _invitation, token = invitations.invite_member(owner, organisation, "newbie@example.org")
    stranger = make_user("stranger@example.org")

    with pytest.raises(invitations.InvitationProblem) as caught:
        invitations.accept_invitation(stranger, token)
    assert caught.value.reason == "wrong_email"
    assert role_of(stranger, organisation) is None
    assert audit_events("accept_invitation") == []


def test_an_expired_invitation_is_refused(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    _invitation, token = invitations.invite_member(owner, organisation, "newbie@example.org")
    newbie = make_user("newbie@example.org")

    later = utcnow() + timedelta(days=app.config["INVITE_VALID_DAYS"], minutes=1)
    with time_machine.travel(later, tick=False):
        with pytest.raises(invitations.InvitationProblem) as caught:
            invitations.accept_invitation(newbie, token)
    assert caught.value.reason == "expired"
    assert role_of(newbie, organisation) is None


def test_an_invitation_works_until_it_expires(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    _invitation, token = invitations.invite_member(owner, organisation, "newbie@example.org")
    newbie = make_user("newbie@example.org")
    nearly = utcnow() + timedelta(days=app.config["INVITE_VALID_DAYS"], minutes=-1)
    with time_machine.travel(nearly, tick=False):
        invitations.accept_invitation(newbie, token)
    assert role_of(newbie, organisation) == Role.MEMBER


def test_an_invitation_is_used_once(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    _invitation, token = invitations.invite_member(owner, organisation, "newbie@example.org")
    newbie = make_user("newbie@example.org")
    membership = invitations.accept_invitation(newbie, token)
    members.remove_member(owner, membership)

    with pytest.raises(invitations.InvitationProblem) as caught:
        invitations.accept_invitation(newbie, token)
    assert caught.value.reason == "accepted"
    assert role_of(newbie, organisation) is None


def test_an_unknown_token_is_refused(app):
    with pytest.raises(invitations.InvitationProblem) as caught:
        invitations.accept_invitation(make_user(), "not-a-real-token")
    assert caught.value.reason == "invalid"


def test_a_revoked_invitation_cannot_be_accepted(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    invitation, token = invitations.invite_member(owner, organisation, "newbie@example.org")
    invitations.revoke_invitation(owner, invitation)
    newbie = make_user("newbie@example.org")

    with pytest.raises(invitations.InvitationProblem) as caught:
        invitations.accept_invitation(newbie, token)
    assert caught.value.reason == "revoked"
    [event] = audit_events("revoke_invitation")
    assert event.detail["email"] == "newbie@example.org"
    with pytest.raises(Conflict, match="already been cancelled"):
        invitations.revoke_invitation(owner, invitation)


def test_an_accepted_invitation_cannot_be_revoked(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    invitation, token = invitations.invite_member(owner, organisation, "newbie@example.org")
    invitations.accept_invitation(make_user("newbie@example.org"), token)
    with pytest.raises(Conflict, match="already been accepted"):
        invitations.revoke_invitation(owner, invitation)


def test_inviting_a_member_or_someone_already_invited_is_refused(app):
    owner = make_user()
    member = make_user("mo@example.org")
    organisation = make_organisation(owner=owner, members=[member])
    with pytest.raises(Conflict, match="already a member") as caught:
        invitations.invite_member(owner, organisation, "MO@example.org")
    assert caught.value.field == "email"

    invitation, _token = invitations.invite_member(owner, organisation, "newbie@example.org")
    with pytest.raises(Conflict, match="already invited"):
        invitations.invite_member(owner, organisation, "newbie@example.org")
    invitations.revoke_invitation(owner, invitation)
    invitations.invite_member(owner, organisation, "newbie@example.org")
    assert len(emails("invite_member")) == 2


def test_only_owners_invite_and_revoke(app):
    owner = make_user()
    member = make_user("mo@example.org")
    organisation = make_organisation(owner=owner, members=[member])
    with pytest.raises(Forbidden):
        invitations.invite_member(member, organisation, "newbie@example.org")
    invitation, _token = invitations.invite_member(owner, organisation, "newbie@example.org")
    with pytest.raises(Forbidden):
        invitations.revoke_invitation(member, invitation)
    outsider = make_user("out@example.org")
    make_organisation(owner=outsider, name="Other CIO")
    with pytest.raises(Forbidden):
        invitations.invite_member(outsider, organisation, "newbie@example.org")
    assert len(audit_events("invite_member")) == 1
