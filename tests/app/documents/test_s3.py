"""Documents in S3, against moto's S3 server over HTTP as the app's boto3 client sees a real one."""

import urllib.request
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import sqlalchemy as sa
from botocore.exceptions import ClientError

from app.documents import services
from app.documents.jobs import remove_deleted_object
from tests.app.documents.helpers import (
    NOT_SAVED,
    PDF,
    audit_events,
    bucket_keys,
    checked_radio,
    closed_port,
    date_values,
    documents,
    error_summary,
    make_person,
    make_supplier,
    sha256,
    upload,
)

FILENAME = "Safeguarding policy 2026.pdf"


@pytest.fixture
def bucket(s3, app_with):
    """(boto3 client, bucket name); the app whose context is current stores documents there."""
    s3_client, name, settings = s3
    app_with(**settings)
    return s3_client, name


@pytest.fixture
def owner(bucket):
    person = make_person("olu@riverside.example", name="Olu Owner")
    return person, make_supplier(person)


def test_upload_puts_the_bytes_and_metadata_in_the_bucket_encrypted_under_an_opaque_key(
    bucket, owner, visitor
):
    s3_client, name = bucket
    person, organisation = owner
    response = visitor(person.email).upload(organisation.id, PDF, FILENAME, purpose="policy")
    assert response.status_code == 302

    [stored] = documents()
    assert bucket_keys(s3_client, name) == [stored.storage_key]
    obj = s3_client.get_object(Bucket=name, Key=stored.storage_key)
    assert obj["Body"].read() == PDF
    assert obj["ContentType"] == "application/pdf"
    assert obj["Metadata"]["sha256"] == sha256(PDF) == stored.sha256
    head = s3_client.head_object(Bucket=name, Key=stored.storage_key)
    assert head["ServerSideEncryption"] == "AES256"  # the put asked for it
    # Opaque: nothing of the person's file name in the key.
    key = stored.storage_key.lower()
    for part in ("safeguarding", "policy", "2026", ".pdf", "pdf"):
        assert part not in key


def test_objects_are_private(bucket, owner):
    """An unsigned GET of the object is refused: only presigned URLs work."""
    s3_client, name = bucket
    person, organisation = owner
    stored = _upload(person, organisation)
    url = f"{s3_client.meta.endpoint_url}/{name}/{stored.storage_key}"
    with pytest.raises(urllib.request.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=5)
    assert refused.value.code == 403


def _upload(person, organisation, filename=FILENAME):
    return upload(person, organisation, PDF, filename)


def test_download_redirects_to_a_short_lived_presigned_url_for_the_key(bucket, owner, visitor):
    s3_client, name = bucket
    person, organisation = owner
    stored = _upload(person, organisation)
    response = visitor(person.email).get(f"/documents/{stored.id}/download")

    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc == urlsplit(s3_client.meta.endpoint_url).netloc
    assert unquote(location.path) == f"/{name}/{stored.storage_key}"
    query = parse_qs(location.query)
    assert query["X-Amz-Expires"] == ["60"]
    assert "X-Amz-Signature" in query
    disposition = query["response-content-disposition"][0]
    assert disposition.startswith("attachment;")
    assert f'filename="{FILENAME}"' in disposition
    assert query["response-content-type"] == ["application/pdf"]
    # The URL works (moto does not check signatures, but serves the headers asked for).
    with urllib.request.urlopen(response.headers["Location"], timeout=5) as served:
        assert served.read() == PDF
        assert served.headers["Content-Disposition"] == disposition
    # The download was audited before the redirect.
    [event] = audit_events("download_document")
    assert event.subject_id == stored.id and event.actor_id == person.id


def test_the_presigned_url_lifetime_is_configurable(s3, app_with, visitor):
    s3_client, name, settings = s3
    app_with(**settings, DOWNLOAD_URL_SECONDS=30)
    person = make_person("olu@riverside.example")
    stored = _upload(person, make_supplier(person))
    response = visitor(person.email).get(f"/documents/{stored.id}/download")
    assert parse_qs(urlsplit(response.headers["Location"]).query)["X-Amz-Expires"] == ["30"]


def test_a_non_ascii_filename_is_kept_in_the_presigned_disposition(bucket, owner, visitor):
    person, organisation = owner
    stored = _upload(person, organisation, filename="Café accounts – 2026.pdf")
    response = visitor(person.email).get(f"/documents/{stored.id}/download")
    disposition = parse_qs(urlsplit(response.headers["Location"]).query)[
        "response-content-disposition"
    ][0]
    assert 'filename="Caf_ accounts _ 2026.pdf"' in disposition
    assert "filename*=UTF-8''Caf%C3%A9%20accounts%20%E2%80%93%202026.pdf" in disposition


def test_delete_is_soft_then_a_job_removes_the_object(bucket, owner, visitor, run_jobs):
    s3_client, name = bucket
    person, organisation = owner
    stored = _upload(person, organisation)
    page = visitor(person.email)
    response = page.post(f"/documents/{stored.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/organisations/{organisation.id}/documents"

    [row] = documents()
    assert row.status == "deleted"
    assert row.deleted_at is not None and row.deleted_by_id == person.id
    assert row.object_removed_at is None
    # Soft: the object is still there until the job runs; nobody can read it now.
    assert bucket_keys(s3_client, name) == [stored.storage_key]
    assert page.get(f"/documents/{stored.id}").status_code == 404
    assert page.get(f"/documents/{stored.id}/download").status_code == 404

    run_jobs()

    with pytest.raises(ClientError) as missing:
        s3_client.head_object(Bucket=name, Key=stored.storage_key)
    assert missing.value.response["Error"]["Code"] == "404"
    [row] = documents()
    assert row.object_removed_at is not None
    [deleted] = audit_events("delete_document")
    assert deleted.subject_id == stored.id and deleted.actor_id == person.id
    [removed] = audit_events("remove_document_object")
    assert removed.subject_id == stored.id
    # Running it again changes nothing.
    assert remove_deleted_object(stored.id) is False
    assert len(audit_events("remove_document_object")) == 1


def test_s3_unreachable_during_upload_says_try_again_and_keeps_the_form(s3, app_with, visitor):
    _, _, settings = s3
    app_with(**{**settings, "S3_ENDPOINT_URL": f"http://127.0.0.1:{closed_port()}"})
    person = make_person("olu@riverside.example")
    organisation = make_supplier(person)
    response = visitor(person.email).upload(organisation.id, PDF, "accounts.pdf")

    assert response.status_code == 200
    assert error_summary(response) == [(NOT_SAVED, "#file")]
    assert documents() == []
    assert audit_events("upload_document") == []
    assert checked_radio(response, "purpose") == ["accounts"]
    assert date_values(response, "expires_on") == ["31", "3", "2027"]


def _commit_failing_once(monkeypatch, error):
    real_commit = services.commit
    calls = []

    def commit():
        calls.append(1)
        if len(calls) == 1:
            raise error
        return real_commit()

    monkeypatch.setattr(services, "commit", commit)
    return calls


def test_a_failed_commit_after_the_put_removes_the_object(bucket, owner, monkeypatch):
    s3_client, name = bucket
    person, organisation = owner
    _commit_failing_once(monkeypatch, RuntimeError("database went away"))
    with pytest.raises(RuntimeError, match="database went away"):
        _upload(person, organisation)
    assert bucket_keys(s3_client, name) == []
    assert documents() == []
    assert audit_events() == []


def test_a_database_failure_on_upload_says_try_again_and_stores_nothing(
    bucket, owner, visitor, monkeypatch
):
    s3_client, name = bucket
    person, organisation = owner
    page = visitor(person.email)
    _commit_failing_once(monkeypatch, sa.exc.OperationalError("COMMIT", {}, Exception("gone")))
    response = page.upload(organisation.id, PDF, "accounts.pdf")
    assert response.status_code == 200
    [(message, href)] = error_summary(response)
    assert "Nothing was saved. Try again" in message and href == "#file"
    assert bucket_keys(s3_client, name) == []
    assert documents() == []
    assert checked_radio(response, "purpose") == ["accounts"]
    # The next try works.
    assert page.upload(organisation.id, PDF, "accounts.pdf").status_code == 302
    [stored] = documents()
    assert bucket_keys(s3_client, name) == [stored.storage_key]
