"""Every refusal of the shell and of the alerts is one of the family in ``app.errors``, naming the
field it is about: NotAllowed for who may not, NotFound for what is not there (or must not be
known to be), Conflict for what is already done."""

import io

import pytest
from werkzeug.datastructures import FileStorage

from app.accounts import services as accounts
from app.documents import services as documents
from app.documents.uploads import UploadRefused, check_upload
from app.errors import Conflict, NotAllowed, NotFound, ServiceError
from app.extensions import db
from app.organisations import invitations, members
from app.organisations import services as organisations
from app.organisations.models import Membership
from notifications import preferences
from notifications.models import AlertFrequency, AlertKind, AlertSubscription
from tests.factories import PASSWORD, make_organisation, make_user

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf(name="policy.pdf"):
    return FileStorage(stream=io.BytesIO(PDF), filename=name)


def test_accounts_name_the_password_that_was_refused(app):
    with pytest.raises(ServiceError) as caught:
        accounts.register("ada@example.org", "Ada", "short")
    assert caught.value.field == "password"
    user = make_user("bo@example.org")
    with pytest.raises(ServiceError, match="current password is not correct") as caught:
        accounts.change_password(user, "not my password", "teapot meadow lantern")
    assert caught.value.field == "current_password"
    with pytest.raises(ServiceError) as caught:
        accounts.change_password(user, PASSWORD, "short")
    assert caught.value.field == "password"


def test_an_organisation_s_details_are_refused_against_their_first_field(app):
    with pytest.raises(ServiceError) as caught:
        organisations.clean_buyer_details({"name": "", "buyer_type": "nonsense"})
    assert isinstance(caught.value, organisations.InvalidDetails)
    assert caught.value.field == "name"
    assert str(caught.value) == "Enter the name of your organisation"
    assert list(caught.value.errors) == ["name", "buyer_type", "region_code"]


def test_an_invitation_names_the_email_or_role_it_refuses(app):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    with pytest.raises(ServiceError, match="correct format") as caught:
        invitations.invite_member(owner, organisation, "not an address")
    assert caught.value.field == "email"
    with pytest.raises(ServiceError, match="Select what they can do") as caught:
        invitations.invite_member(owner, organisation, "nia@example.org", "emperor")
    assert caught.value.field == "role"
    invitation, _token = invitations.invite_member(owner, organisation, "nia@example.org")
    with pytest.raises(Conflict, match="already invited") as caught:
        invitations.invite_member(owner, organisation, "nia@example.org")
    assert caught.value.field == "email"
    invitations.revoke_invitation(owner, invitation)
    with pytest.raises(Conflict, match="already been cancelled"):
        invitations.revoke_invitation(owner, invitation)


def test_an_invitation_link_that_cannot_be_used_is_a_refusal_with_its_reason(app):
    with pytest.raises(ServiceError) as caught:
        invitations.open_invitation("not-a-real-token")
    assert isinstance(caught.value, invitations.InvitationProblem)
    assert caught.value.reason == "invalid"


def test_someone_removed_meanwhile_is_not_found(app):
    owner = make_user()
    member = make_user("mo@example.org")
    organisation = make_organisation(owner=owner, members=[member])
    membership = db.session.execute(
        db.select(Membership).where(Membership.user_id == member.id)
    ).scalar_one()
    members.remove_member(owner, membership)
    with pytest.raises(NotFound, match="no longer a member"):
        members.remove_member(owner, membership)
    with pytest.raises(NotFound, match="no longer a member"):
        members.transfer_ownership(owner, membership)
    assert organisation.id  # the organisation itself is still there


def test_an_upload_names_the_file(app):
    with pytest.raises(ServiceError) as caught:
        check_upload(FileStorage(stream=io.BytesIO(b""), filename="empty.pdf"), 10_000)
    assert isinstance(caught.value, UploadRefused)
    assert (str(caught.value), caught.value.field) == ("is empty", "file")


def test_documents_refuse_who_may_not_and_hide_what_they_may_not_read(app):
    owner = make_user()
    stranger = make_user("sam@elsewhere.example")
    organisation = make_organisation(owner=owner)
    with pytest.raises(NotAllowed, match="not a member of this organisation"):
        documents.upload_document(stranger, organisation, pdf(), "policy")
    document = documents.upload_document(owner, organisation, pdf(), "policy")
    with pytest.raises(NotFound):
        documents.download_document(stranger, document)
    with pytest.raises(NotAllowed, match="cannot delete this document"):
        documents.delete_document(stranger, document)
    documents.lock_document(document, "it is part of your submitted application")
    with pytest.raises(documents.DocumentError, match="submitted application") as caught:
        documents.delete_document(owner, document)
    assert isinstance(caught.value, ServiceError) and not isinstance(caught.value, NotAllowed)


def test_alerts_refuse_who_may_not_and_name_the_box_they_refuse(app):
    owner = make_user()
    supplier = make_organisation(owner=owner)
    buyer = make_organisation("buyer", owner=owner)
    with pytest.raises(NotAllowed, match="supplier organisation you belong to"):
        preferences.save_preferences(owner, buyer, frequency="daily", admitted_lots=True)
    with pytest.raises(ServiceError) as caught:
        preferences.save_preferences(
            owner,
            supplier,
            frequency="daily",
            admitted_lots=True,
            local_authorities=["LDS", "nowhere"],
        )
    assert isinstance(caught.value, preferences.PreferencesError)
    assert (caught.value.field, caught.value.index) == ("local_authorities", 1)
    search = AlertSubscription(
        kind=AlertKind.SEARCH, email="sam@elsewhere.example", frequency=AlertFrequency.DAILY
    )
    with pytest.raises(NotAllowed, match="cannot change this alert"):
        preferences.stop_search(search, user=owner)
