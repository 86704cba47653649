"""The shell's permission rules (app.permissions), each on its own: who may see and manage an
organisation, accept an invitation, and upload, read and manage documents."""

from collections import defaultdict
from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin

from app import permissions
from app.documents import access
from app.documents.models import Document, DocumentPurpose, DocumentStatus
from tests.factories import make_membership, make_organisation, make_user


@pytest.fixture
def people(app):
    owner = make_user("olu@riverside.example", name="Olu Owner")
    member = make_user("mo@riverside.example", name="Mo Member")
    organisation = make_organisation(owner=owner, members=[member])
    return {
        "owner": owner,
        "member": member,
        "admin": make_user("ada@operator.example", admin=True),
        "stranger": make_user("sam@elsewhere.example"),
        "organisation": organisation,
    }


@pytest.fixture
def no_reader_rules(monkeypatch):
    """A clean set of the features' reader rules (the registry is global)."""
    monkeypatch.setattr(access, "_readers", defaultdict(list))


def document(people, purpose=DocumentPurpose.ACCOUNTS, status=DocumentStatus.ACTIVE):
    return Document(owner_organisation_id=people["organisation"].id, purpose=purpose, status=status)


def test_signed_in_means_an_authenticated_person(people):
    assert permissions.signed_in(people["stranger"])
    assert not permissions.signed_in(AnonymousUserMixin())
    assert not permissions.signed_in(None)


def test_only_administrators_are_administrators(people):
    assert permissions.is_admin(people["admin"])
    assert not permissions.is_admin(people["owner"])
    assert not permissions.is_admin(AnonymousUserMixin())
    assert not permissions.is_admin(None)


@pytest.mark.parametrize(
    "who, view, manage",
    [
        ("owner", True, True),
        ("member", True, False),
        ("admin", True, False),
        ("stranger", False, False),
    ],
)
def test_who_sees_and_who_manages_an_organisation(people, who, view, manage):
    organisation_id = people["organisation"].id
    assert permissions.can_view_organisation(people[who], organisation_id) is view
    assert permissions.can_manage_organisation(people[who], organisation_id) is manage
    assert permissions.is_member(people[who], organisation_id) is (who in ("owner", "member"))


def test_a_second_owner_manages_too(people):
    other = make_user("oti@riverside.example")
    make_membership(people["organisation"], other, "owner")
    assert permissions.can_manage_organisation(other, people["organisation"].id)


def test_anyone_signed_in_may_create_an_organisation(people):
    assert permissions.can_create_organisation(people["stranger"])
    assert not permissions.can_create_organisation(AnonymousUserMixin())
    assert not permissions.can_create_organisation(None)


def test_an_invitation_is_for_the_address_it_was_sent_to(people):
    invitation = SimpleNamespace(email=" Sam@Elsewhere.example ")
    assert permissions.can_accept_invitation(people["stranger"], invitation)
    assert not permissions.can_accept_invitation(people["owner"], invitation)
    assert not permissions.can_accept_invitation(AnonymousUserMixin(), invitation)
    assert not permissions.can_accept_invitation(None, invitation)


def test_members_upload_into_their_organisation_s_library(people):
    organisation_id = people["organisation"].id
    assert permissions.can_upload_document(people["member"], organisation_id)
    assert permissions.can_upload_document(people["owner"], organisation_id)
    assert not permissions.can_upload_document(people["admin"], organisation_id)
    assert not permissions.can_upload_document(people["stranger"], organisation_id)
    assert not permissions.can_upload_document(AnonymousUserMixin(), organisation_id)


@pytest.mark.parametrize("purpose", list(DocumentPurpose))
def test_members_read_every_document_of_their_organisation(people, no_reader_rules, purpose):
    assert permissions.can_read_document(people["member"], document(people, purpose))
    assert not permissions.can_read_document(people["stranger"], document(people, purpose))
    assert not permissions.can_read_document(AnonymousUserMixin(), document(people, purpose))


@pytest.mark.parametrize("purpose", list(DocumentPurpose))
def test_administrators_read_what_the_operator_decides_on(people, no_reader_rules, purpose):
    readable = purpose in permissions.ADMIN_READABLE_DOCUMENTS
    assert permissions.can_read_document(people["admin"], document(people, purpose)) is readable


def test_the_operator_reads_evidence_not_bids_or_tenders():
    assert permissions.ADMIN_READABLE_DOCUMENTS == {
        DocumentPurpose.SELECTION_EVIDENCE,
        DocumentPurpose.INSURANCE_CERTIFICATE,
        DocumentPurpose.ACCOUNTS,
        DocumentPurpose.POLICY,
        DocumentPurpose.AWARD_LETTER,
    }


def test_a_feature_s_reader_rule_lets_people_in_for_its_purpose_only(people, no_reader_rules):
    stranger = people["stranger"]
    access.register_reader(
        DocumentPurpose.TENDER_DOCUMENT, lambda user, doc: user.id == stranger.id
    )
    assert permissions.can_read_document(
        stranger, document(people, DocumentPurpose.TENDER_DOCUMENT)
    )
    assert not permissions.can_read_document(stranger, document(people, DocumentPurpose.ACCOUNTS))
    # Never someone signed out, whatever a rule says.
    access.register_reader(DocumentPurpose.ACCOUNTS, lambda user, doc: True)
    assert not permissions.can_read_document(AnonymousUserMixin(), document(people))
    assert not permissions.can_read_document(None, document(people))


def test_nobody_reads_a_deleted_document_or_none(people, no_reader_rules):
    access.register_reader(DocumentPurpose.ACCOUNTS, lambda user, doc: True)
    deleted = document(people, status=DocumentStatus.DELETED)
    for who in ("owner", "member", "admin", "stranger"):
        assert not permissions.can_read_document(people[who], deleted)
        assert not permissions.can_read_document(people[who], None)


def test_members_manage_documents_that_are_not_deleted(people):
    active = document(people)
    assert permissions.can_manage_document(people["member"], active)
    assert permissions.can_manage_document(people["owner"], active)
    assert not permissions.can_manage_document(people["admin"], active)
    assert not permissions.can_manage_document(people["stranger"], active)
    deleted = document(people, status=DocumentStatus.DELETED)
    assert not permissions.can_manage_document(people["owner"], deleted)
    assert not permissions.can_manage_document(people["owner"], None)
