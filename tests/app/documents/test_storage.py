"""The local storage adapter: whole files or nothing, never outside its folder."""

import io
import shutil

import pytest

from app.storage import LocalStorage, ObjectMissing, StorageUnavailable, content_disposition
from tests.app.documents.helpers import (
    NOT_SAVED,
    PDF,
    documents,
    error_summary,
    local_files,
    make_person,
    make_supplier,
)


def test_put_open_delete(tmp_path):
    storage = LocalStorage(tmp_path)
    storage.put("documents/1/abc", io.BytesIO(PDF), "application/pdf")
    with storage.open("documents/1/abc") as handle:
        assert handle.read() == PDF
    assert storage.exists("documents/1/abc")
    storage.delete("documents/1/abc")
    storage.delete("documents/1/abc")  # removing twice is fine (jobs may run again)
    assert not storage.exists("documents/1/abc")
    with pytest.raises(ObjectMissing):
        storage.open("documents/1/abc")


def test_a_key_cannot_leave_the_folder(tmp_path):
    storage = LocalStorage(tmp_path / "store")
    with pytest.raises(ValueError, match="storage key escapes the storage folder"):
        storage.put("../outside", io.BytesIO(PDF), "application/pdf")
    assert not (tmp_path / "outside").exists()


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    storage = LocalStorage(tmp_path)

    def broken_copy(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shutil, "copyfileobj", broken_copy)
    with pytest.raises(StorageUnavailable, match="No space left on device"):
        storage.put("documents/1/abc", io.BytesIO(PDF), "application/pdf")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_a_full_disk_during_upload_says_try_again(app, visitor, monkeypatch):
    person = make_person("olu@riverside.example")
    organisation = make_supplier(person)
    page = visitor(person.email)

    def broken_copy(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shutil, "copyfileobj", broken_copy)
    response = page.upload(organisation.id, PDF, "accounts.pdf")
    assert response.status_code == 200
    assert error_summary(response) == [(NOT_SAVED, "#file")]
    assert documents() == []
    assert local_files() == []


@pytest.mark.parametrize(
    "filename, header",
    [
        ("policy.pdf", "attachment; filename=\"policy.pdf\"; filename*=UTF-8''policy.pdf"),
        (
            "Café – 2026.pdf",
            "attachment; filename=\"Caf_ _ 2026.pdf\"; filename*=UTF-8''Caf%C3%A9%20%E2%80%93%202026.pdf",
        ),
    ],
)
def test_content_disposition(filename, header):
    assert content_disposition(filename) == header
