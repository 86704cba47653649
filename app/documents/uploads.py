"""Checks on an uploaded file before anything is stored.

The type comes from the bytes (magic numbers, and for Office/OpenDocument files the archive's
contents), never from the name alone; the name's extension must agree with the bytes. Files that
are two things at once (polyglots), carry macros or active content, are empty or too large are
refused with a message that names the file and the reason.
"""

import hashlib
import io
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype

from app.errors import ServiceError

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str
    extensions: tuple


KINDS = {
    "pdf": Kind("PDF", "application/pdf", ("pdf",)),
    "docx": Kind(
        "Word document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ("docx",),
    ),
    "xlsx": Kind(
        "Excel spreadsheet",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ("xlsx",),
    ),
    "odt": Kind("OpenDocument text", "application/vnd.oasis.opendocument.text", ("odt",)),
    "ods": Kind(
        "OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", ("ods",)
    ),
    "csv": Kind("CSV", "text/csv", ("csv",)),
    "png": Kind("PNG image", "image/png", ("png",)),
    "jpg": Kind("JPEG image", "image/jpeg", ("jpg", "jpeg")),
}
ALLOWED_DESCRIPTION = "a PDF, Word, Excel, OpenDocument, CSV, PNG or JPEG file"
ALLOWED_EXTENSIONS = {ext for kind in KINDS.values() for ext in kind.extensions}
# Extensions that make a double-extension name dangerous wherever they stand in it.
DANGEROUS_EXTENSIONS = {
    "exe",
    "com",
    "bat",
    "cmd",
    "scr",
    "msi",
    "msp",
    "dll",
    "vbs",
    "vbe",
    "js",
    "jse",
    "wsf",
    "wsh",
    "ps1",
    "psm1",
    "sh",
    "bash",
    "jar",
    "app",
    "apk",
    "cpl",
    "hta",
    "html",
    "htm",
    "svg",
    "xhtml",
    "php",
    "py",
    "pl",
    "rb",
    "lnk",
    "reg",
    "iso",
    "docm",
    "xlsm",
    "pptm",
    "dotm",
    "xltm",
}
# Markers of a second format, or of active content, hidden inside an otherwise simple file.
_MARKUP_MARKERS = (b"<script", b"<html", b"<?php", b"<svg", b"<iframe", b"javascript:")
_PDF_ACTIVE = (
    b"/JavaScript",
    b"/JS ",
    b"/JS(",
    b"/JS<",
    b"/Launch",
    b"/EmbeddedFile",
    b"/RichMedia",
    b"/XFA",
)
_OTHER_MAGIC = (b"MZ", b"\x7fELF", b"%PDF-", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
MAX_FILENAME = 150


class UploadRefused(ServiceError):
    """The file cannot be accepted. The message says why, after the file's name ("The selected
    file report.pdf " + message), in the error summary against the file's field."""

    def __init__(self, message, field="file"):
        super().__init__(message, field)


@dataclass
class CheckedFile:
    filename: str
    kind: str
    content_type: str
    size: int
    sha256: str
    stream: object  # a seekable file positioned at 0


def clean_filename(raw):
    """A display name: no folders, no control characters, no leading dots, at most 150 characters
    (the extension kept)."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    name = name.replace('"', "'")
    if not name:
        return "document"
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_FILENAME - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:MAX_FILENAME]
    return name


def describe_size(limit):
    """A limit as people read it: "25 MB", "512 KB", "100 bytes"."""
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if limit >= size:
            amount = limit / size
            return f"{amount:.0f} {unit}" if amount == int(amount) else f"{amount:.1f} {unit}"
    return f"{limit} bytes"


def _extensions(name):
    parts = name.lower().split(".")
    return parts[1:] if len(parts) > 1 else []


def spool(file_storage, max_bytes):
    """Copy the upload to a temporary file in chunks, hashing as it goes, stopping at the limit.
    Returns (stream, size, sha256)."""
    digest = hashlib.sha256()
    out = tempfile.SpooledTemporaryFile(max_size=4 * CHUNK)
    size = 0
    source = getattr(file_storage, "stream", file_storage)
    while True:
        chunk = source.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            out.close()
            raise UploadRefused(f"must be smaller than {describe_size(max_bytes)}")
        digest.update(chunk)
        out.write(chunk)
    out.seek(0)
    return out, size, digest.hexdigest()


def _scan_for(stream, markers):
    """Whether any marker appears in the stream, case-insensitively (chunked, with overlap)."""
    stream.seek(0)
    tail = b""
    longest = max(len(m) for m in markers)
    lowered_markers = [m.lower() for m in markers]
    try:
        while True:
            chunk = stream.read(CHUNK)
            if not chunk:
                return False
            window = (tail + chunk).lower()
            if any(marker in window for marker in lowered_markers):
                return True
            tail = window[-longest:]
    finally:
        stream.seek(0)


def _detect(stream):
    stream.seek(0)
    head = stream.read(256 * 1024)
    stream.seek(0)
    guess = filetype.guess(head)
    if guess is not None:
        return guess.extension, head
    return None, head


def _check_zip_document(stream, kind):
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if kind in ("odt", "ods"):
                expected = KINDS[kind].content_type
                if (
                    "mimetype" not in names
                    or archive.read("mimetype").decode("ascii", "replace").strip() != expected
                ):
                    raise UploadRefused(f"is not a valid {KINDS[kind].label}")
                if any(
                    n.lower().startswith("basic/") or n.lower().startswith("scripts/")
                    for n in names
                ):
                    raise UploadRefused("contains macros. Save it without macros and try again")
            else:
                required = "word/document.xml" if kind == "docx" else "xl/workbook.xml"
                if "[Content_Types].xml" not in names or required not in names:
                    raise UploadRefused(f"is not a valid {KINDS[kind].label}")
                if any(n.lower().endswith("vbaproject.bin") for n in names):
                    raise UploadRefused("contains macros. Save it without macros and try again")
            for info in archive.infolist():
                if info.file_size > 200 * 1024 * 1024 or (
                    info.compress_size and info.file_size / info.compress_size > 200
                ):
                    raise UploadRefused("cannot be opened safely (it expands too far)")
    except zipfile.BadZipFile as exc:
        raise UploadRefused(f"is not a valid {KINDS[kind].label}") from exc
    finally:
        stream.seek(0)


def _looks_like_csv(head):
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = head.decode("cp1252")
        except UnicodeDecodeError:
            return False
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return bool(text) and printable / len(text) > 0.98


def check_upload(file_storage, max_bytes):
    """Check an uploaded file. Returns a CheckedFile, or raises UploadRefused with the reason."""
    filename = clean_filename(getattr(file_storage, "filename", None))
    exts = _extensions(filename)
    if not exts or exts[-1] not in ALLOWED_EXTENSIONS:
        raise UploadRefused(f"must be {ALLOWED_DESCRIPTION}")
    if any(ext in DANGEROUS_EXTENSIONS for ext in exts):
        raise UploadRefused(
            "has a file name that hides another type of file. "
            "Rename it with a single extension, like report.pdf"
        )
    stream, size, digest = spool(file_storage, max_bytes)
    try:
        if size == 0:
            raise UploadRefused("is empty")
        detected, head = _detect(stream)
        if detected is None and _looks_like_csv(head):
            detected = "csv"
        if detected == "jpx":
            detected = None
        kind = detected if detected in KINDS else None
        if kind is None:
            raise UploadRefused(
                f"must be {ALLOWED_DESCRIPTION}. Its name ends .{exts[-1]} but its contents "
                "are none of these"
            )
        if exts[-1] not in KINDS[kind].extensions:
            raise UploadRefused(
                f"is a {KINDS[kind].label} but its name ends .{exts[-1]}. "
                f"Rename it to end .{KINDS[kind].extensions[0]}"
            )
        _check_polyglot(stream, kind)
        return CheckedFile(
            filename=filename,
            kind=kind,
            content_type=KINDS[kind].content_type,
            size=size,
            sha256=digest,
            stream=stream,
        )
    except Exception:
        stream.close()
        raise


def _check_polyglot(stream, kind):
    if kind in ("docx", "xlsx", "odt", "ods"):
        _check_zip_document(stream, kind)
        return
    # A zip archive appended to an image or PDF opens as both (zip readers start at the end).
    is_zip = zipfile.is_zipfile(stream)
    stream.seek(0)
    if is_zip:
        raise UploadRefused("contains another file hidden inside it")
    if kind in ("png", "jpg", "csv"):
        if _scan_for(stream, _MARKUP_MARKERS):
            raise UploadRefused("contains web page code hidden inside it")
        if kind == "csv":
            stream.seek(0)
            head = stream.read(16)
            stream.seek(0)
            if any(head.startswith(m) for m in _OTHER_MAGIC):
                raise UploadRefused("is not a plain CSV file")
    if kind == "pdf":
        if _scan_for(stream, _PDF_ACTIVE):
            raise UploadRefused(
                "contains scripts or embedded files. Print it to a new PDF and try again"
            )
        if _scan_for(stream, _MARKUP_MARKERS):
            raise UploadRefused("contains web page code hidden inside it")
        stream.seek(0)
        if stream.read(5) != b"%PDF-":
            stream.seek(0)
            raise UploadRefused("is not a valid PDF")
        stream.seek(0)


def as_stream(data):
    """Bytes as an uploaded-file-like object (for services and tests)."""
    return io.BytesIO(data)
