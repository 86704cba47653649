"""A supplier uploads a document with JavaScript on (the progress bar path), gets a receipt
with the file's SHA-256, downloads it again, and sees the error summary for an empty file."""

import hashlib
from pathlib import Path

import pytest

from tests.app.documents.helpers import PDF, make_person, make_supplier
from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def supplier(live_server):
    """An owner of a supplier organisation, made in the database the live server uses."""
    with live_server.app.app_context():
        owner = make_person("olu@riverside.example", name="Olu Owner")
        organisation = make_supplier(owner)
        return owner.email, organisation.id


@pytest.fixture
def page_errors(page):
    """Script errors and console errors (a blocked script under the CSP shows up here)."""
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return errors


def test_upload_with_progress_receipt_and_download(
    page, live_server, supplier, axe, tmp_path, page_errors
):
    email, organisation_id = supplier
    sign_in(page, live_server, email)
    page.goto(f"{live_server.url}/organisations/{organisation_id}/documents")
    assert page.locator("h1").inner_text() == "Documents"
    axe(page)

    page.get_by_label("Policy").check()
    page.get_by_label("Upload a file").set_input_files(
        files=[{"name": "Safeguarding policy.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    # JavaScript is on: the upload goes by XMLHttpRequest so its progress can be shown.
    with page.expect_request(lambda r: r.method == "POST" and r.resource_type == "xhr"):
        with page.expect_navigation(url="**/documents/*"):
            page.get_by_role("button", name="Upload file").click()
    assert page.locator("h1").inner_text() == "Safeguarding policy.pdf"
    assert page.locator("#sha256").inner_text() == hashlib.sha256(PDF).hexdigest()
    assert "Policy" in page.locator(".govuk-caption-l").inner_text()
    axe(page)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download").click()
    download = download_info.value
    assert download.suggested_filename == "Safeguarding policy.pdf"
    saved = tmp_path / "downloaded.pdf"
    download.save_as(saved)
    assert Path(saved).read_bytes() == PDF
    assert page_errors == []


def test_an_empty_file_shows_the_error_summary(page, live_server, supplier, axe, page_errors):
    email, organisation_id = supplier
    sign_in(page, live_server, email)
    page.goto(f"{live_server.url}/organisations/{organisation_id}/documents")
    page.get_by_label("Accounts").check()
    page.locator("#expires_on-day").fill("31")
    page.locator("#expires_on-month").fill("3")
    page.locator("#expires_on-year").fill("2027")
    page.get_by_label("Upload a file").set_input_files(
        files=[{"name": "accounts.pdf", "mimeType": "application/pdf", "buffer": b""}]
    )
    page.get_by_role("button", name="Upload file").click()

    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "The selected file accounts.pdf is empty" in summary.inner_text()
    assert page.title().startswith("Error: ")
    # The error summary has focus, as the GOV.UK component gives it, and the choices are kept.
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert page.get_by_label("Accounts").is_checked()
    assert page.locator("#expires_on-day").input_value() == "31"
    assert page.locator("#expires_on-year").input_value() == "2027"
    axe(page)

    # The form on the page sent back works too: the person picks a proper file and goes on.
    page.get_by_label("Upload a file").set_input_files(
        files=[{"name": "accounts.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    with page.expect_navigation(url="**/documents/*"):
        page.get_by_role("button", name="Upload file").click()
    assert page.locator("#sha256").inner_text() == hashlib.sha256(PDF).hexdigest()
    assert page_errors == []
