"""Helpers for the documents tests: small real files made from bytes, organisations made with the
models, a client per person, and reading GOV.UK pages the way a person does."""

import hashlib
import io
import socket
import struct
import zipfile
import zlib
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from werkzeug.datastructures import FileStorage

from app.audit.models import AuditEvent
from app.documents import services
from app.documents.models import Document
from app.extensions import db
from tests.conftest import Browserless, FreshContextClient
from tests.factories import PASSWORD, make_organisation, make_user
from tests.pages import soup, text

# What a person is told when their file could not be stored (the store is down, say).
NOT_SAVED = (
    "Your file could not be saved because of a problem on our side. Nothing was saved. Try again"
)

# --- files ---------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
CSV = b"name,amount\nLunch club,1200\nBefriending,800\n"
# The EICAR anti-virus test file: harmless, and every scanner reports it.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def pdf_of_size(size):
    """A PDF padded with comment lines to exactly ``size`` bytes."""
    body = PDF[:-6]  # without the trailing %%EOF\n
    padding = size - len(PDF)
    assert padding >= 0
    filler = b"%" + b"x" * (padding - 2) + b"\n" if padding >= 2 else b" " * padding
    return body + filler + b"%%EOF\n"


def png():
    """A real 1x1 RGB PNG."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def jpeg(comment=b""):
    """A JFIF header, an optional comment segment, and the end-of-image marker."""
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    com = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment if comment else b""
    return b"\xff\xd8" + app0 + com + b"\xff\xd9"


def zip_archive(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buf.getvalue()


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{part}" ContentType="{content_type}"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="{part}"/></Relationships>'
)
_OOXML = {
    "docx": (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
    "xlsx": (
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
}


def ooxml(kind, extra=(), content_types_first=True):
    """A minimal Word or Excel file laid out as Office writes it: [Content_Types].xml first."""
    part, content_type = _OOXML[kind]
    entries = [
        ("[Content_Types].xml", _CONTENT_TYPES.format(part=part, content_type=content_type)),
        ("_rels/.rels", _RELS.format(part=part)),
        (part, "<document/>"),
        *extra,
    ]
    if not content_types_first:
        entries = entries[2:] + entries[:2]
    return zip_archive(entries)


def docx(extra=(), **kwargs):
    return ooxml("docx", extra, **kwargs)


def xlsx(extra=(), **kwargs):
    return ooxml("xlsx", extra, **kwargs)


_ODF = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def odf(kind, extra=()):
    """A minimal OpenDocument file: an uncompressed ``mimetype`` entry first, as ODF says."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), _ODF[kind], compress_type=zipfile.ZIP_STORED)
        for name, data in (
            ("META-INF/manifest.xml", "<manifest/>"),
            ("content.xml", "<content/>"),
            *extra,
        ):
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


# --- rows ----------------------------------------------------------------------------------------


def make_person(email, name="Sam Supplier", admin=False):
    return make_user(email=email, name=name, admin=admin)


def make_supplier(owner, members=(), name="Riverside Community Care CIO"):
    """A supplier organisation (a CIO) with ``owner`` as its owner."""
    return make_organisation("supplier", owner=owner, name=name, members=members)


def make_buyer(owner, name="Leeds City Council"):
    return make_organisation("buyer", owner=owner, name=name)


def upload(user, organisation, data, filename, purpose="policy", **kwargs):
    """Upload through the service, as a feature would."""
    return services.upload_document(
        user,
        organisation,
        FileStorage(stream=io.BytesIO(data), filename=filename),
        purpose,
        **kwargs,
    )


def documents():
    """Every Document row, read fresh from the database."""
    db.session.expire_all()
    return db.session.execute(sa.select(Document).order_by(Document.id)).scalars().all()


def document(document_id):
    db.session.expire_all()
    return db.session.get(Document, document_id)


def audit_events(event_type=None):
    db.session.expire_all()
    query = sa.select(AuditEvent).order_by(AuditEvent.id)
    if event_type:
        query = query.where(AuditEvent.event_type == event_type)
    return db.session.execute(query).scalars().all()


def local_files():
    """Every file in the local storage folder (ignoring none: temporary files count too)."""
    root = Path(current_app.config["STORAGE_LOCAL_PATH"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def closed_port():
    """A port on loopback with nothing listening (a scanner or S3 that is down)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def bucket_keys(s3_client, bucket):
    listing = s3_client.list_objects_v2(Bucket=bucket)
    return [item["Key"] for item in listing.get("Contents", [])]


# --- people and pages ----------------------------------------------------------------------------


class Visitor:
    """One person with a browser of their own."""

    def __init__(self, app):
        self.client = FreshContextClient(app, app.response_class, use_cookies=True)
        self.forms = Browserless(self.client)

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url, data=None, form_url=None, **kwargs):
        return self.forms.post(url, data, form_url=form_url, **kwargs)

    def sign_in(self, email, password=PASSWORD):
        response = self.post("/sign-in", {"email": email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return self

    def upload(
        self,
        organisation_id,
        data,
        filename,
        purpose="accounts",
        expires=("31", "3", "2027"),
        **kwargs,
    ):
        """Post the upload form as a browser does: the radio, the three date boxes, the file."""
        url = f"/organisations/{organisation_id}/documents"
        form = {"expires_on": list(expires), "file": (io.BytesIO(data), filename)}
        if purpose is not None:
            form["purpose"] = purpose
        return self.post(url, form, content_type="multipart/form-data", **kwargs)


def error_summary(response):
    """The error summary's messages and the fields they link to: [(message, href)]."""
    summary = soup(response).select_one(".govuk-error-summary")
    if summary is None:
        return []
    return [
        (text(item), (item.find("a") or {}).get("href"))
        for item in summary.select(".govuk-error-summary__list li")
    ]


def error_messages(response):
    return [message for message, _href in error_summary(response)]


def field_error(response, field_id):
    """The inline error message shown by a field (GOV.UK puts it in the field's form group)."""
    message = soup(response).select_one(f"#{field_id}-error")
    return text(message)


def link_texts(response):
    """The text of every link and link-styled button on the page."""
    return [text(a) for a in soup(response).find_all("a")]


def checked_radio(response, name):
    checked = soup(response).select(f'input[type="radio"][name="{name}"][checked]')
    return [radio["value"] for radio in checked]


def date_values(response, name):
    return [
        soup(response).select_one(f"#{name}-{part}").get("value", "")
        for part in ("day", "month", "year")
    ]


def summary_list(response):
    rows = soup(response).select(".govuk-summary-list__row")
    return {
        text(row.select_one(".govuk-summary-list__key")): text(
            row.select_one(".govuk-summary-list__value")
        )
        for row in rows
    }
