"""The whole round trip on both storage backends: upload through the form, read the receipt,
download the same bytes (streamed locally, or through a presigned S3 URL)."""

import urllib.request

import pytest

from tests.app.documents.helpers import (
    PDF,
    bucket_keys,
    documents,
    local_files,
    make_person,
    make_supplier,
    sha256,
    summary_list,
)


@pytest.mark.parametrize("backend", ["local", "s3"])
def test_upload_and_download_roundtrip(backend, s3, app_with, visitor):
    s3_client, bucket, settings = s3
    app_with(**(settings if backend == "s3" else {}))
    person = make_person("olu@riverside.example")
    organisation = make_supplier(person)
    page = visitor(person.email)

    response = page.upload(organisation.id, PDF, "../../Safe guarding.pdf", purpose="policy")
    assert response.status_code == 302
    receipt = page.get(response.headers["Location"])
    assert summary_list(receipt)["SHA-256 fingerprint"] == sha256(PDF)
    [stored] = documents()
    assert stored.original_filename == "Safe guarding.pdf"

    download = page.get(f"/documents/{stored.id}/download")
    if backend == "s3":
        assert bucket_keys(s3_client, bucket) == [stored.storage_key]
        assert local_files() == []
        assert download.status_code == 302
        with urllib.request.urlopen(download.headers["Location"], timeout=5) as served:
            assert served.read() == PDF
    else:
        assert bucket_keys(s3_client, bucket) == []
        assert len(local_files()) == 1
        assert download.status_code == 200
        assert download.data == PDF
        assert download.headers["Content-Disposition"].startswith("attachment;")
