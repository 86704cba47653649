"""The organisation rules, tested through the services."""

import hashlib
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
import time_machine
from werkzeug.exceptions import Forbidden

from app.audit.models import AuditEvent
from app.audit.services import verify_chain
from app.extensions import db
from app.organisations import services
from app.organisations.models import Invitation, Membership, Organisation, Role
from app.outbox.models import OutboxMessage
from app.timeutil import utcnow
from tests.factories import make_membership, make_organisation, make_user

SUPPLIER = {
    "name": "  Riverside Community Care CIO ",
    "trading_name": "",
    "supplier_type": "cio",
    "charity_number": "1187654",
    "company_number": "",
    "address": "12 Kirkstall Road\nLeeds",
    "postcode": "ls3 1hs",
    "local_authority_code": "LDS",
    "staff_band": "10-49",
    "turnover_band": "100k_1m",
    "description": "We support older people to live well at home.",
    "website": "www.riverside-care.example",
}
BUYER = {"name": "Leeds City Council", "buyer_type": "local_authority", "region_code": "TLE"}


def events(event_type):
    return (
        db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.event_type == event_type).order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )


def outbox(template):
    return (
        db.session.execute(
            sa.select(OutboxMessage)
            .where(OutboxMessage.template == template)
            .order_by(OutboxMessage.id)
        )
        .scalars()
        .all()
    )


def supplier_errors(**changes):
    with pytest.raises(services.InvalidDetails) as caught:
        services.clean_supplier_details({**SUPPLIER, **changes})
    return caught.value.errors


def role_of(user, organisation):
    membership = db.session.execute(
        sa.select(Membership).where(
            Membership.user_id == user.id, Membership.organisation_id == organisation.id
        )
    ).scalar_one_or_none()
    return membership.role if membership else None


def token_from(message):
    return urlsplit(message.personalisation["accept_url"]).path.rsplit("/", 1)[1]


# --- Creating and changing -----------------------------------------------------------------------


def test_create_supplier_cleans_details_and_makes_the_creator_owner(app):
    user = make_user()
    organisation = services.create_supplier(user, SUPPLIER)

    assert organisation.is_supplier
    assert organisation.name == "Riverside Community Care CIO"
    assert organisation.trading_name is None
    assert organisation.postcode == "LS3 1HS"
    assert organisation.region_code == "TLE"  # derived from Leeds
    assert organisation.website == "https://www.riverside-care.example"
    assert role_of(user, organisation) == Role.OWNER
    [event] = events("create_organisation")
    assert (event.actor_id, event.organisation_id, event.subject_type, event.subject_id) == (
        user.id,
        organisation.id,
        "organisations",
        organisation.id,
    )
    assert event.detail["kind"] == "supplier"


def test_create_buyer(app):
    user = make_user()
    organisation = services.create_buyer(user, BUYER)
    assert organisation.is_buyer and organisation.buyer_type == "local_authority"
    assert organisation.region_code == "TLE"
    assert organisation.supplier_type is None
    assert role_of(user, organisation) == Role.OWNER
    assert len(events("create_organisation")) == 1


def test_every_problem_with_a_supplier_is_reported_at_once(app):
    with pytest.raises(services.InvalidDetails) as caught:
        services.create_supplier(make_user(), {})
    assert caught.value.errors == {
        "name": "Enter the legal name of your organisation",
        "supplier_type": "Select the type of organisation",
        "address": "Enter your organisation’s address",
        "postcode": "Enter a postcode",
        "local_authority_code": "Select your local authority",
        "staff_band": "Select how many staff your organisation employs",
        "turnover_band": "Select your organisation’s annual turnover",
        "description": "Describe what your organisation does",
    }
    assert db.session.execute(sa.select(sa.func.count(Organisation.id))).scalar_one() == 0
    assert events("create_organisation") == []


def test_every_problem_with_a_buyer_is_reported_at_once(app):
    with pytest.raises(services.InvalidDetails) as caught:
        services.create_buyer(make_user(), {"buyer_type": "bank", "region_code": "XX"})
    assert set(caught.value.errors) == {"name", "buyer_type", "region_code"}


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("1234567", "1234567"),
        ("200001", "200001"),
        ("12345678", "12345678"),
        ("1234567-1", "1234567-1"),
        ("1234567-12", "1234567-12"),
        (" 1234 567 ", "1234567"),
        ("SC012345", "SC012345"),
        ("sc 012345", "SC012345"),
        ("NIC123456", "NIC123456"),
        ("nic100002", "NIC100002"),
    ],
)
def test_charity_numbers_in_each_format_are_accepted(app, typed, stored):
    assert (
        services.clean_supplier_details({**SUPPLIER, "charity_number": typed})["charity_number"]
        == stored
    )


@pytest.mark.parametrize(
    "typed",
    [
        "12345",
        "123456789",
        "1234567-",
        "1234567-1234",
        "1234567/1",
        "SC12345",
        "SC0123456",
        "SO012345",
        "NI123456",
        "NIC12345",
        "NIC1234567",
        "CHARITY",
        "12a4567",
    ],
)
def test_charity_numbers_in_other_formats_are_refused(app, typed):
    assert supplier_errors(charity_number=typed) == {
        "charity_number": (
            "Enter a charity number in the correct format, like 1234567, SC012345 or NIC123456"
        )
    }


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("01234567", "01234567"),
        ("12345678", "12345678"),
        ("SC123456", "SC123456"),
        ("sc123456", "SC123456"),
        ("NI123456", "NI123456"),
        ("OC 123456", "OC123456"),
        (" 0123 4567 ", "01234567"),
    ],
)
def test_company_numbers_in_each_format_are_accepted(app, typed, stored):
    assert (
        services.clean_supplier_details({**SUPPLIER, "company_number": typed})["company_number"]
        == stored
    )


@pytest.mark.parametrize(
    "typed",
    [
        "1234567",
        "123456789",
        "SC12345",
        "SC1234567",
        "S1234567",
        "SCO12345",
        "1234567A",
        "ABCDEFGH",
    ],
)
def test_company_numbers_in_other_formats_are_refused(app, typed):
    assert supplier_errors(company_number=typed) == {
        "company_number": (
            "Enter a company number in the correct format, like 01234567 or SC123456"
        )
    }


@pytest.mark.parametrize(
    "supplier_type, field",
    [
        ("charity", "charity_number"),
        ("cio", "charity_number"),
        ("cic", "company_number"),
        ("company_limited_by_guarantee", "company_number"),
        ("social_enterprise_company", "company_number"),
    ],
)
def test_a_type_that_is_registered_needs_its_number(app, supplier_type, field):
    errors = supplier_errors(supplier_type=supplier_type, charity_number="", company_number="")
    assert list(errors) == [field]
    assert errors[field].startswith("Enter your")


@pytest.mark.parametrize(
    "supplier_type",
    ["community_benefit_society", "cooperative", "mutual", "community_group", "other"],
)
def test_other_types_need_no_number(app, supplier_type):
    values = services.clean_supplier_details(
        {**SUPPLIER, "supplier_type": supplier_type, "charity_number": "", "company_number": ""}
    )
    assert values["charity_number"] is None and values["company_number"] is None


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("SW1A 1AA", "SW1A 1AA"),
        ("sw1a1aa", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("m11ae", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("W1A 0AX", "W1A 0AX"),
        ("EC1A 1BB", "EC1A 1BB"),
        (" bt1  5gs ", "BT1 5GS"),
    ],
)
def test_postcodes_are_normalised(app, typed, stored):
    assert services.clean_supplier_details({**SUPPLIER, "postcode": typed})["postcode"] == stored


@pytest.mark.parametrize("typed", ["SW1A", "12345", "SW1A 1A", "ZZZ 1AA", "LS1 AAA", "LS1-4AB"])
def test_postcodes_that_are_not_full_uk_postcodes_are_refused(app, typed):
    assert supplier_errors(postcode=typed) == {
        "postcode": "Enter a full UK postcode, like SW1A 1AA"
    }


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("https://www.example.org", "https://www.example.org"),
        ("http://example.org/about", "http://example.org/about"),
        ("example.co.uk", "https://example.co.uk"),
    ],
)
def test_websites_are_web_addresses(app, typed, stored):
    assert services.clean_supplier_details({**SUPPLIER, "website": typed})["website"] == stored


@pytest.mark.parametrize(
    "typed",
    [
        "ftp://example.org",
        "javascript:alert(1)",
        "not a website",
        "http://localhost",
        "https://user:pw@example.org",
        "https://exa mple.org",
    ],
)
def test_other_websites_are_refused(app, typed):
    assert list(supplier_errors(website=typed)) == ["website"]


def test_description_has_a_word_limit(app):
    assert services.clean_supplier_details({**SUPPLIER, "description": "word " * 150})
    assert supplier_errors(description="word " * 151) == {
        "description": "Description must be 150 words or fewer"
    }


@pytest.mark.parametrize("code", ["KEN", "WYCA", "NOPE", ""])
def test_local_authority_must_be_a_current_council_covering_one_area(app, code):
    # Kent County Council is upper tier; WYCA a combined authority.
    assert supplier_errors(local_authority_code=code) == {
        "local_authority_code": "Select your local authority"
    }


def test_region_follows_the_local_authority(app):
    assert (
        services.clean_supplier_details({**SUPPLIER, "local_authority_code": "BST"})["region_code"]
        == "TLK"
    )
    assert (
        services.clean_supplier_details({**SUPPLIER, "local_authority_code": "GLG"})["region_code"]
        == "TLM"
    )


def test_an_owner_updates_the_profile_and_the_change_is_audited(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    services.update_organisation(
        owner,
        organisation,
        {
            **SUPPLIER,
            "name": "Riverside Care CIO",
            "local_authority_code": "MAN",
            "charity_number": "1187654",
        },
    )

    db.session.expire_all()
    organisation = db.session.get(Organisation, organisation.id)
    assert organisation.name == "Riverside Care CIO"
    assert organisation.region_code == "TLD"
    [event] = events("update_organisation")
    assert "name" in event.detail["changed"] and "region_code" in event.detail["changed"]
    assert event.organisation_id == organisation.id


def test_saving_without_changes_writes_no_event(app):
    owner = make_user()
    organisation = services.create_buyer(owner, BUYER)
    services.update_organisation(owner, organisation, BUYER)
    assert events("update_organisation") == []


def test_a_member_cannot_update_the_profile(app):
    member = make_user("mo@example.org")
    organisation = make_organisation(members=[member])
    with pytest.raises(Forbidden):
        services.update_organisation(member, organisation, SUPPLIER)
    assert events("update_organisation") == []


def test_the_kind_of_an_organisation_never_changes(app):
    owner = make_user()
    organisation = services.create_buyer(owner, BUYER)
    with pytest.raises(services.InvalidDetails) as caught:
        services.update_organisation(owner, organisation, SUPPLIER)
    assert set(caught.value.errors) == {"buyer_type", "region_code"}  # checked as a buyer
    assert events("update_organisation") == []


# --- Invitations ---------------------------------------------------------------------------------


def test_invitation_is_emailed_with_a_link_and_only_a_hash_is_stored(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    invitation, token = services.invite_member(owner, organisation, " Newbie@Example.org ")

    assert invitation.email == "newbie@example.org"
    assert invitation.role == Role.MEMBER
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash
    expected_expiry = utcnow() + timedelta(days=app.config["INVITE_VALID_DAYS"])
    assert abs(invitation.expires_at - expected_expiry) < timedelta(minutes=1)

    [message] = outbox("invite_member")
    assert message.recipient == "newbie@example.org"
    assert message.idempotency_key == f"invite:{invitation.id}"
    assert message.personalisation["accept_url"] == f"http://localhost/invitations/{token}"
    assert message.personalisation["organisation_name"] == organisation.display_name

    [event] = events("invite_member")
    assert event.detail["email"] == "newbie@example.org"
    assert (event.subject_type, event.subject_id) == ("invitations", invitation.id)


def test_the_invitation_email_reads_well(app):
    from app.outbox.rendering import render_email

    owner = make_user(name="Olu Owner")
    organisation = make_organisation(owner=owner)
    _invitation, token = services.invite_member(owner, organisation, "newbie@example.org")
    [message] = outbox("invite_member")
    subject, body, _html = render_email("invite_member", message.personalisation)
    assert subject == "You have been invited to join Riverside Community Care CIO"
    assert "Olu Owner has invited you to join Riverside Community Care CIO" in body
    assert f"http://localhost/invitations/{token}" in body
    assert "7 days" in body


def test_invite_then_accept_with_the_invited_email_makes_a_membership(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    services.invite_member(owner, organisation, "newbie@example.org", Role.OWNER)
    newbie = make_user("newbie@example.org", name="Nia Newbie")

    token = token_from(outbox("invite_member")[0])
    membership = services.accept_invitation(newbie, token)

    assert membership.role == Role.OWNER
    assert role_of(newbie, organisation) == Role.OWNER
    invitation = db.session.execute(sa.select(Invitation)).scalar_one()
    assert invitation.accepted_at is not None
    [event] = events("accept_invitation")
    assert (event.actor_id, event.organisation_id) == (newbie.id, organisation.id)


def test_accepting_with_another_email_is_refused(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    _invitation, token = services.invite_member(owner, organisation, "newbie@example.org")
    stranger = make_user("stranger@example.org")

    with pytest.raises(services.InvitationProblem) as caught:
        services.accept_invitation(stranger, token)
    assert caught.value.reason == "wrong_email"
    assert role_of(stranger, organisation) is None
    assert events("accept_invitation") == []


def test_an_expired_invitation_is_refused(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    _invitation, token = services.invite_member(owner, organisation, "newbie@example.org")
    newbie = make_user("newbie@example.org")

    later = utcnow() + timedelta(days=app.config["INVITE_VALID_DAYS"], minutes=1)
    with time_machine.travel(later, tick=False):
        with pytest.raises(services.InvitationProblem) as caught:
            services.accept_invitation(newbie, token)
    assert caught.value.reason == "expired"
    assert role_of(newbie, organisation) is None


def test_an_invitation_works_until_it_expires(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    _invitation, token = services.invite_member(owner, organisation, "newbie@example.org")
    newbie = make_user("newbie@example.org")
    nearly = utcnow() + timedelta(days=app.config["INVITE_VALID_DAYS"], minutes=-1)
    with time_machine.travel(nearly, tick=False):
        services.accept_invitation(newbie, token)
    assert role_of(newbie, organisation) == Role.MEMBER


def test_an_invitation_is_used_once(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    _invitation, token = services.invite_member(owner, organisation, "newbie@example.org")
    newbie = make_user("newbie@example.org")
    membership = services.accept_invitation(newbie, token)
    services.remove_member(owner, membership)

    with pytest.raises(services.InvitationProblem) as caught:
        services.accept_invitation(newbie, token)
    assert caught.value.reason == "accepted"
    assert role_of(newbie, organisation) is None


def test_an_unknown_token_is_refused(app):
    with pytest.raises(services.InvitationProblem) as caught:
        services.accept_invitation(make_user(), "not-a-real-token")
    assert caught.value.reason == "invalid"


def test_a_revoked_invitation_cannot_be_accepted(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    invitation, token = services.invite_member(owner, organisation, "newbie@example.org")
    services.revoke_invitation(owner, invitation)
    newbie = make_user("newbie@example.org")

    with pytest.raises(services.InvitationProblem) as caught:
        services.accept_invitation(newbie, token)
    assert caught.value.reason == "revoked"
    [event] = events("revoke_invitation")
    assert event.detail["email"] == "newbie@example.org"
    with pytest.raises(services.OrganisationError, match="already been cancelled"):
        services.revoke_invitation(owner, invitation)


def test_an_accepted_invitation_cannot_be_revoked(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    invitation, token = services.invite_member(owner, organisation, "newbie@example.org")
    services.accept_invitation(make_user("newbie@example.org"), token)
    with pytest.raises(services.OrganisationError, match="already been accepted"):
        services.revoke_invitation(owner, invitation)


def test_inviting_a_member_or_someone_already_invited_is_refused(app):
    owner = make_user()
    member = make_user("mo@example.org")
    organisation = make_organisation(owner=owner, members=[member])
    with pytest.raises(services.OrganisationError, match="already a member") as caught:
        services.invite_member(owner, organisation, "MO@example.org")
    assert caught.value.field == "email"

    invitation, _token = services.invite_member(owner, organisation, "newbie@example.org")
    with pytest.raises(services.OrganisationError, match="already invited"):
        services.invite_member(owner, organisation, "newbie@example.org")
    services.revoke_invitation(owner, invitation)
    services.invite_member(owner, organisation, "newbie@example.org")
    assert len(outbox("invite_member")) == 2


def test_only_owners_invite_and_revoke(app):
    owner = make_user()
    member = make_user("mo@example.org")
    organisation = make_organisation(owner=owner, members=[member])
    with pytest.raises(Forbidden):
        services.invite_member(member, organisation, "newbie@example.org")
    invitation, _token = services.invite_member(owner, organisation, "newbie@example.org")
    with pytest.raises(Forbidden):
        services.revoke_invitation(member, invitation)
    outsider = make_user("out@example.org")
    make_organisation(owner=outsider, name="Other CIO")
    with pytest.raises(Forbidden):
        services.invite_member(outsider, organisation, "newbie@example.org")
    assert len(events("invite_member")) == 1


# --- Members and owners --------------------------------------------------------------------------


def test_an_owner_removes_a_member_who_is_told_by_email(app):
    owner = make_user()
    member = make_user("mo@example.org", name="Mo Member")
    organisation = make_organisation(owner=owner, members=[member])
    membership_id = db.session.execute(
        sa.select(Membership.id).where(Membership.user_id == member.id)
    ).scalar_one()

    services.remove_member(owner, db.session.get(Membership, membership_id))

    assert role_of(member, organisation) is None
    [event] = events("remove_member")
    assert (event.subject_type, event.subject_id, event.actor_id) == ("users", member.id, owner.id)
    [message] = outbox("member_removed")
    assert message.recipient == "mo@example.org"
    assert message.idempotency_key == f"member_removed:{membership_id}"


def test_the_last_owner_cannot_be_removed(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    own = db.session.execute(sa.select(Membership)).scalar_one()
    with pytest.raises(services.OrganisationError, match="must have an owner"):
        services.remove_member(owner, own)
    assert role_of(owner, organisation) == Role.OWNER
    assert events("remove_member") == []


def test_an_owner_can_leave_when_another_owner_remains(app):
    owner = make_user()
    other = make_user("other@example.org")
    organisation = make_organisation(owner=owner)
    make_membership(organisation, other, "owner")
    own = db.session.execute(
        sa.select(Membership).where(Membership.user_id == owner.id)
    ).scalar_one()
    services.remove_member(owner, own)
    assert role_of(owner, organisation) is None
    assert role_of(other, organisation) == Role.OWNER
    assert outbox("member_removed") == []  # nobody to tell: they left


def test_a_member_cannot_remove_anyone(app):
    owner = make_user()
    member = make_user("mo@example.org")
    organisation = make_organisation(owner=owner, members=[member])
    own = db.session.execute(
        sa.select(Membership).where(Membership.user_id == owner.id)
    ).scalar_one()
    with pytest.raises(Forbidden):
        services.remove_member(member, own)
    assert role_of(owner, organisation) == Role.OWNER


def test_transfer_ownership_swaps_roles_and_tells_the_new_owner(app):
    owner = make_user()
    member = make_user("mo@example.org", name="Mo Member")
    organisation = make_organisation(owner=owner, members=[member])
    target = db.session.execute(
        sa.select(Membership).where(Membership.user_id == member.id)
    ).scalar_one()

    services.transfer_ownership(owner, target)

    assert role_of(member, organisation) == Role.OWNER
    assert role_of(owner, organisation) == Role.MEMBER
    [event] = events("transfer_ownership")
    assert event.detail["to_email"] == "mo@example.org"
    assert event.detail["from_email"] == owner.email
    [message] = outbox("ownership_transferred")
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
    services.transfer_ownership(owner, target, stay_owner=True)
    assert role_of(member, organisation) == Role.OWNER
    assert role_of(owner, organisation) == Role.OWNER


def test_the_last_owner_cannot_demote_themselves(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    own = db.session.execute(sa.select(Membership)).scalar_one()
    with pytest.raises(services.OrganisationError, match="already an owner"):
        services.transfer_ownership(owner, own)
    assert role_of(owner, organisation) == Role.OWNER
    assert events("transfer_ownership") == []


def test_making_an_owner_an_owner_again_is_refused(app):
    owner = make_user()
    other = make_user("other@example.org", name="Oti Other")
    organisation = make_organisation(owner=owner)
    second = make_membership(organisation, other, "owner")
    with pytest.raises(services.OrganisationError, match="Oti Other is already an owner"):
        services.transfer_ownership(owner, second)
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
        services.transfer_ownership(member, target)
    assert role_of(third, organisation) == Role.MEMBER


def test_every_change_is_in_an_intact_audit_chain(app):
    owner = make_user()
    organisation = services.create_supplier(owner, SUPPLIER)
    services.update_organisation(owner, organisation, {**SUPPLIER, "name": "Riverside"})
    invitation, _token = services.invite_member(owner, organisation, "a@example.org")
    services.revoke_invitation(owner, invitation)
    _invitation, token = services.invite_member(owner, organisation, "b@example.org")
    b = make_user("b@example.org")
    membership = services.accept_invitation(b, token)
    services.transfer_ownership(owner, membership)
    own = db.session.execute(
        sa.select(Membership).where(Membership.user_id == owner.id)
    ).scalar_one()
    services.remove_member(b, own)

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
