"""Who may read a document: the rule (app.permissions.can_read_document) and the pages."""

from datetime import datetime, timezone

import pytest
import time_machine
from flask_login import AnonymousUserMixin

from app.documents import services
from app.documents.models import DocumentPurpose
from app.permissions import can_manage_document, can_read_document
from app.timeutil import utcnow
from tests.app.documents.helpers import (
    PDF,
    audit_events,
    documents,
    make_buyer,
    make_person,
    make_supplier,
    upload,
)

FILENAME = "Confidential accounts 2026.pdf"
ADMIN_PURPOSES = ["selection_evidence", "insurance_certificate", "accounts", "policy"]


@pytest.fixture
def people(app):
    owner = make_person("olu@riverside.example", name="Olu Owner")
    colleague = make_person("cat@riverside.example", name="Cat Colleague")
    organisation = make_supplier(owner, members=[colleague])
    rival = make_person("rex@rival.example", name="Rex Rival")
    make_supplier(rival, name="Rival Services CIC")
    admin = make_person("ada@operator.example", name="Ada Admin", admin=True)
    return {
        "owner": owner,
        "colleague": colleague,
        "rival": rival,
        "admin": admin,
        "organisation": organisation,
    }


def _document(people, purpose="accounts"):
    return upload(people["owner"], people["organisation"], PDF, FILENAME, purpose=purpose)


@pytest.mark.parametrize(
    "who, allowed", [("owner", True), ("colleague", True), ("rival", False), ("admin", True)]
)
def test_can_read(people, who, allowed):
    assert can_read_document(people[who], _document(people)) is allowed


def test_nobody_signed_out_can_read(people):
    assert can_read_document(AnonymousUserMixin(), _document(people)) is False
    assert can_read_document(None, _document(people)) is False


@pytest.mark.parametrize("purpose", ADMIN_PURPOSES)
def test_administrators_read_what_the_operator_needs_to_decide_applications(people, purpose):
    assert can_read_document(people["admin"], _document(people, purpose)) is True


def test_administrators_do_not_read_bid_attachments(people):
    assert can_read_document(people["admin"], _document(people, "bid_attachment")) is False
    assert can_read_document(people["owner"], _document(people, "bid_attachment")) is True


def test_only_members_manage(people):
    document = _document(people)
    assert can_manage_document(people["owner"], document)
    assert can_manage_document(people["colleague"], document)
    assert not can_manage_document(people["admin"], document)
    assert not can_manage_document(people["rival"], document)


@pytest.mark.parametrize("who", ["owner", "colleague", "admin"])
def test_people_who_may_read_see_the_receipt_and_download(people, who, visitor):
    document = _document(people)
    page = visitor(people[who].email)
    receipt = page.get(f"/documents/{document.id}")
    assert receipt.status_code == 200
    assert FILENAME in receipt.get_data(as_text=True)
    download = page.get(f"/documents/{document.id}/download")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert f'filename="{FILENAME}"' in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "private, no-store"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    [event] = audit_events("download_document")
    assert event.actor_id == people[who].id and event.subject_id == document.id


@pytest.mark.parametrize("purpose", ADMIN_PURPOSES)
def test_administrators_download_selection_documents(people, visitor, purpose):
    document = _document(people, purpose)
    response = visitor(people["admin"].email).get(f"/documents/{document.id}/download")
    assert response.status_code == 200 and response.data == PDF


@pytest.mark.parametrize(
    "path", ["/documents/{id}", "/documents/{id}/download", "/documents/{id}/delete"]
)
def test_another_supplier_gets_not_found_without_the_filename(people, visitor, path):
    document = _document(people)
    response = visitor(people["rival"].email).get(path.format(id=document.id))
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert FILENAME not in body and "Confidential" not in body
    assert audit_events("download_document") == []


def test_an_administrator_gets_not_found_for_a_bid_attachment(people, visitor):
    document = _document(people, "bid_attachment")
    response = visitor(people["admin"].email).get(f"/documents/{document.id}/download")
    assert response.status_code == 404
    assert FILENAME not in response.get_data(as_text=True)


def test_a_document_that_does_not_exist_is_not_found(people, visitor):
    assert visitor(people["owner"].email).get("/documents/999/download").status_code == 404
    assert visitor(people["owner"].email).get("/documents/999").status_code == 404


@pytest.mark.parametrize("path", ["/documents/{id}", "/documents/{id}/download"])
def test_signed_out_people_are_sent_to_sign_in_without_the_filename(people, visitor, path):
    document = _document(people)
    response = visitor().get(path.format(id=document.id))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    assert FILENAME not in response.get_data(as_text=True)
    assert "Confidential" not in response.headers["Location"]
    assert audit_events("download_document") == []


def test_administrators_cannot_upload_to_a_supplier(people, visitor):
    organisation = people["organisation"]
    page = visitor(people["admin"].email)
    assert page.get(f"/organisations/{organisation.id}/documents").status_code == 200
    # The page has no upload form for them; a hand-made request is refused.
    response = page.upload(organisation.id, PDF, "accounts.pdf", form_url="/sign-in")
    assert response.status_code == 403
    assert documents() == []


DEADLINE = datetime(2027, 3, 1, 12, 0, tzinfo=timezone.utc)


def test_register_reader_rule_that_depends_on_a_clock_opens_access_after_a_deadline(
    people, readers, visitor
):
    """Stands in for "a buyer reads bid attachments only after the deadline", which needs
    opportunities and bids that do not exist yet: the hook lets a feature add a reader rule,
    and the rule is asked at the moment of reading."""
    buyer = make_person("bea@leeds.example", name="Bea Buyer")
    make_buyer(buyer)

    def buyer_after_deadline(user, document):
        return user.id == buyer.id and utcnow() >= DEADLINE

    readers.register_reader(DocumentPurpose.BID_ATTACHMENT, buyer_after_deadline)
    with time_machine.travel(datetime(2027, 3, 1, 11, 59, tzinfo=timezone.utc)) as clock:
        document = _document(people, "bid_attachment")
        accounts = _document(people, "accounts")
        page = visitor(buyer.email)
        assert can_read_document(buyer, document) is False
        response = page.get(f"/documents/{document.id}/download")
        assert response.status_code == 404
        assert FILENAME not in response.get_data(as_text=True)

        clock.move_to(DEADLINE)
        assert can_read_document(buyer, document) is True
        response = page.get(f"/documents/{document.id}/download")
        assert response.status_code == 200 and response.data == PDF
        # The rule is for one purpose, and for that buyer only.
        assert can_read_document(buyer, accounts) is False
        assert page.get(f"/documents/{accounts.id}/download").status_code == 404
        assert can_read_document(people["rival"], document) is False
        assert (
            visitor(people["rival"].email).get(f"/documents/{document.id}/download").status_code
            == 404
        )


def test_reader_rules_never_open_deleted_or_quarantined_documents(people, readers, visitor):
    readers.register_reader("accounts", lambda user, document: True)
    document = _document(people)
    assert can_read_document(people["rival"], document) is True
    services.delete_document(people["owner"], document)
    assert can_read_document(people["rival"], document) is False
    assert can_read_document(people["owner"], document) is False
