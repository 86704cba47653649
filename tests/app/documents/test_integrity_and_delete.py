"""Local downloads re-check the fingerprint; locked documents stay; deletes are soft."""

from pathlib import Path

import pytest
from flask import current_app

from app.documents import services
from app.documents.jobs import remove_all_deleted_objects
from app.extensions import db
from tests.app.documents.helpers import (
    PDF,
    audit_events,
    document,
    error_messages,
    link_texts,
    local_files,
    make_person,
    make_supplier,
    upload,
)
from tests.pages import heading, soup


@pytest.fixture
def owner(app):
    person = make_person("olu@riverside.example", name="Olu Owner")
    return person, make_supplier(person)


def stored_path(stored):
    return Path(current_app.config["STORAGE_LOCAL_PATH"]) / stored.storage_key


def test_a_local_download_sends_the_bytes_after_checking_the_fingerprint(owner, visitor):
    person, organisation = owner
    stored = upload(person, organisation, PDF, "policy.pdf")
    assert stored_path(stored).read_bytes() == PDF
    response = visitor(person.email).get(f"/documents/{stored.id}/download")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"


def test_a_file_changed_on_disk_is_not_served(owner, visitor):
    person, organisation = owner
    stored = upload(person, organisation, PDF, "policy.pdf")
    tampered = PDF.replace(b"Catalog", b"Catalos")
    stored_path(stored).write_bytes(tampered)

    response = visitor(person.email).get(f"/documents/{stored.id}/download")
    assert response.status_code == 409
    assert heading(response) == "This file cannot be downloaded"
    assert "has changed since it was uploaded" in response.get_data(as_text=True)
    assert tampered not in response.data and PDF not in response.data
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    assert audit_events("download_document") == []  # nothing was sent
    [event] = audit_events("document_integrity_failure")
    assert event.subject_id == stored.id
    assert event.detail["expected"] == stored.sha256
    assert event.detail["found"] != stored.sha256


def test_a_missing_file_says_try_later_rather_than_failing(owner, visitor):
    person, organisation = owner
    stored = upload(person, organisation, PDF, "policy.pdf")
    stored_path(stored).unlink()
    response = visitor(person.email).get(f"/documents/{stored.id}/download")
    assert response.status_code == 503
    assert heading(response) == "Sorry, the file is not available just now"


def test_a_locked_document_cannot_be_deleted(owner, visitor):
    person, organisation = owner
    stored = upload(person, organisation, PDF, "policy.pdf")
    services.lock_document(stored, "it is part of your submitted application")
    db.session.commit()

    page = visitor(person.email)
    # The page explains instead of offering the button; a request sent anyway is refused.
    response = page.post(f"/documents/{stored.id}/delete", form_url="/sign-in")
    assert response.status_code == 409
    assert error_messages(response) == [
        "You cannot delete policy.pdf because it is part of your submitted application"
    ]
    assert soup(response).find("button", string=lambda s: s and "Yes, delete it" in s) is None
    remaining = document(stored.id)
    assert remaining.status == "active" and remaining.deleted_at is None
    assert stored_path(stored).exists()
    assert audit_events("delete_document") == []
    assert page.get(f"/documents/{stored.id}/download").data == PDF


def test_the_delete_page_of_a_locked_document_explains_before_asking(owner, visitor):
    person, organisation = owner
    stored = upload(person, organisation, PDF, "policy.pdf")
    services.lock_document(stored, "it is part of your submitted application")
    db.session.commit()
    page = visitor(person.email)
    receipt = page.get(f"/documents/{stored.id}")
    assert "Delete this document" not in link_texts(receipt)
    assert "Download" in link_texts(receipt)
    response = page.get(f"/documents/{stored.id}/delete")
    assert "it is part of your submitted application" in response.get_data(as_text=True)


def test_a_delete_is_soft_and_audited_and_the_job_removes_the_file(owner, visitor, run_jobs):
    person, organisation = owner
    stored = upload(person, organisation, PDF, "policy.pdf")
    page = visitor(person.email)
    confirm = page.get(f"/documents/{stored.id}/delete")
    assert heading(confirm) == "Are you sure you want to delete policy.pdf?"
    response = page.post(f"/documents/{stored.id}/delete", follow_redirects=True)
    assert (
        "policy.pdf has been deleted."
        in soup(response).select_one(".govuk-notification-banner").get_text()
    )
    assert "You have not uploaded any documents yet." in response.get_data(as_text=True)
    assert document(stored.id).status == "deleted"
    assert stored_path(stored).exists()
    [event] = audit_events("delete_document")
    assert event.actor_id == person.id and event.detail["filename"] == "policy.pdf"

    run_jobs()
    assert not stored_path(stored).exists()
    assert local_files() == []
    assert document(stored.id).object_removed_at is not None
    assert len(audit_events("remove_document_object")) == 1


def test_a_colleague_may_delete_but_someone_else_may_not(owner, visitor):
    person, organisation = owner
    stored = upload(person, organisation, PDF, "policy.pdf")
    make_person("rex@rival.example")
    response = visitor("rex@rival.example").post(
        f"/documents/{stored.id}/delete", form_url="/sign-in"
    )
    assert response.status_code == 404
    assert document(stored.id).status == "active"


def test_the_catch_up_removes_objects_whose_job_was_lost(owner):
    person, organisation = owner
    first = upload(person, organisation, PDF, "one.pdf")
    second = upload(person, organisation, PDF, "two.pdf")
    services.delete_document(person, first)
    assert remove_all_deleted_objects() == 1
    assert not stored_path(first).exists() and stored_path(second).exists()
    assert remove_all_deleted_objects() == 0
