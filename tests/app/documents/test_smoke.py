import io

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.organisations.models import Membership, Organisation, OrganisationKind, Role, SupplierType
from tests.factories import make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _org(user):
    org = Organisation(kind=OrganisationKind.SUPPLIER, name="Riverside CIO",
                       supplier_type=SupplierType.CIO)
    db.session.add(org)
    db.session.flush()
    db.session.add(Membership(user_id=user.id, organisation_id=org.id, role=Role.OWNER))
    db.session.commit()
    return org


@pytest.mark.parametrize("backend", ["local", "s3"])
def test_upload_and_download_roundtrip(backend, make_app, s3, forms, auth):
    from app.documents.models import Document
    client_s3, bucket, settings = s3
    app = make_app(**(settings if backend == "s3" else {}))
    client = app.test_client()
    from tests.conftest import Browserless
    forms = Browserless(client)
    with app.app_context():
        user = make_user()
        org = _org(user)
        org_id = org.id
    forms.post("/sign-in", {"email": "sam@example.org", "password": "correct horse battery"})
    url = f"/organisations/{org_id}/documents"
    response = forms.post(url, {"purpose": "policy", "file": (io.BytesIO(PDF), "../../Safe guarding.pdf")},
                          content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    import hashlib
    assert hashlib.sha256(PDF).hexdigest() in receipt
    with app.app_context():
        doc = db.session.execute(sa.select(Document)).scalar_one()
        assert doc.original_filename == "Safe guarding.pdf"
        doc_id, key = doc.id, doc.storage_key
    download = client.get(f"/documents/{doc_id}/download")
    if backend == "s3":
        assert download.status_code == 302
        assert key in download.headers["Location"]
        head = client_s3.head_object(Bucket=bucket, Key=key)
        assert head["ServerSideEncryption"] == "AES256"
    else:
        assert download.status_code == 200
        assert download.data == PDF
        assert "attachment" in download.headers["Content-Disposition"]
    with app.app_context():
        db.session.remove()
