"""Uploading through the form: every refusal names the file and the reason in the error summary,
nothing is stored, and the rest of the form keeps what the person chose."""

import pytest

from tests.app.documents.helpers import (
    PDF,
    checked_radio,
    date_values,
    documents,
    docx,
    error_summary,
    field_error,
    jpeg,
    link_texts,
    local_files,
    make_person,
    make_supplier,
    pdf_of_size,
    png,
    sha256,
    summary_list,
    zip_archive,
)
from tests.pages import heading, soup


@pytest.fixture
def owner(app):
    person = make_person("olu@riverside.example", name="Olu Owner")
    organisation = make_supplier(person)
    return person, organisation


def assert_refused(response, message):
    """The page is shown again with one error, linked to the file input; nothing was stored;
    the purpose and the expiry date are as the person left them."""
    assert response.status_code == 200
    assert error_summary(response) == [(message, "#file")]
    assert field_error(response, "file") == f"Error: {message}"
    assert soup(response).title.get_text().startswith("Error: ")
    assert documents() == []
    assert local_files() == []
    assert checked_radio(response, "purpose") == ["accounts"]
    assert date_values(response, "expires_on") == ["31", "3", "2027"]


@pytest.mark.parametrize(
    "data, filename, message",
    [
        (
            b"MZ\x90\x00\x03\x00\x00\x00\x04" + bytes(300),
            "invoice.pdf",
            "The selected file invoice.pdf must be a PDF, Word, Excel, OpenDocument, CSV, PNG or JPEG "
            "file. Its name ends .pdf but its contents are none of these",
        ),
        (b"", "accounts.pdf", "The selected file accounts.pdf is empty"),
        (
            PDF,
            "report.pdf.exe",
            "The selected file report.pdf.exe must be a PDF, Word, Excel, "
            "OpenDocument, CSV, PNG or JPEG file",
        ),
        (
            PDF,
            "invoice.exe.pdf",
            "The selected file invoice.exe.pdf has a file name that hides another "
            "type of file. Rename it with a single extension, like report.pdf",
        ),
        (
            png() + zip_archive([("run.js", "alert(1)")]),
            "logo.png",
            "The selected file logo.png contains another file hidden inside it",
        ),
        (
            jpeg(b"<script>alert(1)</script>"),
            "photo.jpg",
            "The selected file photo.jpg contains web page code hidden inside it",
        ),
        (
            docx(extra=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")]),
            "policy.docx",
            "The selected file policy.docx contains macros. Save it without macros and try again",
        ),
    ],
    ids=[
        "renamed-executable",
        "zero-bytes",
        "double-extension-exe",
        "double-extension-pdf",
        "png-zip-polyglot",
        "jpeg-with-script",
        "docx-macros",
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(owner, visitor, data, filename, message):
    person, organisation = owner
    response = visitor(person.email).upload(organisation.id, data, filename)
    assert_refused(response, message)


def test_a_file_over_the_limit_is_refused_with_the_limit(app_with, visitor):
    app_with(MAX_UPLOAD_BYTES=1024)
    person = make_person("olu@riverside.example")
    organisation = make_supplier(person)
    page = visitor(person.email)
    form = page.get(f"/organisations/{organisation.id}/documents")
    assert "smaller than 1 KB" in soup(form).select_one("#file-hint").get_text()
    response = page.upload(organisation.id, pdf_of_size(2048), "accounts.pdf")
    assert_refused(response, "The selected file accounts.pdf must be smaller than 1 KB")


def test_a_request_over_max_content_length_gets_the_413_page(app_with, visitor):
    app_with(MAX_UPLOAD_BYTES=1024, MAX_CONTENT_LENGTH=4096)
    person = make_person("olu@riverside.example")
    organisation = make_supplier(person)
    page = visitor(person.email)

    response = page.upload(organisation.id, pdf_of_size(16 * 1024), "accounts.pdf")
    assert response.status_code == 413
    assert heading(response) == "The file is too large"
    assert "Choose a smaller file" in response.get_data(as_text=True)

    response = page.upload(
        organisation.id,
        pdf_of_size(16 * 1024),
        "accounts.pdf",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 413
    assert response.is_json
    assert response.json["error"]["status"] == 413
    assert response.json["error"]["title"] == "The file is too large"
    assert documents() == []
    assert local_files() == []


def test_the_request_limit_leaves_room_for_the_rest_of_the_form():
    from config import Config

    assert Config.MAX_UPLOAD_BYTES == 25 * 1024 * 1024
    assert Config.MAX_CONTENT_LENGTH == Config.MAX_UPLOAD_BYTES + 1024 * 1024


def test_the_app_refuses_requests_over_max_content_length(app):
    assert app.config["MAX_CONTENT_LENGTH"] == app.config["MAX_UPLOAD_BYTES"] + 1024 * 1024


def test_a_path_in_the_filename_is_removed(owner, visitor):
    person, organisation = owner
    response = visitor(person.email).upload(organisation.id, PDF, "../../etc/Safe guarding.pdf")
    assert response.status_code == 302
    [stored] = documents()
    assert stored.original_filename == "Safe guarding.pdf"
    assert "Safe guarding" not in stored.storage_key and ".." not in stored.storage_key


def test_control_characters_are_removed_from_the_filename(owner, visitor):
    person, organisation = owner
    response = visitor(person.email).upload(organisation.id, PDF, "pol\x1bicy\x07 2026\x7f.pdf")
    assert response.status_code == 302
    [stored] = documents()
    assert stored.original_filename == "policy 2026.pdf"


def test_a_long_filename_is_shortened_keeping_its_extension(owner, visitor):
    person, organisation = owner
    response = visitor(person.email).upload(organisation.id, PDF, "x" * 296 + ".pdf")
    assert response.status_code == 302
    [stored] = documents()
    assert len(stored.original_filename) == 150
    assert stored.original_filename.endswith("x.pdf")


def test_an_impossible_date_is_refused_and_the_choices_are_kept(owner, visitor):
    person, organisation = owner
    response = visitor(person.email).upload(
        organisation.id,
        PDF,
        "insurance.pdf",
        purpose="insurance_certificate",
        expires=("31", "2", "2027"),
    )
    assert response.status_code == 200
    assert error_summary(response) == [("Expiry date must be a real date", "#expires_on")]
    assert checked_radio(response, "purpose") == ["insurance_certificate"]
    assert date_values(response, "expires_on") == ["31", "2", "2027"]
    # Browsers cannot keep a chosen file: the file input is empty, and nothing was stored.
    assert soup(response).select_one("#file").get("value") in (None, "")
    assert documents() == []
    assert local_files() == []


def test_a_missing_purpose_and_missing_file_are_both_named(owner, visitor):
    person, organisation = owner
    page = visitor(person.email)
    response = page.post(
        f"/organisations/{organisation.id}/documents",
        {"expires_on": ["", "", ""]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert error_summary(response) == [
        ("Select what this document is", "#purpose"),
        ("Select a file to upload", "#file"),
    ]
    response = page.post(
        f"/organisations/{organisation.id}/documents",
        {"purpose": "policy", "expires_on": ["", "", ""]},
        content_type="multipart/form-data",
    )
    assert error_summary(response) == [("Select a file to upload", "#file")]
    assert documents() == []


def test_a_form_without_the_date_boxes_is_still_answered(owner, visitor):
    """A hand-made request that leaves the date out entirely gets the page, not an error."""
    person, organisation = owner
    page = visitor(person.email)
    response = page.post(
        f"/organisations/{organisation.id}/documents",
        {"purpose": "policy"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert error_summary(response) == [("Select a file to upload", "#file")]


def test_the_receipt_shows_the_fingerprint_and_the_cleaned_filename(owner, visitor):
    person, organisation = owner
    page = visitor(person.email)
    response = page.upload(
        organisation.id, PDF, "My files/../Safe\x00guarding.pdf", purpose="insurance_certificate"
    )
    assert response.status_code == 302
    [stored] = documents()
    assert response.headers["Location"] == f"/documents/{stored.id}"
    receipt = page.get(response.headers["Location"])
    assert heading(receipt) == "Safeguarding.pdf"
    rows = summary_list(receipt)
    assert rows["File name"] == "Safeguarding.pdf"
    assert rows["SHA-256 fingerprint"] == sha256(PDF)
    assert rows["Type"] == "application/pdf"
    assert rows["Size"].endswith(f"({len(PDF)} bytes)")
    assert rows["Expires"] == "31 March 2027"
    assert rows["Uploaded by"] == "Olu Owner"
    assert {"Download", "Delete this document"} <= set(link_texts(receipt))
    assert stored.purpose == "insurance_certificate"
    assert stored.sha256 == sha256(PDF)
    assert stored.size_bytes == len(PDF)
    assert stored.uploaded_by_id == person.id
    assert stored.owner_organisation_id == organisation.id
    assert str(stored.expires_on) == "2027-03-31"
    # The list shows it too.
    listing = page.get(f"/organisations/{organisation.id}/documents")
    assert "Safeguarding.pdf" in soup(listing).select_one("table").get_text()


def test_someone_outside_the_organisation_cannot_upload(owner, visitor):
    person, organisation = owner
    make_person("eve@elsewhere.example")
    response = visitor("eve@elsewhere.example").get(f"/organisations/{organisation.id}/documents")
    assert response.status_code == 403


def test_signed_out_people_are_sent_to_sign_in(owner, visitor):
    _, organisation = owner
    response = visitor().get(f"/organisations/{organisation.id}/documents")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
