"""Virus scanning through clamd's INSTREAM protocol, against a tiny clamd over real TCP."""

import pytest

from tests.app.documents.helpers import (
    CSV,
    EICAR,
    audit_events,
    checked_radio,
    closed_port,
    date_values,
    documents,
    error_summary,
    link_texts,
    local_files,
    make_person,
    make_supplier,
)
from tests.pages import soup
from tests.reading import emails


@pytest.fixture
def owner(app):
    person = make_person("olu@riverside.example", name="Olu Owner")
    return person, make_supplier(person)


def test_a_flagged_file_is_quarantined_never_served_and_the_uploader_is_told(
    clamd, app_with, visitor
):
    app_with(CLAMD_ADDRESS=clamd.address)
    owner = make_person("olu@riverside.example", name="Olu Owner")
    uploader = make_person("cat@riverside.example", name="Cat Colleague")
    organisation = make_supplier(owner, members=[uploader])
    page = visitor(uploader.email)

    response = page.upload(organisation.id, EICAR, "eicar.csv")
    assert response.status_code == 302
    assert clamd.scanned == [EICAR]

    [stored] = documents()
    assert stored.status == "quarantined"
    assert stored.scan_result == "clamd: Eicar-Test-Signature"
    receipt = page.get(f"/documents/{stored.id}")
    assert (
        "Our virus checker flagged this file"
        in soup(receipt).select_one(".govuk-warning-text").get_text()
    )
    assert "Download" not in link_texts(receipt)
    assert page.get(f"/documents/{stored.id}/download").status_code == 404
    assert visitor(owner.email).get(f"/documents/{stored.id}/download").status_code == 404
    assert audit_events("download_document") == []
    listing = page.get(f"/organisations/{organisation.id}/documents")
    assert "Quarantined" in soup(listing).select_one("table").get_text()

    [event] = audit_events("quarantine_document")
    assert event.subject_id == stored.id and event.actor_id == uploader.id
    assert event.detail["signature"] == "Eicar-Test-Signature"
    [email] = emails("document_quarantined")
    assert email.recipient == uploader.email
    assert email.personalisation["filename"] == "eicar.csv"
    assert email.personalisation["documents_url"].endswith(
        f"/organisations/{organisation.id}/documents"
    )


def test_a_clean_file_passes_the_scanner(clamd, app_with, visitor):
    app_with(CLAMD_ADDRESS=clamd.address)
    person = make_person("olu@riverside.example")
    organisation = make_supplier(person)
    page = visitor(person.email)
    response = page.upload(organisation.id, CSV, "accounts.csv")
    assert response.status_code == 302
    assert clamd.scanned == [CSV]
    [stored] = documents()
    assert stored.status == "active"
    assert stored.scan_result == "clamd: clean"
    assert page.get(f"/documents/{stored.id}/download").data == CSV
    assert audit_events("quarantine_document") == []
    assert emails("document_quarantined") == []


def test_scanner_down_says_try_again_and_stores_nothing(app_with, visitor):
    app_with(CLAMD_ADDRESS=f"127.0.0.1:{closed_port()}")
    person = make_person("olu@riverside.example")
    organisation = make_supplier(person)
    response = visitor(person.email).upload(organisation.id, CSV, "accounts.csv")
    assert response.status_code == 200
    assert error_summary(response) == [
        (
            "We could not check your file for viruses just now. Nothing was saved. "
            "Try again in a few minutes",
            "#file",
        )
    ]
    assert documents() == []
    assert local_files() == []
    assert checked_radio(response, "purpose") == ["accounts"]
    assert date_values(response, "expires_on") == ["31", "3", "2027"]


def test_without_a_scanner_files_are_stored_as_not_scanned(owner, visitor):
    person, organisation = owner
    page = visitor(person.email)
    page.upload(organisation.id, CSV, "accounts.csv")
    [stored] = documents()
    assert stored.status == "active"
    assert stored.scan_result == "not scanned"
